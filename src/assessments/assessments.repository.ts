import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../database/transaction';
import type { Answer, Domain, ViolenceAnswer } from '../reference/codes';
import { NeedsAssessment, NeedsAssessmentDomain } from './needs-assessment.entity';

export interface DomainAnswer {
  domain: Domain;
  need: Answer;
  eligible: Answer;
  assessedOn: string;
}

@Injectable()
export class AssessmentsRepository {
  constructor(@InjectRepository(NeedsAssessment) private readonly assessments: Repository<NeedsAssessment>) {}

  findBySubmissionKey(submissionKey: string): Promise<NeedsAssessment | null> {
    return this.assessments.findOneBy({ submissionKey });
  }

  async insert(
    tx: Tx,
    assessment: Omit<NeedsAssessment, 'id' | 'createdAt' | 'client'>,
    answers: Array<Omit<DomainAnswer, 'assessedOn'>>,
  ): Promise<NeedsAssessment> {
    const repo = tx.getRepository(NeedsAssessment);
    const saved = await repo.save(repo.create(assessment));
    if (answers.length) {
      await tx.getRepository(NeedsAssessmentDomain).insert(
        answers.map((a) => ({
          ...a,
          assessmentId: saved.id,
          clientId: saved.clientId,
          assessedOn: saved.assessedOn,
        })),
      );
    }
    return saved;
  }

  /** Per domain, the latest answer dated on or before `asOf` (the one in force). */
  currentNeeds(clientId: string, asOf: string): Promise<DomainAnswer[]> {
    return this.assessments.query(
      `SELECT DISTINCT ON (d.domain) d.domain, d.need, d.eligible, to_char(d.assessed_on, 'YYYY-MM-DD') AS "assessedOn"
         FROM needs_assessment_domain d
        WHERE d.client_id = $1 AND d.assessed_on <= $2
        ORDER BY d.domain, d.assessed_on DESC, d.assessment_id DESC`,
      [clientId, asOf],
    );
  }

  async latestViolenceAnswer(
    clientId: string,
    asOf: string,
  ): Promise<{ violence: ViolenceAnswer; assessedOn: string } | null> {
    const rows: Array<{ violence: ViolenceAnswer; assessedOn: string }> = await this.assessments.query(
      `SELECT violence, to_char(assessed_on, 'YYYY-MM-DD') AS "assessedOn" FROM needs_assessment
        WHERE client_id = $1 AND assessed_on <= $2 AND violence IS NOT NULL
        ORDER BY assessed_on DESC, created_at DESC LIMIT 1`,
      [clientId, asOf],
    );
    return rows[0] ?? null;
  }

  history(clientId: string, limit = 20): Promise<NeedsAssessment[]> {
    return this.assessments.find({
      where: { clientId },
      order: { assessedOn: 'DESC', createdAt: 'DESC' },
      take: limit,
    });
  }

  answersOf(assessmentIds: string[]): Promise<NeedsAssessmentDomain[]> {
    if (!assessmentIds.length) return Promise.resolve([]);
    return this.assessments.manager
      .getRepository(NeedsAssessmentDomain)
      .createQueryBuilder('d')
      .where('d.assessmentId IN (:...ids)', { ids: assessmentIds })
      .getMany();
  }
}
