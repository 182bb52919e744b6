import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import type { Tx } from '../database/transaction';
import { User } from '../users/user.entity';
import { ConsentNotice } from './consent-notice.entity';
import { isNoticeVersion } from './notice-version';

export type NewConsentNotice = Omit<ConsentNotice, 'publisher'>;

/** A line of the versions list: no bodies, and who published it. */
export interface NoticeListing {
  version: string;
  publishedAt: Date;
  publisherName: string | null;
}

/**
 * Newest first. Versions order by month (`YYYY-MM`, which sorts as text), then by number: within a month
 * a longer version is a greater one (`2026-01` < `2026-01-9` < `2026-01-10`).
 */
const newestFirst = <T extends object>(qb: SelectQueryBuilder<T>) =>
  qb.orderBy('left(n.version, 7)', 'DESC').addOrderBy('length(n.version)', 'DESC').addOrderBy('n.version', 'DESC');

@Injectable()
export class ConsentNoticesRepository {
  constructor(@InjectRepository(ConsentNotice) private readonly notices: Repository<ConsentNotice>) {}

  /** The greatest version (inside a transaction: the one holding the publishing lock). */
  current(tx?: Tx): Promise<ConsentNotice | null> {
    const repository = tx ? tx.getRepository(ConsentNotice) : this.notices;
    return newestFirst(repository.createQueryBuilder('n')).limit(1).getOne();
  }

  findByVersion(version: string): Promise<ConsentNotice | null> {
    if (!isNoticeVersion(version)) return Promise.resolve(null);
    return this.notices.findOneBy({ version });
  }

  async list(): Promise<NoticeListing[]> {
    const rows = await newestFirst(this.notices.createQueryBuilder('n'))
      .leftJoin(User, 'u', 'u.id = n.published_by')
      .select(['n.version AS version', 'n.published_at AS published_at', 'u.username AS username'])
      .getRawMany<{ version: string; published_at: Date | string; username: string | null }>();
    return rows.map((row) => ({
      version: row.version,
      publishedAt: new Date(row.published_at),
      publisherName: row.username,
    }));
  }

  /**
   * Publishing takes the table's lock until its transaction ends, so two admins publishing at once are
   * checked against each other's versions one after the other (reads are not blocked).
   */
  async lockForPublishing(tx: Tx): Promise<void> {
    await tx.query('LOCK TABLE "consent_notice" IN SHARE ROW EXCLUSIVE MODE');
  }

  async insert(tx: Tx, notice: NewConsentNotice): Promise<ConsentNotice> {
    await tx.getRepository(ConsentNotice).insert(notice);
    return { ...notice };
  }
}
