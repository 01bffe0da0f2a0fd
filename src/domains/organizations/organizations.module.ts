import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { UsersModule } from '@/domains/users';
import { OrganizationInvitation } from './entities/organization-invitation.entity';
import { OrganizationMember } from './entities/organization-member.entity';
import { Organization } from './entities/organization.entity';
import { MyInvitationsController, OrganizationInvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

/** Organizations and their members (authorization: the global OrgAccessModule). */
@Module({
  imports: [TypeOrmModule.forFeature([Organization, OrganizationMember, OrganizationInvitation]), AuditModule, UsersModule],
  controllers: [OrganizationsController, MembersController, OrganizationInvitationsController, MyInvitationsController],
  providers: [OrganizationsService, MembersService, InvitationsService, OrganizationsRepository, MembersRepository, InvitationsRepository],
  exports: [MembersService],
})
export class OrganizationsModule {}
