import { MODALITIES, Modality, TOPICS, Topic } from '../../reference/codes';
import { codeCell, codeListCell, countCell, dayCell, districtCell, uicCell } from '../cells';
import { KindRows, RowChecker } from './kind-rows';

export interface ContactRow {
  contactDate: string;
  modality: Modality;
  districtCode: string;
  topics: Topic[];
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
}

/** `contacts`: outreach contacts of clients already registered in the organization. */
export const CONTACT_ROWS: KindRows<ContactRow> = {
  kind: 'contacts',
  headers: ['uic', 'contact_date', 'modality', 'district', 'topics', 'condoms', 'lubricants', 'hiv_self_tests'],
  client: 'existing',
  check(cells, ctx) {
    const c = new RowChecker();
    const uic = c.take('uic', uicCell(cells.uic, ctx.hashUic));
    const row: ContactRow = {
      contactDate: c.take('contact_date', dayCell(cells.contact_date, ctx.today)),
      modality: c.take('modality', codeCell(cells.modality, MODALITIES)),
      districtCode: c.take('district', districtCell(cells.district, ctx.districts)),
      topics: c.take('topics', codeListCell(cells.topics, TOPICS)),
      condoms: c.take('condoms', countCell(cells.condoms)),
      lubricants: c.take('lubricants', countCell(cells.lubricants)),
      hivSelfTests: c.take('hiv_self_tests', countCell(cells.hiv_self_tests)),
    };
    return c.problems.length ? { ok: false, problems: c.problems } : { ok: true, row, uicHash: uic.hash };
  },
};
