import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { isUniqueViolation } from '../database/errors';
import { assertNotRestricted } from '../privacy-requests/restriction';
import type { Answer, Domain, ViolenceAnswer } from '../reference/codes';
import { AssessmentsRepository, DomainAnswer } from './assessments.repository';
import { NeedsAssessment } from './needs-assessment.entity';

export interface AssessmentInput {
  assessedOn: string;
  answers: Array<{ domain: Domain; need: Answer; eligible: Answer }>;
  violence: ViolenceAnswer | null;
}

@Injectable()
export class AssessmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly assessmentsRepository: AssessmentsRepository,
    private readonly clientsService: ClientsService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Records a dated assessment (the history is kept; the latest on or before a date is in force). */
  async record(
    actor: Actor,
    context: AuditContext,
    clientId: string,
    input: AssessmentInput,
    submissionKey: string,
  ): Promise<NeedsAssessment> {
    const repeated = await this.assessmentsRepository.findBySubmissionKey(submissionKey);
    if (repeated && repeated.organizationId === actor.organizationId) return repeated;
    const client = await this.clientsService.getForActor(actor, clientId);
    assertNotRestricted(client);
    try {
      return await this.dataSource.transaction(async (tx) => {
        const assessment = await this.assessmentsRepository.insert(
          tx,
          {
            clientId: client.id,
            organizationId: client.organizationId,
            workerId: actor.userId,
            assessedOn: input.assessedOn,
            violence: input.violence,
            submissionKey,
          },
          input.answers,
        );
        await this.auditService.record(tx, context, {
          action: 'assessment.created',
          target: { type: 'assessment', id: assessment.id },
          details: { clientId: client.id, domains: input.answers.map((a) => a.domain) },
        });
        return assessment;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.assessmentsRepository.findBySubmissionKey(submissionKey);
      if (!winner) throw error;
      return winner;
    }
  }

  /** Needs in force today (Hanoi calendar), one answer per assessed domain. */
  currentNeeds(client: Client, asOf: string = localDay(this.clock.now())): Promise<DomainAnswer[]> {
    return this.assessmentsRepository.currentNeeds(client.id, asOf);
  }

  latestViolenceAnswer(client: Client, asOf: string = localDay(this.clock.now())) {
    return this.assessmentsRepository.latestViolenceAnswer(client.id, asOf);
  }

  async history(client: Client, limit?: number) {
    const assessments = await this.assessmentsRepository.history(client.id, limit);
    const answers = await this.assessmentsRepository.answersOf(assessments.map((a) => a.id));
    return assessments.map((a) => ({ ...a, answers: answers.filter((d) => d.assessmentId === a.id) }));
  }
}
