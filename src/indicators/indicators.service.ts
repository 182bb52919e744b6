import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { reportsConfig, ReportsConfig } from '../config/reports.config';
import { DistrictsService } from '../geography/districts.service';
import type { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { FieldCipher } from '../privacy/field-cipher';
import { GroupSessionsService } from '../groups/group-sessions.service';
import { ReferralsService } from '../referrals/referrals.service';
import { TargetsService } from '../targets/targets.service';
import { pageOf } from '../web/pagination';
import { ALL, FigureRow, IndicatorQuery, IndicatorsRepository, MonthRow, OutcomeRow } from './indicators.repository';
import { ExportRow, exportRows, figureTable, FigureTable } from './indicator-table';
import { monthsOf, Period, yearPeriod } from './indicator-period';

/** Which organizations' records an actor's figures cover. */
export interface IndicatorScope {
  organizations: Organization[];
  /** Admins see the whole program; everyone else their own organization (and a manager's granted ones). */
  programWide: boolean;
}

export interface ReachProgress {
  year: number;
  target: number;
  /** reach_contacts from 1 January to the end of the period (or today, when earlier). */
  achieved: number;
  /** Cumulative reach at the end of each month of the year that has begun; null when hidden (small). */
  cumulative: Array<{ month: string; value: number | null }>;
  /** Contacts needed per remaining month (this one included) to reach the target by 31 December. */
  pacePerMonth: number;
  monthsLeft: number;
  status: 'reached' | 'on_track' | 'behind';
}

export interface Dashboard {
  figures: IndicatorFigures;
  progress: ReachProgress;
  accessTarget: number;
  byDomain: OutcomeRow[];
  byProvider: OutcomeRow[];
  /** The actor's own organization's referrals waiting for news; null for roles without referrals. */
  followUps: { due: number; overdue: number } | null;
}

export interface IndicatorFigures {
  period: Period;
  table: FigureTable;
  threshold: number;
}

/**
 * The indicators of MISSION §5 for a period and a set of organizations: computed in SQL by the
 * repository, laid out per district with small-cell suppression, compared with the targets, exported in
 * the stable format of §6. Every view and export is audited.
 */
@Injectable()
export class IndicatorsService {
  constructor(
    private readonly indicatorsRepository: IndicatorsRepository,
    private readonly organizationsService: OrganizationsService,
    private readonly districtsService: DistrictsService,
    private readonly targetsService: TargetsService,
    private readonly referralsService: ReferralsService,
    private readonly groupSessionsService: GroupSessionsService,
    private readonly auditService: AuditService,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    @Inject(reportsConfig.KEY) private readonly reports: ReportsConfig,
  ) {}

  today(): string {
    return localDay(this.clock.now());
  }

  get threshold(): number {
    return this.reports.suppressionThreshold;
  }

  /**
   * The organizations whose figures the actor may see, narrowed to one when `organizationId` is given
   * (an organization outside the actor's scope, or unknown, is a 404 like any record of another one).
   */
  async scopeFor(actor: Actor | 'program', organizationId?: string | null): Promise<IndicatorScope> {
    const programWide = actor === 'program' || actor.role === 'admin';
    const visible = programWide
      ? await this.organizationsService.listAll()
      : await this.organizationsService.findByIds(
          actor.role === 'manager' ? actor.organizationIds : [actor.organizationId],
        );
    if (!organizationId) return { organizations: visible, programWide };
    const chosen = visible.filter((o) => o.id === organizationId);
    if (chosen.length === 0) throw new NotFoundException();
    return { organizations: chosen, programWide: false };
  }

  /**
   * Every figure of MISSION §5 for the period, and the peer-group activity (issue #6), per district,
   * suppressed unless `unsuppressed`.
   */
  async figures(scope: IndicatorScope, period: Period, unsuppressed = false): Promise<IndicatorFigures> {
    const q = this.queryOf(scope, period);
    const [facts, groups, districts] = await Promise.all([
      this.indicatorsRepository.figures(q),
      this.groupSessionsService.indicatorRows([...q.organizationIds], q.start, q.end),
      this.districtsService.listAll(),
    ]);
    const rows: FigureRow[] = [...facts, ...groups];
    const threshold = this.threshold;
    return {
      period,
      threshold,
      table: figureTable(
        rows,
        districts.map((d) => d.code),
        unsuppressed ? null : threshold,
      ),
    };
  }

  /** Reach of the period's year against its target: the cumulative monthly line and the pace needed. */
  async reachProgress(scope: IndicatorScope, period: Period): Promise<ReachProgress> {
    const year = period.year;
    const yearSpan = yearPeriod(year);
    const today = this.today();
    const until = [period.end, today, yearSpan.end].sort()[0];
    const months: MonthRow[] =
      until < yearSpan.start
        ? []
        : await this.indicatorsRepository.reachByMonth(this.queryOf(scope, { start: yearSpan.start, end: until }));
    const target = await this.targetsService.resolve(year, this.targetScope(scope));
    const byMonth = new Map(months.map((m) => [m.month, m.reachContacts]));
    let running = 0;
    const cumulative = (until < yearSpan.start ? [] : monthsOf({ start: yearSpan.start, end: until })).map((month) => {
      running += byMonth.get(month) ?? 0;
      // A small running total would say how few people were met: shown as hidden (the chart leaves a gap).
      return { month, value: running > 0 && running < this.threshold ? null : running };
    });
    const achieved = running;
    const currentMonth = Number(until.slice(5, 7));
    const monthsLeft = until >= yearSpan.end ? 0 : 12 - currentMonth + 1;
    const missing = Math.max(0, target.reach - achieved);
    const elapsed = (Date.parse(until) - Date.parse(yearSpan.start)) / 86_400_000 + 1;
    const expected =
      (target.reach * elapsed) / (Date.parse(yearSpan.end) / 86_400_000 - Date.parse(yearSpan.start) / 86_400_000 + 1);
    return {
      year,
      target: target.reach,
      achieved,
      cumulative,
      monthsLeft,
      pacePerMonth: monthsLeft === 0 ? missing : Math.ceil(missing / monthsLeft),
      status: achieved >= target.reach ? 'reached' : achieved >= expected ? 'on_track' : 'behind',
    };
  }

  /** The access-rate target (a fraction) that applies to the period's year and scope. */
  async accessTarget(scope: IndicatorScope, period: Period): Promise<number> {
    return (await this.targetsService.resolve(period.year, this.targetScope(scope))).accessRate;
  }

  /** Referrals made in the period by status, per domain or per provider (counts, to be suppressed by the caller). */
  outcomes(scope: IndicatorScope, period: Period, by: 'domain' | 'provider'): Promise<OutcomeRow[]> {
    return this.indicatorsRepository.outcomes(this.queryOf(scope, period), by);
  }

  /**
   * Everything the dashboard shows for a period (MISSION §5, last paragraph): the figures, reach against
   * its target, the access target, referral outcomes per domain and per provider, the actor's own
   * organization's follow-ups; peer-group activity is among the figures.
   */
  async dashboard(actor: Actor, scope: IndicatorScope, period: Period): Promise<Dashboard> {
    const [figures, progress, accessTarget, byDomain, byProvider, followUps] = await Promise.all([
      this.figures(scope, period),
      this.reachProgress(scope, period),
      this.accessTarget(scope, period),
      this.outcomes(scope, period, 'domain'),
      this.outcomes(scope, period, 'provider'),
      actor.permissions.has('referrals:read') ? this.referralsService.followUps(actor, false, pageOf('1', 1)) : null,
    ]);
    return {
      figures,
      progress,
      accessTarget,
      byDomain,
      byProvider,
      followUps: followUps ? { due: followUps.due, overdue: followUps.overdue } : null,
    };
  }

  /** Audits a view of the dashboard or the report: the period and how many organizations, nothing else. */
  recordView(
    context: AuditContext,
    scope: IndicatorScope,
    period: Period,
    action: 'indicators.viewed' | 'indicators.report_printed',
  ) {
    return this.auditService.record(null, context, {
      action,
      details: { periodStart: period.start, periodEnd: period.end, organizations: scope.organizations.length },
    });
  }

  /**
   * The export rows of MISSION §6. Unsuppressed figures need a reason (checked by the caller's form);
   * every export is audited with its parameters, and the reason sealed (it is free text).
   */
  async export(
    context: AuditContext,
    scope: IndicatorScope,
    period: Period,
    options: { format: 'csv' | 'xlsx'; unsuppressed: boolean; reason: string | null },
  ): Promise<ExportRow[]> {
    const figures = await this.figures(scope, period, options.unsuppressed);
    const rows = exportRows(figures.table, period.start, period.end);
    await this.auditService.record(null, context, {
      action: 'indicators.exported',
      details: {
        periodStart: period.start,
        periodEnd: period.end,
        organizationIds: scope.organizations.map((o) => o.id),
        format: options.format,
        suppressed: !options.unsuppressed,
        threshold: options.unsuppressed ? null : figures.threshold,
        rows: rows.length,
        ...(options.reason ? { reasonCipher: this.cipher.encrypt(options.reason) } : {}),
      },
    });
    return rows;
  }

  private queryOf(scope: IndicatorScope, span: { start: string; end: string }): IndicatorQuery {
    return { start: span.start, end: span.end, organizationIds: scope.organizations.map((o) => o.id) };
  }

  private targetScope(scope: IndicatorScope): string[] | 'all' {
    return scope.programWide ? 'all' : scope.organizations.map((o) => o.id);
  }
}

export { ALL };
