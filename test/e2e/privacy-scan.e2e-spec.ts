import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { actorContext, cliContext } from '../../src/audit/audit.service';
import type { Actor } from '../../src/auth/actor';
import { ROLE_PERMISSIONS } from '../../src/auth/permissions';
import { localDay } from '../../src/clock/clock';
import { ImportsService } from '../../src/imports/imports.service';
import { ProvidersService } from '../../src/providers/providers.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';

jest.setTimeout(120_000);

/**
 * The privacy promise of MISSION §2, checked as an outsider would: after clients are registered under
 * their code, found again, merged, imported, and contacts and assessments recorded with notes, no
 * table of the database and no log line holds a client code, a part of it, a name typed to build it,
 * an alias or a note in the clear.
 */

interface Person {
  /** The five parts as the worker types them (MISSION §3). */
  mother: string;
  father: string;
  sex: 'F' | 'M';
  birthYear: string;
  own: string;
  /** The code the recipe composes from them. */
  composed: string;
  alias: string | null;
  note: string;
  /** A word of the note found nowhere else, so a partial copy is caught too. */
  noteWord: string;
}

const PEOPLE: Person[] = [
  {
    mother: 'Quỳnh',
    father: 'Vĩnh',
    sex: 'F',
    birthYear: '1994',
    own: 'Xoan',
    composed: 'QUVIF94X',
    alias: 'Sơn Ca Zeppelin',
    note: 'Chị kể chủ quán giữ giấy tờ, hẹn gặp lại ở quán nước – dấu Kiwi-Lantern-71',
    noteWord: 'Kiwi-Lantern-71',
  },
  {
    mother: 'Thơm',
    father: '',
    sex: 'M',
    birthYear: '1988',
    own: 'Khải',
    composed: 'THXXM88K',
    alias: null,
    note: 'Muốn học nghề pha chế, nhắc lịch học – dấu Pomelo-Harbor-38',
    noteWord: 'Pomelo-Harbor-38',
  },
  {
    mother: 'Nhụy',
    father: 'Phước',
    sex: 'F',
    birthYear: '2001',
    own: 'Yến',
    composed: 'NHPHF01Y',
    alias: 'Mây Tím Quasar',
    note: 'Hỏi về vay vốn ngân hàng chính sách – dấu Mango-Compass-52',
    noteWord: 'Mango-Compass-52',
  },
];

/** Registered by mistake a second time under a mistyped code, then merged into the first person. */
const DUPLICATE: Person = {
  ...PEOPLE[0],
  own: 'Vân',
  composed: 'QUVIF94V',
  alias: 'Bướm Đêm Nebula',
  note: 'Ghi chú trên hồ sơ trùng, chuyển sang khi gộp – dấu Fig-Meadow-64',
  noteWord: 'Fig-Meadow-64',
};

/** Refused (it carries a phone number): it must leave no trace either. */
const REFUSED_NOTE = 'Gọi 0971 828 364 khi cần – dấu Walnut-Ember-19';
/** The edit of a contact replaces its note: the new one is sealed like the first. */
const EDITED_NOTE = 'Đã sửa ghi chú sau buổi gặp – dấu Cedar-Violet-27';
/** A referral's note, a status change's note and a referral note of the duplicate (re-sealed by the merge). */
const REFERRAL_NOTE = 'Đi cùng em gái, sợ bị hỏi giấy tờ – dấu Quince-Lagoon-45';
const STATUS_NOTE = 'Đã hẹn lại vì ca làm đêm – dấu Tamarind-Beacon-83';
const DUPLICATE_REFERRAL_NOTE = 'Chuyển gửi trên hồ sơ trùng – dấu Lychee-Orbit-16';
/** Codes that arrive in a register file: hashed on arrival, never stored. */
const IMPORTED_UIC = 'ZOWEM87J';
const UNKNOWN_IMPORTED_UIC = 'JAKUF99R';

const uicVariants = (code: string): string[] => {
  const [m, f, s, y, o] = [code.slice(0, 2), code.slice(2, 4), code.slice(4, 5), code.slice(5, 7), code.slice(7)];
  return [
    code,
    `${m} ${f} ${s} ${y} ${o}`,
    `${m}-${f}-${s}-${y}-${o}`,
    `${m}${f}${s}${y}`,
    `${f}${s}${y}${o}`,
    `${m}${f}${s}19${y}${o}`,
    `${m}${f}${s}20${y}${o}`,
  ];
};

