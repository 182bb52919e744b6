import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import { failOnDuplicate } from '../database/errors';
import type { Tx } from '../database/transaction';
import type { Domain } from '../reference/codes';
import type { Page } from '../web/pagination';
import { SAMPLE_PROVIDERS } from './provider-samples';
import { NewProvider, ProviderFilters, ProvidersRepository } from './providers.repository';
import { ServiceProvider } from './service-provider.entity';

/** What an admin edits on a directory entry (the review and sample marks are the system's). */
export type ProviderInput = Omit<NewProvider, 'needsReview' | 'sample'>;

/** Another entry already has this name, case and spacing aside. */
export class ProviderNameTakenError extends Error {
  constructor(readonly existingId: string | null) {
    super('Provider name taken');
  }
}

const EDITABLE_FIELDS = [
  'name',
  'domains',
  'serviceTypes',
  'districtCode',
  'address',
  'phone',
  'openingHours',
  'kpFriendly',
  'active',
  'needsReview',
] as const satisfies ReadonlyArray<keyof NewProvider>;

const sameValue = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

/** The service directory: partner providers clients are referred to. Managed by admins. */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly providersRepository: ProvidersRepository,
    private readonly auditService: AuditService,
  ) {}

  async get(id: string): Promise<ServiceProvider> {
    const provider = await this.providersRepository.findById(id);
    if (!provider) throw new NotFoundException();
    return provider;
  }

  /** The providers the referral form offers for a service, best first. */
  forService(domain: Domain, serviceType: string, districtCode: string | null): Promise<ServiceProvider[]> {
    return this.providersRepository.forService(domain, serviceType, districtCode);
  }

  /** A provider the referral form may name: active and offering that service. */
  async findOffering(id: string, domain: Domain, serviceType: string): Promise<ServiceProvider | null> {
    const provider = await this.providersRepository.findById(id);
    const offers = provider?.active && provider.domains.includes(domain) && provider.serviceTypes.includes(serviceType);
    return offers ? provider : null;
  }

  /**
   * The provider an imported row names: found by name (case and spacing aside), or added to the
   * directory marked "to review" with what the row says it offers. Runs in the import's transaction.
   */
  async findOrAddForImport(
    tx: Tx,
    context: AuditContext,
    name: string,
    domain: Domain,
    serviceType: string,
  ): Promise<ServiceProvider> {
    const known = await this.providersRepository.findByName(tx, name);
    if (known) return known;
    const provider = await this.providersRepository.insert(tx, {
      name: name.trim().replace(/\s+/g, ' '),
      domains: [domain],
      serviceTypes: [serviceType],
      districtCode: null,
      address: null,
      phone: null,
      openingHours: null,
      kpFriendly: false,
      active: true,
      needsReview: true,
      sample: false,
    });
    await this.auditService.record(tx, context, {
      action: 'provider.created',
      target: { type: 'provider', id: provider.id },
      organizationId: null,
      details: { source: 'import' },
    });
    return provider;
  }

  /** Adds an entry as given, marks included (the admin page goes through `add`, samples through `addSamples`). */
  async create(context: AuditContext, provider: NewProvider): Promise<ServiceProvider> {
    return this.dataSource.transaction(async (tx) => {
      const created = await this.providersRepository.insert(tx, provider);
      await this.auditService.record(tx, context, {
        action: 'provider.created',
        target: { type: 'provider', id: created.id },
        organizationId: null,
      });
      return created;
    });
  }

  /** The admin list: entries to review first, then by name. */
  list(filters: ProviderFilters, page: Page): Promise<{ rows: ServiceProvider[]; total: number }> {
    return this.providersRepository.list(filters, page.offset, page.limit);
  }

  countNeedingReview(): Promise<number> {
    return this.providersRepository.countNeedingReview();
  }

  /** Adds an entry from the admin page: reviewed by construction, never a sample. */
  async add(context: AuditContext, input: ProviderInput): Promise<ServiceProvider> {
    const taken = await this.providersRepository.findByName(null, input.name);
    if (taken) throw new ProviderNameTakenError(taken.id);
    return failOnDuplicate(
      this.create(context, { ...input, needsReview: false, sample: false }),
      () => new ProviderNameTakenError(null),
    );
  }

  /**
   * Saves an admin's changes. Saving is the review: an entry an import added loses its "to review"
   * mark. Audited with the names of the changed fields (never their values); nothing changed, no write.
   */
  async update(context: AuditContext, id: string, changes: ProviderInput): Promise<void> {
    const provider = await this.get(id);
    const taken = await this.providersRepository.findByName(null, changes.name);
    if (taken && taken.id !== id) throw new ProviderNameTakenError(taken.id);
    const next: Omit<NewProvider, 'sample'> = { ...changes, needsReview: false };
    const changed = EDITABLE_FIELDS.filter((field) => !sameValue(provider[field], next[field]));
    if (changed.length === 0) return;
    const patch = Object.fromEntries(changed.map((field) => [field, next[field]])) as Partial<NewProvider>;
    await failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        await this.providersRepository.update(tx, id, patch);
        await this.auditService.record(tx, context, {
          action: 'provider.updated',
          target: { type: 'provider', id },
          organizationId: null,
          details: { changed },
        });
      }),
      () => new ProviderNameTakenError(null),
    );
  }

  /**
   * Adds the demo entries (`SAMPLE_PROVIDERS`, marked as samples) that are not in the directory yet,
   * in one transaction; returns how many were added. Running it again adds nothing.
   */
  async addSamples(context: AuditContext): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      let added = 0;
      for (const sample of SAMPLE_PROVIDERS) {
        if (await this.providersRepository.findByName(tx, sample.name)) continue;
        const provider = await this.providersRepository.insert(tx, {
          ...sample,
          active: true,
          needsReview: false,
          sample: true,
        });
        await this.auditService.record(tx, context, {
          action: 'provider.created',
          target: { type: 'provider', id: provider.id },
          organizationId: null,
          details: { source: 'samples' },
        });
        added += 1;
      }
      return added;
    });
  }
}
