import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DOMAINS } from '../reference/codes';

/** ALL: the whole period's figure, not one district's or one domain's (MISSION §6). */
export const ALL = 'ALL';

/** A period [start, end] of Hanoi days, both inclusive, and the organizations whose records count. */
export interface IndicatorQuery {
  start: string;
  end: string;
  organizationIds: readonly string[];
}

/** One figure of one family: a count (`numerator` only) or a rate's numerator and denominator. */
export interface FigureRow {
  indicator: string;
  district: string;
  domain: string;
  numerator: number;
  denominator: number | null;
}

export interface MonthRow {
  month: string;
  reachContacts: number;
}

export interface OutcomeRow {
  key: string;
  status: string;
  referrals: number;
}

/**
 * Every indicator query of MISSION §5, in SQL, one statement (one round trip) per family of figures.
 * They read the indicator tables the database keeps up to date in the transaction of every write
 * (migrations CreateIndicatorTables and CreateIndicatorRollups): client-days, need intervals and
 * completion days (the exact queries, for any period), and their roll-ups — client-days per day, and per
 * client and year running totals by month — for the periods of whole months within a year (month,
 * quarter, half, year: every period of the dashboard's picker), where the same figures are one pass over
 * one row per client.
 */
@Injectable()
export class IndicatorsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every figure of MISSION §5 for the period: the roll-ups for whole months of one year, else exactly. */
  async figures(q: IndicatorQuery): Promise<FigureRow[]> {
    const months = wholeMonths(q);
    const [reach, rest] = await Promise.all([
      this.reach(q),
      months ? this.monthFigures(q, months) : this.exactFigures(q),
    ]);
    return [...reach, ...rest];
  }

  /**
   * `reach_contacts`: distinct (client, day) pairs with a contact in [S, E] — overall, and per contact
   * district (a client seen in two districts on one day counts once in each): sums of client-days per day.
   */
  async reach(q: IndicatorQuery): Promise<FigureRow[]> {
    const rows: Array<{ district: string; n: string }> = await this.dataSource.query(
      `SELECT CASE district_code WHEN '' THEN '${ALL}' ELSE district_code END AS district, sum(client_days) AS n
         FROM indicator_reach_day
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3
        GROUP BY district_code
       HAVING sum(client_days) > 0`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => count('reach_contacts', r.district, ALL, r.n));
  }

  /** The client-based and referral figures, exactly, for any period (the definitions, word for word). */
  async exactFigures(q: IndicatorQuery): Promise<FigureRow[]> {
    const [clients, referrals] = await Promise.all([this.clientFigures(q), this.referralFigures(q)]);
    return [...clients, ...referrals];
  }

  /**
   * The same figures as `exactFigures` for whole months a..b of one year, in one pass over the clients'
   * year roll-ups: reached when a contact month is in a..b; Need(c, d, E) from the mask of month ends
   * (E is the end of month b); used when a referral in d was completed in a..b; referral counts from the
   * running totals (months a..b add up to `x[b + 1] − x[a]`).
   */
  async monthFigures(q: IndicatorQuery, months: WholeMonths): Promise<FigureRow[]> {
    const { year, first: a, last: b } = months;
    let period = 0;
    for (let m = a; m <= b; m++) period |= 1 << (m - 1);
    // Plain flags per row (need in force at E, used in the period, per domain i), so each count tests
    // booleans instead of recomputing bit arithmetic.
    const flags = DOMAINS.map(
      (d, i) => `y.need_${d} & ${1 << (b - 1)} <> 0 AS n${i}, y.used_${d} & ${period} <> 0 AS u${i}`,
    );
    const anyNeed = DOMAINS.map((_, i) => `n${i}`).join(' OR ');
    const anyUse = DOMAINS.map((_, i) => `(n${i} AND u${i})`).join(' OR ');
    const perDomain = DOMAINS.map(
      (_, i) =>
        `count(*) FILTER (WHERE reached AND n${i}) AS den_${i}, count(*) FILTER (WHERE reached AND n${i} AND u${i}) AS num_${i}`,
    );
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `SELECT district,
              count(*) FILTER (WHERE reached) AS reached,
              sum(made) AS made, sum(completed) AS completed,
              count(*) FILTER (WHERE reached AND (${anyNeed})) AS den_all,
              count(*) FILTER (WHERE reached AND (${anyUse})) AS num_all,
              ${perDomain.join(',\n              ')}
         FROM (SELECT y.district_code AS district, y.months & ${period} <> 0 AS reached,
                      y.made[${b + 1}] - y.made[${a}] AS made, y.completed[${b + 1}] - y.completed[${a}] AS completed,
                      ${flags.join(',\n                      ')}
                 FROM indicator_client_year y
                WHERE y.year = $2 AND y.organization_id = ANY($1)) f
        GROUP BY district`,
      [q.organizationIds, year],
    );
    // Every client has one primary district: the program's figures are the districts' sums.
    const keys = [
      'reached',
      'made',
      'completed',
      'num_all',
      'den_all',
      ...DOMAINS.flatMap((_, i) => [`num_${i}`, `den_${i}`]),
    ];
    const total: Record<string, string> = { district: ALL };
    for (const key of keys) total[key] = String(rows.reduce((sum, r) => sum + Number(r[key] ?? 0), 0));
    return [total, ...rows].flatMap((r) => {
      const n = (key: string) => Number(r[key] ?? 0);
      return [
        count('reached_clients', r.district, ALL, String(n('reached'))),
        count('referrals_made', r.district, ALL, String(n('made'))),
        count('referrals_completed', r.district, ALL, String(n('completed'))),
        rate(r.district, ALL, n('num_all'), n('den_all')),
        ...DOMAINS.map((domain, i) => rate(r.district, domain, n(`num_${i}`), n(`den_${i}`))),
      ];
    });
  }

  /**
   * The client-based figures, by the client's primary district:
   * - `reached_clients`: clients with at least one contact in [S, E];
   * - `access_rate` per domain d: of the reached clients with Need(c, d, E) — the assessment in force on
   *   E says need = yes and eligible = yes — those with a referral in d completed in [S, E];
   * - `access_rate` overall: of the reached clients with Need for at least one domain, those with a
   *   completed referral in [S, E] in one of the domains they need.
   */
  async clientFigures(q: IndicatorQuery): Promise<FigureRow[]> {
    const rows: Array<{ indicator: string; district: string; domain: string; num: string; den: string | null }> =
      await this.dataSource.query(
        `WITH reached AS (
           SELECT DISTINCT d.client_id
             FROM indicator_client_day d
            WHERE d.organization_id = ANY($1) AND d.day BETWEEN $2 AND $3
         ), needed AS (
           SELECT n.client_id, n.domain
             FROM indicator_need n JOIN reached r ON r.client_id = n.client_id
            WHERE n.from_day <= $3 AND (n.to_day IS NULL OR n.to_day > $3)
         ), used AS (
           SELECT nd.client_id, nd.domain,
                  EXISTS (SELECT 1 FROM indicator_completion x
                           WHERE x.client_id = nd.client_id AND x.domain = nd.domain
                             AND x.day BETWEEN $2 AND $3) AS used
             FROM needed nd
         ), per_client AS (
           SELECT client_id, domain, used FROM used
           UNION ALL
           SELECT client_id, '${ALL}', bool_or(used) FROM used GROUP BY client_id
         )
         SELECT 'reached_clients' AS indicator, COALESCE(c.primary_district, '${ALL}') AS district,
                '${ALL}' AS domain, count(*) AS num, NULL AS den
           FROM reached r JOIN client c ON c.id = r.client_id
          GROUP BY GROUPING SETS ((), (c.primary_district))
         UNION ALL
         SELECT 'access_rate', COALESCE(c.primary_district, '${ALL}'), p.domain,
                count(*) FILTER (WHERE p.used), count(*)
           FROM per_client p JOIN client c ON c.id = p.client_id
          GROUP BY GROUPING SETS ((p.domain), (c.primary_district, p.domain))`,
        [q.organizationIds, q.start, q.end],
      );
    return rows.map((r) => ({
      indicator: r.indicator,
      district: r.district,
      domain: r.domain,
      numerator: Number(r.num),
      denominator: r.den === null ? null : Number(r.den),
    }));
  }

  /** `referrals_made` (referred in [S, E]) and `referrals_completed` (completed in [S, E]), by the client's district. */
  async referralFigures(q: IndicatorQuery): Promise<FigureRow[]> {
    const rows: Array<{ indicator: string; district: string; n: string }> = await this.dataSource.query(
      `SELECT 'referrals_made' AS indicator, COALESCE(c.primary_district, '${ALL}') AS district, count(*) AS n
         FROM referral r JOIN client c ON c.id = r.client_id
        WHERE r.organization_id = ANY($1) AND r.referred_on BETWEEN $2 AND $3
        GROUP BY GROUPING SETS ((), (c.primary_district))
       UNION ALL
       SELECT 'referrals_completed', COALESCE(c.primary_district, '${ALL}'), count(*)
         FROM referral r JOIN client c ON c.id = r.client_id
        WHERE r.organization_id = ANY($1) AND r.status = 'completed' AND r.completed_on BETWEEN $2 AND $3
        GROUP BY GROUPING SETS ((), (c.primary_district))`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => count(r.indicator, r.district, ALL, r.n));
  }

  /** `reach_contacts` of each calendar month that meets [S, E] (the days outside it left out). */
  async reachByMonth(q: IndicatorQuery): Promise<MonthRow[]> {
    const rows: Array<{ month: string; n: string }> = await this.dataSource.query(
      `SELECT to_char(date_trunc('month', day), 'YYYY-MM') AS month, sum(client_days) AS n
         FROM indicator_reach_day
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3 AND district_code = ''
        GROUP BY 1 ORDER BY 1`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => ({ month: r.month, reachContacts: Number(r.n) }));
  }

  /** Referrals made in [S, E] by their current status, per domain (`by` domain) or per provider. */
  async outcomes(q: IndicatorQuery, by: 'domain' | 'provider'): Promise<OutcomeRow[]> {
    // Provider names are public (the service directory); a referral without a provider has key ''.
    const key = by === 'domain' ? 'r.domain' : `COALESCE(p.name, '')`;
    const rows: Array<{ key: string; status: string; n: string }> = await this.dataSource.query(
      `SELECT ${key} AS key, r.status, count(*) AS n
         FROM referral r LEFT JOIN service_provider p ON p.id = r.provider_id
        WHERE r.organization_id = ANY($1) AND r.referred_on BETWEEN $2 AND $3
        GROUP BY 1, 2`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => ({ key: r.key, status: r.status, referrals: Number(r.n) }));
  }
}

const count = (indicator: string, district: string, domain: string, n: string): FigureRow => ({
  indicator,
  district,
  domain,
  numerator: Number(n),
  denominator: null,
});

const rate = (district: string, domain: string, numerator: number, denominator: number): FigureRow => ({
  indicator: 'access_rate',
  district,
  domain,
  numerator,
  denominator,
});

/** Months `first`..`last` (1–12) of `year`: a period of whole months within one year. */
export interface WholeMonths {
  year: number;
  first: number;
  last: number;
}

/** The whole months the period covers exactly, or null (a custom period: the exact queries apply). */
export function wholeMonths(q: { start: string; end: string }): WholeMonths | null {
  const start = /^(\d{4})-(\d{2})-01$/.exec(q.start);
  const end = /^(\d{4})-(\d{2})-(\d{2})$/.exec(q.end);
  if (!start || !end || start[1] !== end[1]) return null;
  const year = Number(start[1]);
  const [first, last] = [Number(start[2]), Number(end[2])];
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  if (Number(end[3]) !== lastDay || first > last) return null;
  return { year, first, last };
}
