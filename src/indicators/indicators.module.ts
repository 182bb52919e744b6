import { Module } from '@nestjs/common';
import { GeographyModule } from '../geography/geography.module';
import { GroupsModule } from '../groups/groups.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { TargetsModule } from '../targets/targets.module';
import { IndicatorsController } from './indicators.controller';
import { IndicatorsRepository } from './indicators.repository';
import { IndicatorsService } from './indicators.service';

/** The indicators of MISSION §5: the dashboard, the report, the export (also used by the CLI). */
@Module({
  imports: [OrganizationsModule, GeographyModule, TargetsModule, ReferralsModule, GroupsModule],
  controllers: [IndicatorsController],
  providers: [IndicatorsRepository, IndicatorsService],
  exports: [IndicatorsService],
})
export class IndicatorsModule {}
