import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unique } from '../support/app';
import { cli, queryCliDatabase as query } from '../support/cli';

jest.setTimeout(240_000);

const FIXTURES = join(__dirname, '..', 'fixtures', 'imports');
/** The raw codes of the fixture files, as typed there and normalized. */
const RAW_CODES = ['NGLAF95H', 'Đỗ Hà F 88 M', 'DOHAF88M', 'trxx-f-01-l', 'TRXXF01L', 'QQQQF77Q'];

describe('import from the command line', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let org: string;
  let orgId: string;

  const countOf = async (table: string) =>
    Number(
      (
        await query<{ count: string }>(
          dataDir,
          `SELECT count(*)::text AS count FROM ${table} WHERE organization_id = $1`,
          [orgId],
        )
      )[0].count,
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nc-import-cli-'));
    env = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' };
    org = unique('import-org');
    const created = await cli(env, ['org:create', '--code', org, '--name', 'Trung tâm CTXH Hoàng Mai']);
    expect(created.code).toBe(0);
    orgId = (await query<{ id: string }>(dataDir, 'SELECT id FROM organization WHERE code = $1', [org]))[0].id;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('imports clients, then their contacts and assessments (CSV and XLSX), printing a summary, audited as the OS user', async () => {
    const clients = await cli(env, ['import', 'clients', join(FIXTURES, 'clients.csv'), '--org', org]);
    expect(clients.stderr).toBe('');
    expect(clients.code).toBe(0);
    expect(clients.stdout).toMatch(
      new RegExp(`^Imported 3 rows of clients into ${org}: 3 clients created \\(import [0-9a-f-]{36}\\)\\.`),
    );

    const contacts = await cli(env, ['import', 'contacts', join(FIXTURES, 'contacts.csv'), '--org', org]);
    expect(contacts.code).toBe(0);
    expect(contacts.stdout).toContain('Imported 4 rows of contacts');

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Đánh giá');
    sheet.addRow(['uic', 'assessed_on', 'domain', 'need', 'eligible']);
    sheet.addRow(['NGLAF95H', new Date(Date.UTC(2024, 2, 1)), 'health', 'yes', 'yes']);
    sheet.addRow(['NGLAF95H', '01/03/2024', 'credit', 'yes', 'no']);
    sheet.addRow(['DOHAF88M', '2024-03-02', 'legal', 'no', 'unknown']);
    const xlsxPath = join(dataDir, 'assessments.xlsx');
    await workbook.xlsx.writeFile(xlsxPath);
    const assessments = await cli(env, ['import', 'assessments', xlsxPath, '--org', org]);
    expect(assessments.code).toBe(0);
    expect(assessments.stdout).toContain('Imported 3 rows of assessments');
    expect(assessments.stdout).toContain('2 assessments, 3 answers created');

    expect(await countOf('client')).toBe(3);
    expect(await countOf('contact')).toBe(4);
    expect(await countOf('needs_assessment')).toBe(2);
    const audit = await query<{ action: string; actor_name: string; details: Record<string, unknown> }>(
      dataDir,
      `SELECT action, actor_name, details FROM audit_event WHERE organization_id = $1 AND action LIKE 'import.%' ORDER BY id`,
      [orgId],
    );
    expect(audit.map((a) => a.action)).toEqual(['import.completed', 'import.completed', 'import.completed']);
    expect(audit.every((a) => a.actor_name.startsWith('cli:'))).toBe(true);
    expect(audit[1].details).toEqual({ kind: 'contacts', rows: 4, created: { contacts: 4 } });
    const jobs = await query<{ source: string; status: string }>(
      dataDir,
      'SELECT source, status FROM import_job WHERE organization_id = $1',
      [orgId],
    );
    expect(jobs).toEqual(Array(3).fill({ source: 'cli', status: 'completed' }));
  });

  it('imports referrals, adding a provider the directory does not hold once, for review', async () => {
    const provider = unique('Phòng khám Hy Vọng');
    const header = 'uic,domain,service_type,provider,referred_on,status,status_date';
    const path = join(dataDir, 'referrals.csv');
    writeFileSync(
      path,
      [
        header,
        `NGLAF95H,health,hiv_testing,${provider},2024-03-01,completed,05/03/2024`,
        'Đỗ Hà F 88 M,legal,legal_aid,,2024-03-02,referred,2024-03-02',
        `trxx-f-01-l,health,prep,${provider.toUpperCase()},2024-03-03,scheduled,2024-03-10`,
      ].join('\n'),
    );
    const res = await cli(env, ['import', 'referrals', path, '--org', org]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Imported 3 rows of referrals');
    expect(res.stdout).toContain('3 referrals, 1 providers created');
    expect(await countOf('referral')).toBe(3);
    const added = await query<{ needs_review: boolean }>(
      dataDir,
      'SELECT needs_review FROM service_provider WHERE name = $1',
      [provider],
    );
    expect(added).toEqual([{ needs_review: true }]);

    const badPath = join(dataDir, 'referrals-bad.csv');
    writeFileSync(badPath, `${header}\nNGLAF95H,legal,hiv_testing,,2024-03-05,completed,2024-03-04\n`);
    const bad = await cli(env, ['import', 'referrals', badPath, '--org', org]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'row 2: service_type: This service type is not part of the domain given.',
      'row 2: status_date: Status date before the referral date (referred_on).',
      'Rejected, nothing saved: 1 bad row(s) of 1 (listed above).',
    ]);
    expect(await countOf('referral')).toBe(3);
  });

  it('prints every bad row with its number and reason, saves nothing and exits with status 2', async () => {
    const before = await countOf('contact');
    const res = await cli(env, ['import', 'contacts', join(FIXTURES, 'contacts-bad.csv'), '--org', org]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([
      'row 2: contact_date: Invalid date (YYYY-MM-DD or DD/MM/YYYY).',
      'row 3: district: No district has this code.',
      'row 4: modality: Not one of the listed codes.',
      'row 4: topics: Not one of the listed codes.',
      'row 4: condoms: Negative number.',
      'row 5: uic: Invalid code.',
      'row 6: uic: No such client in your organization.',
      'Rejected, nothing saved: 5 bad row(s) of 6 (listed above).',
    ]);
    expect(await countOf('contact')).toBe(before);
    const [rejected] = await query<{ details: unknown }>(
      dataDir,
      `SELECT details FROM audit_event WHERE organization_id = $1 AND action = 'import.rejected' ORDER BY id DESC LIMIT 1`,
      [orgId],
    );
    expect(rejected.details).toEqual({ kind: 'contacts', badRows: 5 });
  });

  it('refuses an unknown organization, an unknown kind and a missing file', async () => {
    const file = join(FIXTURES, 'contacts.csv');
    const noOrg = await cli(env, ['import', 'contacts', file, '--org', 'no-such-org']);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('--org: no active organization has the code no-such-org');
    const noKind = await cli(env, ['import', 'visits', file, '--org', org]);
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('KIND: one of clients, assessments, contacts, referrals');
    const missing = await cli(env, ['import', 'contacts', join(dataDir, 'nope.csv'), '--org', org]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FILE: cannot read');
  });

  it('keeps no raw code in the database', async () => {
    const columns = await query<{ table_name: string; column_name: string }>(
      dataDir,
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public'
          AND table_name IN ('client', 'contact', 'needs_assessment', 'needs_assessment_domain', 'referral',
                             'referral_event', 'service_provider', 'audit_event', 'import_job')
          AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')`,
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
      expect.arrayContaining(['client.uic_hash', 'import_job.bad_rows']),
    );
    // One query (each opening of the embedded database costs a second): every column, every code.
    const sql = columns
      .map(
        ({ table_name: table, column_name: column }) =>
          `SELECT '${table}.${column}' AS place FROM "${table}" WHERE "${column}"::text ILIKE ANY($1::text[])`,
      )
      .join(' UNION ALL ');
    const found = await query<{ place: string }>(dataDir, sql, [RAW_CODES.map((code) => `%${code}%`)]);
    expect(found).toEqual([]);
  });
});
