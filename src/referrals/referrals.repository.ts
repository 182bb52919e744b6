import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Actor } from '../auth/actor';
import { TIME_ZONE } from '../clock/clock';
import type { Tx } from '../database/transaction';
import type { Domain, ReferralStatus } from '../reference/codes';
import { UUID } from '../web/form-rules';
import { Referral, ReferralEvent } from './referral.entity';
import { FOLLOW_UP_DUE_DAYS, FOLLOW_UP_OVERDUE_DAYS, OPEN_STATUSES } from './referral-status';

export type NewReferral = Omit<Referral, 'id' | 'createdAt' | 'updatedAt' | 'client' | 'provider'>;
export type NewReferralEvent = Omit<ReferralEvent, 'id' | 'createdAt' | 'referral'>;
export type ReferralChanges = Partial<
  Pick<
    Referral,
    | 'status'
    | 'statusOn'
    | 'appointmentOn'
    | 'completedOn'
    | 'verification'
    | 'outcomeNoteCipher'
    | 'slipExpiresOn'
    | 'lastActivityAt'
  >
>;

/** A referral in a list: codes and dates, the provider's name, never a note. */
export interface ReferralListRow {
  id: string;
  clientId: string;
  displayCode: string | null;
  domain: Domain;
  serviceType: string;
  providerName: string | null;
  referredOn: string;
  appointmentOn: string | null;
  status: ReferralStatus;
  statusOn: string;
  completedOn: string | null;
  referringWorkerId: string | null;
}

export interface FollowUpRow extends ReferralListRow {
  workerName: string | null;
  /** Whole Hanoi days since the last update. */
  daysWithoutUpdate: number;
}

/** One line of a referral's history, with the name of who made it (a user, the provider, an import). */
export interface ReferralHistoryRow extends ReferralEvent {
  actorName: string | null;
}

const LIST_COLUMNS = `r.id AS id, r.client_id AS "clientId", c.display_code AS "displayCode", r.domain AS domain,
  r.service_type AS "serviceType", p.name AS "providerName", to_char(r.referred_on, 'YYYY-MM-DD') AS "referredOn",
  to_char(r.appointment_on, 'YYYY-MM-DD') AS "appointmentOn", r.status AS status,
  to_char(r.status_on, 'YYYY-MM-DD') AS "statusOn", to_char(r.completed_on, 'YYYY-MM-DD') AS "completedOn",
  r.referring_worker_id AS "referringWorkerId"`;

const OPEN_LIST = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** Days since the last update, counted in Hanoi calendar days against `today` ($1). */
const DAYS_WITHOUT_UPDATE = `($1::date - (r.last_activity_at AT TIME ZONE '${TIME_ZONE}')::date)`;

@Injectable()
export class ReferralsRepository {
  constructor(
    @InjectRepository(Referral) private readonly referrals: Repository<Referral>,
    @InjectRepository(ReferralEvent) private readonly events: Repository<ReferralEvent>,
  ) {}

