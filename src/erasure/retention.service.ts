import { Inject, Injectable } from '@nestjs/common';
import { AuditContext, AuditService } from '../audit/audit.service';
import { Clock, localDay } from '../clock/clock';
import { retentionConfig, type RetentionConfig } from '../config/retention.config';
import { ClientErasureService } from './erasure.service';
import { DormantCount, ErasureRepository } from './erasure.repository';
import { retentionCutoff } from './retention-period';

/** What a run would erase, or erased: counts by organization (nothing about any client). */
export interface RetentionCounts {
  asOf: string;
  /** Clients whose last activity is before this day are erased. */
  cutoff: string;
  months: number;
  organizations: DormantCount[];
  total: number;
}

/** The scheduled job acts as no user: its audit rows say so. */
export const retentionJobContext = (): AuditContext => ({
  actorUserId: null,
  actorName: 'system:retention',
  actorRole: null,
  organizationId: null,
  ipAddress: null,
});

/**
 * Clients with no activity for the retention period (RETENTION_MONTHS, default 36) are erased the same
 * way as on request (MISSION §2 rule 8). The dry run lists the same clients as the run, with the same
 * query, so the admin page shows exactly what the next run erases; both are audited with their counts.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly erasureRepository: ErasureRepository,
    private readonly erasureService: ClientErasureService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
  ) {}

  today(): string {
    return localDay(this.clock.now());
  }

  get months(): number {
    return this.config.months;
  }

  /** The dry run: who the run would erase on `asOf`, counted by organization. Audited. */
  async preview(context: AuditContext, asOf: string = this.today()): Promise<RetentionCounts> {
    const cutoff = retentionCutoff(asOf, this.config.months);
    const organizations = await this.erasureRepository.dormantCounts(cutoff);
    const counts = this.countsOf(asOf, cutoff, organizations);
    await this.auditService.record(null, context, {
      action: 'retention.previewed',
      details: { asOf, cutoff, months: counts.months, total: counts.total },
    });
    return counts;
  }

  /** Erases every client dormant on `asOf`, each in its own transaction; audited with the counts. */
  async run(context: AuditContext, asOf: string = this.today()): Promise<RetentionCounts> {
    const cutoff = retentionCutoff(asOf, this.config.months);
    const dormant = await this.erasureRepository.dormantClients(cutoff);
    const erased = new Map<string, number>();
    for (const client of dormant) {
      const summary = await this.erasureService.eraseDormant(context, client.id, cutoff);
      if (summary) erased.set(summary.organizationId, (erased.get(summary.organizationId) ?? 0) + 1);
    }
    const names = await this.erasureRepository.organizationsNamed([...erased.keys()]);
    const organizations = [...erased.entries()]
      .map(([organizationId, count]) => ({ organizationId, code: '', name: '', ...names.get(organizationId), count }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
    const counts = this.countsOf(asOf, cutoff, organizations);
    await this.auditService.record(null, context, {
      action: 'retention.run',
      details: {
        asOf,
        cutoff,
        months: counts.months,
        erased: counts.total,
        byOrganization: organizations.map((o) => ({ organizationId: o.organizationId, count: o.count })),
      },
    });
    return counts;
  }

  private countsOf(asOf: string, cutoff: string, organizations: DormantCount[]): RetentionCounts {
    const total = organizations.reduce((sum, o) => sum + o.count, 0);
    return { asOf, cutoff, months: this.config.months, organizations, total };
  }
}
