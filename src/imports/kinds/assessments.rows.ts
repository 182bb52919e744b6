import { ANSWERS, Answer, DOMAINS, Domain } from '../../reference/codes';
import { codeCell, dayCell, uicCell } from '../cells';
import { KindRows, RowChecker } from './kind-rows';

export interface AssessmentRow {
  assessedOn: string;
  domain: Domain;
  need: Answer;
  eligible: Answer;
}

/**
 * `assessments`: one row per client, day and domain. The rows of one client and day become one dated
 * needs assessment, so a domain may appear only once per client and day.
 */
export const ASSESSMENT_ROWS: KindRows<AssessmentRow> = {
  kind: 'assessments',
  headers: ['uic', 'assessed_on', 'domain', 'need', 'eligible'],
  client: 'existing',
  check(cells, ctx) {
    const c = new RowChecker();
    const uic = c.take('uic', uicCell(cells.uic, ctx.hashUic));
    const row: AssessmentRow = {
      assessedOn: c.take('assessed_on', dayCell(cells.assessed_on, ctx.today)),
      domain: c.take('domain', codeCell(cells.domain, DOMAINS)),
      need: c.take('need', codeCell(cells.need, ANSWERS)),
      eligible: c.take('eligible', codeCell(cells.eligible, ANSWERS)),
    };
    return c.problems.length ? { ok: false, problems: c.problems } : { ok: true, row, uicHash: uic.hash };
  },
  // 20 hex digits of the hash keep the set small for long files; a false repeat would need a 2^-80 collision.
  uniqueKey: (row, uicHash) => ({
    key: `${uicHash.slice(0, 20)}|${row.assessedOn}|${row.domain}`,
    column: 'domain',
  }),
};
