/** The organizations domain's public API: other domains and the composition roots import only this. */
export { OrgAccessModule } from './access/org-access.module';
export { NOT_A_MEMBER, OrgAccessService, isUuid } from './access/org-access.service';
export { OrgPermissionGuard } from './access/org-permission.guard';
export { OrgResourceRegistry } from './access/org-resource.registry';
export { OrganizationInvitation } from './entities/organization-invitation.entity';
export { OrganizationMember } from './entities/organization-member.entity';
export { Organization } from './entities/organization.entity';
export { MembersService } from './members.service';
export { OrganizationsModule } from './organizations.module';
