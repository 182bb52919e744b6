import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

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
 * (migration CreateIndicatorTables): client-days, need intervals and completion days.
 */
@Injectable()
export class IndicatorsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * `reach_contacts`: distinct (client, day) pairs with a contact in [S, E] — overall, and per contact
   * district (a client seen in two districts on one day counts once in each).
   */
  async reach(q: IndicatorQuery): Promise<FigureRow[]> {
    const rows: Array<{ district: string; n: string }> = await this.dataSource.query(
      `SELECT '${ALL}' AS district, count(*) AS n
         FROM indicator_client_day
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3
       UNION ALL
       SELECT district_code, count(*)
         FROM indicator_client_day_district
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3
        GROUP BY district_code`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => count('reach_contacts', r.district, ALL, r.n));
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
      `SELECT to_char(date_trunc('month', day), 'YYYY-MM') AS month, count(*) AS n
         FROM indicator_client_day
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3
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
