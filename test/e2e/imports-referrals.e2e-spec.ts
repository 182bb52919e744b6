import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { cliContext } from '../../src/audit/audit.service';
import { localDay } from '../../src/clock/clock';
import { ChangedDuringImportError } from '../../src/imports/import-writers';
import { ImportsRepository } from '../../src/imports/imports.repository';
import { ImportsService } from '../../src/imports/imports.service';
import { providerNameKey } from '../../src/providers/service-provider.entity';
import {
  Agent,
  anOrganization,
  aPersona,
  createTestApp,
  loginAs,
  Persona,
  TestApp,
  tokenFor,
  unique,
} from '../support/app';
import { addDays } from '../support/fixtures';

jest.setTimeout(60_000);

const CLIENT_HEADER = 'uic,gender,birth_year,district,work_setting,first_contact_date,consent_date';
const REFERRAL_HEADER = 'uic,domain,service_type,provider,referred_on,status,status_date';

const LETTERS = 'ABCDEGHIKLMNOPQRSTUVXY';
let codeCounter = 0;
/** A fresh, valid client code born in 1995 (mother, father, sex, year, own initial), unlike any other of this file. */
function aCode(): string {
  const n = codeCounter++;
  const pick = (k: number) => LETTERS[Math.floor(n / LETTERS.length ** k) % LETTERS.length];
  return `${pick(3)}${pick(2)}${pick(1)}${pick(0)}F95${LETTERS[(n * 5) % LETTERS.length]}`;
}

const csv = (header: string, rows: string[]) => `${[header, ...rows].join('\r\n')}\r\n`;

/** The text of a job page once its job has finished (the page stops refreshing itself). */
async function finishedPage(agent: Agent, path: string): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
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

/** The counts a completed job's page lists, label → count. */
function createdCounts(html: string): Record<string, number> {
  const list = /data-testid="import-result"[\s\S]*?<dl class="detail-list">([\s\S]*?)<\/dl>/.exec(html);
  if (!list) throw new Error('No counts on the page');
  return Object.fromEntries(
    [...list[1].matchAll(/<dt>([^<]*)<\/dt>\s*<dd>(\d+)<\/dd>/g)].map((m) => [m[1].trim(), Number(m[2])]),
  );
}

