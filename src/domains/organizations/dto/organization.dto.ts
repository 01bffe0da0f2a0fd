import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DisplayName } from '@/platform/http/decorators/display-name.decorator';
import { ORG_ROLES, type OrgRole } from '../entities/organization-member.entity';
import type { Organization } from '../entities/organization.entity';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme', maxLength: 255 })
  @DisplayName()
  name: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class UpdateOrganizationDto {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @DisplayName()
  name?: string;

  @ApiPropertyOptional({ nullable: true, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class OrganizationResponse {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  subscription_tier: string;
  is_active: boolean;
  created_at: string;
  /** The caller's role in this organization. */
  @ApiProperty({ enum: ORG_ROLES })
  role: OrgRole;

  static from(org: Organization, role: OrgRole): OrganizationResponse {
    return {
      id: org.id,
      name: org.name,
      slug: org.slug,
      description: org.description,
      subscription_tier: org.subscriptionTier,
      is_active: org.isActive,
      created_at: org.createdAt.toISOString(),
      role,
    };
  }
}

export const RoleField = () => IsIn(ORG_ROLES, { message: `role must be one of: ${ORG_ROLES.join(', ')}` });
