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
import { User } from '../users/user.entity';

/**
 * A yearly target (MISSION §4 "Targets"): reach and access rate, for one organization or the whole
 * program (`organizationId` null), optionally for one district. Where nothing is set the defaults of
 * `targets.ts` apply.
 */
@Entity('target')
// One target per year, organization-or-program and district-or-none. NULLs are never equal in a unique
// index, so the migration writes it on COALESCE expressions, which TypeORM cannot declare: it must not
// try to create or drop it (synchronize: false keeps `migration:check` clean).
@Index('uq_target_scope', { synchronize: false })
@Check('ck_target_year', `"year" BETWEEN 2000 AND 2100`)
@Check('ck_target_reach', `"reach_target" > 0`)
@Check('ck_target_access', `"access_target" > 0 AND "access_target" <= 1`)
export class Target {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'integer' })
  year: number;

  /** Null: a program-wide target (set by administrators only). */
  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_target_organization' })
  organization?: Organization | null;

  /** Null: the target of the whole organization (or program), all districts together. */
  @Column({ type: 'varchar', length: 60, nullable: true })
  districtCode: string | null;

  @ManyToOne(() => District, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'district_code', foreignKeyConstraintName: 'fk_target_district' })
  district?: District | null;

  /** Outreach contacts for the year (`reach_contacts`, MISSION §5). */
  @Column({ type: 'integer' })
  reachTarget: number;

  /**
   * The access-rate target as a fraction (0.6 for 60%). PostgreSQL returns numerics as strings: the
   * repository turns them into numbers (no column transformer, see STYLE.md).
   */
  @Column({ type: 'numeric', precision: 5, scale: 4 })
  accessTarget: string;

  @Column({ type: 'uuid', nullable: true })
  updatedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'fk_target_updated_by' })
  updater?: User | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
