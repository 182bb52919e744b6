import { randomInt, randomUUID } from 'node:crypto';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { cliContext } from '../../src/audit/audit.service';
import { Actor, toActor } from '../../src/auth/actor';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { ConsentNoticesService } from '../../src/consent-notices/consent-notices.service';
import { localDay } from '../../src/clock/clock';
import { ContactsService } from '../../src/contacts/contacts.service';
import { UicHasher } from '../../src/privacy/client-code';
import {
  Agent,
  aPersona,
  anOrganization,
  createTestApp,
  loginAs,
  Persona,
  submit,
  TestApp,
  tokenFor,
} from '../support/app';
import { pathOf, refusalFor } from '../support/routes';

// The project's `testTimeout` is ignored inside a Jest project: sign-ins (argon2, two-factor) need more than 5 s.
jest.setTimeout(60_000);

/**
 * Code parts are drawn from letters that never occur in a display code (no B, I, L, O, S, Z) nor in
 * lower-case hex or a UUID, so finding one of them in a stored column can only mean a leak.
 */
const LETTERS = 'BILOSZ';
const letter = () => LETTERS[randomInt(LETTERS.length)];

interface Parts {
  mother: string;
  father: string;
  sex: 'F' | 'M';
  birthYear: string;
  own: string;
}

const someParts = (): Parts => ({
  mother: letter() + letter(),
  father: letter() + letter(),
  sex: randomInt(2) ? 'F' : 'M',
  birthYear: String(1950 + randomInt(50)),
  own: letter(),
});

const composed = (p: Parts) => `${p.mother}${p.father}${p.sex}${p.birthYear.slice(2)}${p.own}`;
const spaced = (p: Parts) => `${p.mother} ${p.father} ${p.sex} ${p.birthYear.slice(2)} ${p.own}`;

const DISPLAY_CODE = /data-testid="display-code">(?:<span[^>]*>[^<]*<\/span>)?([A-Z2-9]{3}-[A-Z2-9]{3})</;
const CLIENT_PATH = /^\/clients\/([0-9a-f-]{36})$/;

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const idOf = (location: string | undefined): string => {
  const match = CLIENT_PATH.exec(location ?? '');
  if (!match) throw new Error(`Not a client page: ${location}`);
  return match[1];
};

