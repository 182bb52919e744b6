import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module';
import { ConsentNoticesModule } from '../consent-notices/consent-notices.module';
import { ContactsModule } from '../contacts/contacts.module';
import { GeographyModule } from '../geography/geography.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { ClientsController } from './clients.controller';
import { ClientsModule } from './clients.module';

/**
 * The client pages need contacts, assessments and referrals (the client page shows them all), and those modules
 * need ClientsModule: the pages live in a module of their own so that no import goes in a circle.
 */
@Module({
  imports: [ClientsModule, ContactsModule, AssessmentsModule, ReferralsModule, GeographyModule, ConsentNoticesModule],
  controllers: [ClientsController],
})
export class ClientPagesModule {}
