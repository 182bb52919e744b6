import { GENDERS, Gender, WORK_SETTINGS, WorkSetting } from '../../reference/codes';
import { birthYearCell, codeCell, dayCell, districtCell, uicCell } from '../cells';
import { KindRows, RowChecker } from './kind-rows';

export interface ClientRow {
  gender: Gender;
  birthYear: number;
  primaryDistrict: string;
  workSetting: WorkSetting;
  firstContactDate: string;
  consentDate: string;
}

/** `clients`: a register of consenting clients; each code becomes a new client of the organization. */
export const CLIENT_ROWS: KindRows<ClientRow> = {
  kind: 'clients',
  headers: ['uic', 'gender', 'birth_year', 'district', 'work_setting', 'first_contact_date', 'consent_date'],
  client: 'new',
  check(cells, ctx) {
    const c = new RowChecker();
    const uic = c.take('uic', uicCell(cells.uic, ctx.hashUic));
    const row: ClientRow = {
      gender: c.take('gender', codeCell(cells.gender, GENDERS)),
      birthYear: c.take('birth_year', birthYearCell(cells.birth_year, ctx.today)),
      primaryDistrict: c.take('district', districtCell(cells.district, ctx.districts)),
      workSetting: c.take('work_setting', codeCell(cells.work_setting, WORK_SETTINGS)),
      firstContactDate: c.take('first_contact_date', dayCell(cells.first_contact_date, ctx.today)),
      consentDate: c.take('consent_date', dayCell(cells.consent_date, ctx.today)),
    };
    // The code carries the two last digits of the birth year: a mismatch is a typo in one of them.
    if (uic && row.birthYear && String(row.birthYear).slice(2) !== uic.yearDigits) {
      c.blame('birth_year', 'birth_year_mismatch');
    }
    return c.problems.length ? { ok: false, problems: c.problems } : { ok: true, row, uicHash: uic.hash };
  },
  uniqueKey: (_row, uicHash) => ({ key: uicHash.slice(0, 20), column: 'uic' }),
};
