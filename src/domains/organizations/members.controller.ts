import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { MessageResponse } from '@/platform/http/responses';
import { OrgAccess, type OrgAccessContext, RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { InvitationSentResponse } from './dto/invitation.dto';
import { AddMemberDto, MemberResponse, UpdateMemberRoleDto } from './dto/member.dto';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';

const UserIdParam = () => Param('userId', uuidParam('Member not found'));

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/organizations/:orgId/members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly invitations: InvitationsService,
  ) {}

  /** Legacy contract: an outsider gets 403 `Not a member of this organization` here. */
  @Get()
  @RequireOrgPermission('organization:view', { notMember: 'forbidden' })
  async list(@OrgAccess() access: OrgAccessContext): Promise<MemberResponse[]> {
    const rows = await this.members.list(access.organizationId!);
    return rows.map((r) => MemberResponse.from(r.member, r.user));
  }

  /**
   * Invites an address (joining needs the invitee's consent): the same 201 whether or not it
   * has an account; the token goes out by mail.
   */
  @Post()
  @RequireOrgPermission('organization:invite')
  invite(
    @OrgAccess() access: OrgAccessContext,
    @CurrentUser() caller: AuthUser,
    @Body() dto: AddMemberDto,
    @Auditing() actor: AuditContext,
  ): Promise<InvitationSentResponse> {
    return this.invitations.invite(access.organizationId!, dto.email, dto.role ?? 'member', { ...actor, actorId: caller.id });
  }

  /** Leave the organization (any role; the last owner cannot leave). */
  @Delete('me')
  @RequireOrgPermission('organization:view')
  async leave(
    @OrgAccess() access: OrgAccessContext,
    @CurrentUser() caller: AuthUser,
    @Auditing() actor: AuditContext,
  ): Promise<MessageResponse> {
    await this.members.remove(access.organizationId!, caller.id, actor, true);
    return { message: 'Left the organization' };
  }

  @Put(':userId')
  @RequireOrgPermission('organization:update_role')
  async changeRole(
    @OrgAccess() access: OrgAccessContext,
    @UserIdParam() userId: string,
    @Body() dto: UpdateMemberRoleDto,
    @Auditing() actor: AuditContext,
  ): Promise<MemberResponse> {
    const { member, user } = await this.members.changeRole(access.organizationId!, userId, dto.role, actor);
    return MemberResponse.from(member, user);
  }

  @Delete(':userId')
  @RequireOrgPermission('organization:remove')
  async remove(
    @OrgAccess() access: OrgAccessContext,
    @UserIdParam() userId: string,
    @Auditing() actor: AuditContext,
  ): Promise<MessageResponse> {
    await this.members.remove(access.organizationId!, userId, actor);
    return { message: 'Member removed' };
  }
}
