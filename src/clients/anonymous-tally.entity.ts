import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MODALITIES, Modality } from '../reference/codes';
import { sqlList } from '../reference/sql';

/** Contacts with people who did not consent to be registered: a count, and nothing about them. */
@Entity('anonymous_contact_tally')
@Index('idx_anonymous_tally_org_date', ['organizationId', 'contactDate'])
@Check('ck_anonymous_tally_modality', `"modality" IN (${sqlList(MODALITIES)})`)
@Check('ck_anonymous_tally_count', `"count" BETWEEN 1 AND 1000`)
export class AnonymousContactTally {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @Column({ type: 'uuid' })
  workerId: string;

  @Column({ type: 'date' })
  contactDate: string;

  @Column({ type: 'varchar', length: 60 })
  districtCode: string;

  @Column({ type: 'varchar', length: 10 })
  modality: Modality;

  @Column({ type: 'integer', default: 1 })
  count: number;

  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
