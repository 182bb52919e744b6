import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import { Clock, localDay } from '../clock/clock';
import type { Tx } from '../database/transaction';
import { normalizeComposedUic, UicHasher } from '../privacy/client-code';
import { FieldCipher } from '../privacy/field-cipher';
import { isUuid } from '../web/form-rules';
import { ErasureRepository } from './erasure.repository';

/**
 * Why a client is erased: a closed list, so the audit trail says why without free text about the person
 * (a reason typed in words could name or describe them, and would outlive the erasure in the trail).
 * `retention` is the scheduled job's; people choose from the others.
 */
export const ERASURE_REASONS = [
  'client_request',
  'consent_withdrawn',
  'recorded_in_error',
  'other',
  'retention',
  'reapplied_after_restore',
] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];
/** The reasons people choose from; `retention` and `reapplied_after_restore` are the system's. */
export const MANUAL_ERASURE_REASONS = ['client_request', 'consent_withdrawn', 'recorded_in_error', 'other'] as const;
export type ManualErasureReason = (typeof MANUAL_ERASURE_REASONS)[number];

/** One line of the erasure register: a tombstone id (a random number that says nothing) and when. */
export interface ErasureRecord {
  clientId: string;
  erasedAt: Date;
}

/** What re-applying a register to a restored database did, by client. */
export interface ReapplySummary {
  erased: number;
  alreadyErased: number;
  /** Not in this database (registered after the backup was taken): nothing to erase. */
  absent: number;
  /** Merged into another record before the erasure: the kept record is in the register if it was erased. */
  merged: number;
}

/** An erasure refused, with the message key saying why (both languages); nothing was changed. */
export class ErasureRefusedError extends Error {
  constructor(
    readonly messageKey: 'erasure.errors.notFound' | 'erasure.errors.alreadyErased' | 'erasure.errors.merged',
  ) {
    super(messageKey);
  }
}

/** A client listed by the retention job had activity recorded before the job reached it. */
class NoLongerDormantError extends Error {}

/** What one erasure did (counts only). */
export interface ErasureSummary {
  clientId: string;
  organizationId: string;
  /** Cells sealed with the client's key that were cleared (notes, outcome notes, slip PINs…). */
  sealedCells: number;
  /** Referral slips whose code stopped working. */
  slips: number;
  /** Group memberships ended. */
  memberships: number;
}

/**
 * Erasure by crypto-shredding (MISSION §2 rule 8): the client's data key, code hash, display code and alias
 * are destroyed and the row stays as an anonymous tombstone (organization, primary district, dates), so
 * contacts, assessments, referrals and attendance stay as anonymous facts and no past indicator changes
 * (§5). Every copy of the client's text was sealed with that key: without it, backups hold only noise. The
 * sealed cells are cleared too, so the live database holds not even the noise.
 */
