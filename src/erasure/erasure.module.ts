import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { ClientsModule } from '../clients/clients.module';
import { retentionConfig } from '../config/retention.config';
import { GeographyModule } from '../geography/geography.module';
import { ErasureController } from './erasure.controller';
import { ErasureRepository } from './erasure.repository';
import { ClientErasureService } from './erasure.service';
import { RetentionController } from './retention.controller';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Erasure by crypto-shredding and the retention job (MISSION §2 rule 8). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Client]),
    ConfigModule.forFeature(retentionConfig),
    ClientsModule,
    GeographyModule,
  ],
  controllers: [ErasureController, RetentionController],
  providers: [ErasureRepository, ClientErasureService, RetentionService, RetentionScheduler],
  exports: [ClientErasureService, RetentionService],
})
export class ErasureModule {}
