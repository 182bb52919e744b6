import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity';
import { NOTICE_VERSION_MAX_LENGTH, NOTICE_VERSION_SQL } from './notice-version';

/**
 * One published version of the notice read to a client before they consent (MISSION §2 rule 7), in
 * Vietnamese and English. Public text, not client data. A published version is never changed or removed
 * (the database refuses it): clients' consent names it, and a new version replaces it.
 */
@Entity('consent_notice')
@Check('ck_consent_notice_version', `"version" ~ '${NOTICE_VERSION_SQL}'`)
@Check('ck_consent_notice_bodies', `"body_vi" <> '' AND "body_en" <> ''`)
export class ConsentNotice {
  /** `YYYY-MM` or `YYYY-MM-N`, strictly increasing (see notice-version.ts). */
  @PrimaryColumn({ type: 'varchar', length: NOTICE_VERSION_MAX_LENGTH, primaryKeyConstraintName: 'pk_consent_notice' })
  version: string;

  /** Plain text, one paragraph per line. */
  @Column({ type: 'text' })
  bodyVi: string;

  @Column({ type: 'text' })
  bodyEn: string;

  @Column({ type: 'timestamptz' })
  publishedAt: Date;

  /** The admin who published it; null for the first notice, which came with the installation. */
  @Column({ type: 'uuid', nullable: true })
  publishedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'published_by', foreignKeyConstraintName: 'fk_consent_notice_published_by' })
  publisher?: User;
}
