import { randomUUID } from 'node:crypto';
import type { Tx } from '../database/transaction';
import { newDisplayCode } from '../privacy/client-code';
import { providerNameKey } from '../providers/service-provider.entity';
import type { Domain, ReferralStatus } from '../reference/codes';
import type { ImportKind } from './import-kinds';
import type {
  ImportsRepository,
  NewAssessmentDomainRow,
  NewAssessmentRow,
  NewReferralEventRow,
  NewReferralRow,
} from './imports.repository';
import type { AssessmentRow } from './kinds/assessments.rows';
import type { ClientRow } from './kinds/clients.rows';
import type { ContactRow } from './kinds/contacts.rows';
import type { ReferralRow } from './kinds/referrals.rows';

/** Rows per INSERT statement: few round trips, far below PostgreSQL's 65,535 parameters per statement. */
export const BATCH_ROWS = 1000;

/** Everything a writer may use; every statement goes through the import's one transaction. */
export interface WriterDeps {
  tx: Tx;
  repository: ImportsRepository;
  organizationId: string;
  /** The current consent notice: imported clients are recorded as having agreed to it. */
  consentNoticeVersion: string;
  /** Code hash → id of the organization's active clients named in the file (found by the validation pass). */
  clientIds: ReadonlyMap<string, string>;
  /** A fresh per-client data key, wrapped by the key ring (ClientDataKeys). */
  newWrappedKey: () => string;
  /**
   * Adds a provider the directory does not hold yet, marked for an admin to review (audited, in the
   * import's transaction); returns its id.
   */
  addProviderForReview: (name: string, domain: Domain, serviceType: string) => Promise<string>;
}

/** Receives the validated rows of the second pass, in file order, and inserts them in batches. */
export interface RowWriter {
  add(row: unknown, uicHash: string): Promise<void>;
  /** Inserts what is left; returns the records created per table. */
  finish(): Promise<Record<string, number>>;
}

/** A row of the second pass no longer matches what the first pass validated (the file or the data changed). */
export class ChangedDuringImportError extends Error {
  constructor() {
    super('The file or the clients changed between validation and import');
  }
}

function clientIdOf(deps: WriterDeps, uicHash: string): string {
  const id = deps.clientIds.get(uicHash);
  if (!id) throw new ChangedDuringImportError();
  return id;
}

/** New clients: a display code, a data key, status active, consent as the register recorded it (no worker). */
class ClientWriter implements RowWriter {
  private pending: Array<{ row: ClientRow; uicHash: string }> = [];
  private count = 0;

  constructor(private readonly deps: WriterDeps) {}

  async add(row: unknown, uicHash: string): Promise<void> {
    this.pending.push({ row: row as ClientRow, uicHash });
    if (this.pending.length >= BATCH_ROWS) await this.flush();
  }

  async finish() {
    await this.flush();
    return { clients: this.count };
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const codes = await this.freeDisplayCodes(batch.length);
    await this.deps.repository.insertClients(
      this.deps.tx,
      batch.map(({ row, uicHash }, i) => ({
        organizationId: this.deps.organizationId,
        uicHash,
        displayCode: codes[i],
        gender: row.gender,
        birthYear: row.birthYear,
        primaryDistrict: row.primaryDistrict,
        workSetting: row.workSetting,
        firstContactDate: row.firstContactDate,
        consentDate: row.consentDate,
        consentWorkerId: null,
        consentNoticeVersion: this.deps.consentNoticeVersion,
        aliasCipher: null,
        dataKeyCipher: this.deps.newWrappedKey(),
        status: 'active',
        mergedIntoId: null,
        submissionKey: null,
      })),
    );
    this.count += batch.length;
  }

  /** Random display codes nobody holds (the transaction sees the batches it inserted before). */
  private async freeDisplayCodes(n: number): Promise<string[]> {
    const codes = new Set<string>();
    while (codes.size < n) {
      const candidates = new Set<string>();
      while (codes.size + candidates.size < n) {
        const code = newDisplayCode();
        if (!codes.has(code)) candidates.add(code);
      }
      const taken = await this.deps.repository.takenDisplayCodes(this.deps.tx, [...candidates]);
      for (const code of candidates) if (!taken.has(code)) codes.add(code);
    }
    return [...codes];
  }
}

/** Imported contacts: source `import`, no worker (the register does not say who), no note. */
class ContactWriter implements RowWriter {
  private pending: ContactRow[] = [];
  private pendingClients: string[] = [];
  private count = 0;

  constructor(private readonly deps: WriterDeps) {}

  async add(row: unknown, uicHash: string): Promise<void> {
    this.pending.push(row as ContactRow);
    this.pendingClients.push(clientIdOf(this.deps, uicHash));
    if (this.pending.length >= BATCH_ROWS) await this.flush();
  }

  async finish() {
    await this.flush();
    return { contacts: this.count };
  }

  private async flush(): Promise<void> {
    if (!this.pending.length) return;
    const rows = this.pending.map((row, i) => ({
      clientId: this.pendingClients[i],
      organizationId: this.deps.organizationId,
      workerId: null,
      contactDate: row.contactDate,
      modality: row.modality,
      districtCode: row.districtCode,
      topics: row.topics,
      condoms: row.condoms,
      lubricants: row.lubricants,
      hivSelfTests: row.hivSelfTests,
      noteCipher: null,
      source: 'import' as const,
      submissionKey: null,
      groupSessionId: null,
    }));
    this.pending = [];
    this.pendingClients = [];
    await this.deps.repository.insertContacts(this.deps.tx, rows);
    this.count += rows.length;
  }
}

