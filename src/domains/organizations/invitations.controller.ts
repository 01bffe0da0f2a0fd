import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { MessageResponse } from '@/platform/http/responses';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { OrgAccess, type OrgAccessContext, RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { AcceptInvitationDto, InvitationAcceptedResponse, InvitationResponse, MyInvitationResponse } from './dto/invitation.dto';
import { INVITATION_NOT_FOUND, InvitationsService } from './invitations.service';

const InvitationId = (name: string) => Param(name, uuidParam(INVITATION_NOT_FOUND));

/** An organization's pending invitations, for those who may invite. */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/organizations/:orgId/invitations')
export class OrganizationInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @RequireOrgPermission('organization:invite')
  async list(@OrgAccess() access: OrgAccessContext): Promise<InvitationResponse[]> {
    return (await this.invitations.listPending(access.organizationId!)).map(InvitationResponse.from);
  }

  @Delete(':invitationId')
  @RequireOrgPermission('organization:invite')
  async revoke(
    @OrgAccess() access: OrgAccessContext,
    @InvitationId('invitationId') id: string,
    @Auditing() actor: AuditContext,
  ): Promise<MessageResponse> {
    await this.invitations.revoke(access.organizationId!, id, actor);
    return { message: 'Invitation revoked' };
  }
}

/** The caller's own invitations: see, accept (by id or by the mailed token), decline. */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/invitations')
export class MyInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  async list(@CurrentUser() caller: AuthUser): Promise<MyInvitationResponse[]> {
    return (await this.invitations.mine(caller.id)).map((r) => MyInvitationResponse.from(r.invitation, r.organization));
  }

  @Post('accept')
  @HttpCode(200)
  accept(
    @CurrentUser() caller: AuthUser,
    @Body() dto: AcceptInvitationDto,
    @Auditing() actor: AuditContext,
  ): Promise<InvitationAcceptedResponse> {
    return this.invitations.accept(caller.id, { token: dto.token }, actor);
  }

  @Post(':id/accept')
  @HttpCode(200)
  acceptById(
    @CurrentUser() caller: AuthUser,
    @InvitationId('id') id: string,
    @Auditing() actor: AuditContext,
  ): Promise<InvitationAcceptedResponse> {
    return this.invitations.accept(caller.id, { id }, actor);
  }

  @Post(':id/decline')
  @HttpCode(200)
  async decline(
    @CurrentUser() caller: AuthUser,
    @InvitationId('id') id: string,
    @Auditing() actor: AuditContext,
  ): Promise<MessageResponse> {
    await this.invitations.decline(caller.id, id, actor);
    return { message: 'Invitation declined' };
  }
}
