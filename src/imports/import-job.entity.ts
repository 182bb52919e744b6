import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from '../organizations/organization.entity';
import { sqlList } from '../reference/sql';
import {
  BadRow,
  IMPORT_KINDS,
  IMPORT_SOURCES,
  IMPORT_STATUSES,
  ImportKind,
  ImportSource,
  ImportStatus,
} from './import-kinds';

/**
 * One import of a legacy register: its kind, where it stands, and its verdict. Nothing read from the
 * file is kept here (not the file name, which may name a person, and never a cell value): only counts,
 * row numbers and reason codes.
 */
@Entity('import_job')
@Index('idx_import_job_org_created', ['organizationId', 'createdAt'])
@Check('ck_import_job_kind', `"kind" IN (${sqlList(IMPORT_KINDS)})`)
@Check('ck_import_job_status', `"status" IN (${sqlList(IMPORT_STATUSES)})`)
@Check('ck_import_job_source', `"source" IN (${sqlList(IMPORT_SOURCES)})`)
export class ImportJob {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The organization the rows go into (the importer's own). */
  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_import_job_organization' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 20 })
  kind: ImportKind;

  @Column({ type: 'varchar', length: 12, default: 'queued' })
  status: ImportStatus;

  /** The upload page or the command line. */
  @Column({ type: 'varchar', length: 4 })
  source: ImportSource;

  /** Null when run from the command line. */
  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  /** Username, or `cli:<OS user>`. */
  @Column({ type: 'varchar', length: 80 })
  createdByName: string;

  /** `csv` or `xlsx`, once the file was opened. */
  @Column({ type: 'varchar', length: 4, nullable: true })
  format: string | null;

  /** Data rows found in the file (blank rows and the header not counted), once validated. */
  @Column({ type: 'integer', nullable: true })
  rowCount: number | null;

  @Column({ type: 'integer', default: 0 })
  badRowCount: number;

  /** The first bad rows (row number, column, reason code), in file order. */
  @Column({ type: 'jsonb', default: '[]' })
  badRows: BadRow[];

  /** Records created per table, once completed. */
  @Column({ type: 'jsonb', default: '{}' })
  created: Record<string, number>;

  /** A file-level problem (rejected) or why the job failed: a code, never a message from the file. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  problem: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
