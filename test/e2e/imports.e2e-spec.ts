import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { cliContext } from '../../src/audit/audit.service';
import { ConsentNoticesService } from '../../src/consent-notices/consent-notices.service';
import { ImportsRepository } from '../../src/imports/imports.repository';
import { ImportsService, jobFilePath } from '../../src/imports/imports.service';
import {
  Agent,
  anOrganization,
  aPersona,
  createTestApp,
  csrfTokenIn,
  loginAs,
  Persona,
  TestApp,
  tokenFor,
} from '../support/app';

jest.setTimeout(60_000);

const CLIENT_HEADER = 'uic,gender,birth_year,district,work_setting,first_contact_date,consent_date';
const CONTACT_HEADER = 'uic,contact_date,modality,district,topics,condoms,lubricants,hiv_self_tests';
const ASSESSMENT_HEADER = 'uic,assessed_on,domain,need,eligible';
const BOM = '\uFEFF';
const WELL_FORMED_UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const LETTERS = 'ABCDEGHIKLMNOPQRSTUVXY';
let codeCounter = 0;
/**
 * A fresh, valid client code (mother, father, sex, two-digit year, own initial) born in 1990–1999.
 * Codes differ in their letters, so a test never meets another test's client.
 */
function aCode(year = 95): string {
  const n = codeCounter++;
  const pick = (k: number) => LETTERS[Math.floor(n / LETTERS.length ** k) % LETTERS.length];
  return `${pick(0)}${pick(1)}${pick(2)}${pick(3)}F${String(year).padStart(2, '0')}${LETTERS[(n * 7) % LETTERS.length]}`;
}

