import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssessmentsModule } from '../assessments/assessments.module';
import { ClientsModule } from '../clients/clients.module';
import { GeographyModule } from '../geography/geography.module';
import { ProvidersModule } from '../providers/providers.module';
import { Referral, ReferralEvent } from './referral.entity';
import { ReferralsController } from './referrals.controller';
import { ReferralsRepository } from './referrals.repository';
import { ReferralsService } from './referrals.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Referral, ReferralEvent]),
    ClientsModule,
    AssessmentsModule,
    ProvidersModule,
    GeographyModule,
  ],
  controllers: [ReferralsController],
  providers: [ReferralsRepository, ReferralsService],
  exports: [ReferralsService],
})
export class ReferralsModule {}
