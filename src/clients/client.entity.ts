import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { District } from '../geography/district.entity';
import { Organization } from '../organizations/organization.entity';
import { GENDERS, Gender, WORK_SETTINGS, WorkSetting } from '../reference/codes';
import { sqlList } from '../reference/sql';

export const CLIENT_STATUSES = ['active', 'erased', 'merged'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

/**
 * A person served, known only by codes. No name, phone, address, ID number or birth date exists
 * here: the UIC is stored as a keyed hash, humans see the random display code.
 */
@Entity('client')
@Index('uq_client_organization_uic', ['organizationId', 'uicHash'], { unique: true, where: '"uic_hash" IS NOT NULL' })
@Index('idx_client_uic_hash', ['uicHash'])
@Check('ck_client_gender', `"gender" IN (${sqlList(GENDERS)})`)
@Check('ck_client_work_setting', `"work_setting" IN (${sqlList(WORK_SETTINGS)})`)
@Check('ck_client_status', `"status" IN (${sqlList(CLIENT_STATUSES)})`)
@Check('ck_client_birth_year', `"birth_year" BETWEEN 1940 AND 2030`)
export class Client {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_client_organization' })
  organization?: Organization;

  /** HMAC-SHA256 of the normalized UIC (hex); null once erased. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  uicHash: string | null;

  /** Random short code shown on screens, e.g. `K7F-2Q9`; null once erased. */
  @Column({ type: 'varchar', length: 7, nullable: true, unique: true })
  displayCode: string | null;

  @Column({ type: 'varchar', length: 20 })
  gender: Gender;

  @Column({ type: 'integer' })
  birthYear: number;

  @Column({ type: 'varchar', length: 60 })
  primaryDistrict: string;

  @ManyToOne(() => District, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'primary_district', foreignKeyConstraintName: 'fk_client_district' })
  district?: District;

  @Column({ type: 'varchar', length: 20 })
  workSetting: WorkSetting;

  @Column({ type: 'date' })
  firstContactDate: string;

  /** Explicit verbal consent: date, worker (null for imported registers) and notice version. */
  @Column({ type: 'date' })
  consentDate: string;

  @Column({ type: 'uuid', nullable: true })
  consentWorkerId: string | null;

  @Column({ type: 'varchar', length: 20 })
  consentNoticeVersion: string;

  /** Optional alias, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  aliasCipher: string | null;

  /** The client's own data key, wrapped by the application key ring; destroyed on erasure. */
  @Column({ type: 'text', nullable: true })
  dataKeyCipher: string | null;

  @Column({ type: 'varchar', length: 10, default: 'active' })
  status: ClientStatus;

  /** Set when this record was merged into another one (a duplicate created by mistake). */
  @Column({ type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  /** Idempotency key of the registration form (a double tap registers once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