const csv = (header: string, rows: string[], bom = false) => `${bom ? BOM : ''}${[header, ...rows].join('\r\n')}\r\n`;

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sổ theo dõi');
  for (const row of rows) sheet.addRow(row);
  workbook.addWorksheet('Ghi chú').addRow(['this sheet is ignored']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The text of a job page once its job has finished (the page stops refreshing itself). */
async function finishedPage(agent: Agent, path: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const page = await agent.get(path).expect(200);
    if (!page.text.includes('http-equiv="refresh"')) return page.text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Import ${path} did not finish`);
}

/** The reasons listed for one row of a rejected job's page (column and reason text). */
function badRowText(html: string, row: number): string[] {
  return [...html.matchAll(new RegExp(`<tr data-testid="bad-row-${row}">([\\s\\S]*?)</tr>`, 'g'))].map((m) =>
    m[1]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe('imports of legacy registers', () => {
  let t: TestApp;
  let worker: Persona;
  let otherWorker: Persona;
  let manager: Persona;
  let agent: Agent;
  let otherAgent: Agent;
  const service = () => t.app.get(ImportsService);
  const workDir = mkdtempSync(join(tmpdir(), 'nc-import-test-'));
  let fileCounter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const organization = await anOrganization(t, 'Trung tâm CTXH Hoàng Mai');
    const other = await anOrganization(t, 'Câu lạc bộ Bông Sen');
    worker = await aPersona(t, 'social_worker', { organizationId: organization.id });
    manager = await aPersona(t, 'manager', { organizationId: organization.id });
    otherWorker = await aPersona(t, 'social_worker', { organizationId: other.id });
    agent = await loginAs(t, worker);
    otherAgent = await loginAs(t, otherWorker);
  });
  afterAll(async () => {
    await t.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Uploads a file the way the browser sends the form: multipart, the token first. */
  async function upload(as: Agent, kind: string, content: string | Buffer, filename: string) {
    const token = await tokenFor(as, '/imports');
    return as
      .post('/imports')
      .field('_csrf', token)
      .field('kind', kind)
      .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), filename);
  }

  /** Uploads, follows to the job page and waits for the verdict. */
  async function importThroughPage(as: Agent, kind: string, content: string | Buffer, filename = 'register.csv') {
    const res = await upload(as, kind, content, filename);
    expect(res.status).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/imports\/[0-9a-f-]{36}$/);
    const html = await finishedPage(as, location);
    return { location, jobId: location.split('/').pop()!, html };
  }

  /** Registers clients of an organization through the service (as the command line does). */
  async function registerClients(organizationId: string, codes: string[]): Promise<void> {
    const rows = codes.map((code) => `${code},female,19${code.slice(5, 7)},hoang-mai,street,2024-01-10,2024-01-10`);
    const path = await writeTemp(csv(CLIENT_HEADER, rows));
    const { outcome } = await service().importWith(cliContext(), organizationId, 'clients', path, 'cli');
    expect(outcome.status).toBe('completed');
  }

  /** A file for the service to import, in this test file's own temporary directory. */
  async function writeTemp(content: string | Buffer): Promise<string> {
    const path = join(workDir, `file-${++fileCounter}`);
    await writeFile(path, content);
    return path;
  }

  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query(sql, params))[0].count as string);
  const contactsOf = (organizationId: string) =>
    count('SELECT count(*) FROM contact WHERE organization_id = $1', [organizationId]);
  const clientsOf = (organizationId: string) =>
    count('SELECT count(*) FROM client WHERE organization_id = $1', [organizationId]);
  const assessmentsOf = (organizationId: string) =>
    count('SELECT count(*) FROM needs_assessment WHERE organization_id = $1', [organizationId]);

  describe('the upload page', () => {
    it('offers the kinds with their exact headers and lists recent imports, under a neutral title', async () => {
      const page = await agent.get('/imports').expect(200);
      expect(page.text).toContain('<title>Nhập dữ liệu · Nhịp Cầu</title>');
      expect(page.text).toContain('enctype="multipart/form-data"');
      expect(page.text).toContain('<option value="clients"');
      expect(page.text).toContain('<option value="assessments"');
      expect(page.text).toContain('<option value="contacts"');
      expect(page.text).toContain('<option value="referrals"');
      expect(page.text).toContain(CLIENT_HEADER);
      expect(page.text).toContain(CONTACT_HEADER);
      expect(page.text).toContain(ASSESSMENT_HEADER);
      // The token comes before the file in the form (the upload middleware reads fields in order).
      expect(page.text.indexOf('name="_csrf"')).toBeLessThan(page.text.indexOf('name="file"'));
    });

    it('opens to managers, and answers admins and peer coordinators 403 on the page and the upload, 404 on an import', async () => {
      const managerAgent = await loginAs(t, manager);
      await managerAgent.get('/imports').expect(200);
      // An import of their organization (rejected, so that it registers no client other tests would count).
      const { location, html } = await importThroughPage(
        agent,
        'clients',
        csv(CLIENT_HEADER, [`${aCode()},female,1995,atlantis,street,2024-01-10,2024-01-10`]),
      );
      expect(badRowText(html, 2)).toEqual(['2 district Không có quận/huyện mang mã này.']);
      await managerAgent.get(location).expect(200);
      for (const role of ['admin', 'peer_coordinator'] as const) {
        const persona = await aPersona(t, role, { organizationId: worker.organizationId });
        const as = await loginAs(t, persona);
        await as.get('/imports').expect(403);
        // An import's page names a record: 404 for an import of their organization, as for none.
        await as.get(location).expect(404);
        await as.get(`/imports/${WELL_FORMED_UNKNOWN_ID}`).expect(404);
        const res = await upload(as, 'contacts', csv(CONTACT_HEADER, []), 'a.csv');
        expect(res.status).toBe(403);
      }
    });

    it('refuses an upload without a valid CSRF token with 403, saving nothing and leaving no file behind', async () => {
      const uploadsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('nhip-cau-upload-')).length;
      const before = await clientsOf(worker.organizationId);
      const content = Buffer.from(
        csv(CLIENT_HEADER, [`${aCode()},female,1995,hoang-mai,street,2024-01-10,2024-01-10`]),
      );
      const missing = await agent.post('/imports').field('kind', 'clients').attach('file', content, 'a.csv');
      expect(missing.status).toBe(403);
      const wrong = await agent
        .post('/imports')
        .field('_csrf', 'not-the-token')
        .field('kind', 'clients')
        .attach('file', content, 'a.csv');
      expect(wrong.status).toBe(403);
      // Another session's token is no good either.
      const stolen = csrfTokenIn((await otherAgent.get('/imports')).text);
      const foreign = await agent
        .post('/imports')
        .field('_csrf', stolen)
        .field('kind', 'clients')
        .attach('file', content, 'a.csv');
      expect(foreign.status).toBe(403);
      expect(await clientsOf(worker.organizationId)).toBe(before);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('nhip-cau-upload-')).length).toBe(uploadsBefore);
    });

    it('asks for a kind and a file, with messages next to the fields', async () => {
      const token = await tokenFor(agent, '/imports');
      const noFile = await agent.post('/imports').field('_csrf', token).field('kind', 'contacts');
      expect(noFile.status).toBe(422);
      expect(noFile.text).toContain('id="file-error" class="invalid-feedback">Vui lòng chọn một tệp CSV hoặc XLSX.<');
      const noKind = await upload(agent, 'no-such-kind', csv(CONTACT_HEADER, []), 'a.csv');
      expect(noKind.status).toBe(422);
      expect(noKind.text).toContain('id="kind-error" class="invalid-feedback">Vui lòng chọn loại dữ liệu.<');
    });

    it('refuses a file over 20 MB with 413 and a message', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 10, 'a');
      const res = await upload(agent, 'contacts', big, 'big.csv');
      expect(res.status).toBe(413);
      expect(res.text).toContain('Tệp lớn hơn 20 MB');
    });
  });

  describe('good files', () => {
    it('imports clients from CSV: display code, data key, active, consent from the file, no worker, current notice', async () => {
      const codes = [aCode(95), aCode(88), aCode(1)];
      const rows = [
        `${codes[0]},female,1995,hoang-mai,street,2024-01-10,2024-01-12`,
        `${codes[1].toLowerCase()},trans_female,1988,ba-dinh,karaoke_bar,05/03/2024,5/3/2024`,
        `${codes[2]},male,2001,Cau-Giay,massage,2023-12-31,31/12/2023`,
      ];
      const before = await clientsOf(worker.organizationId);
      const { html, jobId } = await importThroughPage(agent, 'clients', csv(CLIENT_HEADER, rows));
      expect(html).toContain('Đã nhập 3 dòng');
      expect(await clientsOf(worker.organizationId)).toBe(before + 3);
      const created: Array<Record<string, unknown>> = await t.dataSource.query(
        `SELECT display_code, data_key_cipher, status, consent_worker_id, consent_notice_version,
                to_char(consent_date, 'YYYY-MM-DD') AS consent_date, primary_district, birth_year
           FROM client WHERE organization_id = $1 ORDER BY birth_year`,
        [worker.organizationId],
      );
      const mine = created.filter((c) => [1988, 1995, 2001].includes(c.birth_year as number));
      expect(mine).toHaveLength(3);
      // The notice in force (another test file may have published a newer one than the first, 2026-01).
      const currentNotice = (await t.app.get(ConsentNoticesService).current()).version;
      for (const client of mine) {
        expect(client.display_code).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
        expect(client.data_key_cipher).toBeTruthy();
        expect(client.status).toBe('active');
        expect(client.consent_worker_id).toBeNull();
        expect(client.consent_notice_version).toBe(currentNotice);
      }
      expect(mine.map((c) => c.consent_date)).toEqual(['2024-03-05', '2024-01-12', '2023-12-31']);
      expect(mine.map((c) => c.primary_district)).toEqual(['ba-dinh', 'hoang-mai', 'cau-giay']);
      const audit = await t.dataSource.query(`SELECT action, details FROM audit_event WHERE target_id = $1`, [jobId]);
      expect(audit).toEqual([
        { action: 'import.completed', details: { kind: 'clients', rows: 3, created: { clients: 3 } } },
      ]);
      expect(existsSync(jobFilePath(jobId))).toBe(false);
    });

    it('imports clients from XLSX (first sheet; dates typed as dates or as text)', async () => {
      const codes = [aCode(90), aCode(91)];
      const file = await xlsx([
        CLIENT_HEADER.split(','),
        [codes[0], 'female', 1990, 'dong-da', 'hotel', new Date(Date.UTC(2024, 5, 1)), '02/06/2024'],
        [],
        [codes[1], 'other', 1991, 'thanh-tri', 'online', '2024-06-03', new Date(Date.UTC(2024, 5, 3))],
      ]);
      const before = await clientsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'clients', file, 'register.xlsx');
      expect(html).toContain('Đã nhập 2 dòng');
      expect(html).toContain('XLSX');
      expect(await clientsOf(worker.organizationId)).toBe(before + 2);
    });

    it('imports contacts from a CSV with a BOM and mixed date formats: source import, no worker', async () => {
      const [a, b] = [aCode(), aCode()];
      await registerClients(worker.organizationId, [a, b]);
      const rows = [
        `${a},2024-02-01,street,hoang-mai,hiv_sti;condoms,10,2,1`,
        `${a},02/02/2024,venue,ba-dinh,,0,0,0`,
        `${b},3/2/2024,online,dong-da, GBV ; legal_rights ;gbv,,,`,
      ];
      const before = await contactsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, rows, true));
      expect(html).toContain('Đã nhập 3 dòng');
      expect(await contactsOf(worker.organizationId)).toBe(before + 3);
      const contacts: Array<Record<string, unknown>> = await t.dataSource.query(
        `SELECT to_char(contact_date, 'YYYY-MM-DD') AS day, modality, district_code, topics, condoms, lubricants,
                hiv_self_tests, source, worker_id
           FROM contact WHERE organization_id = $1 AND contact_date BETWEEN '2024-02-01' AND '2024-02-03' ORDER BY contact_date`,
        [worker.organizationId],
      );
      expect(contacts).toEqual([
        {
          day: '2024-02-01',
          modality: 'street',
          district_code: 'hoang-mai',
          topics: ['hiv_sti', 'condoms'],
          condoms: 10,
          lubricants: 2,
          hiv_self_tests: 1,
          source: 'import',
          worker_id: null,
        },
        expect.objectContaining({ day: '2024-02-02', topics: [], condoms: 0, source: 'import', worker_id: null }),
        expect.objectContaining({ day: '2024-02-03', topics: ['gbv', 'legal_rights'], district_code: 'dong-da' }),
      ]);
    });

    it('imports contacts from XLSX with numbers and dates as Excel stores them', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const file = await xlsx([
        CONTACT_HEADER.split(','),
        [code, new Date(Date.UTC(2024, 3, 10)), 'phone', 'hoang-mai', 'services', 3, 0, 1],
        [code, '11/04/2024', 'office', 'hoang-mai', 'mental_health;other', 0, 1, 0],
      ]);
      const before = await contactsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'contacts', file, 'contacts.xlsx');
      expect(html).toContain('Đã nhập 2 dòng');
      expect(await contactsOf(worker.organizationId)).toBe(before + 2);
    });

    it('imports assessments, one needs assessment per client and day with one answer per domain', async () => {
      const [a, b] = [aCode(), aCode()];
      await registerClients(worker.organizationId, [a, b]);
      const rows = [
        `${a},2024-03-01,health,yes,yes`,
        `${b},2024-03-01,legal,no,unknown`,
        `${a},01/03/2024,credit,yes,no`,
        `${a},2024-04-01,health,no,no`,
      ];
      const before = await assessmentsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'assessments', csv(ASSESSMENT_HEADER, rows));
      expect(html).toContain('Đã nhập 4 dòng');
      expect(await assessmentsOf(worker.organizationId)).toBe(before + 3);
      const answers: Array<{ day: string; domains: string }> = await t.dataSource.query(
        `SELECT to_char(a.assessed_on, 'YYYY-MM-DD') AS day, string_agg(d.domain || ':' || d.need || '/' || d.eligible, ',' ORDER BY d.domain) AS domains
           FROM needs_assessment a JOIN needs_assessment_domain d ON d.assessment_id = a.id
          WHERE a.organization_id = $1 AND a.worker_id IS NULL AND a.assessed_on IN ('2024-03-01', '2024-04-01')
          GROUP BY a.id, a.assessed_on ORDER BY a.assessed_on, domains`,
        [worker.organizationId],
      );
      expect(answers).toEqual([
        { day: '2024-03-01', domains: 'credit:yes/no,health:yes/yes' },
        { day: '2024-03-01', domains: 'legal:no/unknown' },
        { day: '2024-04-01', domains: 'health:no/no' },
      ]);
    });

    it('imports assessments from XLSX', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const file = await xlsx([
        ASSESSMENT_HEADER.split(','),
        [code, new Date(Date.UTC(2024, 4, 2)), 'vocational', 'yes', 'yes'],
        [code, '02/05/2024', 'employment', 'unknown', 'unknown'],
      ]);
      const before = await assessmentsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'assessments', file, 'needs.xlsx');
      expect(html).toContain('Đã nhập 2 dòng');
      expect(await assessmentsOf(worker.organizationId)).toBe(before + 1);
    });
  });

  describe('bad files', () => {
    it('lists every bad contact row with its number and reason, never the code, and saves nothing', async () => {
      const known = aCode();
      const elsewhere = aCode();
      const unknown = aCode();
      await registerClients(worker.organizationId, [known]);
      await registerClients(otherWorker.organizationId, [elsewhere]);
      const rows = [
        `${known},2024-02-30,street,hoang-mai,hiv_sti,1,1,1`, // row 2: no such day
        `${known},2024-02-01,street,nowhere,hiv_sti,1,1,1`, // 3: unknown district
        `${known},2024-02-01,bicycle,hoang-mai,hiv_sti,1,1,1`, // 4: unknown modality
        `${known},2024-02-01,street,hoang-mai,hiv_sti;poetry,1,1,1`, // 5: unknown topic
        `${known},2024-02-01,street,hoang-mai,hiv_sti,-3,1,1.5`, // 6: negative, not whole
        `NG-LA-F-95,2024-02-01,street,hoang-mai,hiv_sti,1,1,1`, // 7: invalid code
        `${unknown},2024-02-01,street,hoang-mai,hiv_sti,1,1,1`, // 8: no client with this code
        `${elsewhere},2024-02-01,street,hoang-mai,hiv_sti,1,1,1`, // 9: another organization's client
        `${known},2024-02-01,street,hoang-mai,hiv_sti,1,1,1,extra`, // 10: a value outside the columns
        `${known},2099-01-01,street,hoang-mai,hiv_sti,1,1,1`, // 11: in the future
        `${known},2024-02-01,street,hoang-mai,hiv_sti,1,1,1`, // 12: good
      ];
      const before = await contactsOf(worker.organizationId);
      const { html, jobId } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, rows));
      expect(await contactsOf(worker.organizationId)).toBe(before);
      expect(html).toContain('Không dòng nào được lưu: tệp có 10 dòng lỗi.');
      expect(badRowText(html, 2)).toEqual(['2 contact_date Ngày không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).']);
      expect(badRowText(html, 3)).toEqual(['3 district Không có quận/huyện mang mã này.']);
      expect(badRowText(html, 4)).toEqual(['4 modality Giá trị không thuộc danh mục.']);
      expect(badRowText(html, 5)).toEqual(['5 topics Giá trị không thuộc danh mục.']);
      expect(badRowText(html, 6)).toEqual(['6 condoms Số âm.', '6 hiv_self_tests Không phải số nguyên.']);
      expect(badRowText(html, 7)).toEqual(['7 uic Mã định danh không hợp lệ.']);
      expect(badRowText(html, 8)).toEqual(['8 uic Không có khách hàng này trong đơn vị.']);
      expect(badRowText(html, 9)).toEqual(['9 uic Không có khách hàng này trong đơn vị.']);
      expect(badRowText(html, 10)).toEqual(['10 cả dòng Có giá trị nằm ngoài các cột.']);
      expect(badRowText(html, 11)).toEqual(['11 contact_date Ngày ở tương lai.']);
      expect(badRowText(html, 12)).toEqual([]);
      for (const code of [known, elsewhere, unknown, 'NG-LA-F-95']) expect(html).not.toContain(code);
      const audit = await t.dataSource.query(`SELECT action, details FROM audit_event WHERE target_id = $1`, [jobId]);
      expect(audit).toEqual([{ action: 'import.rejected', details: { kind: 'contacts', badRows: 10 } }]);
    });

    it('refuses a client code already registered in the organization or repeated in the file', async () => {
      const [registered, repeated, fine] = [aCode(), aCode(), aCode()];
      await registerClients(worker.organizationId, [registered]);
      const rows = [
        `${registered},female,1995,hoang-mai,street,2024-01-10,2024-01-10`, // 2
        `${repeated},female,1995,hoang-mai,street,2024-01-10,2024-01-10`, // 3
        `${fine},female,1995,hoang-mai,street,2024-01-10,2024-01-10`, // 4
        `${repeated.toLowerCase()},female,1995,hoang-mai,street,2024-01-10,2024-01-10`, // 5
        `${aCode(95)},female,1994,hoang-mai,street,2024-01-10,2024-01-10`, // 6: year differs from the code
        `${aCode(95)},female,1895,hoang-mai,astronaut,2024-13-10,`, // 7
      ];
      const before = await clientsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'clients', csv(CLIENT_HEADER, rows));
      expect(await clientsOf(worker.organizationId)).toBe(before);
      expect(badRowText(html, 2)).toEqual(['2 uic Khách hàng đã được đăng ký trong đơn vị.']);
      expect(badRowText(html, 3)).toEqual([]);
      expect(badRowText(html, 4)).toEqual([]);
      expect(badRowText(html, 5)).toEqual(['5 uic Trùng với một dòng trước đó trong tệp.']);
      expect(badRowText(html, 6)).toEqual(['6 birth_year Năm sinh không khớp với hai chữ số năm trong mã định danh.']);
      expect(badRowText(html, 7)).toEqual([
        `7 birth_year Năm sinh phải từ 1940 đến ${new Date().getFullYear() - 10}.`,
        '7 work_setting Giá trị không thuộc danh mục.',
        '7 first_contact_date Ngày không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).',
        '7 consent_date Thiếu giá trị.',
      ]);
    });

    it('refuses an assessment file with a domain twice for one client and day, or unknown answers', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const rows = [
        `${code},2024-03-01,health,yes,yes`,
        `${code},01/03/2024,health,no,no`,
        `${code},2024-03-01,housing,maybe,yes`,
      ];
      const before = await assessmentsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'assessments', csv(ASSESSMENT_HEADER, rows));
      expect(await assessmentsOf(worker.organizationId)).toBe(before);
      expect(badRowText(html, 3)).toEqual(['3 domain Trùng với một dòng trước đó trong tệp.']);
      expect(badRowText(html, 4)).toEqual([
        '4 domain Giá trị không thuộc danh mục.',
        '4 need Giá trị không thuộc danh mục.',
      ]);
    });

    it('names a missing, an extra and a repeated column on the header row (extra ones by position only)', async () => {
      const header = 'uic,contact_date,modality,district,topics,condoms,lubricants,Họ tên,district';
      const { html } = await importThroughPage(agent, 'contacts', csv(header, [`${aCode()},2024-01-01`]));
      expect(badRowText(html, 1)).toEqual([
        '1 district Cột xuất hiện hai lần.',
        '1 hiv_self_tests Thiếu cột này.',
        '1 cột thứ 8 Cột không thuộc định dạng.',
      ]);
      expect(html).not.toContain('Họ tên');
      expect(html).toContain('Không dòng nào được lưu: tệp có 1 dòng lỗi.');
    });

    it('saves nothing from a file of 99 good rows and 1 bad one', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const rows = Array.from({ length: 100 }, (_, i) =>
        i === 73 ? `${code},2024-01-01,street,atlantis,,1,0,0` : `${code},2024-01-01,street,hoang-mai,,1,0,0`,
      );
      const before = await contactsOf(worker.organizationId);
      const { html } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, rows));
      expect(html).toContain('tệp có 1 dòng lỗi');
      expect(badRowText(html, 75)).toEqual(['75 district Không có quận/huyện mang mã này.']);
      expect(await contactsOf(worker.organizationId)).toBe(before);
    });

    it('shows the first 1000 bad rows and counts the rest', async () => {
      const rows = Array.from({ length: 1200 }, () => `XX,2024-01-01,street,hoang-mai,,1,0,0`);
      const { html, jobId } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, rows));
      expect(html).toContain('tệp có 1200 dòng lỗi');
      expect(html).toContain('Chỉ hiển thị 1000 dòng lỗi đầu tiên trên tổng số 1200.');
      expect(badRowText(html, 1001)).toHaveLength(1);
      expect(badRowText(html, 1002)).toEqual([]);
      const [job] = await t.dataSource.query(
        `SELECT bad_row_count, jsonb_array_length(bad_rows) AS kept FROM import_job WHERE id = $1`,
        [jobId],
      );
      expect(job).toEqual({ bad_row_count: 1200, kept: 1000 });
    });

    it.each([
      ['an empty file', '', 'Tệp trống.'],
      ['a header without rows', csv(CONTACT_HEADER, []), 'Tệp chỉ có dòng tên cột, không có dữ liệu.'],
      ['columns separated by semicolons', CONTACT_HEADER.replace(/,/g, ';'), 'ngăn cách bằng dấu chấm phẩy'],
      [
        'an old Excel file',
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
        'Định dạng không được hỗ trợ',
      ],
      ['a UTF-16 text file', Buffer.from(`\uFEFF${CONTACT_HEADER}`, 'utf16le'), 'không phải UTF-8'],
      ['a broken XLSX file', Buffer.from('PK\u0003\u0004 not really a zip'), 'Không đọc được tệp XLSX.'],
    ])('refuses %s with a clear message', async (_name, content, message) => {
      const { html } = await importThroughPage(agent, 'contacts', content);
      expect(html).toContain('Bị từ chối');
      expect(html).toContain(message);
    });

    it('refuses a row that is not UTF-8 text and a CSV that breaks off', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const latin = Buffer.concat([
        Buffer.from(`${CONTACT_HEADER}\r\n${code},2024-01-01,street,hoang-mai,,1,0,0\r\n${code},2024-01-01,street,`),
        Buffer.from([0xe0, 0x0d, 0x0a]),
      ]);
      const notUtf8 = await importThroughPage(agent, 'contacts', latin);
      expect(badRowText(notUtf8.html, 3)).toContain(
        '3 district Văn bản không phải UTF-8 (hãy lưu tệp dạng CSV UTF-8).',
      );
      const broken = csv(CONTACT_HEADER, [`${code},2024-01-01,street,hoang-mai,,1,0,0`, `${code},"2024-01-01,street`]);
      const { html } = await importThroughPage(agent, 'contacts', broken);
      expect(badRowText(html, 3)).toEqual([
        '3 cả dòng Dòng bị hỏng (ví dụ dấu ngoặc kép không được đóng); các dòng sau không được đọc.',
      ]);
    });
  });

  describe('privacy', () => {
    it('keeps no raw code in any text column of the records, the audit trail, the jobs or the logs', async () => {
      const raw = ['Đỗla f 95 h', 'ngth-f-88-m', aCode()];
      const normalized = ['DOLAF95H', 'NGTHF88M', raw[2]];
      const rows = raw.map(
        (code, i) => `${code},female,19${normalized[i].slice(5, 7)},hoang-mai,street,2024-01-10,2024-01-10`,
      );
      const { html: clientsPage } = await importThroughPage(agent, 'clients', csv(CLIENT_HEADER, rows));
      expect(clientsPage).toContain('Đã nhập 3 dòng');
      const contactRows = raw.map((code) => `${code},2024-01-11,street,hoang-mai,,1,0,0`);
      await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, contactRows));
      await importThroughPage(agent, 'assessments', csv(ASSESSMENT_HEADER, [`${raw[0]},2024-01-11,health,yes,yes`]));
      // A rejected file keeps nothing of its codes either.
      await importThroughPage(
        agent,
        'contacts',
        csv(CONTACT_HEADER, [`${aCode()}Q,2024-01-11,street,hoang-mai,,1,0,0`]),
      );

      const columns: Array<{ table_name: string; column_name: string }> = await t.dataSource.query(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public'
            AND table_name IN ('client', 'contact', 'needs_assessment', 'needs_assessment_domain', 'audit_event', 'import_job')
            AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')`,
      );
      expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
        expect.arrayContaining(['client.uic_hash', 'import_job.bad_rows', 'audit_event.details']),
      );
      for (const { table_name: table, column_name: column } of columns) {
        for (const needle of [...raw, ...normalized]) {
          const found = await count(`SELECT count(*) FROM "${table}" WHERE "${column}"::text ILIKE $1`, [
            `%${needle}%`,
          ]);
          expect({ table, column, needle, found }).toEqual({ table, column, needle, found: 0 });
        }
      }
      const logs = t.logLines.join('\n');
      for (const needle of [...raw, ...normalized]) expect(logs).not.toContain(needle);
    });
  });

  describe('the job page', () => {
    it('shows progress with a progress bar and refreshes itself while a job runs', async () => {
      const job = await t.app.get(ImportsRepository).createJob({
        organizationId: worker.organizationId,
        kind: 'contacts',
        source: 'cli',
        createdById: null,
        createdByName: 'cli:operator',
      });
      await t.app.get(ImportsRepository).updateJob(job.id, { status: 'validating' });
      const page = await agent.get(`/imports/${job.id}`).expect(200);
      expect(page.text).toContain('<meta http-equiv="refresh" content="2">');
      expect(page.text).toMatch(/<progress id="import-progress" class="w-100"><\/progress>/);
      expect(page.text).toContain('Đang kiểm tra');
      expect(page.text).toContain('<title>Lần nhập dữ liệu · Nhịp Cầu</title>');
      await t.app.get(ImportsRepository).updateJob(job.id, { status: 'failed', problem: 'error' });
    });

    it('shows processed and total rows of a job running in this process', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const rows = Array.from({ length: 3000 }, () => `${code},2024-01-01,street,hoang-mai,hiv_sti,1,0,0`);
      const res = await upload(agent, 'contacts', csv(CONTACT_HEADER, rows), 'long.csv');
      const first = await agent.get(res.headers.location as string).expect(200);
      // Either still running (progress, refresh) or already done (result, no refresh): never neither.
      const running = first.text.includes('<meta http-equiv="refresh" content="2">');
      expect(running ? first.text.includes('<progress') : first.text.includes('Đã nhập 3000 dòng')).toBe(true);
      const done = await finishedPage(agent, res.headers.location as string);
      expect(done).toContain('Đã nhập 3000 dòng');
      expect(done).not.toContain('<progress');
    });

    it('lists the organization’s recent imports, and only them', async () => {
      const { jobId } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, []));
      const mine = await agent.get('/imports').expect(200);
      expect(mine.text).toContain(`href="/imports/${jobId}"`);
      const theirs = await otherAgent.get('/imports').expect(200);
      expect(theirs.text).not.toContain(jobId);
    });

    it('answers 404 for another organization’s job and for ids that are not ids', async () => {
      const { location } = await importThroughPage(agent, 'contacts', csv(CONTACT_HEADER, []));
      await otherAgent.get(location).expect(404);
      await agent.get(`/imports/${WELL_FORMED_UNKNOWN_ID}`).expect(404);
      await agent.get('/imports/not-an-id').expect(404);
    });

    it('fails without saving anything when a client is merged between the check and the save', async () => {
      const code = aCode();
      await registerClients(worker.organizationId, [code]);
      const repository = t.app.get(ImportsRepository);
      const lock = repository.lockActiveClients.bind(repository);
      const spy = jest.spyOn(repository, 'lockActiveClients').mockImplementation(async (tx, organizationId, ids) => {
        // A manager merges the client at that very moment (rolled back with the import).
        await tx.query(`UPDATE client SET status = 'merged' WHERE id = ANY($1::uuid[])`, [ids]);
        return lock(tx, organizationId, ids);
      });
      try {
        const before = await contactsOf(worker.organizationId);
        const { html } = await importThroughPage(
          agent,
          'contacts',
          csv(CONTACT_HEADER, [`${code},2024-01-01,street,hoang-mai,,1,0,0`]),
        );
        expect(html).toContain('Dữ liệu thay đổi trong lúc nhập');
        expect(await contactsOf(worker.organizationId)).toBe(before);
      } finally {
        spy.mockRestore();
      }
    });

    it('marks jobs a restart interrupted as failed at start, and deletes their files', async () => {
      const repository = t.app.get(ImportsRepository);
      const job = await repository.createJob({
        organizationId: worker.organizationId,
        kind: 'contacts',
        source: 'web',
        createdById: worker.userId,
        createdByName: worker.username,
      });
      await repository.updateJob(job.id, { status: 'importing' });
      await writeFile(jobFilePath(job.id), 'left over');
      await service().onApplicationBootstrap();
      const page = await agent.get(`/imports/${job.id}`).expect(200);
      expect(page.text).toContain('Không hoàn thành');
      expect(page.text).toContain('Lần nhập bị gián đoạn');
      expect(page.text).not.toContain('http-equiv="refresh"');
      expect(existsSync(jobFilePath(job.id))).toBe(false);
      const audit = await t.dataSource.query(`SELECT action, outcome, details FROM audit_event WHERE target_id = $1`, [
        job.id,
      ]);
      expect(audit).toEqual([
        { action: 'import.rejected', outcome: 'failure', details: { kind: 'contacts', failure: 'interrupted' } },
      ]);
    });
  });
});