@Injectable()
export class ClientErasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly erasureRepository: ErasureRepository,
    private readonly uicHasher: UicHasher,
    private readonly auditService: AuditService,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  /**
   * Erases the client in one transaction, audited `client.erased` with the reason code and counts (and,
   * from the command line, the words of the reason sealed under the key ring: free text). The caller has
   * checked the actor's scope (the web page loads the client for the manager first). An unknown, already
   * erased or merged client is refused with ErasureRefusedError.
   */
  erase(
    context: AuditContext,
    clientId: string,
    reason: ErasureReason,
    reasonText: string | null = null,
  ): Promise<ErasureSummary> {
    return this.inTransaction(context, clientId, reason, null, reasonText);
  }

  /**
   * The erasure register (SECURITY.md §4): every erased client's tombstone id and erasure time, oldest
   * first, from `since` (a Hanoi day) when given. Kept with the backups, it lets the erasures made after a
   * backup be made again in a restored copy. Listing it is audited.
   */
  async register(context: AuditContext, since: string | null): Promise<ErasureRecord[]> {
    const records = await this.erasureRepository.erasedSince(since);
    await this.auditService.record(null, context, {
      action: 'erasure.register_listed',
      details: { since, clients: records.length },
    });
    return records;
  }

  /**
   * Erases again, in a database restored from a backup, every client of the register that is back in it
   * (audited like any erasure, reason `reapplied_after_restore`). Clients already erased, absent or
   * merged are counted and left as they are; running it twice changes nothing the second time.
   */
  async reapply(context: AuditContext, clientIds: readonly string[]): Promise<ReapplySummary> {
    const summary: ReapplySummary = { erased: 0, alreadyErased: 0, absent: 0, merged: 0 };
    for (const clientId of new Set(clientIds)) {
      try {
        await this.inTransaction(context, clientId, 'reapplied_after_restore', null, null);
        summary.erased += 1;
      } catch (error) {
        if (!(error instanceof ErasureRefusedError)) throw error;
        if (error.messageKey === 'erasure.errors.alreadyErased') summary.alreadyErased += 1;
        else if (error.messageKey === 'erasure.errors.merged') summary.merged += 1;
        else summary.absent += 1;
      }
    }
    return summary;
  }

  /**
   * The retention job's erasure: only if the client is still dormant for `cutoff` once locked (someone may
   * have recorded a contact since the job listed them). Null when the client is no longer to be erased.
   */
  async eraseDormant(context: AuditContext, clientId: string, cutoff: string): Promise<ErasureSummary | null> {
    try {
      return await this.inTransaction(context, clientId, 'retention', cutoff, null);
    } catch (error) {
      // Erased or merged meanwhile, or active again: not this run's to erase.
      if (error instanceof ErasureRefusedError || error instanceof NoLongerDormantError) return null;
      throw error;
    }
  }

  /** The client of an organization by its raw code (command line): hashed at once, never kept. */
  findByUic(organizationId: string, rawUic: string): Promise<string | null> {
    const code = normalizeComposedUic(rawUic);
    return code
      ? this.erasureRepository.findActiveByUic(organizationId, this.uicHasher.hash(code))
      : Promise.resolve(null);
  }

  private async inTransaction(
    context: AuditContext,
    clientId: string,
    reason: ErasureReason,
    dormantBefore: string | null,
    reasonText: string | null,
  ): Promise<ErasureSummary> {
    if (!isUuid(clientId)) throw new ErasureRefusedError('erasure.errors.notFound');
    return this.dataSource.transaction(async (tx) => {
      const client = await this.erasureRepository.lockClient(tx, clientId);
      if (!client) throw new ErasureRefusedError('erasure.errors.notFound');
      if (client.status === 'erased') throw new ErasureRefusedError('erasure.errors.alreadyErased');
      if (client.status === 'merged') throw new ErasureRefusedError('erasure.errors.merged');
      if (dormantBefore && !(await this.erasureRepository.isDormant(tx, client.id, dormantBefore))) {
        throw new NoLongerDormantError();
      }
      return this.destroy(tx, context, client.id, client.organizationId, reason, reasonText);
    });
  }

  private async destroy(
    tx: Tx,
    context: AuditContext,
    clientId: string,
    organizationId: string,
    reason: ErasureReason,
    reasonText: string | null,
  ): Promise<ErasureSummary> {
    const now = this.clock.now();
    const sealedCells = await this.erasureRepository.clearSealedCells(tx, clientId);
    const slips = await this.erasureRepository.voidSlips(tx, clientId);
    const memberships = await this.erasureRepository.endMemberships(tx, clientId, localDay(now));
    await this.erasureRepository.tombstone(tx, clientId, now);
    // Earlier audit rows name the client by id only (never a code or text): they now point at the tombstone.
    await this.auditService.record(tx, context, {
      action: 'client.erased',
      target: { type: 'client', id: clientId },
      organizationId,
      details: {
        reason,
        sealedCells,
        slips,
        memberships,
        ...(reasonText ? { reasonCipher: this.cipher.encrypt(reasonText) } : {}),
      },
    });
    return { clientId, organizationId, sealedCells, slips, memberships };
  }
}
