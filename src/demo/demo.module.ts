import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module';
import { ClientsModule } from '../clients/clients.module';
import { ContactsModule } from '../contacts/contacts.module';
import { GroupsModule } from '../groups/groups.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ProvidersModule } from '../providers/providers.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { UsersModule } from '../users/users.module';
import { DemoRepository } from './demo.repository';
import { DemoSeedService } from './demo-seed.service';

/** `npm run cli -- demo:seed`: a synthetic program, made through the same services as the pages. */
@Module({
  imports: [
    OrganizationsModule,
    UsersModule,
    ClientsModule,
    ContactsModule,
    AssessmentsModule,
    ReferralsModule,
    ProvidersModule,
    GroupsModule,
  ],
  providers: [DemoRepository, DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