  /** A referral of the actor's organization whose client is still active; null for anything else. */
  findVisibleTo(actor: Actor, id: string): Promise<Referral | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.referrals
      .createQueryBuilder('r')
      .innerJoin('r.client', 'c', "c.status = 'active'")
      .where('r.id = :id AND r.organizationId = :organizationId', { id, organizationId: actor.organizationId })
      .getOne();
  }

  findById(tx: Tx | null, id: string): Promise<Referral | null> {
    return (tx ?? this.referrals.manager).getRepository(Referral).findOneBy({ id });
  }

  findBySubmissionKey(submissionKey: string): Promise<Referral | null> {
    return this.referrals.findOneBy({ submissionKey });
  }

  findBySlipCode(slipCode: string): Promise<Referral | null> {
    return this.referrals.findOneBy({ slipCode });
  }

  slipCodeTaken(tx: Tx, slipCode: string): Promise<boolean> {
    return tx.getRepository(Referral).existsBy({ slipCode });
  }

  async insert(tx: Tx, referral: NewReferral): Promise<Referral> {
    const result = await tx.getRepository(Referral).insert(referral);
    const generated = result.generatedMaps[0] as Pick<Referral, 'id' | 'createdAt' | 'updatedAt'>;
    return { ...referral, ...generated } as Referral;
  }

  async insertEvent(tx: Tx, event: NewReferralEvent): Promise<void> {
    await tx.getRepository(ReferralEvent).insert(event);
  }

  /**
   * Applies the changes only if nobody saved since `version` was read; bumps the version. Returns the new
   * version, or null when someone else got there first (optimistic locking).
   */
  async updateIfVersion(tx: Tx, id: string, version: number, changes: ReferralChanges): Promise<number | null> {
    const result = await tx
      .getRepository(Referral)
      .createQueryBuilder()
      .update()
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return result.affected === 1 ? version + 1 : null;
  }

  /** The history, oldest first, with who made each change. */
  history(referralId: string, sinceVersion = 0): Promise<ReferralHistoryRow[]> {
    return this.events
      .createQueryBuilder('e')
      .leftJoin('app_user', 'u', 'u.id = e.actor_id')
      .select('e')
      .addSelect('u.username', 'actorName')
      .where('e.referralId = :referralId AND e.version > :sinceVersion', { referralId, sinceVersion })
      .orderBy('e.version', 'ASC')
      .addOrderBy('e.createdAt', 'ASC')
      .getRawAndEntities()
      .then(({ entities, raw }) =>
        entities.map((event, i) => ({ ...event, actorName: (raw[i] as { actorName: string | null }).actorName })),
      );
  }

  listForClient(clientId: string): Promise<ReferralListRow[]> {
    return this.referrals.manager.query(
      `SELECT ${LIST_COLUMNS}
         FROM referral r JOIN client c ON c.id = r.client_id LEFT JOIN service_provider p ON p.id = r.provider_id
        WHERE r.client_id = $1
        ORDER BY r.referred_on DESC, r.created_at DESC`,
      [clientId],
    );
  }

  /**
   * Open referrals with no update for 14 days or more, oldest first, for the organization or one worker,
   * with the counts of due (14–30 days) and overdue (31 days and more) ones.
   */
  async followUps(organizationId: string, workerId: string | null, today: string, offset: number, limit: number) {
    const where = `r.organization_id = $2 AND r.status IN (${OPEN_LIST}) AND c.status = 'active'
      AND ($3::uuid IS NULL OR r.referring_worker_id = $3) AND ${DAYS_WITHOUT_UPDATE} >= ${FOLLOW_UP_DUE_DAYS}`;
    const params = [today, organizationId, workerId];
    const [counts] = (await this.referrals.manager.query(
      `SELECT count(*) FILTER (WHERE ${DAYS_WITHOUT_UPDATE} > ${FOLLOW_UP_OVERDUE_DAYS})::int AS overdue,
              count(*)::int AS total
         FROM referral r JOIN client c ON c.id = r.client_id WHERE ${where}`,
      params,
    )) as Array<{ overdue: number; total: number }>;
    const rows: FollowUpRow[] = await this.referrals.manager.query(
      `SELECT ${LIST_COLUMNS}, u.username AS "workerName", ${DAYS_WITHOUT_UPDATE} AS "daysWithoutUpdate"
         FROM referral r JOIN client c ON c.id = r.client_id
         LEFT JOIN service_provider p ON p.id = r.provider_id LEFT JOIN app_user u ON u.id = r.referring_worker_id
        WHERE ${where}
        ORDER BY r.last_activity_at ASC, r.id
        OFFSET $4 LIMIT $5`,
      [...params, offset, limit],
    );
    return { rows, total: counts.total, overdue: counts.overdue, due: counts.total - counts.overdue };
  }
}
