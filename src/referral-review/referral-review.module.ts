import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GeographyModule } from '../geography/geography.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { Referral } from '../referrals/referral.entity';
import { ReferralReviewController } from './referral-review.controller';
import { ReferralReviewRepository } from './referral-review.repository';
import { ReferralReviewService } from './referral-review.service';

@Module({
  imports: [TypeOrmModule.forFeature([Referral]), OrganizationsModule, GeographyModule],
  controllers: [ReferralReviewController],
  providers: [ReferralReviewRepository, ReferralReviewService],
})
export class ReferralReviewModule {}
