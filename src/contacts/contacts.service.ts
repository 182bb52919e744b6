import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService, auditEvent } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { isUniqueViolation } from '../database/errors';
import { assertNotRestricted } from '../privacy-requests/restriction';
import type { Tx } from '../database/transaction';
import type { Modality, Topic } from '../reference/codes';
import type { Page } from '../web/pagination';
import { Contact, ContactSource } from './contact.entity';
import { ContactFilters, ContactsRepository } from './contacts.repository';

export interface ContactInput {
  contactDate: string;
  modality: Modality;
  districtCode: string;
  topics: Topic[];
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
  note?: string | null;
}

/** What a group session's contact for one member-day carries (no note, no commodities: those stay on the session). */
export interface GroupContactFields {
  groupSessionId: string;
  workerId: string;
  districtCode: string;
  topics: Topic[];
}

/** A member and a day: the unit a group session's contact stands for. */
export interface MemberDay {
  clientId: string;
  organizationId: string;
  contactDate: string;
}

export type GroupContactChange = 'created' | 'updated' | 'deleted' | 'unchanged';

/** A contact as pages show it: the note opened with the client's key. */
export interface ContactRecord extends Omit<Contact, 'noteCipher'> {
  note: string | null;
}

@Injectable()
export class ContactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contactsRepository: ContactsRepository,
    private readonly clientsService: ClientsService,
    private readonly auditService: AuditService,
  ) {}

  /**
   * Records an outreach contact. The form's submission key makes a repeated submission (double tap,
   * slow network) return the contact the first one recorded instead of recording it twice.
   */
  async record(
    actor: Actor,
    context: AuditContext,
    clientOrId: Client | string,
    input: ContactInput,
    submissionKey: string,
    source: ContactSource = 'app',
  ): Promise<Contact> {
    // The page has usually loaded the client already (scoped to the actor's organization).
    const client =
      typeof clientOrId === 'string' ? await this.clientsService.getForActor(actor, clientOrId) : clientOrId;
    if (client.organizationId !== actor.organizationId) throw new NotFoundException();
    assertNotRestricted(client);
    try {
      // The contact and its audit event in one statement: both are written or neither.
      return await this.contactsRepository.insertAudited(
        {
          clientId: client.id,
          organizationId: client.organizationId,
          workerId: actor.userId,
          ...this.fields(client, input),
          source,
          submissionKey,
        },
        (id) =>
          auditEvent(context, {
            action: 'contact.created',
            target: { type: 'contact', id },
            details: { clientId: client.id },
          }),
      );
    } catch (error) {
      // The same form submitted again (double tap, slow network): the unique submission key refused
      // the second insert, and the answer is the contact the first one recorded.
      if (!isUniqueViolation(error)) throw error;
      const first = await this.contactsRepository.findBySubmissionKey(submissionKey);
      if (!first) throw error;
      if (first.organizationId !== actor.organizationId) throw new NotFoundException();
      return first;
    }
  }

  async get(actor: Actor, id: string): Promise<ContactRecord> {
    const contact = await this.contactsRepository.findVisibleTo(actor, id);
    if (!contact) throw new NotFoundException();
    const client = await this.clientsService.getForActor(actor, contact.clientId);
    return this.toRecord(client, contact);
  }

  /** Edited by its author or a manager of the organization. */
  async update(actor: Actor, context: AuditContext, id: string, input: ContactInput): Promise<Contact> {
    const contact = await this.editable(actor, id);
    const client = await this.clientsService.getForActor(actor, contact.clientId);
    assertNotRestricted(client);
    await this.dataSource.transaction(async (tx) => {
      await this.contactsRepository.update(tx, contact.id, this.fields(client, input));
      await this.auditService.record(tx, context, {
        action: 'contact.updated',
        target: { type: 'contact', id: contact.id },
        details: { clientId: client.id },
      });
    });
    return contact;
  }

  /** Soft delete by its author or a manager: gone from lists and indicators, kept for the audit trail. */
  async remove(actor: Actor, context: AuditContext, id: string): Promise<Contact> {
    const contact = await this.editable(actor, id);
    const client = await this.clientsService.findActiveById(contact.clientId);
    if (client) assertNotRestricted(client);
    await this.dataSource.transaction(async (tx) => {
      await this.contactsRepository.update(tx, contact.id, { deletedAt: new Date(), noteCipher: null });
      await this.auditService.record(tx, context, {
        action: 'contact.deleted',
        target: { type: 'contact', id: contact.id },
        details: { clientId: contact.clientId },
      });
    });
    return contact;
  }

  /** The edit page: the contact (note opened) and its client, for its author or a manager only.
   *  Opening a note is reading the client's record, so it is audited as a view of the client. */
  async openForEdit(
    actor: Actor,
    context: AuditContext,
    id: string,
  ): Promise<{ contact: ContactRecord; client: Client }> {
    const contact = await this.editable(actor, id);
    const client = await this.clientsService.openForActor(actor, context, contact.clientId);
    return { contact: this.toRecord(client, contact), client };
  }

  /** The contact and its client when the actor may change it (a form posted back with errors). */
  async getEditable(actor: Actor, id: string): Promise<{ contact: ContactRecord; client: Client }> {
    const contact = await this.editable(actor, id);
    const client = await this.clientsService.getForActor(actor, contact.clientId);
    return { contact: this.toRecord(client, contact), client };
  }

  /** Who may appear in the worker filter of the organization's list. */
  workersOf(actor: Actor) {
    return this.contactsRepository.workersOf(actor.organizationId);
  }

  /** By its author or a manager; a contact recorded by a group session changes only with that session. */
  canEdit(actor: Actor, contact: Pick<Contact, 'workerId'> & { groupSessionId?: string | null }): boolean {
    if (contact.groupSessionId) return false;
    return actor.role === 'manager' || contact.workerId === actor.userId;
  }

  /**
   * Makes the contact of one member-day match what the group sessions of that day say, inside the
   * caller's transaction: `desired` null removes it (soft delete), otherwise it is created or brought
   * up to date. One contact per member-day, however many sessions; each change is audited as any
   * contact's.
   */
  async syncGroupContact(
    tx: Tx,
    context: AuditContext,
    day: MemberDay,
    desired: GroupContactFields | null,
  ): Promise<GroupContactChange> {
    const current = await this.contactsRepository.groupContactOn(tx, day.clientId, day.contactDate);
    const audit = (action: 'contact.created' | 'contact.updated' | 'contact.deleted', id: string) =>
      this.auditService.record(tx, context, {
        action,
        target: { type: 'contact', id },
        organizationId: day.organizationId,
        details: { clientId: day.clientId, groupSessionId: desired?.groupSessionId ?? current?.groupSessionId ?? null },
      });
    if (!desired) {
      if (!current) return 'unchanged';
      await this.contactsRepository.update(tx, current.id, { deletedAt: new Date() });
      await audit('contact.deleted', current.id);
      return 'deleted';
    }
    const fields = {
      contactDate: day.contactDate,
      modality: 'group' as const,
      districtCode: desired.districtCode,
      topics: [...new Set(desired.topics)],
      groupSessionId: desired.groupSessionId,
      workerId: desired.workerId,
    };
    if (!current) {
      const contact = await this.contactsRepository.insert(tx, {
        ...fields,
        clientId: day.clientId,
        organizationId: day.organizationId,
        condoms: 0,
        lubricants: 0,
        hivSelfTests: 0,
        noteCipher: null,
        source: 'group',
        submissionKey: null,
      });
      await audit('contact.created', contact.id);
      return 'created';
    }
    const same =
      current.districtCode === fields.districtCode &&
      current.groupSessionId === fields.groupSessionId &&
      current.workerId === fields.workerId &&
      [...current.topics].sort().join() === [...fields.topics].sort().join();
    if (same) return 'unchanged';
    await this.contactsRepository.update(tx, current.id, fields);
    await audit('contact.updated', current.id);
    return 'updated';
  }

  async recentForClient(client: Client, limit = 50): Promise<ContactRecord[]> {
    const contacts = await this.contactsRepository.listForClient(client.id, limit);
    return contacts.map((c) => this.toRecord(client, c));
  }

  /** The contacts the actor recorded with this client (a coordinator's peer contacts, on the member page). */
  async recentByActorForClient(actor: Actor, client: Client, limit = 50): Promise<ContactRecord[]> {
    const contacts = await this.contactsRepository.listForClient(client.id, limit, actor.userId);
    return contacts.map((c) => this.toRecord(client, c));
  }

  list(actor: Actor, filters: ContactFilters, page: Page) {
    return this.contactsRepository.list(actor.organizationId, filters, page.offset, page.limit);
  }

  listMine(actor: Actor, page: Page) {
    return this.contactsRepository.list(actor.organizationId, { workerId: actor.userId }, page.offset, page.limit);
  }

  private async editable(actor: Actor, id: string): Promise<Contact> {
    const contact = await this.contactsRepository.findVisibleTo(actor, id);
    if (!contact) throw new NotFoundException();
    if (!this.canEdit(actor, contact)) throw new ForbiddenException();
    return contact;
  }

  private fields(client: Client, input: ContactInput) {
    return {
      contactDate: input.contactDate,
      modality: input.modality,
      districtCode: input.districtCode,
      topics: [...new Set(input.topics)],
      condoms: input.condoms,
      lubricants: input.lubricants,
      hivSelfTests: input.hivSelfTests,
      noteCipher: input.note ? this.clientsService.seal(client, input.note) : null,
    };
  }

  private toRecord(client: Client, contact: Contact): ContactRecord {
    const { noteCipher, ...rest } = contact;
    return { ...rest, note: noteCipher ? this.clientsService.unseal(client, noteCipher) : null };
  }
}