describe('client pages', () => {
  let t: TestApp;
  let today: string;
  let worker: Persona;
  let colleague: Persona;
  let manager: Persona;
  let outsider: Persona;
  let workerAgent: Agent;
  let managerAgent: Agent;
  let outsiderAgent: Agent;

  const actorOf = (p: Persona): Actor =>
    toActor({
      id: p.userId,
      username: p.username,
      role: p.role,
      organizationId: p.organizationId,
      grantedOrganizationIds: [],
      mustChangePassword: false,
      totpEnabled: false,
    });

  /** A client registered directly through the service (for pages that need one already there). */
  async function aClient(owner: Persona, parts = someParts(), alias: string | null = null): Promise<Client> {
    const outcome = await t.app.get(ClientsService).register(actorOf(owner), cliContext(), {
      uic: { mother: parts.mother, father: parts.father, sex: parts.sex, own: parts.own },
      birthYear: Number(parts.birthYear),
      gender: 'female',
      primaryDistrict: 'ba-dinh',
      workSetting: 'massage',
      firstContactDate: today,
      consentDate: today,
      alias,
      confirmKnownElsewhere: true,
      submissionKey: randomUUID(),
    });
    if (outcome.kind !== 'created') throw new Error(`Client not created: ${outcome.kind}`);
    return outcome.client;
  }

  /** The hidden submission key of the registration form (the first form of /clients/new). */
  async function freshSubmissionKey(agent: Agent): Promise<string> {
    const page = await agent.get('/clients/new').expect(200);
    return /name="submissionKey" value="([0-9a-f-]{36})"/.exec(page.text)![1];
  }

  async function registrationFields(agent: Agent, parts: Parts, extra: Record<string, string> = {}) {
    return {
      ...parts,
      gender: 'female',
      primaryDistrict: 'hoang-mai',
      workSetting: 'street',
      firstContactDate: today,
      consent: '1',
      submissionKey: await freshSubmissionKey(agent),
      ...extra,
    };
  }

  const post = (agent: Agent, path: string, fields: Record<string, string>) => submit(agent, path, fields, '/clients');

  const clientCount = async (organizationId: string): Promise<number> => {
    const rows: Array<{ n: number }> = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM client WHERE organization_id = $1`,
      [organizationId],
    );
    return rows[0].n;
  };

  const auditCount = async (action: string, targetId: string): Promise<number> => {
    const rows: Array<{ n: number }> = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = $1 AND target_id = $2`,
      [action, targetId],
    );
    return rows[0].n;
  };

  beforeAll(async () => {
    t = await createTestApp();
    today = localDay(new Date());
    const organization = await anOrganization(t);
    const otherOrganization = await anOrganization(t, 'Other organization');
    worker = await aPersona(t, 'social_worker', { organizationId: organization.id });
    colleague = await aPersona(t, 'social_worker', { organizationId: organization.id });
    manager = await aPersona(t, 'manager', { organizationId: organization.id });
    outsider = await aPersona(t, 'social_worker', { organizationId: otherOrganization.id });
    workerAgent = await loginAs(t, worker);
    managerAgent = await loginAs(t, manager);
    outsiderAgent = await loginAs(t, outsider);
  });
  afterAll(() => t.close());

  describe('registration', () => {
    it('shows the composed code for confirmation, then opens the new client under its display code', async () => {
      const parts = someParts();
      const fields = await registrationFields(workerAgent, parts);
      const before = await clientCount(worker.organizationId);

      const review = await post(workerAgent, '/clients', { ...fields, step: 'review' });
      expect(review.status).toBe(200);
      expect(review.text).toContain(`data-testid="composed-code">${spaced(parts)}<`);
      expect(review.text).toContain('name="step" value="confirm"');
      expect(/<title>([^<]*)<\/title>/.exec(review.text)![1]).toBe('Kiểm tra mã khách hàng · Nhịp Cầu');
      expect(review.headers['cache-control']).toBe('no-store');
      expect(await clientCount(worker.organizationId)).toBe(before);

      const confirmed = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      expect(confirmed.status).toBe(303);
      const page = await workerAgent.get(confirmed.headers.location).expect(200);
      expect(page.text).toContain('Đã đăng ký khách hàng.');
      expect(page.text).toMatch(DISPLAY_CODE);
      expect(page.text).not.toContain(composed(parts));
      expect(page.text).not.toContain(spaced(parts));
      expect(/<title>([^<]*)<\/title>/.exec(page.text)![1]).toBe('Hồ sơ khách hàng · Nhịp Cầu');
    });

    it('keeps only the keyed hash of the code: no raw code or part in the client row, the audit trail or the logs', async () => {
      const parts = someParts();
      // Typed the way a worker might: whole names with Vietnamese letters, lower case.
      const typed = {
        ...parts,
        mother: `${parts.mother[0]}${parts.mother[1].toLowerCase()}ương`,
        father: `${parts.father[0]}${parts.father[1].toLowerCase()}ệt`,
        own: `${parts.own}ữu`,
      };
      const fields = await registrationFields(workerAgent, typed);
      await post(workerAgent, '/clients', { ...fields, step: 'review' }).then((r) => expect(r.status).toBe(200));
      const confirmed = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      const id = idOf(confirmed.headers.location);

      const [row]: Array<Record<string, unknown>> = await t.dataSource.query(`SELECT * FROM client WHERE id = $1`, [
        id,
      ]);
      expect(row.uic_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.uic_hash).toBe(t.app.get(UicHasher).hash(composed(parts)));
      const forbiddenEverywhere = [composed(parts), spaced(parts), typed.mother, typed.father, typed.own];
      for (const [column, value] of Object.entries(row)) {
        const text = value instanceof Date ? String(value.getTime()) : String(value);
        for (const secret of forbiddenEverywhere)
          expect({ column, leaks: text.includes(secret) }).toEqual({ column, leaks: false });
        // Ciphertexts are random base64, where two letters may occur by chance; every other column is checked for the parts too.
        if (column.endsWith('_cipher') || column === 'display_code') continue; // random codes
        for (const part of [parts.mother, parts.father, parts.own]) {
          expect({ column, part, leaks: text.includes(part) }).toEqual({ column, part, leaks: false });
        }
      }
      const audit: Array<{ row: string }> = await t.dataSource.query(
        `SELECT row_to_json(a)::text AS row FROM audit_event a WHERE organization_id = $1`,
        [worker.organizationId],
      );
      const logs = t.logLines.join('\n');
      for (const secret of forbiddenEverywhere) {
        expect(audit.some((a) => a.row.includes(secret))).toBe(false);
        expect(logs.includes(secret)).toBe(false);
      }
    });

    it('opens the existing client when the code is already registered in the organization', async () => {
      const parts = someParts();
      const first = await post(workerAgent, '/clients', {
        ...(await registrationFields(workerAgent, parts)),
        step: 'confirm',
      });
      const id = idOf(first.headers.location);
      const before = await clientCount(worker.organizationId);

      // A colleague registers the same person again (typed in lower case this time).
      const colleagueAgent = await loginAs(t, colleague);
      const lower = { ...parts, mother: parts.mother.toLowerCase(), own: parts.own.toLowerCase() };
      const again = await post(colleagueAgent, '/clients', {
        ...(await registrationFields(colleagueAgent, lower)),
        step: 'confirm',
      });
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe(`/clients/${id}`);
      const page = await colleagueAgent.get(again.headers.location).expect(200);
      expect(page.text).toContain('Khách hàng này đã được đăng ký trong đơn vị: đây là hồ sơ hiện có.');
      expect(await clientCount(worker.organizationId)).toBe(before);
      expect(await auditCount('client.found_existing', id)).toBe(1);
    });

    it('says only that a code is known in another organization, then registers a separate record when asked', async () => {
      const parts = someParts();
      const theirs = await aClient(outsider, parts);
      const fields = await registrationFields(workerAgent, parts);
      const before = await clientCount(worker.organizationId);

      const told = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      expect(told.status).toBe(200);
      expect(told.text).toContain('Mã này đã được một đơn vị khác đăng ký.');
      expect(told.text).not.toContain(theirs.displayCode!);
      expect(told.text).not.toContain(theirs.id);
      expect(told.text).toContain('name="confirmKnownElsewhere" value="1"');
      expect(await clientCount(worker.organizationId)).toBe(before);

      const anyway = await post(workerAgent, '/clients', { ...fields, confirmKnownElsewhere: '1', step: 'confirm' });
      expect(anyway.status).toBe(303);
      const ours = idOf(anyway.headers.location);
      expect(ours).not.toBe(theirs.id);
      const rows: Array<{ id: string; organization_id: string }> = await t.dataSource.query(
        `SELECT id, organization_id FROM client WHERE uic_hash = $1 ORDER BY created_at`,
        [theirs.uicHash],
      );
      expect(rows.map((r) => r.organization_id)).toEqual([outsider.organizationId, worker.organizationId]);
      await outsiderAgent.get(`/clients/${ours}`).expect(404);
    });

    it('registers once when the confirm step is submitted twice', async () => {
      const parts = someParts();
      const fields = await registrationFields(workerAgent, parts);
      const before = await clientCount(worker.organizationId);
      const first = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      const second = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      expect(first.status).toBe(303);
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect(await clientCount(worker.organizationId)).toBe(before + 1);
    });

    it('goes back from the review to the form with every value kept', async () => {
      const parts = someParts();
      const fields = await registrationFields(workerAgent, parts, { alias: 'Chị Mây' });
      const back = await post(workerAgent, '/clients', { ...fields, step: 'edit' });
      expect(back.status).toBe(200);
      expect(back.text).toContain(`name="mother" type="text" value="${parts.mother}"`);
      expect(back.text).toContain(`name="submissionKey" value="${fields.submissionKey}"`);
      expect(back.text).toContain('value="Chị Mây"');
      expect(back.text).toMatch(/id="sex-F" value="F" checked|id="sex-M" value="M" checked/);
    });

    it('records only an anonymous tally when the client does not agree, and never a client', async () => {
      const before = await clientCount(worker.organizationId);
      const fields = await registrationFields(workerAgent, someParts());
      delete (fields as Record<string, string>).consent;
      const refused = await post(workerAgent, '/clients', { ...fields, step: 'confirm' });
      expect(refused.status).toBe(422);
      expect(fieldError(refused.text, 'consent')).toContain('Chỉ đăng ký khi khách hàng đã nghe thông báo và đồng ý.');
      expect(refused.text).toMatch(/<details[^>]* open data-testid="tally-section"/);
      expect(refused.text).toContain('action="/clients/tally"');

      const submissionKey = randomUUID();
      const tally = { contactDate: today, districtCode: 'hoang-mai', modality: 'venue', count: '3', submissionKey };
      const recorded = await post(workerAgent, '/clients/tally', tally);
      expect(recorded.status).toBe(303);
      expect(recorded.headers.location).toBe('/clients');
      await post(workerAgent, '/clients/tally', tally).then((r) => expect(r.status).toBe(303));
      const rows: Array<Record<string, unknown>> = await t.dataSource.query(
        `SELECT organization_id, worker_id, district_code, modality, count FROM anonymous_contact_tally WHERE submission_key = $1`,
        [submissionKey],
      );
      expect(rows).toEqual([
        {
          organization_id: worker.organizationId,
          worker_id: worker.userId,
          district_code: 'hoang-mai',
          modality: 'venue',
          count: 3,
        },
      ]);
      expect(await clientCount(worker.organizationId)).toBe(before);
      const page = await workerAgent.get('/clients').expect(200);
      expect(page.text).toContain('Đã ghi nhận lượt tiếp cận ẩn danh.');
    });

    it('refuses a bad tally with a message next to each field, and records nothing', async () => {
      const submissionKey = randomUUID();
      const res = await post(workerAgent, '/clients/tally', {
        contactDate: '2999-01-01',
        districtCode: 'atlantis',
        modality: 'teleport',
        count: '51',
        submissionKey,
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'tally-contactDate')).toBe('Ngày không được ở tương lai.');
      expect(fieldError(res.text, 'tally-districtCode')).toBe('Vui lòng chọn một địa bàn trong danh sách.');
      expect(fieldError(res.text, 'tally-modality')).toBe('Vui lòng chọn hình thức tiếp cận.');
      expect(fieldError(res.text, 'tally-count')).toBe('Nhập một số từ 1 đến 50.');
      const zero = await post(workerAgent, '/clients/tally', {
        contactDate: 'yesterday',
        districtCode: 'hoang-mai',
        modality: 'street',
        count: '0',
        submissionKey,
      });
      expect(zero.status).toBe(422);
      expect(fieldError(zero.text, 'tally-contactDate')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
      expect(fieldError(zero.text, 'tally-count')).toBe('Nhập một số từ 1 đến 50.');
      const rows: unknown[] = await t.dataSource.query(
        `SELECT 1 FROM anonymous_contact_tally WHERE submission_key = $1`,
        [submissionKey],
      );
      expect(rows).toEqual([]);
    });

    it('refuses bad input in every field with a message next to it, and saves nothing', async () => {
      const before = await clientCount(worker.organizationId);
      const bad = {
        mother: '12',
        father: '9',
        sex: 'Q',
        birthYear: '92',
        own: '',
        gender: 'robot',
        primaryDistrict: 'atlantis',
        workSetting: 'moon',
        firstContactDate: '2999-01-01',
        alias: 'x'.repeat(61),
        submissionKey: 'not-a-key',
      };
      for (const step of ['review', 'confirm']) {
        const res = await post(workerAgent, '/clients', { ...bad, step });
        expect(res.status).toBe(422);
        expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
        expect({
          mother: fieldError(res.text, 'mother'),
          father: fieldError(res.text, 'father'),
          sex: fieldError(res.text, 'sex'),
          birthYear: fieldError(res.text, 'birthYear'),
          own: fieldError(res.text, 'own'),
          gender: fieldError(res.text, 'gender'),
          primaryDistrict: fieldError(res.text, 'primaryDistrict'),
          workSetting: fieldError(res.text, 'workSetting'),
          firstContactDate: fieldError(res.text, 'firstContactDate'),
          alias: fieldError(res.text, 'alias'),
          consent: fieldError(res.text, 'consent') !== null,
        }).toEqual({
          mother: 'Nhập tên của mẹ hoặc hai chữ cái đầu (chỉ chữ cái).',
          father: 'Nhập tên của bố hoặc hai chữ cái đầu (chỉ chữ cái), hoặc để trống nếu không biết.',
          sex: 'Chọn giới tính khi sinh: nữ (F) hoặc nam (M).',
          birthYear: 'Nhập năm sinh gồm 4 chữ số, ví dụ 1992.',
          own: 'Nhập tên của khách hàng hoặc chữ cái đầu (chỉ chữ cái).',
          gender: 'Vui lòng chọn giới tính.',
          primaryDistrict: 'Vui lòng chọn một địa bàn trong danh sách.',
          workSetting: 'Vui lòng chọn nơi làm việc.',
          firstContactDate: 'Ngày không được ở tương lai.',
          alias: 'Quá dài (tối đa 60 ký tự).',
          consent: true,
        });
      }
      const latest = Number(today.slice(0, 4)) - 10;
      for (const [birthYear, firstContactDate] of [
        ['1939', '2025-02-30'],
        [String(latest + 1), '1999-12-31'],
      ]) {
        const res = await post(workerAgent, '/clients', {
          ...(await registrationFields(workerAgent, { ...someParts(), birthYear }, { firstContactDate })),
          step: 'confirm',
        });
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'birthYear')).toBe(`Năm sinh phải từ 1940 đến ${latest}.`);
        expect(fieldError(res.text, 'firstContactDate')).toBe(
          firstContactDate === '2025-02-30'
            ? 'Ngày không hợp lệ (dd/mm/yyyy).'
            : 'Ngày quá xa trong quá khứ; vui lòng kiểm tra lại.',
        );
      }
      const missingKey = await post(workerAgent, '/clients', {
        ...(await registrationFields(workerAgent, someParts())),
        submissionKey: '',
        step: 'confirm',
      });
      expect(missingKey.status).toBe(422);
      expect(await clientCount(worker.organizationId)).toBe(before);
    });

    it('refuses an alias that holds a phone number or an ID number', async () => {
      const before = await clientCount(worker.organizationId);
      for (const alias of ['Hoa 0912345678', 'Hoa +84 912 345 678', 'CCCD 012345678901', 'CMND 123456789']) {
        const res = await post(workerAgent, '/clients', {
          ...(await registrationFields(workerAgent, someParts(), { alias })),
          step: 'confirm',
        });
        expect({ alias, status: res.status }).toEqual({ alias, status: 422 });
        expect(fieldError(res.text, 'alias')).toContain('Không ghi số điện thoại hay số giấy tờ tùy thân');
      }
      expect(await clientCount(worker.organizationId)).toBe(before);
    });

    it('offers the registration page to social workers only, with the notice and a fresh submission key', async () => {
      const page = await workerAgent.get('/clients/new').expect(200);
      expect(page.text).toContain('data-testid="consent-notice"');
      // The notice in force (another test file may have published a newer one than the first).
      const notice = await t.app.get(ConsentNoticesService).current();
      expect(page.text).toContain(notice.bodyVi.split('\n')[0]);
      expect(page.text).toContain(`name="noticeVersion" value="${notice.version}"`);
      expect(page.text).toContain(`name="firstContactDate" type="date" value="${today}"`);
      const again = await workerAgent.get('/clients/new').expect(200);
      const key = (html: string) => /name="submissionKey" value="([^"]+)"/.exec(html)![1];
      expect(key(again.text)).not.toBe(key(page.text));
      await managerAgent.get('/clients/new').expect(403);
    });
  });

  describe('finding a client by code parts', () => {
    it('asks for the parts in a POST form, never in a URL', async () => {
      const page = await workerAgent.get('/clients/find').expect(200);
      expect(page.text).toContain('<form method="post" action="/clients/find"');
      expect(page.text).not.toMatch(/<form method="get"[^>]*action="\/clients\/find"/);
    });

    it('opens the existing client of the organization', async () => {
      const parts = someParts();
      const client = await aClient(worker, parts);
      const res = await post(workerAgent, '/clients/find', {
        ...parts,
        mother: `${parts.mother.toLowerCase()}nh`,
        birthYear: parts.birthYear,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${client.id}`);
    });

    it('offers the registration form filled with the parts when nobody has the code', async () => {
      const parts = someParts();
      const res = await post(workerAgent, '/clients/find', { ...parts });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Chưa có khách hàng nào mang mã này.');
      expect(res.text).toContain('<form method="post" action="/clients"');
      expect(res.text).toContain(`name="mother" type="text" value="${parts.mother}"`);
      expect(res.text).toContain(`name="birthYear" type="text" value="${parts.birthYear}"`);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('says only that another organization knows the code, and offers to register here', async () => {
      const parts = someParts();
      const theirs = await aClient(outsider, parts);
      const res = await post(workerAgent, '/clients/find', { ...parts });
      expect(res.status).toBe(200);
      expect(res.text).toContain('Mã này đã được một đơn vị khác đăng ký.');
      expect(res.text).not.toContain(theirs.displayCode!);
      expect(res.text).not.toContain(theirs.id);
      expect(res.text).toContain('name="step" value="edit"');

      const form = await post(workerAgent, '/clients', { ...parts, confirmKnownElsewhere: '1', step: 'edit' });
      expect(form.status).toBe(200);
      expect(form.text).toContain(`name="own" type="text" value="${parts.own}"`);
      expect(form.text).toContain('name="confirmKnownElsewhere" value="1"');
    });

    it('marks each bad part with its own message', async () => {
      const res = await post(workerAgent, '/clients/find', {
        mother: '4',
        father: '',
        sex: '',
        birthYear: '1800',
        own: '7',
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'mother')).toBe('Nhập tên của mẹ hoặc hai chữ cái đầu (chỉ chữ cái).');
      expect(fieldError(res.text, 'father')).toBeNull();
      expect(fieldError(res.text, 'sex')).toBe('Chọn giới tính khi sinh: nữ (F) hoặc nam (M).');
      expect(fieldError(res.text, 'birthYear')).toMatch(/^Năm sinh phải từ 1940 đến \d{4}\.$/);
      expect(fieldError(res.text, 'own')).toBe('Nhập tên của khách hàng hoặc chữ cái đầu (chỉ chữ cái).');
    });
  });

  describe('search and the client list', () => {
    it('opens a client from its display code typed with any spacing or case', async () => {
      const client = await aClient(worker);
      const code = client.displayCode!;
      for (const typed of [code, code.toLowerCase().replace('-', ' '), ` ${code.replace('-', '')} `]) {
        const res = await workerAgent.get('/clients').query({ code: typed });
        expect({ typed, status: res.status, location: res.headers.location }).toEqual({
          typed,
          status: 303,
          location: `/clients/${client.id}`,
        });
      }
    });

    it('says "not found" for the code of another organization, as for any unknown code', async () => {
      const theirs = await aClient(outsider);
      const res = await workerAgent.get('/clients').query({ code: theirs.displayCode }).expect(200);
      expect(res.text).toContain('Không tìm thấy khách hàng có mã này trong đơn vị của bạn.');
      expect(res.text).not.toContain(theirs.id);
      const malformed = await workerAgent.get('/clients').query({ code: 'hello' }).expect(200);
      expect(malformed.text).toContain('Mã không đúng dạng.');
    });

    it('lists the organization’s recent clients with the search form and, for workers, the register links', async () => {
      const client = await aClient(worker);
      const theirs = await aClient(outsider);
      const page = await workerAgent.get('/clients').expect(200);
      expect(page.text).toContain('<form method="get" action="/clients"');
      expect(page.text).toContain('name="code"');
      expect(page.text).toContain(`href="/clients/${client.id}"`);
      expect(page.text).toContain(client.displayCode!);
      expect(page.text).toContain('Ba Đình');
      expect(page.text).not.toContain(theirs.displayCode!);
      expect(page.text).toContain('href="/clients/new"');
      expect(page.text).toContain('href="/clients/find"');

      const managerPage = await managerAgent.get('/clients').expect(200);
      expect(managerPage.text).toContain(client.displayCode!);
      expect(managerPage.text).not.toContain('href="/clients/new"');
      expect(managerPage.text).not.toContain('href="/clients/find"');
    });
  });

  describe('the client page', () => {
    it('shows details, alias, current needs, violence answer and the contact timeline with its links', async () => {
      const client = await aClient(worker, someParts(), 'Chị Mây');
      const context = cliContext();
      await t.app.get(ContactsService).record(
        actorOf(worker),
        context,
        client.id,
        {
          contactDate: today,
          modality: 'venue',
          districtCode: 'hoang-mai',
          topics: ['hiv_sti', 'gbv'],
          condoms: 10,
          lubricants: 0,
          hivSelfTests: 1,
          note: 'Hẹn gặp lại tuần sau ở quán',
        },
        randomUUID(),
      );
      await t.app
        .get(AssessmentsService)
        .record(
          actorOf(worker),
          context,
          client.id,
          { assessedOn: today, answers: [{ domain: 'legal', need: 'yes', eligible: 'yes' }], violence: 'declined' },
          randomUUID(),
        );

      const page = await workerAgent.get(`/clients/${client.id}`).expect(200);
      expect(page.text).toContain(`>${client.displayCode}<`);
      expect(page.text).toContain('Chị Mây');
      expect(page.text).toContain('Massage, gội đầu thư giãn, tẩm quất');
      expect(page.text).toContain('Ba Đình');
      expect(page.text).toContain('Trợ giúp pháp lý');
      expect(page.text).toContain('Không muốn trả lời');
      expect(page.text).toContain('Hẹn gặp lại tuần sau ở quán');
      expect(page.text).toContain('Dự phòng HIV/STI, Bạo lực trên cơ sở giới');
      expect(page.text).toContain('Bao cao su × 10');
      expect(page.text).toContain('Hoàng Mai');
      expect(page.text).toContain(`href="/clients/${client.id}/contacts/new">Ghi nhận lượt tiếp cận<`);
      expect(page.text).toContain(`href="/clients/${client.id}/assessments/new">Đánh giá nhu cầu mới<`);
      expect(page.text).toContain(`href="/clients/${client.id}/edit"`);
      expect(page.text).toMatch(/href="\/contacts\/[0-9a-f-]{36}\/edit"/);
      expect(page.text).not.toContain(`/clients/${client.id}/merge`);
      expect(page.text).not.toContain(client.uicHash!);

      // A colleague may not edit someone else's contact; a manager may merge but neither register nor assess.
      const colleaguePage = await (await loginAs(t, colleague)).get(`/clients/${client.id}`).expect(200);
      expect(colleaguePage.text).not.toMatch(/href="\/contacts\/[0-9a-f-]{36}\/edit"/);
      const managerPage = await managerAgent.get(`/clients/${client.id}`).expect(200);
      expect(managerPage.text).toContain(`href="/clients/${client.id}/merge"`);
      expect(managerPage.text).not.toContain(`href="/clients/${client.id}/edit"`);
      expect(managerPage.text).not.toContain(`/clients/${client.id}/assessments/new`);
      expect(managerPage.text).toMatch(/href="\/contacts\/[0-9a-f-]{36}\/edit"/);
    });

    it('audits every view of a client page', async () => {
      const client = await aClient(worker);
      await workerAgent.get(`/clients/${client.id}`).expect(200);
      await workerAgent.get(`/clients/${client.id}`).expect(200);
      await managerAgent.get(`/clients/${client.id}`).expect(200);
      const rows: Array<{ actor_user_id: string }> = await t.dataSource.query(
        `SELECT actor_user_id FROM audit_event WHERE action = 'client.viewed' AND target_id = $1 ORDER BY id`,
        [client.id],
      );
      expect(rows.map((r) => r.actor_user_id)).toEqual([worker.userId, worker.userId, manager.userId]);
    });

    it('answers 404 for a client of another organization, an unknown id and a malformed id', async () => {
      const theirs = await aClient(outsider);
      const before = await auditCount('client.viewed', theirs.id);
      await workerAgent.get(`/clients/${theirs.id}`).expect(404);
      await workerAgent.get(`/clients/${theirs.id}/edit`).expect(404);
      await managerAgent.get(`/clients/${theirs.id}/merge`).expect(404);
      await workerAgent.get(`/clients/${randomUUID()}`).expect(404);
      await workerAgent.get('/clients/not-a-uuid').expect(404);
      await workerAgent.get("/clients/1'%20OR%201=1").expect(404);
      const update = await post(workerAgent, `/clients/${theirs.id}/edit`, {
        gender: 'male',
        primaryDistrict: 'ba-dinh',
        workSetting: 'street',
        firstContactDate: today,
      });
      expect(update.status).toBe(404);
      expect(await auditCount('client.viewed', theirs.id)).toBe(before);
      await outsiderAgent.get(`/clients/${theirs.id}`).expect(200);
    });
  });

  describe('editing details', () => {
    it('updates the details and the alias, audited, without touching the code', async () => {
      const client = await aClient(worker);
      const form = await workerAgent.get(`/clients/${client.id}/edit`).expect(200);
      expect(form.text).toContain('name="workSetting"');
      expect(form.text).not.toContain('name="birthYear"');
      const res = await post(workerAgent, `/clients/${client.id}/edit`, {
        gender: 'trans_female',
        primaryDistrict: 'dong-da',
        workSetting: 'online',
        // Typed where a phone has no date picker.
        firstContactDate: today.split('-').reverse().join('/'),
        alias: 'Bé Na',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${client.id}`);
      const page = await workerAgent.get(`/clients/${client.id}`).expect(200);
      expect(page.text).toContain('Đã cập nhật thông tin khách hàng.');
      expect(page.text).toContain('Bé Na');
      expect(page.text).toContain('Chuyển giới nữ');
      expect(page.text).toContain('Đống Đa');
      const [row]: Array<Record<string, unknown>> = await t.dataSource.query(
        `SELECT uic_hash, display_code, birth_year, to_char(first_contact_date, 'YYYY-MM-DD') AS first_contact_date
           FROM client WHERE id = $1`,
        [client.id],
      );
      expect(row).toEqual({
        uic_hash: client.uicHash,
        display_code: client.displayCode,
        birth_year: client.birthYear,
        first_contact_date: today,
      });
      expect(await auditCount('client.updated', client.id)).toBe(1);
    });

    it('refuses bad details with messages next to the fields, and changes nothing', async () => {
      const client = await aClient(worker);
      const res = await post(workerAgent, `/clients/${client.id}/edit`, {
        gender: 'x',
        primaryDistrict: 'nowhere',
        workSetting: 'y',
        firstContactDate: '31/02/2024',
        alias: 'gọi 0987654321',
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'gender')).toBe('Vui lòng chọn giới tính.');
      expect(fieldError(res.text, 'primaryDistrict')).toBe('Vui lòng chọn một địa bàn trong danh sách.');
      expect(fieldError(res.text, 'workSetting')).toBe('Vui lòng chọn nơi làm việc.');
      expect(fieldError(res.text, 'firstContactDate')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
      expect(fieldError(res.text, 'alias')).toContain('Không ghi số điện thoại');
      expect(await auditCount('client.updated', client.id)).toBe(0);
    });
  });

  describe('merging duplicates', () => {
    it('lets a manager merge a duplicate: records move, notes stay readable, the duplicate is gone, and it is audited', async () => {
      const keep = await aClient(worker);
      const duplicate = await aClient(worker);
      const contact = await t.app.get(ContactsService).record(
        actorOf(worker),
        cliContext(),
        duplicate.id,
        {
          contactDate: today,
          modality: 'street',
          districtCode: 'ba-dinh',
          topics: ['condoms'],
          condoms: 5,
          lubricants: 2,
          hivSelfTests: 0,
          note: 'Ghi chú trên hồ sơ trùng',
        },
        randomUUID(),
      );
      const assessment = await t.app
        .get(AssessmentsService)
        .record(
          actorOf(worker),
          cliContext(),
          duplicate.id,
          { assessedOn: today, answers: [{ domain: 'health', need: 'yes', eligible: 'no' }], violence: 'no' },
          randomUUID(),
        );

      const form = await managerAgent.get(`/clients/${keep.id}/merge`).expect(200);
      expect(form.text).toContain('name="duplicateCode"');
      const typed = duplicate.displayCode!.toLowerCase().replace('-', '');
      const review = await post(managerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: typed,
        reason: 'registered_twice',
        step: 'review',
      });
      expect(review.status).toBe(200);
      expect(review.text).toContain(keep.displayCode!);
      expect(review.text).toContain(duplicate.displayCode!);
      expect(review.text).toContain('name="step" value="confirm"');
      const [contactBefore]: Array<{ client_id: string }> = await t.dataSource.query(
        `SELECT client_id FROM contact WHERE id = $1`,
        [contact.id],
      );
      expect(contactBefore.client_id).toBe(duplicate.id);

      const merged = await post(managerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: typed,
        reason: 'registered_twice',
        step: 'confirm',
      });
      expect(merged.status).toBe(303);
      expect(merged.headers.location).toBe(`/clients/${keep.id}`);

      const page = await managerAgent.get(`/clients/${keep.id}`).expect(200);
      expect(page.text).toContain('Đã gộp hồ sơ trùng vào hồ sơ này.');
      expect(page.text).toContain('Ghi chú trên hồ sơ trùng');
      expect(page.text).toContain('Y tế – sức khỏe');
      const [contactAfter]: Array<{ client_id: string }> = await t.dataSource.query(
        `SELECT client_id FROM contact WHERE id = $1`,
        [contact.id],
      );
      expect(contactAfter.client_id).toBe(keep.id);
      const [assessmentAfter]: Array<{ client_id: string }> = await t.dataSource.query(
        `SELECT client_id FROM needs_assessment WHERE id = $1`,
        [assessment.id],
      );
      expect(assessmentAfter.client_id).toBe(keep.id);

      await managerAgent.get(`/clients/${duplicate.id}`).expect(404);
      await workerAgent.get(`/clients/${duplicate.id}`).expect(404);
      const search = await workerAgent.get('/clients').query({ code: duplicate.displayCode }).expect(200);
      expect(search.text).toContain('Không tìm thấy khách hàng có mã này trong đơn vị của bạn.');
      const audit: Array<{ actor_user_id: string; details: { mergedClientId: string; reason: string } }> =
        await t.dataSource.query(
          `SELECT actor_user_id, details FROM audit_event WHERE action = 'client.merged' AND target_id = $1`,
          [keep.id],
        );
      expect(audit).toHaveLength(1);
      expect(audit[0].actor_user_id).toBe(manager.userId);
      expect(audit[0].details).toMatchObject({ mergedClientId: duplicate.id, reason: 'registered_twice' });
    });

    it('refuses the same client, a code outside the organization and a missing reason, with field messages', async () => {
      const keep = await aClient(worker);
      const theirs = await aClient(outsider);
      const same = await post(managerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: keep.displayCode!,
        reason: 'other',
        step: 'confirm',
      });
      expect(same.status).toBe(422);
      expect(fieldError(same.text, 'duplicateCode')).toBe('Không thể gộp một hồ sơ với chính nó.');

      const elsewhere = await post(managerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: theirs.displayCode!,
        reason: 'other',
        step: 'confirm',
      });
      expect(elsewhere.status).toBe(422);
      expect(fieldError(elsewhere.text, 'duplicateCode')).toBe('Không có hồ sơ nào mang mã này trong đơn vị của bạn.');
      expect(elsewhere.text).not.toContain(theirs.id);

      const incomplete = await post(managerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: 'zz',
        reason: 'bored',
      });
      expect(incomplete.status).toBe(422);
      expect(fieldError(incomplete.text, 'duplicateCode')).toBe('Mã hiển thị gồm 6 ký tự, ví dụ K7F-2Q9.');
      expect(fieldError(incomplete.text, 'reason')).toBe('Vui lòng chọn lý do.');

      const [row]: Array<{ status: string }> = await t.dataSource.query(`SELECT status FROM client WHERE id = $1`, [
        theirs.id,
      ]);
      expect(row.status).toBe('active');
      await outsiderAgent.get(`/clients/${theirs.id}`).expect(200);
    });

    it('answers 404 when a social worker opens or submits the merge page of a client they may see', async () => {
      const keep = await aClient(worker);
      const duplicate = await aClient(worker);
      await workerAgent.get(`/clients/${keep.id}`).expect(200);
      // The merge route names a record: without clients:merge it answers as for a record that does not exist.
      await workerAgent.get(`/clients/${keep.id}/merge`).expect(404);
      await workerAgent.get(`/clients/${randomUUID()}/merge`).expect(404);
      const res = await post(workerAgent, `/clients/${keep.id}/merge`, {
        duplicateCode: duplicate.displayCode!,
        reason: 'other',
        step: 'confirm',
      });
      expect(res.status).toBe(404);
      await workerAgent.get(`/clients/${duplicate.id}`).expect(200);
    });
  });

  describe('who may use the client pages', () => {
    it('answers admins and peer coordinators 404 on every client route naming a record, 403 on the others', async () => {
      const client = await aClient(worker);
      const routes: Array<['GET' | 'POST', string]> = [
        ['GET', '/clients'],
        ['GET', `/clients?code=${client.displayCode}`],
        ['GET', '/clients/find'],
        ['POST', '/clients/find'],
        ['GET', '/clients/new'],
        ['POST', '/clients'],
        ['POST', '/clients/tally'],
        ['GET', '/clients/:id'],
        ['GET', '/clients/:id/edit'],
        ['POST', '/clients/:id/edit'],
        ['GET', '/clients/:id/merge'],
        ['POST', '/clients/:id/merge'],
      ];
      expect(routes.filter(([, pattern]) => refusalFor(pattern) === 404)).toHaveLength(5);
      for (const role of ['admin', 'peer_coordinator'] as const) {
        const agent = await loginAs(t, await aPersona(t, role, { organizationId: worker.organizationId }));
        for (const [method, pattern] of routes) {
          const path = pathOf(pattern, { id: client.id });
          const res =
            method === 'GET'
              ? await agent.get(path)
              : await agent
                  .post(path)
                  .type('form')
                  .send({ _csrf: await tokenFor(agent, '/'), ...someParts(), step: 'confirm' });
          const status = refusalFor(pattern);
          expect({ role, method, path, status: res.status }).toEqual({ role, method, path, status });
        }
      }
      expect(await auditCount('client.viewed', client.id)).toBe(0);
    });
  });
});
