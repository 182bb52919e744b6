import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Actor } from '../auth/actor';
import type { Tx } from '../database/transaction';
import { AnonymousContactTally } from './anonymous-tally.entity';
import { Client } from './client.entity';
import { UUID } from '../web/form-rules';

@Injectable()
export class ClientsRepository {
  constructor(@InjectRepository(Client) private readonly clients: Repository<Client>) {}

  /** A client record the actor may open: their own organization's, and still active. */
  findVisibleTo(actor: Actor, id: string): Promise<Client | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.clients.findOneBy({ id, organizationId: actor.organizationId, status: 'active' });
  }

  findVisibleByDisplayCode(actor: Actor, displayCode: string): Promise<Client | null> {
    return this.clients.findOneBy({ displayCode, organizationId: actor.organizationId, status: 'active' });
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
    const moved: Record<string, number> = {};
    for (const table of ['contact', 'needs_assessment', 'needs_assessment_domain']) {
      const rows: unknown = await tx.query(`UPDATE "${table}" SET client_id = $1 WHERE client_id = $2`, [toId, fromId]);
      moved[table] = Array.isArray(rows) && typeof rows[1] === 'number' ? rows[1] : 0;
    }
    return moved;
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
