import { Inject, Injectable } from '@nestjs/common';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { reportsConfig, ReportsConfig } from '../config/reports.config';
import type { District } from '../geography/district.entity';
import { DistrictsService } from '../geography/districts.service';
import type { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { Domain, REFERRAL_STATUSES } from '../reference/codes';
import { SuppressedCount, suppressTable } from '../reports/suppression';
import type { Page } from '../web/pagination';
import type { FilterField, ReviewFilters } from './referral-review.forms';
import { ReferralReviewRepository, ReviewListRow } from './referral-review.repository';

const COMPLETED = REFERRAL_STATUSES.indexOf('completed');

/** Figures of a line (or of the totals line), every count suppressed; derived figures null when hidden. */
export interface ReviewFigures {
  made: SuppressedCount;
  /** One per status, in the order of `REFERRAL_STATUSES`. */
  statuses: SuppressedCount[];
  /** completed / made, 0..1; null when either count is hidden (it would give the other away). */
  share: number | null;
  /** Median days from referral to completion; null when none is completed or the counts are hidden. */
  medianDays: number | null;
}

export interface ReviewLine extends ReviewFigures {
  domain: Domain;
  serviceType: string;
  providerName: string | null;
}

export interface ReferralReview {
  /** The lines of the requested page. */
  lines: ReviewLine[];
  lineCount: number;
  totals: ReviewFigures;
  /** k of the `<k` mark. */
  threshold: number;
  /** The actor's own organization's referrals; null when the review is of another organization only. */
  listing: { rows: ReviewListRow[]; total: number } | null;
}

export interface ReviewChoices {
  /** The organizations the actor may review: own first, then the granted ones by name. */
  organizations: Organization[];
  districts: District[];
}

/**
 * The manager's referral review (issue #4): aggregates over the organizations granted to them, always
 * suppressed (MISSION §2 rule 6), and the individual referrals of their own organization only (§1).
 */
@Injectable()
export class ReferralReviewService {
  constructor(
    private readonly reviewRepository: ReferralReviewRepository,
    private readonly organizationsService: OrganizationsService,
    private readonly districtsService: DistrictsService,
    private readonly auditService: AuditService,
    @Inject(reportsConfig.KEY) private readonly reports: ReportsConfig,
  ) {}

  async choicesFor(actor: Actor): Promise<ReviewChoices> {
    const [organizations, districts] = await Promise.all([
      this.organizationsService.findByIds(actor.organizationIds),
      this.districtsService.listAll(),
    ]);
    const own = (o: Organization) => (o.id === actor.organizationId ? 0 : 1);
    organizations.sort((a, b) => own(a) - own(b) || a.name.localeCompare(b.name, 'vi'));
    return { organizations, districts };
  }

  /**
   * The review of a period. `filters` were checked against the actor's organizations already; the
   * scope is enforced here again (an organization outside it reviews nothing). Viewing is audited with
   * the names of the filters used, never their values.
   */
  async review(
    actor: Actor,
    context: AuditContext,
    filters: ReviewFilters,
    applied: FilterField[],
    page: Page,
    listPage: Page,
  ): Promise<ReferralReview> {
    const organizationIds = filters.organizationId
      ? actor.organizationIds.filter((id) => id === filters.organizationId)
      : actor.organizationIds;
    const criteria = {
      from: filters.from,
      to: filters.to,
      districtCode: filters.districtCode,
      domain: filters.domain,
      status: filters.status,
    };
    const ownIncluded = organizationIds.includes(actor.organizationId);
    const [aggregate, listing] = await Promise.all([
      this.reviewRepository.aggregate({ ...criteria, organizationIds }, actor.organizationId),
      ownIncluded
        ? this.reviewRepository.list(actor.organizationId, criteria, listPage.offset, listPage.limit)
        : Promise.resolve(null),
    ]);

    const threshold = this.reports.suppressionThreshold;
    // The manager lists their own organization's referrals below: in a table of several organizations
    // they could subtract them, so the other organizations' part is protected too.
    const table = suppressTable(
      aggregate.lines.map((line) => line.statusCounts),
      { threshold, columns: REFERRAL_STATUSES.length, known: aggregate.lines.map((line) => line.ownCounts) },
    );
    const lines = aggregate.lines.map((line, i): ReviewLine => ({
      domain: line.domain,
      serviceType: line.serviceType,
      providerName: line.providerName,
      ...figures(table.rowTotals[i], table.cells[i], line.medianDays),
    }));

    await this.auditService.record(null, context, {
      action: 'referral.review_viewed',
      details: { filters: applied, page: page.page, ...(listing ? { listPage: listPage.page } : {}) },
    });

    return {
      lines: lines.slice(page.offset, page.offset + page.limit),
      lineCount: lines.length,
      totals: figures(table.total, table.columnTotals, aggregate.overallMedianDays),
      threshold,
      listing,
    };
  }
}

/** A share or a median is shown only beside the counts it comes from. */
function figures(made: SuppressedCount, statuses: SuppressedCount[], medianDays: number | null): ReviewFigures {
  const completed = statuses[COMPLETED];
  const visible = !made.hidden && !completed.hidden;
  return {
    made,
    statuses,
    share: visible && made.count > 0 ? completed.count / made.count : null,
    medianDays: visible && completed.count > 0 ? medianDays : null,
  };
}
