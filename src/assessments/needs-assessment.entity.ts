import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Client } from '../clients/client.entity';
import { ANSWERS, Answer, DOMAINS, Domain, VIOLENCE_ANSWERS, ViolenceAnswer } from '../reference/codes';
import { sqlList } from '../reference/sql';

/** A dated needs assessment; the latest one on or before a date is the one in force, per domain. */
@Entity('needs_assessment')
@Index('idx_assessment_client_date', ['clientId', 'assessedOn'])
@Check('ck_assessment_violence', `"violence" IS NULL OR "violence" IN (${sqlList(VIOLENCE_ANSWERS)})`)
export class NeedsAssessment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_assessment_client' })
  client?: Client;

  @Column({ type: 'uuid' })
  organizationId: string;

  @Column({ type: 'uuid', nullable: true })
  workerId: string | null;

  @Column({ type: 'date' })
  assessedOn: string;

  /** Violence experienced in the last 12 months; null when not asked (e.g. imported rows). */
  @Column({ type: 'varchar', length: 10, nullable: true })
  violence: ViolenceAnswer | null;

  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One domain of an assessment. Client and date are repeated here so "the latest on or before E" is one index scan. */
@Entity('needs_assessment_domain')
@Index('idx_assessment_domain_latest', ['clientId', 'domain', 'assessedOn'])
@Check('ck_assessment_domain_domain', `"domain" IN (${sqlList(DOMAINS)})`)
@Check('ck_assessment_domain_need', `"need" IN (${sqlList(ANSWERS)})`)
@Check('ck_assessment_domain_eligible', `"eligible" IN (${sqlList(ANSWERS)})`)
export class NeedsAssessmentDomain {
  @PrimaryColumn({ type: 'uuid' })
  assessmentId: string;

  @ManyToOne(() => NeedsAssessment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'assessment_id', foreignKeyConstraintName: 'fk_assessment_domain_assessment' })
  assessment?: NeedsAssessment;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  domain: Domain;

  @Column({ type: 'uuid' })
  clientId: string;

  @Column({ type: 'date' })
  assessedOn: string;

  @Column({ type: 'varchar', length: 8 })
  need: Answer;

  @Column({ type: 'varchar', length: 8 })
  eligible: Answer;
}
