import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { isUniqueViolation } from '../database/errors';
import { assertNotRestricted, isRestricted } from '../privacy-requests/restriction';
import type { Tx } from '../database/transaction';
import { ProvidersService } from '../providers/providers.service';
import type { ServiceProvider } from '../providers/service-provider.entity';
import type { Domain, ReferralStatus, Verification } from '../reference/codes';
import type { Page } from '../web/pagination';
import type { Referral, ReferralActorKind } from './referral.entity';
import { canMove, isOpen } from './referral-status';
import { ReferralChanges, ReferralHistoryRow, ReferralsRepository } from './referrals.repository';
import { newPin, newSlipCode, normalizeSlipCode, PIN, samePin, SLIP_CODE, slipExpiry } from './slip';

const SLIP_CODE_ATTEMPTS = 20;

export interface NewReferralInput {
  domain: Domain;
  serviceType: string;
  providerId: string | null;
  referredOn: string;
  appointmentOn: string | null;
  note: string | null;
}

/** A step of the lifecycle (or, for a correction, any status) with its date and details. */
export interface StatusChangeInput {
  status: ReferralStatus;
  /** The day it happened; for `completed`, the completed date. */
  statusOn: string;
  appointmentOn: string | null;
  verification: Verification | null;
  note: string | null;
}

/** A referral as its page shows it: notes opened with the client's key. */
export interface ReferralRecord extends Omit<Referral, 'noteCipher' | 'outcomeNoteCipher' | 'pinCipher'> {
  note: string | null;
  outcomeNote: string | null;
}

export interface HistoryLine extends Omit<ReferralHistoryRow, 'noteCipher'> {
  note: string | null;
}

export interface SavedReferral {
  id: string;
  clientId: string;
  version: number;
}

/** A change refused by the rules: a message key and the field it concerns. */
export class ReferralChangeRefused extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/** Someone else saved the referral since the form was opened: what it is now and what they did. */
export class ReferralConflict extends Error {
  constructor(
    readonly current: ReferralRecord,
    readonly changes: HistoryLine[],
  ) {
    super('Referral changed since the form was opened');
  }
}

export type ConfirmationOutcome =
  | { kind: 'confirmed'; referral: Referral }
  | { kind: 'refused' } // no such code, wrong PIN or a client erased: the same answer for all three
  | { kind: 'expired' }
  | { kind: 'already_confirmed' }
  | { kind: 'closed' }
  | { kind: 'date'; messageKey: string };

