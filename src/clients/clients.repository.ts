import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Actor } from '../auth/actor';
import { plainColumns } from '../database/plain-select';
import { PreparedStatement, runPrepared } from '../database/prepared';
import type { Tx } from '../database/transaction';
import { AnonymousContactTally } from './anonymous-tally.entity';
import { Client } from './client.entity';
import { UUID } from '../web/form-rules';

/** Tables whose rows belong to one client (`client_id`): a merge moves them to the kept record. */
const CLIENT_TABLES = [
  'contact',
  'needs_assessment',
  'needs_assessment_domain',
  'referral',
  'privacy_request',
] as const;

/** Columns holding text sealed with the client's own data key, and how a row is found to be the client's.
 *  A merge re-seals them with the kept client's key; an erasure (src/erasure) clears them. */
export const SEALED_COLUMNS = [
  { table: 'contact', column: 'note_cipher', owner: 'client_id = $1' },
  { table: 'referral', column: 'note_cipher', owner: 'client_id = $1' },
  { table: 'referral', column: 'outcome_note_cipher', owner: 'client_id = $1' },
  { table: 'referral', column: 'pin_cipher', owner: 'client_id = $1' },
  {
    table: 'referral_event',
    column: 'note_cipher',
    owner: 'referral_id IN (SELECT id FROM referral WHERE client_id = $1)',
  },
  { table: 'privacy_request', column: 'note_cipher', owner: 'client_id = $1' },
  { table: 'privacy_request', column: 'outcome_note_cipher', owner: 'client_id = $1' },
] as const;

export interface SealedCell {
  table: string;
  column: string;
  id: string;
  cipher: string;
}

@Injectable()
export class ClientsRepository {
  constructor(@InjectRepository(Client) private readonly clients: Repository<Client>) {}

