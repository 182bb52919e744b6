import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PrivacyRequestsModule } from '../privacy-requests/privacy-requests.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { HomeController } from './home.controller';

@Module({ imports: [OrganizationsModule, ReferralsModule, PrivacyRequestsModule], controllers: [HomeController] })
export class HomeModule {}
