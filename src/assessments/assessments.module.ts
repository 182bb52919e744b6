import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { AssessmentsController } from './assessments.controller';
import { AssessmentsRepository } from './assessments.repository';
import { AssessmentsService } from './assessments.service';
import { NeedsAssessment, NeedsAssessmentDomain } from './needs-assessment.entity';

@Module({
  imports: [TypeOrmModule.forFeature([NeedsAssessment, NeedsAssessmentDomain]), ClientsModule],
  controllers: [AssessmentsController],
  providers: [AssessmentsRepository, AssessmentsService],
  exports: [AssessmentsService],
})
export class AssessmentsModule {}
