import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { ContactsService } from '../../src/contacts/contacts.service';
import { cliContext } from '../../src/audit/audit.service';
import { Agent, anOrganization, aPersona, createTestApp, csrfTokenIn, loginAs, Persona, TestApp } from '../support/app';
import { aClient, actorOf } from '../support/fixtures';

jest.setTimeout(120_000);

const YEAR = new Date().getUTCFullYear();

describe('indicator dashboard, report and export', () => {
  let t: TestApp;
  let manager: Persona;
  let worker: Persona;
  let managerAgent: Agent;
  let workerAgent: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    const org = await anOrganization(t);
    manager = await aPersona(t, 'manager', { organizationId: org.id });
    worker = await aPersona(t, 'social_worker', { organizationId: org.id });
    // Twelve clients met this year in Hoàn Kiếm (enough not to be hidden), one in Tây Hồ (hidden).
    const contacts = t.app.get(ContactsService);
    const day = `${YEAR}-01-15`;
    for (let i = 0; i < 13; i++) {
      const district = i < 12 ? 'hoan-kiem' : 'tay-ho';
      const client = await aClient(t, worker, { primaryDistrict: district, firstContactDate: day });
      await contacts.record(
        actorOf(worker),
        cliContext(),
        client.id,
        {
          contactDate: day,
          modality: 'street',
          districtCode: district,
          topics: ['condoms'],
          condoms: 1,
          lubricants: 0,
          hivSelfTests: 0,
          note: null,
        },
        randomUUID(),
      );
    }
    managerAgent = await loginAs(t, manager);
    workerAgent = await loginAs(t, worker);
  });
  afterAll(() => t?.close());

  /** Posts the export form (with the token of a fresh dashboard page); `binary` collects the body as a Buffer. */
  const exportForm = async (agent: Agent, fields: Record<string, string>, binary = false) => {
    const page = await agent.get('/indicators').expect(200);
    const post = agent.post('/indicators/export').type('form');
    if (binary) {
      post.buffer(true).parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    }
    return post.send({ period: String(YEAR), ...fields, _csrf: csrfTokenIn(page.text) });
  };

  it('shows a manager the figures of the year with the target, the charts with their tables, and the district table', async () => {
    const page = await managerAgent.get(`/indicators?period=${YEAR}`).expect(200);
    expect(page.text).toContain('data-testid="reach-achieved">13 <span');
    expect(page.text).toContain('/ 500');
    expect(page.text).toContain('id="reach-chart"');
    expect(page.text).toContain('/static/vendor/chart.js/chart.umd.min.js');
    expect(page.text).toContain('data-testid="district-table"');
    // Hoàn Kiếm's 12 are shown; Tây Hồ's single client is hidden, and so is a complement.
    expect(page.text).toMatch(/data-district="hoan-kiem"[\s\S]*?<td class="text-end">(12|&lt;5)<\/td>/);
    expect(page.text).toMatch(/data-district="tay-ho"[\s\S]*?<td class="text-end">&lt;5<\/td>/);
    // The title says nothing about what is shown.
    expect(page.text).toContain('<title>Chỉ số · Nhịp Cầu</title>');
    const audit = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'indicators.viewed' AND actor_user_id = $1`,
      [manager.userId],
    );
    expect(audit.length).toBeGreaterThan(0);
  });

  it('shows a worker the headline figures of their own organization only', async () => {
    const page = await workerAgent.get('/indicators').expect(200);
    expect(page.text).toContain('data-testid="reach-card"');
    expect(page.text).not.toContain('data-testid="district-table"');
    expect(page.text).not.toContain('name="unsuppressed"');
  });

  it('answers bad periods, unknown organizations and districts with a message, never a 500', async () => {
    for (const query of [
      'period=2026-Q5',
      'period=custom&from=2026-05-01&to=2026-04-01',
      'period=custom&from=1800-01-01&to=2026-01-01',
      'period=custom&from=2026-02-31&to=2026-03-01',
      'period=custom&from=2000-01-01&to=2025-12-31',
      'organization=00000000-0000-0000-0000-000000000000',
      'organization=abc',
      'district=atlantis',
      'period[]=x',
    ]) {
      const page = await managerAgent.get(`/indicators?${query}`);
      const answer = { query, status: page.status, message: page.text.includes('invalid-feedback') };
      expect(answer).toEqual({ query, status: 200, message: true });
    }
    const en = await managerAgent
      .get('/indicators?period=custom&from=2026-05-01&to=2026-04-01')
      .set('Cookie', 'lang=en');
    expect(en.text).toContain('The end must be on or after the start.');
  });

  it('exports the section 6 columns as CSV, suppressed by default, and audits it', async () => {
    const res = await exportForm(managerAgent, { format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="indicators_${YEAR}-01-01_${YEAR}-12-31.csv"`,
    );
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('indicator,period_start,period_end,district,domain,numerator,denominator,value');
    expect(lines).toContain(`reach_contacts,${YEAR}-01-01,${YEAR}-12-31,tay-ho,ALL,<5,,<5`);
    const [row] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'indicators.exported' AND actor_user_id = $1 ORDER BY id DESC LIMIT 1`,
      [manager.userId],
    );
    expect(row.details).toMatchObject({ format: 'csv', suppressed: true, periodStart: `${YEAR}-01-01` });
  });

  it('exports XLSX with the same rows', async () => {
    const res = await exportForm(managerAgent, { format: 'xlsx' }, true);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    const sheet = workbook.getWorksheet('indicators')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'indicator',
      'period_start',
      'period_end',
      'district',
      'domain',
      'numerator',
      'denominator',
      'value',
    ]);
    expect(sheet.rowCount).toBeGreaterThan(31 * 13);
  });

  it('refuses an unsuppressed export without a reason, and to a social worker even with one', async () => {
    const before = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'indicators.exported'`,
    );
    const noReason = await exportForm(managerAgent, { format: 'csv', unsuppressed: '1', reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Ghi lý do để xuất số liệu không ẩn số nhỏ.');
    const phone = await exportForm(managerAgent, { format: 'csv', unsuppressed: '1', reason: 'gọi 0912345678 để hỏi' });
    expect(phone.status).toBe(422);
    const byWorker = await exportForm(workerAgent, {
      format: 'csv',
      unsuppressed: '1',
      reason: 'I would like the small numbers please',
    });
    expect(byWorker.status).toBe(422);
    expect(byWorker.text).toContain('Chỉ cán bộ quản lý và quản trị được xuất số liệu không ẩn số nhỏ.');
    const after = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'indicators.exported'`,
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it('exports unsuppressed figures for a manager who gives a reason, with the reason sealed in the audit row', async () => {
    const reason = 'Báo cáo năm gửi Sở, cần số liệu đầy đủ';
    const res = await exportForm(managerAgent, { format: 'csv', unsuppressed: '1', reason });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`reach_contacts,${YEAR}-01-01,${YEAR}-12-31,tay-ho,ALL,1,,1`);
    const [row] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'indicators.exported' AND actor_user_id = $1 ORDER BY id DESC LIMIT 1`,
      [manager.userId],
    );
    expect(row.details).toMatchObject({ suppressed: false, reasonCipher: expect.any(String) });
    expect(JSON.stringify(row.details)).not.toContain('Báo cáo');
  });

  it('prints a report with the period, the organization, the date and the author', async () => {
    const page = await managerAgent.get(`/indicators/report?period=${YEAR}-H1`).expect(200);
    expect(page.text).toContain('data-testid="report-meta"');
    expect(page.text).toContain(manager.username);
    expect(page.text).toContain(`01/01/${YEAR}`);
    expect(page.text).toContain(`30/06/${YEAR}`);
    const [row] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'indicators.report_printed' AND actor_user_id = $1`,
      [manager.userId],
    );
    expect(row.n).toBe(1);
  });

  it('keeps an administrator program-wide and a coordinator on their own organization', async () => {
    const admin = await aPersona(t, 'admin');
    const adminPage = await (await loginAs(t, admin)).get('/indicators').expect(200);
    expect(adminPage.text).toContain('Toàn chương trình');
    const coordinator = await aPersona(t, 'peer_coordinator');
    const coordinatorPage = await (await loginAs(t, coordinator)).get('/indicators').expect(200);
    expect(coordinatorPage.text).toContain('data-testid="reach-achieved">0 <span');
  });
});
