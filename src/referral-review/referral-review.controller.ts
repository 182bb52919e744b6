import { Controller, Get, Query, Render } from '@nestjs/common';
import { actorContext } from '../audit/audit.service';
import { Can } from '../auth/access.decorators';
import { Actor, CurrentActor, RequestAddress } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { pageOf } from '../web/pagination';
import { parseReviewFilters } from './referral-review.forms';
import { ReferralReviewService } from './referral-review.service';
import {
  districtOptions,
  domainOptions,
  organizationOptions,
  pagerFor,
  REVIEW_PATH,
  statusHeadings,
  statusOptions,
  toLineView,
  toListRow,
  toTotalsView,
} from './referral-review.view';

/** The manager's review of referral outcomes: suppressed aggregates, and the own organization's referrals. */
@Controller()
export class ReferralReviewController {
  constructor(
    private readonly reviewService: ReferralReviewService,
    private readonly clock: Clock,
  ) {}

  @Get('review/referrals')
  @Can('referrals:review')
  @Render('referral-review/index')
  async index(
    @CurrentActor() actor: Actor,
    @RequestAddress() address: string | null,
    @Query() query: Record<string, unknown>,
  ) {
    const choices = await this.reviewService.choicesFor(actor);
    const parsed = parseReviewFilters(query, {
      today: localDay(this.clock.now()),
      organizationIds: choices.organizations.map((o) => o.id),
      districtCodes: choices.districts.map((d) => d.code),
    });
    const page = pageOf(query.page);
    const listPage = pageOf(query.listPage);
    const review = await this.reviewService.review(
      actor,
      actorContext(actor, address),
      parsed.filters,
      parsed.applied,
      page,
      listPage,
    );
    const keep = {
      ...parsed.query,
      page: page.page > 1 ? String(page.page) : undefined,
      listPage: listPage.page > 1 ? String(listPage.page) : undefined,
    };
    return {
      title: 'referralReview.title',
      action: REVIEW_PATH,
      period: { from: parsed.filters.from, to: parsed.filters.to },
      threshold: review.threshold,
      statusHeadings: statusHeadings(),
      lines: review.lines.map(toLineView),
      totals: toTotalsView(review.totals),
      pager: pagerFor('page', page, review.lineCount, keep),
      listing: review.listing && {
        rows: review.listing.rows.map(toListRow),
        pager: pagerFor('listPage', listPage, review.listing.total, keep),
      },
      filtered: Object.keys(parsed.query).length > 0,
      organizations: organizationOptions(choices.organizations),
      districts: districtOptions(choices.districts),
      domains: domainOptions(),
      statuses: statusOptions(),
      values: parsed.values,
      errors: parsed.errors,
    };
  }
}
