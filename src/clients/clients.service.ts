import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConsentNoticesService } from '../consent-notices/consent-notices.service';
import { isUniqueViolation } from '../database/errors';
import type { Tx } from '../database/transaction';
import { ClientDataKeys } from '../privacy/client-data-keys';
import { composeUic, newDisplayCode, UicHasher, UicParts } from '../privacy/client-code';
import { assertNotRestricted } from '../privacy-requests/restriction';
import type { Gender, Modality, WorkSetting } from '../reference/codes';
import type { Page } from '../web/pagination';
import { Client } from './client.entity';
import { ClientsRepository } from './clients.repository';

export interface ClientDetails {
  gender: Gender;
  /** Four digits; its last two are the UIC's year part. */
  birthYear: number;
  primaryDistrict: string;
  workSetting: WorkSetting;
  firstContactDate: string;
  alias?: string | null;
}

export interface Registration extends ClientDetails {
  uic: Omit<UicParts, 'birthYear'>;
  /** The worker confirms the client gave explicit verbal consent after hearing the notice. */
  consentDate: string;
  /** Register here even though another organization knows this code (the worker was told so). */
  confirmKnownElsewhere?: boolean;
  submissionKey: string;
  /**
   * The notice version the form showed, to be sure the client agreed to the current one (a newer one may
   * have been published meanwhile). Callers that show no notice (tests, fixtures) leave it out.
   */
  noticeVersion?: string;
}

export type RegistrationOutcome =
  | { kind: 'created'; client: Client }
  | { kind: 'existing'; client: Client }
  | { kind: 'elsewhere' }
  | { kind: 'invalid_uic'; invalid: Array<keyof UicParts> }
  | { kind: 'notice_changed' };

/** Recording renewed consent: the version the worker read out, and the day. */
export interface ConsentRenewal {
  shownVersion: string | null;
  consentDate: string;
}

export type ConsentRenewalOutcome = 'renewed' | 'already_current' | 'notice_changed';

export type LookupOutcome =
  | { kind: 'existing'; client: Client }
  | { kind: 'elsewhere' }
  | { kind: 'none' }
  | { kind: 'invalid_uic'; invalid: Array<keyof UicParts> };

export interface AnonymousTally {
  contactDate: string;
  districtCode: string;
  modality: Modality;
  count: number;
  submissionKey: string;
}

export const MERGE_REASONS = ['registered_twice', 'code_typed_wrong', 'other'] as const;
export type MergeReason = (typeof MERGE_REASONS)[number];

export class MergeRefusedError extends Error {
  constructor(readonly reasonKey: string) {
    super(reasonKey);
  }
}

const DISPLAY_CODE_ATTEMPTS = 8;

