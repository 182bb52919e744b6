import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { privacyRequestsConfig, type PrivacyRequestsConfig } from '../config/privacy-requests.config';
import { isUniqueViolation } from '../database/errors';
import type { Page } from '../web/pagination';
import { dueDayOf } from './deadline';
import {
  type ClosedStatus,
  type OutcomeReason,
  OUTCOME_REASONS,
  PrivacyRequest,
  type PrivacyRequestType,
} from './privacy-request.entity';
import { PrivacyRequestRow, PrivacyRequestsRepository } from './privacy-requests.repository';
import { isRestricted, type LiftReason, type RestrictReason } from './restriction';

export interface NewRequestInput {
  type: PrivacyRequestType;
  receivedOn: string;
  note: string | null;
}

export interface CloseInput {
  status: ClosedStatus;
  reason: OutcomeReason;
  note: string | null;
}

/** A request as its page shows it: the list row, and the notes opened with the client's key when it still exists. */
export interface PrivacyRequestRecord {
  request: PrivacyRequest;
  row: PrivacyRequestRow;
  note: string | null;
  outcomeNote: string | null;
  /** The client's key is gone (erased): notes can be neither read nor written any more. */
  keyDestroyed: boolean;
}

/** A change refused by the rules: the field it concerns and a message key. */
export class PrivacyRequestRefused extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/** Someone closed the request (or changed it) since the form was opened. */
export class PrivacyRequestConflict extends Error {
  constructor() {
    super('Privacy request changed since the form was opened');
  }
}

/**
 * The log of data-subject requests (MISSION §2 rule 7) and the restriction of a client's processing.
 * Every request is of the actor's organization; another organization's answers 404.
 */
