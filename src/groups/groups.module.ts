import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { reportsConfig } from '../config/reports.config';
import { ContactsModule } from '../contacts/contacts.module';
import { GeographyModule } from '../geography/geography.module';
import { GroupAttendance, GroupSession } from './group-session.entity';
import { GroupSessionsController } from './group-sessions.controller';
import { GroupSessionsRepository } from './group-sessions.repository';
import { GroupSessionsService } from './group-sessions.service';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';
import { GroupMembership, PeerGroup, PeerGroupCoordinator } from './peer-group.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([PeerGroup, PeerGroupCoordinator, GroupMembership, GroupSession, GroupAttendance]),
    ConfigModule.forFeature(reportsConfig),
    ClientsModule,
    ContactsModule,
    GeographyModule,
  ],
  controllers: [GroupsController, GroupSessionsController],
  providers: [GroupsRepository, GroupsService, GroupSessionsRepository, GroupSessionsService],
  exports: [GroupsService, GroupSessionsService],
})
export class GroupsModule {}
