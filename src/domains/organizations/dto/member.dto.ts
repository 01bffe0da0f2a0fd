import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import type { User } from '@/domains/users';
import { ORG_ROLES, type OrganizationMember, type OrgRole } from '../entities/organization-member.entity';
import { RoleField } from './organization.dto';

export class AddMemberDto {
  @ApiProperty({ example: 'grace@example.com', description: 'The address to invite (an account is not needed yet)' })
  @IsEmail({}, { message: 'value is not a valid email address' })
  @MaxLength(255)
  email: string;

  @ApiPropertyOptional({ enum: ORG_ROLES, default: 'member' })
  @IsOptional()
  @RoleField()
  role?: OrgRole;
}

export class UpdateMemberRoleDto {
  @ApiProperty({ enum: ORG_ROLES })
  @RoleField()
  role: OrgRole;
}

export class MemberResponse {
  id: string;
  organization_id: string;
  user_id: string;
  email: string | null;
  username: string | null;
  full_name: string | null;
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;
  invited_by: string | null;
  joined_at: string;

  static from(m: OrganizationMember, user?: User): MemberResponse {
    return {
      id: m.id,
      organization_id: m.organizationId,
      user_id: m.userId,
      email: user?.email ?? null,
      username: user?.username ?? null,
      full_name: user?.fullName ?? null,
      role: m.role,
      invited_by: m.invitedBy,
      joined_at: m.joinedAt.toISOString(),
    };
  }
}