  /** A client record the actor may open: their own organization's, and still active. A peer coordinator
   *  reaches only the current members of the groups they coordinate. */
  findVisibleTo(actor: Actor, id: string): Promise<Client | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.findOneVisible(actor, { id });
  }

  /** An active client whoever asks: only for flows with no signed-in actor (a provider's confirmation). */
  findActiveById(id: string): Promise<Client | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.clients.findOneBy({ id, status: 'active' });
  }

  findVisibleByDisplayCode(actor: Actor, displayCode: string): Promise<Client | null> {
    return this.findOneVisible(actor, { displayCode });
  }

  /** An active client of the organization by display code, for adding a member to a group (the
   *  coordinator is with that person; nothing but the code is shown until they are a member). */
  findInOrganizationByDisplayCode(organizationId: string, displayCode: string): Promise<Client | null> {
    return this.clients.findOneBy({ displayCode, organizationId, status: 'active' });
  }

  private visibleByIdStatement: PreparedStatement | null = null;

  private visibleById(): PreparedStatement {
    return (this.visibleByIdStatement ??= {
      name: 'clients.visible_by_id',
      text: `SELECT ${plainColumns(this.clients.metadata, 'c')} FROM client c
              WHERE c.id = $1 AND c.organization_id = $2 AND c.status = 'active'`,
    });
  }

  private async findOneVisible(actor: Actor, where: { id: string } | { displayCode: string }): Promise<Client | null> {
    if (actor.role !== 'peer_coordinator' && 'id' in where) {
      // Every page and form about a client starts here: a prepared statement, same row as findOneBy.
      const [row] = await runPrepared<Client>(this.clients.manager, this.visibleById(), [
        where.id,
        actor.organizationId,
      ]);
      return row ?? null;
    }
    if (actor.role !== 'peer_coordinator') {
      return this.clients.findOneBy({ ...where, organizationId: actor.organizationId, status: 'active' });
    }
    const qb = this.clients
      .createQueryBuilder('c')
      .where("c.organizationId = :organizationId AND c.status = 'active'", { organizationId: actor.organizationId });
    if ('id' in where) qb.andWhere('c.id = :id', { id: where.id });
    else qb.andWhere('c.displayCode = :displayCode', { displayCode: where.displayCode });
    return qb
      .andWhere(
        `EXISTS (SELECT 1 FROM group_membership m
                   JOIN peer_group_coordinator pc ON pc.group_id = m.group_id
                  WHERE m.client_id = c.id AND m.left_on IS NULL AND pc.user_id = :coordinatorId)`,
        { coordinatorId: actor.userId },
      )
      .getOne();
  }

  findInOrganizationByUic(organizationId: string, uicHash: string, tx?: Tx): Promise<Client | null> {
    const repo = tx ? tx.getRepository(Client) : this.clients;
    return repo.findOneBy({ organizationId, uicHash, status: 'active' });
  }

  /** Whether another organization knows this code; nothing else about that record leaves this method. */
  async knownElsewhere(organizationId: string, uicHash: string): Promise<boolean> {
    const count = await this.clients
      .createQueryBuilder('c')
      .where('c.uicHash = :uicHash AND c.organizationId <> :organizationId', { uicHash, organizationId })
      .andWhere("c.status = 'active'")
      .getCount();
    return count > 0;
  }

  findBySubmissionKey(submissionKey: string): Promise<Client | null> {
    return this.clients.findOneBy({ submissionKey });
  }

  displayCodeTaken(displayCode: string, tx: Tx): Promise<boolean> {
    return tx.getRepository(Client).existsBy({ displayCode });
  }

  insert(
    tx: Tx,
    client: Omit<Client, 'id' | 'createdAt' | 'updatedAt' | 'organization' | 'district'>,
  ): Promise<Client> {
    const repo = tx.getRepository(Client);
    return repo.save(repo.create(client));
  }

  async update(tx: Tx, id: string, changes: Partial<Omit<Client, 'id' | 'organization' | 'district'>>): Promise<void> {
    await tx.getRepository(Client).update({ id }, changes);
  }

  /** Moves every record of `fromId` onto `toId` (merge of a duplicate). Returns the counts moved. */
  async moveRecords(tx: Tx, fromId: string, toId: string): Promise<Record<string, number>> {
    const moved: Record<string, number> = await this.moveGroupRecords(tx, fromId, toId);
    for (const table of CLIENT_TABLES) {
      const rows: unknown = await tx.query(`UPDATE "${table}" SET client_id = $1 WHERE client_id = $2`, [toId, fromId]);
      moved[table] = Array.isArray(rows) && typeof rows[1] === 'number' ? rows[1] : 0;
    }
    return moved;
  }

  /**
   * Group memberships and attendance follow the kept client. Where both records were in the same group
   * at once (or at the same session, or have a session contact on the same day) they were one person:
   * the periods are joined, the attendance kept once, and the duplicate's extra session contact removed
   * (one contact per member-day), before the contacts move.
   */
  private async moveGroupRecords(tx: Tx, fromId: string, toId: string): Promise<Record<string, number>> {
    const count = (result: unknown) => (Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0);
    await tx.query(
      `UPDATE group_attendance k SET facilitated = k.facilitated OR d.facilitated
         FROM group_attendance d
        WHERE k.client_id = $1 AND d.client_id = $2 AND d.session_id = k.session_id`,
      [toId, fromId],
    );
    await tx.query(
      `DELETE FROM group_attendance d
        WHERE d.client_id = $2
          AND EXISTS (SELECT 1 FROM group_attendance k WHERE k.client_id = $1 AND k.session_id = d.session_id)`,
      [toId, fromId],
    );
    const attendance = await tx.query(`UPDATE group_attendance SET client_id = $1 WHERE client_id = $2`, [
      toId,
      fromId,
    ]);
    await tx.query(
      `UPDATE group_membership k SET joined_on = LEAST(k.joined_on, d.joined_on)
         FROM group_membership d
        WHERE k.client_id = $1 AND k.left_on IS NULL AND d.client_id = $2 AND d.left_on IS NULL
          AND d.group_id = k.group_id`,
      [toId, fromId],
    );
    await tx.query(
      `DELETE FROM group_membership d
        WHERE d.client_id = $2 AND d.left_on IS NULL
          AND EXISTS (SELECT 1 FROM group_membership k
                       WHERE k.client_id = $1 AND k.left_on IS NULL AND k.group_id = d.group_id)`,
      [toId, fromId],
    );
    const memberships = await tx.query(`UPDATE group_membership SET client_id = $1 WHERE client_id = $2`, [
      toId,
      fromId,
    ]);
    const sessionContacts = await tx.query(
      `UPDATE contact d SET deleted_at = now()
        WHERE d.client_id = $2 AND d.source = 'group' AND d.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM contact k
                       WHERE k.client_id = $1 AND k.source = 'group' AND k.deleted_at IS NULL
                         AND k.contact_date = d.contact_date)`,
      [toId, fromId],
    );
    return {
      group_attendance: count(attendance),
      group_membership: count(memberships),
      duplicate_group_contacts: count(sessionContacts),
    };
  }

  /** Every cell sealed with this client's data key (notes, PINs), wherever it is kept. */
  async sealedCellsOf(tx: Tx, clientId: string): Promise<SealedCell[]> {
    const cells: SealedCell[] = [];
    for (const { table, column, owner } of SEALED_COLUMNS) {
      const rows: Array<{ id: string; cipher: string }> = await tx.query(
        `SELECT id, ${column} AS cipher FROM "${table}" WHERE ${owner} AND ${column} IS NOT NULL`,
        [clientId],
      );
      cells.push(...rows.map((row) => ({ table, column, id: row.id, cipher: row.cipher })));
    }
    return cells;
  }

  async updateSealedCell(tx: Tx, cell: SealedCell, cipher: string): Promise<void> {
    const known = SEALED_COLUMNS.some((c) => c.table === cell.table && c.column === cell.column);
    if (!known) throw new Error(`Not a sealed column: ${cell.table}.${cell.column}`);
    await tx.query(`UPDATE "${cell.table}" SET ${cell.column} = $1 WHERE id = $2`, [cipher, cell.id]);
  }

  async listRecent(actor: Actor, offset: number, limit: number): Promise<{ rows: Client[]; total: number }> {
    const [rows, total] = await this.clients.findAndCount({
      where: { organizationId: actor.organizationId, status: 'active' },
      order: { updatedAt: 'DESC' },
      skip: offset,
      take: limit,
    });
    return { rows, total };
  }

  async insertTally(tx: Tx, tally: Omit<AnonymousContactTally, 'id' | 'createdAt'>): Promise<void> {
    await tx.getRepository(AnonymousContactTally).insert(tally);
  }

  tallyBySubmissionKey(submissionKey: string): Promise<AnonymousContactTally | null> {
    return this.clients.manager.getRepository(AnonymousContactTally).findOneBy({ submissionKey });
  }
}
