import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssessmentsModule } from '../assessments/assessments.module';
import { ClientsModule } from '../clients/clients.module';
import { privacyRequestsConfig } from '../config/privacy-requests.config';
import { ContactsModule } from '../contacts/contacts.module';
import { GeographyModule } from '../geography/geography.module';
import { GroupsModule } from '../groups/groups.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { ClientSummaryController } from './client-summary.controller';
import { ClientSummaryService } from './client-summary.service';
import { PrivacyRequest } from './privacy-request.entity';
import { PrivacyRequestsController } from './privacy-requests.controller';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyRequestsService } from './privacy-requests.service';
import { RestrictionController } from './restriction.controller';

/**
 * Data-subject rights (MISSION §2 rule 7): the request log, the client's data summary ("see") and the
 * restriction of processing. The write check itself (`restriction.ts`) is a plain function the
 * services of contacts, assessments, referrals, clients and groups call, so no module imports this one
 * but the home page's.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PrivacyRequest]),
    ConfigModule.forFeature(privacyRequestsConfig),
    ClientsModule,
    ContactsModule,
    AssessmentsModule,
    ReferralsModule,
    GroupsModule,
    GeographyModule,
  ],
  controllers: [PrivacyRequestsController, RestrictionController, ClientSummaryController],
  providers: [PrivacyRequestsRepository, PrivacyRequestsService, ClientSummaryService],
  exports: [PrivacyRequestsService],
})
export class PrivacyRequestsModule {}
