import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client, ClientStatus } from '../clients/client.entity';
import { SEALED_COLUMNS } from '../clients/clients.repository';
import { TIME_ZONE } from '../clock/clock';
import type { Tx } from '../database/transaction';

/** The little an erasure needs to know about the client row, read under a lock. */
export interface ClientToErase {
  id: string;
  organizationId: string;
  status: ClientStatus;
}

/** A client the retention rule would erase. */
export interface DormantClient {
  id: string;
  organizationId: string;
}

/** How many clients of an organization the retention rule would erase. */
export interface DormantCount {
  organizationId: string;
  code: string;
  name: string;
  count: number;
}

const affected = (result: unknown): number => (Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0);

/**
 * An active client `c` with no activity on or after the cutoff day ($1): registration and consent,
 * contacts (not deleted), assessments, referrals (made, a status taking effect, or any update of the
 * record, as a Hanoi day), group attendance (sessions not deleted) and joining or leaving a group.
 * Each test is an index probe on the client's id, so the whole table is scanned once.
 */
const DORMANT = `c.status = 'active'
  AND c.first_contact_date < $1::date AND c.consent_date < $1::date
  AND NOT EXISTS (SELECT 1 FROM contact x
                   WHERE x.client_id = c.id AND x.deleted_at IS NULL AND x.contact_date >= $1::date)
  AND NOT EXISTS (SELECT 1 FROM needs_assessment a WHERE a.client_id = c.id AND a.assessed_on >= $1::date)
  AND NOT EXISTS (SELECT 1 FROM referral r
                   WHERE r.client_id = c.id
                     AND (r.referred_on >= $1::date OR r.status_on >= $1::date
                          OR (r.last_activity_at AT TIME ZONE '${TIME_ZONE}')::date >= $1::date))
  AND NOT EXISTS (SELECT 1 FROM group_attendance g JOIN group_session s ON s.id = g.session_id
                   WHERE g.client_id = c.id AND s.deleted_at IS NULL AND s.session_date >= $1::date)
  AND NOT EXISTS (SELECT 1 FROM group_membership m
                   WHERE m.client_id = c.id AND (m.joined_on >= $1::date OR m.left_on >= $1::date))`;

/** Every query of erasure and retention. They touch the tables of several features on purpose: an erasure
 *  must reach every copy of the client's text in one transaction. */
@Injectable()
export class ErasureRepository {
  constructor(@InjectRepository(Client) private readonly clients: Repository<Client>) {}

  /** The client row, locked until the transaction ends: a contact or referral saved for this client at the
   *  same moment waits (its foreign key check needs a share lock on the row), then fails as for a tombstone. */
  async lockClient(tx: Tx, id: string): Promise<ClientToErase | null> {
    const [row]: ClientToErase[] = await tx.query(
      `SELECT id, organization_id AS "organizationId", status FROM client WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  /** An active client of the organization by the hash of its code (the command line's way in). */
  async findActiveByUic(organizationId: string, uicHash: string): Promise<string | null> {
    const [row]: Array<{ id: string }> = await this.clients.query(
      `SELECT id FROM client WHERE organization_id = $1 AND uic_hash = $2 AND status = 'active'`,
      [organizationId, uicHash],
    );
    return row?.id ?? null;
  }

  /** Clears every cell sealed with the client's key (notes, outcome notes, slip PINs…). Returns how many. */
  async clearSealedCells(tx: Tx, clientId: string): Promise<number> {
    let cleared = 0;
    for (const { table, column, owner } of SEALED_COLUMNS) {
      cleared += affected(
        await tx.query(`UPDATE "${table}" SET ${column} = NULL WHERE ${owner} AND ${column} IS NOT NULL`, [clientId]),
      );
    }
    return cleared;
  }

  /** The slips of the client's referrals lose their code and expiry: typing the code confirms nothing. */
  async voidSlips(tx: Tx, clientId: string): Promise<number> {
    return affected(
      await tx.query(
        `UPDATE referral SET slip_code = NULL, slip_expires_on = NULL, pin_cipher = NULL
          WHERE client_id = $1 AND (slip_code IS NOT NULL OR slip_expires_on IS NOT NULL)`,
        [clientId],
      ),
    );
  }

  /** Ends the client's current group memberships on `day` (or on the day they joined, if that is later). */
  async endMemberships(tx: Tx, clientId: string, day: string): Promise<number> {
    return affected(
      await tx.query(
        `UPDATE group_membership SET left_on = GREATEST(joined_on, $2::date), updated_at = now()
          WHERE client_id = $1 AND left_on IS NULL`,
        [clientId, day],
      ),
    );
  }

  /**
   * The row becomes a tombstone: the code hash, display code, alias, data key (crypto-shredding: every
   * ciphertext sealed with it is now noise), idempotency key, the consenting worker and the person's
   * details go; the organization, primary district and dates stay for the indicators.
   */
  async tombstone(tx: Tx, clientId: string, erasedAt: Date): Promise<void> {
    await tx.query(
      `UPDATE client
          SET status = 'erased', erased_at = $2, uic_hash = NULL, display_code = NULL, alias_cipher = NULL,
              data_key_cipher = NULL, submission_key = NULL, consent_worker_id = NULL,
              gender = NULL, birth_year = NULL, work_setting = NULL, updated_at = now()
        WHERE id = $1`,
      [clientId, erasedAt],
    );
  }

  /** Erased clients (tombstone id and time), oldest first; from the Hanoi day `since` when given. */
  async erasedSince(since: string | null): Promise<Array<{ clientId: string; erasedAt: Date }>> {
    const rows: Array<{ clientId: string; erasedAt: Date }> = await this.clients.query(
      `SELECT id AS "clientId", erased_at AS "erasedAt" FROM client
        WHERE status = 'erased' AND ($1::date IS NULL OR (erased_at AT TIME ZONE '${TIME_ZONE}')::date >= $1::date)
        ORDER BY erased_at, id`,
      [since],
    );
    return rows.map((r) => ({ clientId: r.clientId, erasedAt: new Date(r.erasedAt) }));
  }

  /** Whether the client is still dormant for the cutoff (re-checked under the lock before a retention erasure). */
  async isDormant(tx: Tx, clientId: string, cutoff: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM client c WHERE c.id = $2 AND ${DORMANT}`, [cutoff, clientId]);
    return rows.length > 0;
  }

  dormantClients(cutoff: string): Promise<DormantClient[]> {
    return this.clients.query(
      `SELECT c.id, c.organization_id AS "organizationId" FROM client c WHERE ${DORMANT} ORDER BY c.organization_id, c.id`,
      [cutoff],
    );
  }

  /** Code and name of the organizations given, by id. */
  async organizationsNamed(ids: string[]): Promise<Map<string, { code: string; name: string }>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; code: string; name: string }> = await this.clients.query(
      `SELECT id, code, name FROM organization WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { code: row.code, name: row.name }]));
  }

  dormantCounts(cutoff: string): Promise<DormantCount[]> {
    return this.clients.query(
      `SELECT o.id AS "organizationId", o.code, o.name, count(*)::int AS count
         FROM client c JOIN organization o ON o.id = c.organization_id
        WHERE ${DORMANT}
        GROUP BY o.id, o.code, o.name
        ORDER BY o.name, o.code`,
      [cutoff],
    );
  }
}