@Injectable()
export class PrivacyRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requestsRepository: PrivacyRequestsRepository,
    private readonly clientsService: ClientsService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
    @Inject(privacyRequestsConfig.KEY) private readonly config: PrivacyRequestsConfig,
  ) {}

  today(): string {
    return localDay(this.clock.now());
  }

  get deadlineDays(): number {
    return this.config.deadlineDays;
  }

  /**
   * Logs a request received from a client of the organization, with its deadline. A repeated
   * submission (double tap, slow network) returns the request the first one logged.
   */
  async create(
    actor: Actor,
    context: AuditContext,
    client: Client,
    input: NewRequestInput,
    submissionKey: string,
  ): Promise<PrivacyRequest> {
    if (client.organizationId !== actor.organizationId) throw new NotFoundException();
    const repeated = await this.requestsRepository.findBySubmissionKey(submissionKey);
    if (repeated) return this.sameOrganization(actor, repeated);
    if (input.receivedOn > this.today()) throw new PrivacyRequestRefused('receivedOn', 'privacyRequests.errors.future');
    try {
      return await this.dataSource.transaction(async (tx) => {
        const request = await this.requestsRepository.insert(tx, {
          organizationId: client.organizationId,
          clientId: client.id,
          type: input.type,
          receivedOn: input.receivedOn,
          dueOn: dueDayOf(input.receivedOn, this.deadlineDays),
          noteCipher: input.note ? this.clientsService.seal(client, input.note) : null,
          createdBy: actor.userId,
          submissionKey,
        });
        await this.auditService.record(tx, context, {
          action: 'privacy_request.created',
          target: { type: 'privacy_request', id: request.id },
          details: { clientId: client.id, type: input.type },
        });
        return request;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const first = await this.requestsRepository.findBySubmissionKey(submissionKey);
      if (!first) throw error;
      return this.sameOrganization(actor, first);
    }
  }

  /** A request of the actor's organization, its notes opened when the client's key still exists; else 404. */
  async get(actor: Actor, id: string): Promise<PrivacyRequestRecord> {
    const request = await this.requestsRepository.findInOrganization(actor.organizationId, id);
    const row = request ? await this.requestsRepository.rowOf(request.id) : null;
    if (!request || !row) throw new NotFoundException();
    // Requests are reached through the organization's log, also once the client is erased: the client
    // is looked up by id here, and only its key is used.
    const client = await this.clientsService.findActiveById(request.clientId);
    const key = client?.dataKeyCipher ? client : null;
    return {
      request,
      row,
      note: key && request.noteCipher ? this.clientsService.unseal(key, request.noteCipher) : null,
      outcomeNote: key && request.outcomeNoteCipher ? this.clientsService.unseal(key, request.outcomeNoteCipher) : null,
      keyDestroyed: key === null,
    };
  }

  /** The request's page: reading its notes is reading the client's record, audited as such. */
  async open(actor: Actor, context: AuditContext, id: string): Promise<PrivacyRequestRecord> {
    const record = await this.get(actor, id);
    await this.auditService.record(null, context, {
      action: 'client.viewed',
      target: { type: 'client', id: record.request.clientId },
      details: { privacyRequestId: record.request.id },
    });
    return record;
  }

  /** Closes an open request as done or refused, with a reason from the closed list (and an optional note). */
  async close(actor: Actor, context: AuditContext, id: string, baseVersion: number, input: CloseInput): Promise<void> {
    const record = await this.get(actor, id);
    const { request } = record;
    if (request.status !== 'open' || request.version !== baseVersion) throw new PrivacyRequestConflict();
    if (!(OUTCOME_REASONS[input.status] as readonly string[]).includes(input.reason)) {
      throw new PrivacyRequestRefused('reason', 'privacyRequests.errors.reason');
    }
    const client = record.keyDestroyed ? null : await this.clientsService.findActiveById(request.clientId);
    if (input.note && !client) throw new PrivacyRequestRefused('note', 'privacyRequests.errors.noteAfterErasure');
    const saved = await this.dataSource.transaction(async (tx) => {
      const version = await this.requestsRepository.closeIfVersion(tx, request.id, baseVersion, {
        status: input.status,
        outcomeReason: input.reason,
        outcomeNoteCipher: input.note && client ? this.clientsService.seal(client, input.note) : null,
        handledBy: actor.userId,
        closedOn: this.today(),
      });
      if (version === null) return false;
      await this.auditService.record(tx, context, {
        action: 'privacy_request.updated',
        target: { type: 'privacy_request', id: request.id },
        details: { clientId: request.clientId, type: request.type, status: input.status, reason: input.reason },
      });
      return true;
    });
    if (!saved) throw new PrivacyRequestConflict();
  }

  listOpen(actor: Actor): Promise<PrivacyRequestRow[]> {
    return this.requestsRepository.listOpen(actor.organizationId);
  }

  listClosed(actor: Actor, page: Page) {
    return this.requestsRepository.listClosed(actor.organizationId, page.offset, page.limit);
  }

  /** Open requests of the actor's organization past their deadline (the manager's home page). */
  countOverdue(actor: Actor): Promise<number> {
    return this.requestsRepository.countOverdue(actor.organizationId, this.today());
  }

  /** A client's requests with their notes opened (the data summary shows them to the client). */
  async forClient(client: Client) {
    const requests = await this.requestsRepository.listForClient(client.id);
    return requests.map((request) => ({
      ...request,
      note: request.noteCipher ? this.clientsService.unseal(client, request.noteCipher) : null,
      outcomeNote: request.outcomeNoteCipher ? this.clientsService.unseal(client, request.outcomeNoteCipher) : null,
    }));
  }

  // -- restriction ----------------------------------------------------------------------------

  /**
   * Restricts the processing of a client's data (manager): the record becomes read-only until the
   * restriction is lifted. Restricting an already restricted client changes nothing.
   */
  async restrict(actor: Actor, context: AuditContext, clientId: string, reason: RestrictReason): Promise<boolean> {
    const client = await this.clientsService.getForActor(actor, clientId);
    if (isRestricted(client)) return false;
    return this.dataSource.transaction(async (tx) => {
      const changed = await this.requestsRepository.setRestriction(tx, client.id, {
        at: this.clock.now(),
        by: actor.userId,
      });
      if (!changed) return false;
      await this.auditService.record(tx, context, {
        action: 'client.restricted',
        target: { type: 'client', id: client.id },
        details: { reason },
      });
      return true;
    });
  }

  async liftRestriction(actor: Actor, context: AuditContext, clientId: string, reason: LiftReason): Promise<boolean> {
    const client = await this.clientsService.getForActor(actor, clientId);
    if (!isRestricted(client)) return false;
    return this.dataSource.transaction(async (tx) => {
      const changed = await this.requestsRepository.setRestriction(tx, client.id, null);
      if (!changed) return false;
      await this.auditService.record(tx, context, {
        action: 'client.restriction_lifted',
        target: { type: 'client', id: client.id },
        details: { reason },
      });
      return true;
    });
  }

  private sameOrganization(actor: Actor, request: PrivacyRequest): PrivacyRequest {
    if (request.organizationId !== actor.organizationId) throw new NotFoundException();
    return request;
  }
}
