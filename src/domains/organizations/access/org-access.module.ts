import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationMember } from '../entities/organization-member.entity';
import { OrgAccessRepository } from './org-access.repository';
import { OrgAccessService } from './org-access.service';
import { OrgPermissionGuard } from './org-permission.guard';
import { OrgResourceRegistry } from './org-resource.registry';

/**
 * Organization authorization for every domain: `@RequireOrgPermission(...)` on routes
 * (enforced by OrgPermissionGuard, registered globally in AppModule), `OrgAccessService`
 * for checks inside services, and `OrgResourceRegistry` where a domain declares how to
 * find the organization of its resources. Global, so domains need not import it.
 */
@Global()
@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([OrganizationMember])],
  providers: [OrgAccessService, OrgAccessRepository, OrgResourceRegistry, OrgPermissionGuard],
  exports: [OrgAccessService, OrgResourceRegistry, OrgPermissionGuard],
})
export class OrgAccessModule {}
