import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { HomeController } from './home.controller';

@Module({ imports: [OrganizationsModule, ReferralsModule], controllers: [HomeController] })
export class HomeModule {}