@Injectable()
export class ClientsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clientsRepository: ClientsRepository,
    private readonly uicHasher: UicHasher,
    private readonly dataKeys: ClientDataKeys,
    private readonly auditService: AuditService,
    private readonly consentNotices: ConsentNoticesService,
  ) {}

  /** Hash of the UIC built from its parts; the raw code lives only inside this call. */
  hashOf(
    parts: Partial<Record<keyof UicParts, unknown>>,
  ): { ok: true; hash: string } | { ok: false; invalid: Array<keyof UicParts> } {
    const composed = composeUic(parts);
    return composed.ok ? { ok: true, hash: this.uicHasher.hash(composed.code) } : composed;
  }

  /** Finds a client by the UIC parts: the worker's own organization's record, or only the fact that another knows it. */
  async lookup(
    actor: Actor,
    context: AuditContext,
    parts: Partial<Record<keyof UicParts, unknown>>,
  ): Promise<LookupOutcome> {
    const hashed = this.hashOf(parts);
    if (!hashed.ok) return { kind: 'invalid_uic', invalid: hashed.invalid };
    const own = await this.clientsRepository.findInOrganizationByUic(actor.organizationId, hashed.hash);
    if (own) {
      await this.auditService.record(null, context, {
        action: 'client.found_existing',
        target: { type: 'client', id: own.id },
      });
      return { kind: 'existing', client: own };
    }
    if (await this.clientsRepository.knownElsewhere(actor.organizationId, hashed.hash)) {
      await this.auditService.record(null, context, { action: 'client.found_elsewhere' });
      return { kind: 'elsewhere' };
    }
    return { kind: 'none' };
  }

  /**
   * Registers a consenting client under their code. A code already known in the organization opens
   * that client instead; one known only elsewhere is reported (nothing else about it) until the worker
   * confirms. A repeated submission (double tap, slow network) returns what the first one created.
   */
  async register(actor: Actor, context: AuditContext, input: Registration): Promise<RegistrationOutcome> {
    const repeated = await this.clientsRepository.findBySubmissionKey(input.submissionKey);
    if (repeated && repeated.organizationId === actor.organizationId) return { kind: 'created', client: repeated };

    const hashed = this.hashOf({ ...input.uic, birthYear: String(input.birthYear) });
    if (!hashed.ok) return { kind: 'invalid_uic', invalid: hashed.invalid };
    const existing = await this.clientsRepository.findInOrganizationByUic(actor.organizationId, hashed.hash);
    if (existing) {
      await this.auditService.record(null, context, {
        action: 'client.found_existing',
        target: { type: 'client', id: existing.id },
      });
      return { kind: 'existing', client: existing };
    }
    if (
      !input.confirmKnownElsewhere &&
      (await this.clientsRepository.knownElsewhere(actor.organizationId, hashed.hash))
    ) {
      await this.auditService.record(null, context, { action: 'client.found_elsewhere' });
      return { kind: 'elsewhere' };
    }

    const notice = await this.consentNotices.current();
    if (input.noticeVersion !== undefined && input.noticeVersion !== notice.version) return { kind: 'notice_changed' };

    const dataKeyCipher = this.dataKeys.newWrappedKey();
    try {
      const client = await this.dataSource.transaction(async (tx) => {
        const created = await this.clientsRepository.insert(tx, {
          organizationId: actor.organizationId,
          uicHash: hashed.hash,
          displayCode: await this.freeDisplayCode(tx),
          gender: input.gender,
          birthYear: input.birthYear,
          primaryDistrict: input.primaryDistrict,
          workSetting: input.workSetting,
          firstContactDate: input.firstContactDate,
          consentDate: input.consentDate,
          consentWorkerId: actor.userId,
          consentNoticeVersion: notice.version,
          aliasCipher: input.alias ? this.dataKeys.encrypt(dataKeyCipher, input.alias) : null,
          dataKeyCipher,
          status: 'active',
          mergedIntoId: null,
          submissionKey: input.submissionKey,
        });
        await this.auditService.record(tx, context, {
          action: 'client.created',
          target: { type: 'client', id: created.id },
        });
        return created;
      });
      return { kind: 'created', client };
    } catch (error) {
      // Two submissions racing: the unique indexes (code per organization, submission key) decide.
      if (!isUniqueViolation(error)) throw error;
      const winner =
        (await this.clientsRepository.findBySubmissionKey(input.submissionKey)) ??
        (await this.clientsRepository.findInOrganizationByUic(actor.organizationId, hashed.hash));
      if (!winner) throw error;
      return { kind: winner.submissionKey === input.submissionKey ? 'created' : 'existing', client: winner };
    }
  }

  /** Without consent nothing about the person is kept: only a count of contacts. */
  async recordAnonymousTally(actor: Actor, context: AuditContext, tally: AnonymousTally): Promise<void> {
    if (await this.clientsRepository.tallyBySubmissionKey(tally.submissionKey)) return;
    try {
      await this.dataSource.transaction(async (tx) => {
        await this.clientsRepository.insertTally(tx, {
          ...tally,
          organizationId: actor.organizationId,
          workerId: actor.userId,
        });
        await this.auditService.record(tx, context, { action: 'tally.recorded', details: { count: tally.count } });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // the same form submitted twice: recorded once
    }
  }

  /** The client record, or 404 when it is missing, erased, merged or of another organization. */
  async getForActor(actor: Actor, id: string): Promise<Client> {
    const client = await this.clientsRepository.findVisibleTo(actor, id);
    if (!client) throw new NotFoundException();
    return client;
  }

  /** Opening a client page: every view is audited. */
  async openForActor(actor: Actor, context: AuditContext, id: string): Promise<Client> {
    const client = await this.getForActor(actor, id);
    await this.auditService.record(null, context, {
      action: 'client.viewed',
      target: { type: 'client', id: client.id },
    });
    return client;
  }

  /** The client of a record reached without a signed-in actor (a provider confirming a referral slip). */
  findActiveById(id: string): Promise<Client | null> {
    return this.clientsRepository.findActiveById(id);
  }

  findByDisplayCode(actor: Actor, displayCode: string): Promise<Client | null> {
    return this.clientsRepository.findVisibleByDisplayCode(actor, displayCode);
  }

  /** A client of the actor's organization by display code, to be added to a group: found whatever the
   *  actor's own scope (a coordinator's new member is not theirs to see yet). */
  findForEnrolment(actor: Actor, displayCode: string): Promise<Client | null> {
    return this.clientsRepository.findInOrganizationByDisplayCode(actor.organizationId, displayCode);
  }

  listRecent(actor: Actor, page: Page) {
    return this.clientsRepository.listRecent(actor, page.offset, page.limit);
  }

  aliasOf(client: Client): string | null {
    return client.aliasCipher && client.dataKeyCipher
      ? this.dataKeys.decrypt(client.dataKeyCipher, client.aliasCipher)
      : null;
  }

  /** Seals free text about this client with the client's own data key. */
  seal(client: Client, plaintext: string): string {
    if (!client.dataKeyCipher) throw new NotFoundException();
    return this.dataKeys.encrypt(client.dataKeyCipher, plaintext);
  }

  unseal(client: Client, ciphertext: string): string {
    if (!client.dataKeyCipher) throw new NotFoundException();
    return this.dataKeys.decrypt(client.dataKeyCipher, ciphertext);
  }

  /**
   * Records that a client who had agreed to an older notice heard the current one and agreed again: date,
   * worker and version, as at registration. Refused when the worker read a notice that is no longer the
   * current one; a second submission changes nothing.
   */
  async renewConsent(
    actor: Actor,
    context: AuditContext,
    id: string,
    renewal: ConsentRenewal,
  ): Promise<ConsentRenewalOutcome> {
    const client = await this.getForActor(actor, id);
    assertNotRestricted(client);
    const notice = await this.consentNotices.current();
    if (renewal.shownVersion !== notice.version) return 'notice_changed';
    if (client.consentNoticeVersion === notice.version) return 'already_current';
    await this.dataSource.transaction(async (tx) => {
      await this.clientsRepository.update(tx, client.id, {
        consentDate: renewal.consentDate,
        consentWorkerId: actor.userId,
        consentNoticeVersion: notice.version,
      });
      await this.auditService.record(tx, context, {
        action: 'client.updated',
        target: { type: 'client', id: client.id },
        details: { consentRenewed: notice.version },
      });
    });
    return 'renewed';
  }

  async updateDetails(actor: Actor, context: AuditContext, id: string, details: ClientDetails): Promise<void> {
    const client = await this.getForActor(actor, id);
    assertNotRestricted(client);
    const aliasCipher = details.alias ? this.seal(client, details.alias) : null;
    const changed = (['gender', 'birthYear', 'primaryDistrict', 'workSetting', 'firstContactDate'] as const).filter(
      (k) => client[k] !== details[k],
    );
    if ((this.aliasOf(client) ?? '') !== (details.alias ?? '')) changed.push('alias' as never);
    if (changed.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      await this.clientsRepository.update(tx, client.id, {
        gender: details.gender,
        birthYear: details.birthYear,
        primaryDistrict: details.primaryDistrict,
        workSetting: details.workSetting,
        firstContactDate: details.firstContactDate,
        aliasCipher,
      });
      await this.auditService.record(tx, context, {
        action: 'client.updated',
        target: { type: 'client', id },
        details: { changed },
      });
    });
  }

  /**
   * Merges a duplicate created by mistake into the client to keep (manager, same organization): every
   * contact and assessment moves over, notes are re-sealed with the kept client's key, and the duplicate
   * keeps no code. Audited with a reason from a closed list.
   */
  async merge(
    actor: Actor,
    context: AuditContext,
    keepId: string,
    duplicateId: string,
    reason: MergeReason,
  ): Promise<void> {
    if (keepId === duplicateId) throw new MergeRefusedError('clients.mergeSame');
    const keep = await this.getForActor(actor, keepId);
    const duplicate = await this.getForActor(actor, duplicateId);
    assertNotRestricted(keep);
    assertNotRestricted(duplicate);
    await this.dataSource.transaction(async (tx) => {
      await this.resealNotes(tx, duplicate, keep);
      const moved = await this.clientsRepository.moveRecords(tx, duplicate.id, keep.id);
      await this.clientsRepository.update(tx, duplicate.id, {
        status: 'merged',
        mergedIntoId: keep.id,
        uicHash: null,
        displayCode: null,
        aliasCipher: null,
        dataKeyCipher: null,
      });
      await this.auditService.record(tx, context, {
        action: 'client.merged',
        target: { type: 'client', id: keep.id },
        details: { mergedClientId: duplicate.id, reason, moved },
      });
    });
  }

  /** Re-seals every note (and slip PIN) of the duplicate with the kept client's key, before they move. */
  private async resealNotes(tx: Tx, from: Client, to: Client): Promise<void> {
    for (const cell of await this.clientsRepository.sealedCellsOf(tx, from.id)) {
      await this.clientsRepository.updateSealedCell(tx, cell, this.seal(to, this.unseal(from, cell.cipher)));
    }
  }

  private async freeDisplayCode(tx: Tx): Promise<string> {
    for (let attempt = 0; attempt < DISPLAY_CODE_ATTEMPTS; attempt++) {
      const code = newDisplayCode();
      if (!(await this.clientsRepository.displayCodeTaken(code, tx))) return code;
    }
    throw new Error('No free display code found');
  }
}