/** ASCII forms of a name (Quỳnh → QUYNH), long enough to mean something. */
const asciiName = (name: string) =>
  name
    .replace(/[đĐ]/g, 'D')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();

interface Needle {
  text: string;
  what: string;
}

/**
 * Long needles are searched everywhere as they are. Short ones (4–6 ASCII characters, such as the
 * mother-and-father prefix "QUVI") are searched with long opaque tokens masked out (ciphertexts,
 * hashes, ids, session ids: runs of 16+ base64/hex characters), where four random letters would
 * otherwise turn up by chance once in a while. A code or name written out is never such a token.
 */
function needlesFor(people: Person[]): { long: Needle[]; short: Needle[] } {
  const long: Needle[] = [];
  const short: Needle[] = [];
  const add = (text: string, what: string) => {
    if (!text) return;
    (text.length < 7 && /^[\x20-\x7e]+$/.test(text) ? short : long).push({ text, what });
  };
  for (const p of people) {
    for (const variant of uicVariants(p.composed)) add(variant, `UIC ${p.composed}`);
    add(p.composed.slice(0, 4), `UIC prefix of ${p.composed}`);
    add(p.composed.slice(0, 5), `UIC prefix of ${p.composed}`);
    for (const name of [p.mother, p.father, p.own]) {
      if (!name) continue;
      add(name, 'a given name typed for the code');
      if (asciiName(name).length >= 4) add(asciiName(name), 'a given name typed for the code');
    }
    if (p.alias) {
      add(p.alias, 'an alias');
      add(p.alias.split(' ').at(-1)!, 'a word of an alias');
    }
    add(p.note, 'a note');
    add(p.noteWord, 'a word of a note');
  }
  for (const code of [IMPORTED_UIC, UNKNOWN_IMPORTED_UIC]) {
    for (const variant of uicVariants(code)) add(variant, `imported UIC ${code}`);
    add(code.slice(0, 4), `imported UIC prefix of ${code}`);
  }
  for (const [text, what] of [
    [REFUSED_NOTE, 'a refused note'],
    ['Walnut-Ember-19', 'a word of a refused note'],
    ['0971 828 364', 'the phone number of a refused note'],
    ['0971828364', 'the phone number of a refused note'],
    [EDITED_NOTE, 'an edited note'],
    [REFERRAL_NOTE, 'a referral note'],
    ['Quince-Lagoon-45', 'a word of a referral note'],
    [STATUS_NOTE, 'a referral status note'],
    ['Tamarind-Beacon-83', 'a word of a referral status note'],
    [DUPLICATE_REFERRAL_NOTE, 'a referral note of a merged duplicate'],
    ['Lychee-Orbit-16', 'a word of a referral note of a merged duplicate'],
    ['Cedar-Violet-27', 'a word of an edited note'],
  ]) {
    add(text, what);
  }
  return { long, short };
}

const OPAQUE_TOKEN = /[A-Za-z0-9+/=_-]{16,}/g;
const fold = (text: string) =>
  text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .normalize('NFC')
    .toLowerCase();

interface Leak {
  where: string;
  what: string;
  needle: string;
}

/** Every needle found in the texts, each text labelled with where it was read. */
function findLeaks(texts: Array<{ where: string; text: string }>, needles: { long: Needle[]; short: Needle[] }) {
  const leaks: Leak[] = [];
  const long = needles.long.map((n) => ({ ...n, folded: fold(n.text) }));
  const short = needles.short.map((n) => ({ ...n, folded: fold(n.text) }));
  for (const { where, text } of texts) {
    const folded = fold(text);
    const masked = folded.replace(OPAQUE_TOKEN, ' ');
    for (const n of long) if (folded.includes(n.folded)) leaks.push({ where, what: n.what, needle: n.text });
    for (const n of short) if (masked.includes(n.folded)) leaks.push({ where, what: n.what, needle: n.text });
  }
  return leaks;
}