@Injectable()
export class ReferralsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly referralsRepository: ReferralsRepository,
    private readonly clientsService: ClientsService,
    private readonly providersService: ProvidersService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return localDay(this.clock.now());
  }

  /**
   * Refers a client. With an appointment date the referral starts `scheduled`. The slip's code and PIN
   * are made here; the PIN is sealed with the client's key. A repeated submission returns the first one.
   */
  async create(
    actor: Actor,
    context: AuditContext,
    client: Client,
    input: NewReferralInput,
    submissionKey: string,
  ): Promise<Referral> {
    if (client.organizationId !== actor.organizationId) throw new NotFoundException();
    assertNotRestricted(client);
    this.checkDates(input.referredOn, input.appointmentOn);
    if (input.providerId) {
      const provider = await this.providersService.findOffering(input.providerId, input.domain, input.serviceType);
      if (!provider) throw new ReferralChangeRefused('providerId', 'referrals.errors.provider');
    }
    const status: ReferralStatus = input.appointmentOn ? 'scheduled' : 'referred';
    try {
      return await this.dataSource.transaction(async (tx) => {
        const referral = await this.referralsRepository.insert(tx, {
          clientId: client.id,
          organizationId: client.organizationId,
          domain: input.domain,
          serviceType: input.serviceType,
          providerId: input.providerId,
          referredOn: input.referredOn,
          referringWorkerId: actor.userId,
          appointmentOn: input.appointmentOn,
          status,
          statusOn: input.referredOn,
          completedOn: null,
          verification: null,
          noteCipher: input.note ? this.clientsService.seal(client, input.note) : null,
          outcomeNoteCipher: null,
          slipCode: await this.freeSlipCode(tx),
          pinCipher: this.clientsService.seal(client, newPin()),
          slipExpiresOn: slipExpiry(input.referredOn, input.appointmentOn),
          lastActivityAt: this.clock.now(),
          source: 'app',
          submissionKey,
          version: 1,
        });
        await this.referralsRepository.insertEvent(tx, {
          referralId: referral.id,
          fromStatus: null,
          toStatus: status,
          statusOn: input.referredOn,
          appointmentOn: input.appointmentOn,
          verification: null,
          actorKind: 'user',
          actorId: actor.userId,
          correction: false,
          noteCipher: null,
          version: 1,
        });
        await this.auditService.record(tx, context, {
          action: 'referral.created',
          target: { type: 'referral', id: referral.id },
          details: { clientId: client.id, domain: input.domain, serviceType: input.serviceType, status },
        });
        return referral;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const first = await this.referralsRepository.findBySubmissionKey(submissionKey);
      if (!first) throw error;
      if (first.organizationId !== actor.organizationId) throw new NotFoundException();
      return first;
    }
  }

  /** The referral and its client, or 404 (another organization, a client no longer active, a bad id). */
  async get(actor: Actor, id: string): Promise<{ referral: ReferralRecord; client: Client }> {
    const referral = await this.referralsRepository.findVisibleTo(actor, id);
    if (!referral) throw new NotFoundException();
    const client = await this.clientsService.getForActor(actor, referral.clientId);
    return { referral: this.toRecord(client, referral), client };
  }

  /** The referral page: a view of the client's record, audited. */
  async open(actor: Actor, context: AuditContext, id: string) {
    const found = await this.get(actor, id);
    await this.auditService.record(null, context, {
      action: 'referral.viewed',
      target: { type: 'referral', id: found.referral.id },
      details: { clientId: found.client.id },
    });
    return { ...found, history: await this.history(found.client, found.referral.id) };
  }

  /** The providers the form offers for a service: active, KP-friendly first, then the district's. */
  providersFor(domain: Domain, serviceType: string, districtCode: string | null) {
    return this.providersService.forService(domain, serviceType, districtCode);
  }

  provider(referral: Pick<Referral, 'providerId'>): Promise<ServiceProvider | null> {
    return referral.providerId ? this.providersService.get(referral.providerId) : Promise.resolve(null);
  }

  async history(client: Client, referralId: string, sinceVersion = 0): Promise<HistoryLine[]> {
    const rows = await this.referralsRepository.history(referralId, sinceVersion);
    return rows.map(({ noteCipher, ...row }) => ({
      ...row,
      note: noteCipher ? this.clientsService.unseal(client, noteCipher) : null,
    }));
  }

  listForClient(client: Client) {
    return this.referralsRepository.listForClient(client.id);
  }

  /** The follow-up list: the organization's, or the worker's own (`mine`). */
  followUps(actor: Actor, mine: boolean, page: Page) {
    return this.referralsRepository.followUps(
      actor.organizationId,
      mine ? actor.userId : null,
      this.today(),
      page.offset,
      page.limit,
    );
  }

  /** A step of the lifecycle, from the version the form was opened on. */
  async changeStatus(
    actor: Actor,
    context: AuditContext,
    id: string,
    baseVersion: number,
    change: StatusChangeInput,
  ): Promise<SavedReferral> {
    const { referral, client } = await this.get(actor, id);
    assertNotRestricted(client);
    await this.refuseIfChanged(actor, context, client, referral, baseVersion);
    if (!canMove(referral.status, change.status))
      throw new ReferralChangeRefused('status', 'referrals.errors.transition');
    return this.apply(actor, context, client, referral, baseVersion, change, false);
  }

  /**
   * A correction: sets any status (a mistake in an earlier step, a wrong date) with a required reason.
   * Kept in the history as a correction and audited as such.
   */
  async correct(
    actor: Actor,
    context: AuditContext,
    id: string,
    baseVersion: number,
    change: StatusChangeInput,
  ): Promise<SavedReferral> {
    const { referral, client } = await this.get(actor, id);
    assertNotRestricted(client);
    await this.refuseIfChanged(actor, context, client, referral, baseVersion);
    if (!change.note) throw new ReferralChangeRefused('note', 'referrals.errors.reasonRequired');
    return this.apply(actor, context, client, referral, baseVersion, change, true);
  }

  /** The printable slip: display code, referral code, PIN, provider, appointment. Audited. */
  async slip(actor: Actor, context: AuditContext, id: string) {
    const { referral, client } = await this.get(actor, id);
    const full = await this.referralsRepository.findById(null, referral.id);
    if (!full?.slipCode || !full.pinCipher) throw new NotFoundException(); // imported referrals have no slip
    await this.auditService.record(null, context, {
      action: 'referral.slip_printed',
      target: { type: 'referral', id: referral.id },
      details: { clientId: client.id },
    });
    return {
      referral,
      client,
      provider: await this.provider(referral),
      slipCode: full.slipCode,
      pin: this.clientsService.unseal(client, full.pinCipher),
    };
  }

  /**
   * The receiving provider confirms, with the slip's code and PIN, that the service was delivered.
   * No account, and nothing about the client in or out: a wrong code, a wrong PIN and an erased client
   * all get the same answer. Throttling is the caller's (ConfirmationsService).
   */
  async confirmByProvider(
    context: AuditContext,
    codeText: string,
    pin: string,
    servedOn: string,
  ): Promise<ConfirmationOutcome> {
    const code = normalizeSlipCode(codeText);
    if (!SLIP_CODE.test(code) || !PIN.test(pin)) return { kind: 'refused' };
    const referral = await this.referralsRepository.findBySlipCode(code);
    if (!referral?.pinCipher) return { kind: 'refused' };
    const client = await this.clientsService.findActiveById(referral.clientId);
    // A restricted client's referral takes no confirmation either: the same answer, nothing told.
    if (!client?.dataKeyCipher || isRestricted(client)) return { kind: 'refused' };
    if (!samePin(this.clientsService.unseal(client, referral.pinCipher), pin)) return { kind: 'refused' };
    if (referral.status === 'completed') return { kind: 'already_confirmed' };
    if (!isOpen(referral.status)) return { kind: 'closed' };
    const today = this.today();
    if (referral.slipExpiresOn && today > referral.slipExpiresOn) return { kind: 'expired' };
    if (servedOn > today) return { kind: 'date', messageKey: 'confirm.errors.future' };
    if (servedOn < referral.referredOn) return { kind: 'date', messageKey: 'confirm.errors.beforeReferral' };
    const change: StatusChangeInput = {
      status: 'completed',
      statusOn: servedOn,
      appointmentOn: referral.appointmentOn,
      verification: 'provider_confirmed',
      note: null,
    };
    const saved = await this.dataSource.transaction(async (tx) => {
      const version = await this.referralsRepository.updateIfVersion(tx, referral.id, referral.version, {
        ...this.changesFor(referral, change),
      });
      if (version === null) return null;
      await this.insertEvent(tx, referral, change, version, { kind: 'provider', id: null }, false);
      await this.auditService.record(tx, context, {
        action: 'referral.confirmed',
        target: { type: 'referral', id: referral.id },
        organizationId: referral.organizationId,
        details: { clientId: client.id },
      });
      return version;
    });
    // Saved by a worker in the same instant: ask the provider to try again rather than overwrite.
    if (saved === null) return { kind: 'refused' };
    return { kind: 'confirmed', referral };
  }

  private async apply(
    actor: Actor,
    context: AuditContext,
    client: Client,
    referral: ReferralRecord,
    baseVersion: number,
    change: StatusChangeInput,
    correction: boolean,
  ): Promise<SavedReferral> {
    this.checkChange(referral, change);
    const version = await this.dataSource.transaction(async (tx) => {
      const changes: ReferralChanges = this.changesFor(referral, change);
      if (change.status === 'completed' || correction) {
        changes.outcomeNoteCipher = change.note ? this.clientsService.seal(client, change.note) : null;
      }
      const next = await this.referralsRepository.updateIfVersion(tx, referral.id, baseVersion, changes);
      if (next === null) return null;
      await this.insertEvent(tx, referral, change, next, { kind: 'user', id: actor.userId }, correction, client);
      await this.auditService.record(tx, context, {
        action: correction ? 'referral.corrected' : 'referral.status_changed',
        target: { type: 'referral', id: referral.id },
        details: { clientId: client.id, from: referral.status, to: change.status },
      });
      return next;
    });
    if (version === null) {
      // Another save committed between our read and our write.
      const fresh = await this.get(actor, referral.id);
      await this.refuseIfChanged(actor, context, client, fresh.referral, baseVersion);
      throw new Error('Referral version changed without a visible change');
    }
    return { id: referral.id, clientId: client.id, version };
  }

  private changesFor(referral: Pick<Referral, 'referredOn' | 'appointmentOn'>, change: StatusChangeInput) {
    const appointmentOn = change.status === 'scheduled' ? change.appointmentOn : referral.appointmentOn;
    const changes: ReferralChanges = {
      status: change.status,
      statusOn: change.statusOn,
      appointmentOn,
      completedOn: change.status === 'completed' ? change.statusOn : null,
      verification: change.status === 'completed' ? change.verification : null,
      slipExpiresOn: slipExpiry(referral.referredOn, appointmentOn),
      lastActivityAt: this.clock.now(),
    };
    return changes;
  }

  private async insertEvent(
    tx: Tx,
    referral: Pick<Referral, 'id' | 'status'>,
    change: StatusChangeInput,
    version: number,
    actor: { kind: ReferralActorKind; id: string | null },
    correction: boolean,
    client?: Client,
  ): Promise<void> {
    await this.referralsRepository.insertEvent(tx, {
      referralId: referral.id,
      fromStatus: referral.status,
      toStatus: change.status,
      statusOn: change.statusOn,
      appointmentOn: change.status === 'scheduled' ? change.appointmentOn : null,
      verification: change.status === 'completed' ? change.verification : null,
      actorKind: actor.kind,
      actorId: actor.id,
      correction,
      noteCipher: change.note && client ? this.clientsService.seal(client, change.note) : null,
      version,
    });
  }

  /** Date and detail rules of a change (the form checked the formats). */
  private checkChange(referral: Pick<Referral, 'referredOn'>, change: StatusChangeInput): void {
    if (change.statusOn > this.today()) throw new ReferralChangeRefused('statusOn', 'referrals.errors.future');
    if (change.statusOn < referral.referredOn) {
      throw new ReferralChangeRefused('statusOn', 'referrals.errors.beforeReferral');
    }
    if (change.status === 'scheduled') {
      if (!change.appointmentOn)
        throw new ReferralChangeRefused('appointmentOn', 'referrals.errors.appointmentRequired');
      if (change.appointmentOn < referral.referredOn) {
        throw new ReferralChangeRefused('appointmentOn', 'referrals.errors.appointmentBeforeReferral');
      }
    }
    if (change.status === 'completed' && !change.verification) {
      throw new ReferralChangeRefused('verification', 'referrals.errors.verification');
    }
  }

  private checkDates(referredOn: string, appointmentOn: string | null): void {
    if (referredOn > this.today()) throw new ReferralChangeRefused('referredOn', 'referrals.errors.future');
    if (appointmentOn && appointmentOn < referredOn) {
      throw new ReferralChangeRefused('appointmentOn', 'referrals.errors.appointmentBeforeReferral');
    }
  }

  /** Throws a conflict (audited) when the referral is no longer at the version the form was opened on. */
  private async refuseIfChanged(
    actor: Actor,
    context: AuditContext,
    client: Client,
    current: ReferralRecord,
    baseVersion: number,
  ): Promise<void> {
    if (current.version === baseVersion) return;
    await this.auditService.record(null, context, {
      action: 'referral.conflict',
      outcome: 'failure',
      target: { type: 'referral', id: current.id },
      details: { clientId: client.id, formVersion: baseVersion, currentVersion: current.version },
    });
    throw new ReferralConflict(current, await this.history(client, current.id, baseVersion));
  }

  private async freeSlipCode(tx: Tx): Promise<string> {
    for (let attempt = 0; attempt < SLIP_CODE_ATTEMPTS; attempt++) {
      const code = newSlipCode();
      if (!(await this.referralsRepository.slipCodeTaken(tx, code))) return code;
    }
    throw new Error('No free referral code found');
  }

  private toRecord(client: Client, referral: Referral): ReferralRecord {
    const { noteCipher, outcomeNoteCipher, pinCipher: _pin, ...rest } = referral;
    return {
      ...rest,
      note: noteCipher ? this.clientsService.unseal(client, noteCipher) : null,
      outcomeNote: outcomeNoteCipher ? this.clientsService.unseal(client, outcomeNoteCipher) : null,
    };
  }
}
