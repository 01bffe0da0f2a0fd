import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { OrganizationInvitation } from '../entities/organization-invitation.entity';
import { ORG_ROLES, type OrgRole } from '../entities/organization-member.entity';
import type { Organization } from '../entities/organization.entity';

/** POST /api/organizations/{id}/members: the same answer whether or not the address has an account. */
export class InvitationSentResponse {
  @ApiProperty({ enum: ['invited'] })
  status: 'invited';
  email: string;
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;
  expires_at: string;
}

/** A pending invitation as its organization's inviters see it: nothing of the invitee but the address. */
export class InvitationResponse {
  id: string;
  organization_id: string;
  email: string;
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' })
  invited_by: string | null;
  created_at: string;
  expires_at: string;

  static from(i: OrganizationInvitation): InvitationResponse {
    return {
      id: i.id,
      organization_id: i.organizationId,
      email: i.email,
      role: i.role,
      invited_by: i.invitedBy,
      created_at: i.createdAt.toISOString(),
      expires_at: i.expiresAt.toISOString(),
    };
  }
}

/** A pending invitation as its invitee sees it (GET /api/invitations). */
export class MyInvitationResponse {
  id: string;
  organization: { id: string; name: string; slug: string };
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;
  created_at: string;
  expires_at: string;

  static from(i: OrganizationInvitation, org: Organization): MyInvitationResponse {
    return {
      id: i.id,
      organization: { id: org.id, name: org.name, slug: org.slug },
      role: i.role,
      created_at: i.createdAt.toISOString(),
      expires_at: i.expiresAt.toISOString(),
    };
  }
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The token of the invitation mail' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token: string;
}

export class InvitationAcceptedResponse {
  message: string;
  organization_id: string;
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;
}