const actorOf = (persona: Persona): Actor => ({
  userId: persona.userId,
  username: persona.username,
  role: persona.role,
  organizationId: persona.organizationId,
  organizationIds: [persona.organizationId],
  permissions: new Set(ROLE_PERMISSIONS[persona.role]),
});

/** Lets the request logger write the line of the last response (it does so on 'finish'). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('privacy scan: no code, code part, name, alias or note in the clear in the database or the logs', () => {
  let t: TestApp;
  let worker: Persona;
  let agent: Agent;
  let dataDir: string;
  const clientIds = new Map<Person, string>();
  let scanned: Array<{ where: string; text: string }> = [];
  let tableReport: string[] = [];
  let firstDisplayCode: string;

  const today = () => localDay(t.clock.now());

  const registrationFields = (p: Person) => ({
    mother: p.mother,
    father: p.father,
    sex: p.sex,
    birthYear: p.birthYear,
    own: p.own,
    gender: p.sex === 'F' ? 'female' : 'male',
    primaryDistrict: 'hoan-kiem',
    workSetting: 'massage',
    firstContactDate: today(),
    alias: p.alias ?? '',
    consent: '1',
    submissionKey: randomUUID(),
  });

  /** The two steps of the registration page: review (the composed code is shown), then confirm. */
  async function register(as: Agent, p: Person, extra: Record<string, string> = {}): Promise<string> {
    const fields = { ...registrationFields(p), ...extra };
    const review = await submit(as, '/clients', { ...fields, step: 'review' }, '/clients/new');
    expect(review.status).toBe(200);
    const done = await submit(as, '/clients', { ...fields, step: 'confirm' }, '/clients/new');
    expect(done.status).toBe(303);
    const id = /^\/clients\/([0-9a-f-]{36})$/.exec(done.headers.location)?.[1];
    if (!id) throw new Error(`Registration did not open a client: ${done.headers.location}`);
    return id;
  }

  async function recordContact(as: Agent, clientId: string, note: string) {
    return submit(
      as,
      `/clients/${clientId}/contacts`,
      {
        contactDate: today(),
        modality: 'venue',
        districtCode: 'hoan-kiem',
        topics: ['hiv_sti', 'gbv'],
        condoms: '5',
        lubricants: '1',
        hivSelfTests: '1',
        note,
        submissionKey: randomUUID(),
      },
      `/clients/${clientId}/contacts/new`,
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    agent = await loginAs(t, worker);
    dataDir = mkdtempSync(join(tmpdir(), 'nhipcau-privacy-'));

    // Registration through the pages (review, then confirm), then a find by the five parts and by display code.
    for (const p of PEOPLE) clientIds.set(p, await register(agent, p));
    const first = clientIds.get(PEOPLE[0])!;
    const found = await submit(
      agent,
      '/clients/find',
      { mother: PEOPLE[0].mother, father: PEOPLE[0].father, sex: 'F', birthYear: PEOPLE[0].birthYear, own: 'xoan' },
      '/clients/find',
    );
    expect(found.status).toBe(303);
    expect(found.headers.location).toBe(`/clients/${first}`);
    const [{ display_code: displayCode }] = await t.dataSource.query(`SELECT display_code FROM client WHERE id = $1`, [
      first,
    ]);
    firstDisplayCode = displayCode;
    const search = await agent.get(`/clients?code=${encodeURIComponent(displayCode)}`);
    expect(search.status).toBe(303);

    // The same person met by another organization: told "known elsewhere", then registered there too.
    const otherWorker = await aPersona(t, 'social_worker');
    const otherAgent = await loginAs(t, otherWorker);
    const elsewhere = await submit(
      otherAgent,
      '/clients',
      { ...registrationFields(PEOPLE[0]), step: 'confirm' },
      '/clients/new',
    );
    expect(elsewhere.status).toBe(200);
    await register(otherAgent, PEOPLE[0], { confirmKnownElsewhere: '1' });

    // Contacts with notes, a refused note, an edited note; assessments; the pages that show them.
    for (const p of PEOPLE) {
      const id = clientIds.get(p)!;
      expect((await recordContact(agent, id, p.note)).status).toBe(303);
      expect(
        (
          await submit(
            agent,
            `/clients/${id}/assessments`,
            {
              assessedOn: today(),
              violence: 'declined',
              submissionKey: randomUUID(),
              ...Object.fromEntries(
                ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'].flatMap((d) => [
                  [`need_${d}`, 'yes'],
                  [`eligible_${d}`, 'unknown'],
                ]),
              ),
            },
            `/clients/${id}/assessments/new`,
          )
        ).status,
      ).toBe(303);
      await agent.get(`/clients/${id}`).expect(200);
      await agent.get(`/clients/${id}/assessments`).expect(200);
    }
    expect((await recordContact(agent, first, REFUSED_NOTE)).status).toBe(422);
    const [{ id: contactId }] = await t.dataSource.query(
      `SELECT id FROM contact WHERE client_id = $1 ORDER BY created_at LIMIT 1`,
      [clientIds.get(PEOPLE[1])],
    );
    const edited = await submit(
      agent,
      `/contacts/${contactId}`,
      {
        contactDate: today(),
        modality: 'street',
        districtCode: 'hoan-kiem',
        topics: 'condoms',
        condoms: '2',
        lubricants: '0',
        hivSelfTests: '0',
        note: EDITED_NOTE,
      },
      `/contacts/${contactId}/edit`,
    );
    expect(edited.status).toBe(303);
    await agent.get('/contacts').expect(200);
    await agent.get('/contacts/mine').expect(200);

    // A referral with a note, a status change with a note, its page, its slip, the provider's confirmation.
    const provider = await t.app.get(ProvidersService).create(cliContext(), {
      name: 'Phòng khám mẫu',
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: 'hoan-kiem',
      address: null,
      phone: null,
      openingHours: null,
      kpFriendly: true,
      active: true,
      needsReview: false,
      sample: false,
    });
    const refer = (clientId: string, note: string) =>
      submit(
        agent,
        `/clients/${clientId}/referrals`,
        { serviceType: 'hiv_testing', providerId: provider.id, referredOn: today(), note, submissionKey: randomUUID() },
        `/clients/${clientId}/referrals/new?service=hiv_testing`,
      );
    const referred = await refer(first, REFERRAL_NOTE);
    expect(referred.status).toBe(303);
    const referralPath = referred.headers.location as string;
    const changed = await submit(
      agent,
      `${referralPath}/status`,
      { status: 'scheduled', statusOn: today(), appointmentOn: today(), note: STATUS_NOTE, version: '1' },
      referralPath,
    );
    expect(changed.status).toBe(303);
    const slip = await agent.get(`${referralPath}/slip`).expect(200);
    const code = /data-testid="slip-code">([^<]+)</.exec(slip.text)![1];
    const pin = /data-testid="slip-pin">([^<]+)</.exec(slip.text)![1];
    const providerAgent = request.agent(t.app.getHttpServer());
    const confirmed = await submit(providerAgent, '/confirm', { code, pin, servedOn: today() }, '/confirm');
    expect(confirmed.status).toBe(200);
    await agent.get(referralPath).expect(200);
    await agent.get('/referrals/follow-up').expect(200);

    // A duplicate registered by mistake, with a note, merged by a manager into the first client.
    const duplicateId = await register(agent, DUPLICATE);
    expect((await recordContact(agent, duplicateId, DUPLICATE.note)).status).toBe(303);
    expect((await refer(duplicateId, DUPLICATE_REFERRAL_NOTE)).status).toBe(303);
    const [{ display_code: duplicateCode }] = await t.dataSource.query(
      `SELECT display_code FROM client WHERE id = $1`,
      [duplicateId],
    );
    const manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    const managerAgent = await loginAs(t, manager);
    const merged = await submit(
      managerAgent,
      `/clients/${first}/merge`,
      { duplicateCode, reason: 'registered_twice', step: 'confirm' },
      `/clients/${first}/merge`,
    );
    expect(merged.status).toBe(303);

    // Legacy registers: one accepted file, one rejected for a code that matches no client.
    const imports = t.app.get(ImportsService);
    const context = actorContext(actorOf(worker), null);
    const clientsFile = join(dataDir, 'clients.csv');
    writeFileSync(
      clientsFile,
      `uic,gender,birth_year,district,work_setting,first_contact_date,consent_date\n${IMPORTED_UIC.toLowerCase()},male,1987,dong-da,street,${today()},${today()}\n`,
    );
    const accepted = await imports.importFile(context, worker.organizationId, 'clients', clientsFile);
    expect(accepted.outcome.status).toBe('completed');
    const assessmentsFile = join(dataDir, 'assessments.csv');
    writeFileSync(
      assessmentsFile,
      `uic,assessed_on,domain,need,eligible\n${UNKNOWN_IMPORTED_UIC},${today()},health,yes,no\n`,
    );
    const rejected = await imports.importFile(context, worker.organizationId, 'assessments', assessmentsFile);
    expect(rejected.outcome.status).toBe('rejected');

    await settle();

    // Every text-like column of every table of the public schema, cast to text.
    const tables: Array<{ table_name: string }> = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const columns: Array<{ table_name: string; column_name: string; data_type: string }> = await t.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public'
          AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'bytea')
        ORDER BY table_name, ordinal_position`,
    );
    scanned = [];
    tableReport = [];
    for (const { table_name: table } of tables) {
      const textColumns = columns.filter((c) => c.table_name === table);
      const [{ n: rows }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`);
      tableReport.push(
        `${table} (${rows} rows): ${textColumns.map((c) => `${c.column_name} [${c.data_type}]`).join(', ') || '(no text-like column)'}`,
      );
      for (const { column_name: column, data_type: type } of textColumns) {
        const expression = type === 'bytea' ? `encode("${column}", 'escape')` : `"${column}"::text`;
        const values: Array<{ v: string }> = await t.dataSource.query(
          `SELECT ${expression} AS v FROM "${table}" WHERE "${column}" IS NOT NULL`,
        );
        for (const { v } of values) scanned.push({ where: `${table}.${column}`, text: v });
      }
    }
    for (const [i, line] of t.logLines.entries()) scanned.push({ where: `log line ${i + 1}`, text: line });
    console.log(
      `Privacy scan: ${tables.length} tables, ${columns.length} text-like columns, ${scanned.length} values and log lines read\n  ${tableReport.join('\n  ')}`,
    );
  });

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await t.close();
  });

  it('reads every table of the public schema, the outreach records among them', () => {
    const names = tableReport.map((line) => line.split(' ')[0]);
    for (const table of [
      'client',
      'contact',
      'needs_assessment',
      'needs_assessment_domain',
      'anonymous_contact_tally',
      'audit_event',
      'app_user',
      'organization',
      'district',
      'user_session',
      'login_throttle',
      'import_job',
      'migrations',
    ]) {
      expect(names).toContain(table);
    }
  });

  it('reads real values: the scan sees the district names, the sealed notes, the display codes and the request log', () => {
    const inTable = (table: string) => scanned.filter((s) => s.where.startsWith(`${table}.`)).map((s) => s.text);
    expect(inTable('district')).toContain('Hoàn Kiếm');
    expect(inTable('contact').some((text) => text.startsWith('c:'))).toBe(true);
    expect(inTable('client')).toContain(firstDisplayCode);
    expect(inTable('audit_event').length).toBeGreaterThan(0);
    expect(inTable('user_session').length).toBeGreaterThan(0);
    const firstId = clientIds.get(PEOPLE[0])!;
    expect(scanned.some((s) => s.where.startsWith('log line') && s.text.includes(`/clients/${firstId}`))).toBe(true);
  });

  it('finds a planted code, code part, name, alias or note (the scan is not blind)', () => {
    const needles = needlesFor(PEOPLE);
    const planted = [
      'QUVIF94X',
      'mã qu vi f 94 x',
      'QU-VI-F-94-X',
      'tiền tố QUVI ở đây',
      'Quỳnh',
      'QUYNH',
      'Sơn Ca Zeppelin',
      'KIWI-LANTERN-71',
    ];
    for (const text of planted) expect(findLeaks([{ where: 'planted', text }], needles)).not.toEqual([]);
    expect(findLeaks([{ where: 'planted', text: `${'QUVI'.padStart(20, 'a')}xyz` }], needles)).toEqual([]);
  });

  it('finds none of them in any column of any table, nor in any log line', () => {
    const leaks = findLeaks(scanned, needlesFor([...PEOPLE, DUPLICATE]));
    expect(leaks).toEqual([]);
  });
});
