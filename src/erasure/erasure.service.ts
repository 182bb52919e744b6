import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import { Clock, localDay } from '../clock/clock';
import type { Tx } from '../database/transaction';
import { normalizeComposedUic, UicHasher } from '../privacy/client-code';
import { isUuid } from '../web/form-rules';
import { ErasureRepository } from './erasure.repository';

/**
 * Why a client is erased: a closed list, so the audit trail says why without free text about the person
 * (a reason typed in words could name or describe them, and would outlive the erasure in the trail).
 * `retention` is the scheduled job's; people choose from the others.
 */
export const ERASURE_REASONS = ['client_request', 'consent_withdrawn', 'recorded_in_error', 'other', 'retention'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];
export const MANUAL_ERASURE_REASONS = ERASURE_REASONS.filter(
  (reason): reason is Exclude<ErasureReason, 'retention'> => reason !== 'retention',
);

/** An erasure refused, with the message key saying why (both languages); nothing was changed. */
export class ErasureRefusedError extends Error {
  constructor(readonly messageKey: 'erasure.errors.notFound' | 'erasure.errors.alreadyErased' | 'erasure.errors.merged') {
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
    private readonly clock: Clock,
  ) {}

  /**
   * Erases the client in one transaction, audited `client.erased` with the reason code and counts. The
   * caller has checked the actor's scope (the web page loads the client for the manager first). An
   * unknown, already erased or merged client is refused with ErasureRefusedError.
   */
  erase(context: AuditContext, clientId: string, reason: ErasureReason): Promise<ErasureSummary> {
    return this.inTransaction(context, clientId, reason, null);
  }

  /**
   * The retention job's erasure: only if the client is still dormant for `cutoff` once locked (someone may
   * have recorded a contact since the job listed them). Null when the client is no longer to be erased.
   */
  async eraseDormant(context: AuditContext, clientId: string, cutoff: string): Promise<ErasureSummary | null> {
    try {
      return await this.inTransaction(context, clientId, 'retention', cutoff);
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
      return this.destroy(tx, context, client.id, client.organizationId, reason);
    });
  }

  private async destroy(
    tx: Tx,
    context: AuditContext,
    clientId: string,
    organizationId: string,
    reason: ErasureReason,
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
      details: { reason, sealedCells, slips, memberships },
    });
    return { clientId, organizationId, sealedCells, slips, memberships };
  }
}