describe('imports of referrals', () => {
  let t: TestApp;
  let worker: Persona;
  let otherWorker: Persona;
  let agent: Agent;
  let today: string;
  const workDir = mkdtempSync(join(tmpdir(), 'nc-import-referrals-'));
  let fileCounter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const organization = await anOrganization(t, 'Trung tâm CTXH Đống Đa');
    const other = await anOrganization(t, 'Nhóm tự lực Hoa Sữa');
    worker = await aPersona(t, 'social_worker', { organizationId: organization.id });
    otherWorker = await aPersona(t, 'social_worker', { organizationId: other.id });
    agent = await loginAs(t, worker);
    today = localDay(t.clock.now());
  });
  afterAll(async () => {
    await t.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Uploads as the browser does, follows to the job page and waits for the verdict. */
  async function importThroughPage(content: string | Buffer, filename = 'chuyen-gui.csv') {
    const token = await tokenFor(agent, '/imports');
    const res = await agent
      .post('/imports')
      .field('_csrf', token)
      .field('kind', 'referrals')
      .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), filename);
    expect(res.status).toBe(303);
    const location = res.headers.location as string;
    return { jobId: location.split('/').pop()!, html: await finishedPage(agent, location) };
  }

  /** Registers clients of an organization through the clients import. */
  async function registerClients(organizationId: string, codes: string[]): Promise<void> {
    const path = join(workDir, `clients-${++fileCounter}.csv`);
    await writeFile(
      path,
      csv(
        CLIENT_HEADER,
        codes.map((code) => `${code},female,1995,dong-da,street,2024-01-10,2024-01-10`),
      ),
    );
    const { outcome } = await t.app
      .get(ImportsService)
      .importWith(cliContext(), organizationId, 'clients', path, 'cli');
    expect(outcome.status).toBe('completed');
  }

  /** A provider already in the directory (names are unique across the directory, so each test makes its own). */
  async function aProvider(name: string): Promise<string> {
    const [row] = await t.dataSource.query(
      `INSERT INTO service_provider (name, name_key, domains, service_types, kp_friendly)
       VALUES ($1, $2, '{health}', '{hiv_testing}', true) RETURNING id`,
      [name, providerNameKey(name)],
    );
    return row.id as string;
  }

  const providerNamed = async (name: string) =>
    (
      (await t.dataSource.query(
        `SELECT id, name, domains, service_types, needs_review, active, district_code FROM service_provider WHERE name_key = $1`,
        [providerNameKey(name)],
      )) as Array<Record<string, unknown>>
    )[0];

  const referralsOf = async (organizationId: string) =>
    Number(
      (await t.dataSource.query('SELECT count(*) FROM referral WHERE organization_id = $1', [organizationId]))[0].count,
    );

  it('offers referrals on the upload page, with the exact header and what its columns hold', async () => {
    const page = await agent.get('/imports').expect(200);
    expect(page.text).toContain('<option value="referrals"');
    expect(page.text).toMatch(/data-testid="format-referrals">\s*<td>Chuyển gửi<\/td>/);
    expect(page.text).toContain(REFERRAL_HEADER);
    expect(page.text).toContain('status_date là ngày của trạng thái hiện tại');
  });

  it('imports referrals with their current status at status_date and a history, adding an unknown provider once for review', async () => {
    const [a, b] = [aCode(), aCode()];
    await registerClients(worker.organizationId, [a, b]);
    const known = unique('Bệnh viện Đống Đa');
    const knownId = await aProvider(known);
    const newcomer = unique('Phòng khám Hy Vọng');
    const another = unique('Quỹ tín dụng Tình Thương');
    const rows = [
      `${a},health,hiv_testing,"  ${known.toUpperCase().replace(' ', '   ')} ",2024-03-01,completed,05/03/2024`, // 2
      `${a},legal,legal_aid,,2024-03-02,referred,2024-03-02`, // 3
      `${b},HEALTH,PrEP,${newcomer},2024-03-03,scheduled,2024-03-10`, // 4
      `${b},psychosocial,counselling,${newcomer.toLowerCase().replace(' ', '  ')},2024-03-04,Declined,2024-03-04`, // 5
      `${b},credit,microcredit,${another},3/3/2024,no_show,2024-03-20`, // 6
    ];
    const before = await referralsOf(worker.organizationId);
    const { html, jobId } = await importThroughPage(csv(REFERRAL_HEADER, rows));
    expect(html).toContain('Đã nhập 5 dòng');
    expect(createdCounts(html)).toEqual({ 'Chuyển gửi': 5, 'Cơ sở tiếp nhận mới thêm vào danh bạ (chờ xem xét)': 2 });
    expect(await referralsOf(worker.organizationId)).toBe(before + 5);

    const referrals: Array<Record<string, unknown>> = await t.dataSource.query(
      `SELECT id, domain, service_type, provider_id, to_char(referred_on, 'YYYY-MM-DD') AS referred_on, status,
              to_char(status_on, 'YYYY-MM-DD') AS status_on, to_char(completed_on, 'YYYY-MM-DD') AS completed_on,
              verification, referring_worker_id, appointment_on, slip_code, pin_cipher, slip_expires_on, note_cipher,
              outcome_note_cipher, submission_key, source, version, last_activity_at
         FROM referral WHERE organization_id = $1 ORDER BY referred_on, service_type`,
      [worker.organizationId],
    );
    const newcomerId = (await providerNamed(newcomer)).id;
    const anotherId = (await providerNamed(another)).id;
    const common = {
      verification: null,
      referring_worker_id: null,
      appointment_on: null,
      slip_code: null,
      pin_cipher: null,
      slip_expires_on: null,
      note_cipher: null,
      outcome_note_cipher: null,
      submission_key: null,
      source: 'import',
    };
    const at = (day: string) => new Date(`${day}T00:00:00+07:00`);
    expect(referrals.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        ...common,
        domain: 'health',
        service_type: 'hiv_testing',
        provider_id: knownId,
        referred_on: '2024-03-01',
        status: 'completed',
        status_on: '2024-03-05',
        completed_on: '2024-03-05',
        version: 2,
        last_activity_at: at('2024-03-05'),
      },
      {
        ...common,
        domain: 'legal',
        service_type: 'legal_aid',
        provider_id: null,
        referred_on: '2024-03-02',
        status: 'referred',
        status_on: '2024-03-02',
        completed_on: null,
        version: 1,
        last_activity_at: at('2024-03-02'),
      },
      {
        ...common,
        domain: 'credit',
        service_type: 'microcredit',
        provider_id: anotherId,
        referred_on: '2024-03-03',
        status: 'no_show',
        status_on: '2024-03-20',
        completed_on: null,
        version: 2,
        last_activity_at: at('2024-03-20'),
      },
      {
        ...common,
        domain: 'health',
        service_type: 'prep',
        provider_id: newcomerId,
        referred_on: '2024-03-03',
        status: 'scheduled',
        status_on: '2024-03-10',
        completed_on: null,
        version: 2,
        last_activity_at: at('2024-03-10'),
      },
      {
        ...common,
        domain: 'psychosocial',
        service_type: 'counselling',
        provider_id: newcomerId,
        referred_on: '2024-03-04',
        status: 'declined',
        status_on: '2024-03-04',
        completed_on: null,
        version: 2,
        last_activity_at: at('2024-03-04'),
      },
    ]);

    // The history: the referral made at referred_on, then its current status at status_date.
    const history: Array<Record<string, unknown>> = await t.dataSource.query(
      `SELECT r.status AS referral, e.from_status, e.to_status, to_char(e.status_on, 'YYYY-MM-DD') AS status_on,
              e.version, e.actor_kind, e.actor_id, e.correction, e.note_cipher, e.verification, e.appointment_on
         FROM referral_event e JOIN referral r ON r.id = e.referral_id
        WHERE r.organization_id = $1 ORDER BY r.referred_on, r.service_type, e.version`,
      [worker.organizationId],
    );
    const line = { actor_kind: 'import', actor_id: null, correction: false, note_cipher: null, verification: null };
    const made = (referral: string, day: string) => ({
      ...line,
      appointment_on: null,
      referral,
      from_status: null,
      to_status: 'referred',
      status_on: day,
      version: 1,
    });
    const moved = (referral: string, day: string) => ({
      ...made(referral, day),
      from_status: 'referred',
      to_status: referral,
      version: 2,
    });
    expect(history).toEqual([
      made('completed', '2024-03-01'),
      moved('completed', '2024-03-05'),
      made('referred', '2024-03-02'),
      made('no_show', '2024-03-03'),
      moved('no_show', '2024-03-20'),
      made('scheduled', '2024-03-03'),
      moved('scheduled', '2024-03-10'),
      made('declined', '2024-03-04'),
      moved('declined', '2024-03-04'),
    ]);

    // A name not in the directory is added once (case and spacing aside), marked for review, with the
    // service of the row that first named it; a known one is left as it was.
    expect(await providerNamed(newcomer)).toEqual({
      id: newcomerId,
      name: newcomer,
      domains: ['health'],
      service_types: ['prep'],
      needs_review: true,
      active: true,
      district_code: null,
    });
    expect(await providerNamed(known)).toEqual(expect.objectContaining({ name: known, needs_review: false }));
    const added = await t.dataSource.query(
      `SELECT target_id, details FROM audit_event WHERE action = 'provider.created' AND target_id = ANY($1::text[])`,
      [[newcomerId, anotherId]],
    );
    expect(added).toHaveLength(2);
    for (const event of added) expect(event.details).toEqual({ source: 'import' });
    const audit = await t.dataSource.query(`SELECT action, details FROM audit_event WHERE target_id = $1`, [jobId]);
    expect(audit).toEqual([
      {
        action: 'import.completed',
        details: { kind: 'referrals', rows: 5, created: { referrals: 5, providers: 2 } },
      },
    ]);
  });

  it('imports referrals from XLSX, with dates as Excel stores them and an empty provider cell', async () => {
    const code = aCode();
    await registerClients(worker.organizationId, [code]);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Chuyển gửi');
    sheet.addRow(REFERRAL_HEADER.split(','));
    sheet.addRow([code, 'employment', 'job_placement', null, new Date(Date.UTC(2024, 4, 2)), 'lost', '20/05/2024']);
    sheet.addRow([
      code,
      'vocational',
      'training_course',
      '',
      '2024-05-03',
      'cancelled',
      new Date(Date.UTC(2024, 4, 4)),
    ]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const { html } = await importThroughPage(file, 'chuyen-gui.xlsx');
    expect(html).toContain('Đã nhập 2 dòng');
    expect(createdCounts(html)).toEqual({ 'Chuyển gửi': 2, 'Cơ sở tiếp nhận mới thêm vào danh bạ (chờ xem xét)': 0 });
    const rows = await t.dataSource.query(
      `SELECT service_type, status, to_char(status_on, 'YYYY-MM-DD') AS status_on, provider_id
         FROM referral WHERE organization_id = $1 AND referred_on IN ('2024-05-02', '2024-05-03') ORDER BY referred_on`,
      [worker.organizationId],
    );
    expect(rows).toEqual([
      { service_type: 'job_placement', status: 'lost', status_on: '2024-05-20', provider_id: null },
      { service_type: 'training_course', status: 'cancelled', status_on: '2024-05-04', provider_id: null },
    ]);
  });

  it('lists every bad referral row with its reason, never the text of the cell, and saves nothing, not even a new provider', async () => {
    const known = aCode();
    const elsewhere = aCode();
    const unknown = aCode();
    await registerClients(worker.organizationId, [known]);
    await registerClients(otherWorker.organizationId, [elsewhere]);
    const newcomer = unique('Trung tâm Tư vấn Bình Minh');
    const phone = 'Phòng khám gọi 0912.345.678';
    const idNumber = 'Cô Lan CCCD 001 234 567 890';
    const tomorrow = addDays(today, 1);
    const rows = [
      `${known},housing,hiv_testing,,2024-03-01,referred,2024-03-01`, // 2: no such domain
      `${known},legal,hiv_testing,,2024-03-01,referred,2024-03-01`, // 3: a service type of another domain
      `${known},health,massage,,2024-03-01,referred,2024-03-01`, // 4: no such service type
      `${known},health,arv,${phone},2024-03-01,referred,2024-03-01`, // 5: a phone number
      `${known},health,arv,${idNumber},2024-03-01,referred,2024-03-01`, // 6: an ID number
      `${known},health,arv,${'Bệnh viện '.repeat(20)}X,2024-03-01,referred,2024-03-01`, // 7: 201 characters
      `${known},health,arv,,${tomorrow},referred,${tomorrow}`, // 8: in the future
      `${known},health,arv,,2024-03-10,done,2024-03-10`, // 9: no such status
      `${known},health,arv,,2024-03-10,completed,2024-03-09`, // 10: status before the referral
      `${known},health,arv,,2024-02-30,completed,`, // 11: no such day, no status date
      `${known},health,sti_care,${newcomer},2024-03-11,completed,2024-03-12`, // 12: good
      `${known},Health,sti_care,,11/03/2024,referred,2024-03-11`, // 13: the same referral again
      `${unknown},health,arv,,2024-03-10,referred,2024-03-10`, // 14: no client with this code
      `${elsewhere},health,arv,,2024-03-10,referred,2024-03-10`, // 15: another organization's client
      `NG-LA-F-95,health,arv,,2024-03-10,referred,2024-03-10`, // 16: not a code
      `${known},health,arv,,2024-03-13,referred,2024-03-13,extra`, // 17: a value outside the columns
    ];
    const before = await referralsOf(worker.organizationId);
    const { html, jobId } = await importThroughPage(csv(REFERRAL_HEADER, rows));
    expect(html).toContain('Không dòng nào được lưu: tệp có 15 dòng lỗi.');
    expect(badRowText(html, 2)).toEqual(['2 domain Giá trị không thuộc danh mục.']);
    expect(badRowText(html, 3)).toEqual(['3 service_type Loại dịch vụ này không thuộc lĩnh vực đã ghi.']);
    expect(badRowText(html, 4)).toEqual(['4 service_type Giá trị không thuộc danh mục.']);
    const identifier =
      'Có dạng số điện thoại hoặc số giấy tờ tùy thân (9 hoặc 12 chữ số): không ghi thông tin định danh.';
    expect(badRowText(html, 5)).toEqual([`5 provider ${identifier}`]);
    expect(badRowText(html, 6)).toEqual([`6 provider ${identifier}`]);
    expect(badRowText(html, 7)).toEqual(['7 provider Quá dài (tối đa 200 ký tự).']);
    expect(badRowText(html, 8)).toEqual(['8 referred_on Ngày ở tương lai.', '8 status_date Ngày ở tương lai.']);
    expect(badRowText(html, 9)).toEqual(['9 status Giá trị không thuộc danh mục.']);
    expect(badRowText(html, 10)).toEqual(['10 status_date Ngày trạng thái trước ngày chuyển gửi (referred_on).']);
    expect(badRowText(html, 11)).toEqual([
      '11 referred_on Ngày không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).',
      '11 status_date Thiếu giá trị.',
    ]);
    expect(badRowText(html, 12)).toEqual([]);
    expect(badRowText(html, 13)).toEqual(['13 referred_on Trùng với một dòng trước đó trong tệp.']);
    expect(badRowText(html, 14)).toEqual(['14 uic Không có khách hàng này trong đơn vị.']);
    expect(badRowText(html, 15)).toEqual(['15 uic Không có khách hàng này trong đơn vị.']);
    expect(badRowText(html, 16)).toEqual(['16 uic Mã định danh không hợp lệ.']);
    expect(badRowText(html, 17)).toEqual(['17 cả dòng Có giá trị nằm ngoài các cột.']);
    for (const text of [known, elsewhere, unknown, 'NG-LA-F-95', '0912.345.678', '001 234 567 890', 'Cô Lan']) {
      expect(html).not.toContain(text);
    }
    expect(await referralsOf(worker.organizationId)).toBe(before);
    expect(await providerNamed(newcomer)).toBeUndefined();
    const [job] = await t.dataSource.query(`SELECT bad_rows::text AS bad_rows FROM import_job WHERE id = $1`, [jobId]);
    expect(job.bad_rows).not.toContain('0912');
    const audit = await t.dataSource.query(`SELECT action, details FROM audit_event WHERE target_id = $1`, [jobId]);
    expect(audit).toEqual([{ action: 'import.rejected', details: { kind: 'referrals', badRows: 15 } }]);
  });

  it('keeps nothing, not even a provider it added, when saving fails halfway', async () => {
    const code = aCode();
    await registerClients(worker.organizationId, [code]);
    const newcomer = unique('Văn phòng Luật sư Ánh Dương');
    const repository = t.app.get(ImportsRepository);
    const insert = repository.insertReferrals.bind(repository);
    const spy = jest.spyOn(repository, 'insertReferrals').mockImplementation(async (tx, referrals, events) => {
      await insert(tx, referrals, events);
      throw new ChangedDuringImportError();
    });
    try {
      const before = await referralsOf(worker.organizationId);
      const { html } = await importThroughPage(
        csv(REFERRAL_HEADER, [`${code},legal,documents,${newcomer},2024-04-01,completed,2024-04-02`]),
      );
      expect(html).toContain('Dữ liệu thay đổi trong lúc nhập');
      expect(spy).toHaveBeenCalled();
      expect(await referralsOf(worker.organizationId)).toBe(before);
      expect(await providerNamed(newcomer)).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });

  it('saves a long file in batches, resolving each provider once', async () => {
    const [a, b] = [aCode(), aCode()];
    await registerClients(worker.organizationId, [a, b]);
    const newcomer = unique('Trạm y tế phường Khương Mai');
    const statuses = ['referred', 'scheduled', 'completed', 'declined', 'no_show', 'lost', 'cancelled'];
    const total = 2600;
    const rows = Array.from({ length: total }, (_, i) => {
      const day = addDays('2016-01-01', Math.floor(i / 2));
      return `${i % 2 ? a : b},health,general_health,${i % 3 ? newcomer : ''},${day},${statuses[i % 7]},${addDays(day, i % 5)}`;
    });
    const moved = rows.filter((_, i) => statuses[i % 7] !== 'referred').length;
    const { html } = await importThroughPage(csv(REFERRAL_HEADER, rows));
    expect(html).toContain(`Đã nhập ${total} dòng`);
    expect(createdCounts(html)).toEqual({
      'Chuyển gửi': total,
      'Cơ sở tiếp nhận mới thêm vào danh bạ (chờ xem xét)': 1,
    });
    const [counts] = await t.dataSource.query(
      `SELECT count(DISTINCT r.id)::int AS referrals, count(e.id)::int AS events,
              count(DISTINCT r.provider_id)::int AS providers, sum(CASE WHEN e.version = 1 THEN 0 ELSE 1 END)::int AS moved
         FROM referral r JOIN referral_event e ON e.referral_id = r.id
        WHERE r.organization_id = $1 AND r.service_type = 'general_health'`,
      [worker.organizationId],
    );
    expect(counts).toEqual({ referrals: total, events: total + moved, providers: 1, moved });
  });
});
