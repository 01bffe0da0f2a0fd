import { Module } from '@nestjs/common';
import { AuditModule } from '@/domains/audit';
import { UsersModule } from '@/domains/users';
import { MyInvitationsController, OrganizationInvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';

/** Organizations and their members (authorization: the global OrgAccessModule). */
@Module({
  imports: [AuditModule, UsersModule],
  controllers: [OrganizationsController, MembersController, OrganizationInvitationsController, MyInvitationsController],
  providers: [OrganizationsService, MembersService, InvitationsService],
  exports: [MembersService],
})
export class OrganizationsModule {}
