import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsentNotice } from './consent-notice.entity';
import { ConsentNoticesController } from './consent-notices.controller';
import { ConsentNoticesRepository } from './consent-notices.repository';
import { ConsentNoticesService } from './consent-notices.service';

/** The notice versions and their admin pages; registration, client pages, contacts and imports use the service. */
@Module({
  imports: [TypeOrmModule.forFeature([ConsentNotice])],
  controllers: [ConsentNoticesController],
  providers: [ConsentNoticesRepository, ConsentNoticesService],
  exports: [ConsentNoticesService],
})
export class ConsentNoticesModule {}
