import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ALL_SERVICE_TYPES, DOMAINS, Domain, REFERRAL_STATUSES, ReferralStatus } from '../reference/codes';
import { sqlList } from '../reference/sql';
import { Referral } from '../referrals/referral.entity';

/** What the review counts: referrals made in [from, to] (referred date) by these organizations. */
export interface ReviewCriteria {
  organizationIds: readonly string[];
  from: string;
  to: string;
  /** The client's primary district. */
  districtCode?: string;
  domain?: Domain;
  status?: ReferralStatus;
}

/** One line of the aggregate: referrals of a (domain, service type, provider), counted by current status. */
export interface ReviewLineRow {
  domain: Domain;
  serviceType: string;
  providerId: string | null;
  providerName: string | null;
  /** One count per status, in the order of `REFERRAL_STATUSES`. */
  statusCounts: number[];
  /** The part of each count that is the reader's own organization's (they may list those one by one). */
  ownCounts: number[];
  /** Median days from referral to completion over the completed ones; null when none is completed. */
  medianDays: number | null;
}

export interface ReviewAggregate {
  lines: ReviewLineRow[];
  /** The median over every completed referral of the table (not a median of the lines' medians). */
  overallMedianDays: number | null;
}

/** A referral of the actor's own organization, as the list shows it: never a note. */
export interface ReviewListRow {
  id: string;
  clientId: string;
  /** Null once the client is erased. */
  displayCode: string | null;
  referredOn: string;
  domain: Domain;
  serviceType: string;
  providerName: string | null;
  status: ReferralStatus;
}

// Built from the code lists (constants), never from input.
const statusCounts = (condition = 'TRUE') =>
  `ARRAY[${REFERRAL_STATUSES.map(
    (status) => `count(*) FILTER (WHERE r.status = ${sqlList([status])} AND ${condition})`,
  ).join(', ')}]::int[]`;
const DOMAIN_ORDER = `array_position(ARRAY[${sqlList(DOMAINS)}]::varchar[], r.domain)`;
const SERVICE_TYPE_ORDER = `array_position(ARRAY[${sqlList(ALL_SERVICE_TYPES)}]::varchar[], r.service_type)`;
const MEDIAN_DAYS = `percentile_cont(0.5) WITHIN GROUP (ORDER BY r.completed_on - r.referred_on)
  FILTER (WHERE r.status = 'completed')`;

/** Referrals with their client (for the district) and provider (for its name), filtered. */
function fromWhere(criteria: ReviewCriteria, params: unknown[]): string {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [
    `r.organization_id = ANY(${param([...criteria.organizationIds])}::uuid[])`,
    `r.referred_on >= ${param(criteria.from)}::date`,
    `r.referred_on <= ${param(criteria.to)}::date`,
  ];
  if (criteria.districtCode) conditions.push(`c.primary_district = ${param(criteria.districtCode)}`);
  if (criteria.domain) conditions.push(`r.domain = ${param(criteria.domain)}`);
  if (criteria.status) conditions.push(`r.status = ${param(criteria.status)}`);
  // Erased and merged clients' referrals still count: the join is only for the district.
  return `FROM referral r
    JOIN client c ON c.id = r.client_id
    LEFT JOIN service_provider p ON p.id = r.provider_id
    WHERE ${conditions.join(' AND ')}`;
}

@Injectable()
export class ReferralReviewRepository {
  constructor(@InjectRepository(Referral) private readonly referrals: Repository<Referral>) {}

  /**
   * Every line and the grand total in one query (GROUPING SETS): counts per status (and their part
   * that is the reader's own organization's) and the median days to completion, computed by the
   * database. Lines are few (service types × providers), so they
   * all come back: suppression needs the whole table, pages are cut from it afterwards.
   */
  async aggregate(criteria: ReviewCriteria, ownOrganizationId: string): Promise<ReviewAggregate> {
    const params: unknown[] = [ownOrganizationId];
    const rows: Array<ReviewLineRow & { isTotal: boolean }> = await this.referrals.query(
      `SELECT GROUPING(r.domain) = 1 AS "isTotal",
              r.domain AS domain,
              r.service_type AS "serviceType",
              r.provider_id AS "providerId",
              p.name AS "providerName",
              ${statusCounts()} AS "statusCounts",
              ${statusCounts('r.organization_id = $1::uuid')} AS "ownCounts",
              ${MEDIAN_DAYS} AS "medianDays"
         ${fromWhere(criteria, params)}
        GROUP BY GROUPING SETS ((r.domain, r.service_type, r.provider_id, p.name), ())
        ORDER BY GROUPING(r.domain), ${DOMAIN_ORDER}, ${SERVICE_TYPE_ORDER}, p.name NULLS LAST, r.provider_id`,
      params,
    );
    const total = rows.find((row) => row.isTotal);
    const lines = rows
      .filter((row) => !row.isTotal)
      .map(({ isTotal: _, ...line }) => ({ ...line, medianDays: toNumber(line.medianDays) }));
    return { lines, overallMedianDays: toNumber(total?.medianDays ?? null) };
  }

  /** The referrals of one organization (the actor's own), newest first. */
  async list(
    organizationId: string,
    criteria: Omit<ReviewCriteria, 'organizationIds'>,
    offset: number,
    limit: number,
  ): Promise<{ rows: ReviewListRow[]; total: number }> {
    const scoped = { ...criteria, organizationIds: [organizationId] };
    const countParams: unknown[] = [];
    const [{ total }] = (await this.referrals.query(
      `SELECT count(*)::int AS total ${fromWhere(scoped, countParams)}`,
      countParams,
    )) as Array<{ total: number }>;
    const params: unknown[] = [];
    const where = fromWhere(scoped, params);
    params.push(limit, offset);
    const rows: ReviewListRow[] = await this.referrals.query(
      `SELECT r.id AS id,
              r.client_id AS "clientId",
              c.display_code AS "displayCode",
              to_char(r.referred_on, 'YYYY-MM-DD') AS "referredOn",
              r.domain AS domain,
              r.service_type AS "serviceType",
              p.name AS "providerName",
              r.status AS status
         ${where}
        ORDER BY r.referred_on DESC, r.created_at DESC, r.id
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { rows, total };
  }
}

/** percentile_cont answers double precision; a driver may hand it over as text. */
function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