/** The rows of one client and day become one needs assessment with one answer per domain. */
class AssessmentWriter implements RowWriter {
  private readonly assessmentIds = new Map<string, string>();
  private assessments: NewAssessmentRow[] = [];
  private domains: NewAssessmentDomainRow[] = [];
  private answerCount = 0;

  constructor(private readonly deps: WriterDeps) {}

  async add(value: unknown, uicHash: string): Promise<void> {
    const row = value as AssessmentRow;
    const clientId = clientIdOf(this.deps, uicHash);
    const key = `${clientId}|${row.assessedOn}`;
    let assessmentId = this.assessmentIds.get(key);
    if (!assessmentId) {
      assessmentId = randomUUID();
      this.assessmentIds.set(key, assessmentId);
      this.assessments.push({
        id: assessmentId,
        clientId,
        organizationId: this.deps.organizationId,
        workerId: null,
        assessedOn: row.assessedOn,
        violence: null,
        submissionKey: null,
      });
    }
    this.domains.push({
      assessmentId,
      domain: row.domain,
      clientId,
      assessedOn: row.assessedOn,
      need: row.need,
      eligible: row.eligible,
    });
    if (this.domains.length >= BATCH_ROWS) await this.flush();
  }

  async finish() {
    await this.flush();
    return { assessments: this.assessmentIds.size, answers: this.answerCount };
  }

  private async flush(): Promise<void> {
    // Assessments first: their answers refer to them.
    const assessments = this.assessments;
    const domains = this.domains;
    this.assessments = [];
    this.domains = [];
    await this.deps.repository.insertAssessments(this.deps.tx, assessments, domains);
    this.answerCount += domains.length;
  }
}

/** The start of a day in Hanoi (UTC+7 all year): an imported referral was last touched on its status day. */
const startOfHanoiDay = (day: string) => new Date(`${day}T00:00:00+07:00`);

/** A history line written by an import: no user, no note, no verification. */
const importedEvent = (
  referralId: string,
  fromStatus: ReferralStatus | null,
  toStatus: ReferralStatus,
  statusOn: string,
  version: number,
): NewReferralEventRow => ({
  referralId,
  fromStatus,
  toStatus,
  statusOn,
  appointmentOn: null,
  verification: null,
  actorKind: 'import',
  actorId: null,
  correction: false,
  noteCipher: null,
  version,
});

/**
 * Imported referrals: source `import`, no referring worker, no slip, no note, no verification (the
 * register does not say). The history holds the referral made at `referred_on` and, when it has moved
 * on since, its current status at `status_date`. Providers are resolved once per name per import.
 */
class ReferralWriter implements RowWriter {
  /** Provider name key → id, for this import. */
  private readonly providerIds = new Map<string, string>();
  private referrals: NewReferralRow[] = [];
  private events: NewReferralEventRow[] = [];
  private count = 0;
  private providersAdded = 0;

  constructor(private readonly deps: WriterDeps) {}

  async add(value: unknown, uicHash: string): Promise<void> {
    const row = value as ReferralRow;
    const clientId = clientIdOf(this.deps, uicHash);
    const providerId = row.provider === null ? null : await this.providerIdOf(row.provider, row);
    const id = randomUUID();
    const moved = row.status !== 'referred';
    this.referrals.push({
      id,
      clientId,
      organizationId: this.deps.organizationId,
      domain: row.domain,
      serviceType: row.serviceType,
      providerId,
      referredOn: row.referredOn,
      referringWorkerId: null,
      appointmentOn: null,
      status: row.status,
      statusOn: row.statusDate,
      completedOn: row.status === 'completed' ? row.statusDate : null,
      verification: null,
      noteCipher: null,
      outcomeNoteCipher: null,
      slipCode: null,
      pinCipher: null,
      slipExpiresOn: null,
      lastActivityAt: startOfHanoiDay(row.statusDate),
      source: 'import',
      submissionKey: null,
      version: moved ? 2 : 1,
    });
    this.events.push(importedEvent(id, null, 'referred', row.referredOn, 1));
    if (moved) this.events.push(importedEvent(id, 'referred', row.status, row.statusDate, 2));
    if (this.referrals.length >= BATCH_ROWS) await this.flush();
  }

  async finish() {
    await this.flush();
    return { referrals: this.count, providers: this.providersAdded };
  }

  /** The directory's entry for the row's provider: found by name, or added for review with the row's service. */
  private async providerIdOf(name: string, row: ReferralRow): Promise<string> {
    const key = providerNameKey(name);
    let id = this.providerIds.get(key);
    if (!id) {
      id = (await this.deps.repository.providerIdByName(this.deps.tx, name)) ?? undefined;
      if (!id) {
        id = await this.deps.addProviderForReview(name, row.domain, row.serviceType);
        this.providersAdded++;
      }
      this.providerIds.set(key, id);
    }
    return id;
  }

  private async flush(): Promise<void> {
    const referrals = this.referrals;
    const events = this.events;
    this.referrals = [];
    this.events = [];
    await this.deps.repository.insertReferrals(this.deps.tx, referrals, events);
    this.count += referrals.length;
  }
}

export const WRITERS: Partial<Record<ImportKind, (deps: WriterDeps) => RowWriter>> = {
  clients: (deps) => new ClientWriter(deps),
  contacts: (deps) => new ContactWriter(deps),
  assessments: (deps) => new AssessmentWriter(deps),
  referrals: (deps) => new ReferralWriter(deps),
};
