import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsentNoticesModule } from '../consent-notices/consent-notices.module';
import { GeographyModule } from '../geography/geography.module';
import { ProvidersModule } from '../providers/providers.module';
import { ImportJob } from './import-job.entity';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

@Module({
  imports: [TypeOrmModule.forFeature([ImportJob]), GeographyModule, ProvidersModule, ConsentNoticesModule],
  controllers: [ImportsController],
  providers: [ImportsRepository, ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}
