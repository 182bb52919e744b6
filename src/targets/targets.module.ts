import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GeographyModule } from '../geography/geography.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { Target } from './target.entity';
import { TargetsController } from './targets.controller';
import { TargetsRepository } from './targets.repository';
import { TargetsService } from './targets.service';

/** Yearly targets; exports `TargetsService` (its `resolve` gives the dashboard the target that applies). */
@Module({
  imports: [TypeOrmModule.forFeature([Target]), OrganizationsModule, GeographyModule],
  controllers: [TargetsController],
  providers: [TargetsRepository, TargetsService],
  exports: [TargetsService],
})
export class TargetsModule {}
