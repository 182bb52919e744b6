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
import { ConsentNotice } from '../consent-notices/consent-notice.entity';
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
@Check(
  'ck_client_erased',
  `("status" = 'erased') = ("erased_at" IS NOT NULL) AND ("status" <> 'erased' OR ("uic_hash" IS NULL AND "display_code" IS NULL AND "alias_cipher" IS NULL AND "data_key_cipher" IS NULL))`,
)
@Check(
  'ck_client_details',
  `"status" = 'erased' OR ("gender" IS NOT NULL AND "birth_year" IS NOT NULL AND "work_setting" IS NOT NULL)`,
)
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

  /**
   * Gender, birth year and work setting are cleared (null) on an erased client's tombstone only
   * (`ck_client_details`). No query loads a tombstone as an entity (every one reads active or merged
   * clients; erasure works in SQL), so the types here leave the null out.
   */
  @Column({ type: 'varchar', length: 20, nullable: true })
  gender: Gender;

  @Column({ type: 'integer', nullable: true })
  birthYear: number;

  @Column({ type: 'varchar', length: 60 })
  primaryDistrict: string;

  @ManyToOne(() => District, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'primary_district', foreignKeyConstraintName: 'fk_client_district' })
  district?: District;

  @Column({ type: 'varchar', length: 20, nullable: true })
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

  @ManyToOne(() => ConsentNotice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_notice_version', foreignKeyConstraintName: 'fk_client_consent_notice' })
  consentNotice?: ConsentNotice;

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

  /** When the client was erased (status `erased`): the row is then an anonymous tombstone (src/erasure). */
  @Column({ type: 'timestamptz', nullable: true })
  erasedAt?: Date | null;

  /** Set while the client has restricted the processing of their data: the record is read-only. */
  @Column({ type: 'timestamptz', nullable: true })
  restrictedAt?: Date | null;

  @Column({ type: 'uuid', nullable: true })
  restrictedBy?: string | null;

  /** Idempotency key of the registration form (a double tap registers once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
