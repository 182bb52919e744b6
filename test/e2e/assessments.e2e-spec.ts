import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { actorContext } from '../../src/audit/audit.service';
import type { Actor } from '../../src/auth/actor';
import { ROLE_PERMISSIONS } from '../../src/auth/permissions';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { DOMAINS } from '../../src/reference/codes';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { auditRowsFor } from '../support/audit';

jest.setTimeout(30_000);

const DAYS = 24 * 3_600_000;

/** The actor a persona becomes once signed in (for calling services directly). */
const actorOf = (persona: Persona): Actor => ({
  userId: persona.userId,
  username: persona.username,
  role: persona.role,
  organizationId: persona.organizationId,
  organizationIds: [persona.organizationId],
  permissions: new Set(ROLE_PERMISSIONS[persona.role]),
});

let uicCounter = 0;

/**
 * A consenting client of the persona's organization. The client pages are written elsewhere, so the
 * client is registered through ClientsService; each call gets a distinct code.
 */
async function aClient(t: TestApp, persona: Persona): Promise<Client> {
  uicCounter++;
  const letters = 'ABCDEFGHKLMNPQRTUVY';
  const outcome = await t.app.get(ClientsService).register(actorOf(persona), actorContext(actorOf(persona), null), {
    uic: {
      mother: `${letters[uicCounter % letters.length]}${letters[Math.floor(uicCounter / letters.length) % letters.length]}`,
      father: 'XX',
      sex: 'F',
      own: 'A',
    },
    birthYear: 1990 + (uicCounter % 20),
    gender: 'female',
    primaryDistrict: 'ba-dinh',
    workSetting: 'street',
    firstContactDate: localDay(t.clock.now()),
    consentDate: localDay(t.clock.now()),
    submissionKey: randomUUID(),
    confirmKnownElsewhere: true,
  });
  if (outcome.kind !== 'created') throw new Error(`Client not created: ${outcome.kind}`);
  return outcome.client;
}

const today = (t: TestApp) => localDay(t.clock.now());
const daysFromToday = (t: TestApp, days: number) => localDay(new Date(t.clock.now().getTime() + days * DAYS));

/** A complete, valid form: every domain `unknown` unless overridden. */
function assessmentFields(t: TestApp, overrides: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = { assessedOn: today(t), violence: '', submissionKey: randomUUID() };
  for (const domain of DOMAINS) {
    fields[`need_${domain}`] = 'unknown';
    fields[`eligible_${domain}`] = 'unknown';
  }
  return { ...fields, ...overrides };
}

/** The value of the checked radio of a group, as the page renders it. */
const checkedValue = (html: string, name: string): string | undefined =>
  new RegExp(`name="${name}" id="[^"]+" value="([^"]*)" autocomplete="off" checked`).exec(html)?.[1];

const countAssessments = async (t: TestApp, clientId: string): Promise<number> => {
  const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM needs_assessment WHERE client_id = $1`, [
    clientId,
  ]);
  return row.n;
};

describe('needs assessments', () => {
  let t: TestApp;
  let worker: Persona;
  let workerAgent: Agent;

  const newPath = (client: Client) => `/clients/${client.id}/assessments/new`;
  const historyPath = (client: Client) => `/clients/${client.id}/assessments`;
  const post = (agent: Agent, client: Client, fields: Record<string, string>) =>
    submit(agent, historyPath(client), fields, '/');

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    workerAgent = await loginAs(t, worker);
  });
  afterAll(() => t.close());
  afterEach(() => t.clock.reset());

  describe('the form', () => {
    it('asks need and eligibility for each of the six domains, unknown by default, dated today, under a neutral title', async () => {
      const client = await aClient(t, worker);
      const page = await workerAgent.get(newPath(client)).expect(200);
      expect(page.text).toContain('<title>Đánh giá nhu cầu mới · Nhịp Cầu</title>');
      expect(page.text).toContain(client.displayCode!);
      for (const domain of DOMAINS) {
        expect(checkedValue(page.text, `need_${domain}`)).toBe('unknown');
        expect(checkedValue(page.text, `eligible_${domain}`)).toBe('unknown');
      }
      expect(page.text).toContain('Y tế – sức khỏe');
      expect(page.text).toContain('Vay vốn');
      expect(checkedValue(page.text, 'violence')).toBe('');
      expect(page.text).toMatch(/name="violence" id="violence-declined" value="declined"/);
      expect(page.text).toContain(`name="assessedOn" type="date" value="${today(t)}"`);
      expect(page.text).toMatch(/<input type="hidden" name="submissionKey" value="[0-9a-f-]{36}">/);
      expect(page.text).toContain(`action="/clients/${client.id}/assessments"`);
    });

    it('gives every rendering of the form a fresh submission key', async () => {
      const client = await aClient(t, worker);
      const key = (html: string) => /name="submissionKey" value="([^"]+)"/.exec(html)?.[1];
      const first = key((await workerAgent.get(newPath(client))).text);
      const second = key((await workerAgent.get(newPath(client))).text);
      expect(first).toBeDefined();
      expect(first).not.toBe(second);
    });

    it('dates the form by the Hanoi calendar: at 18:00 UTC it is already tomorrow in Hanoi', async () => {
      const client = await aClient(t, worker);
      const now = t.clock.now();
      const evening = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 18, 0, 0);
      t.clock.advance(evening - now.getTime());
      // A session does not survive a jump of hours: sign in again at the new time.
      const page = await (await loginAs(t, worker)).get(newPath(client)).expect(200);
      const hanoiDay = localDay(new Date(evening));
      expect(hanoiDay).not.toBe(new Date(evening).toISOString().slice(0, 10));
      expect(page.text).toContain(`name="assessedOn" type="date" value="${hanoiDay}"`);
    });

    it('starts from the answers in force', async () => {
      const client = await aClient(t, worker);
      await post(workerAgent, client, assessmentFields(t, { need_legal: 'yes', eligible_legal: 'no' })).then((r) =>
        expect(r.status).toBe(303),
      );
      const page = await workerAgent.get(newPath(client)).expect(200);
      expect(checkedValue(page.text, 'need_legal')).toBe('yes');
      expect(checkedValue(page.text, 'eligible_legal')).toBe('no');
      expect(checkedValue(page.text, 'need_health')).toBe('unknown');
    });
  });

  describe('recording', () => {
    it('records an assessment, redirects to the client with a message, and shows it in the history', async () => {
      const client = await aClient(t, worker);
      const res = await post(
        workerAgent,
        client,
        assessmentFields(t, { need_health: 'yes', eligible_health: 'yes', need_credit: 'no', violence: 'declined' }),
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${client.id}`);
      const history = await workerAgent.get(historyPath(client)).expect(200);
      expect(history.text).toContain('Đã lưu đánh giá nhu cầu.');
      expect(history.text).toContain('<title>Lịch sử đánh giá nhu cầu · Nhịp Cầu</title>');
      expect(history.text).toContain('Không muốn trả lời');

      const [saved] = await t.dataSource.query(
        `SELECT id, to_char(assessed_on, 'YYYY-MM-DD') AS day, violence, worker_id, organization_id
           FROM needs_assessment WHERE client_id = $1`,
        [client.id],
      );
      expect(saved).toMatchObject({
        day: today(t),
        violence: 'declined',
        worker_id: worker.userId,
        organization_id: worker.organizationId,
      });
      const answers = await t.dataSource.query(
        `SELECT domain, need, eligible FROM needs_assessment_domain WHERE assessment_id = $1 ORDER BY domain`,
        [saved.id],
      );
      expect(answers).toHaveLength(DOMAINS.length);
      expect(answers).toContainEqual({ domain: 'health', need: 'yes', eligible: 'yes' });
      expect(answers).toContainEqual({ domain: 'credit', need: 'no', eligible: 'unknown' });
    });

    it('leaves violence empty when it was not asked', async () => {
      const client = await aClient(t, worker);
      await post(workerAgent, client, assessmentFields(t)).then((r) => expect(r.status).toBe(303));
      const [saved] = await t.dataSource.query(`SELECT violence FROM needs_assessment WHERE client_id = $1`, [
        client.id,
      ]);
      expect(saved.violence).toBeNull();
    });

    it('accepts a date typed as dd/mm/yyyy and an earlier date', async () => {
      const client = await aClient(t, worker);
      const day = daysFromToday(t, -3);
      const [year, month, date] = day.split('-');
      await post(workerAgent, client, assessmentFields(t, { assessedOn: `${date}/${month}/${year}` })).then((r) =>
        expect(r.status).toBe(303),
      );
      const [saved] = await t.dataSource.query(
        `SELECT to_char(assessed_on, 'YYYY-MM-DD') AS day FROM needs_assessment WHERE client_id = $1`,
        [client.id],
      );
      expect(saved.day).toBe(day);
    });

    it('records a form submitted twice only once', async () => {
      const client = await aClient(t, worker);
      const fields = assessmentFields(t, { need_employment: 'yes' });
      const [first, second] = await Promise.all([post(workerAgent, client, fields), post(workerAgent, client, fields)]);
      expect(first.status).toBe(303);
      expect(second.status).toBe(303);
      await post(workerAgent, client, fields).then((r) => expect(r.status).toBe(303));
      expect(await countAssessments(t, client.id)).toBe(1);
    });

    it('audits assessment.created with the client and the domains, never the answers', async () => {
      const client = await aClient(t, worker);
      await post(workerAgent, client, assessmentFields(t, { need_health: 'yes', violence: 'yes' })).then((r) =>
        expect(r.status).toBe(303),
      );
      const [saved] = await t.dataSource.query(`SELECT id FROM needs_assessment WHERE client_id = $1`, [client.id]);
      const row = (await auditRowsFor(t.dataSource, worker.userId)).find(
        (r) => r.action === 'assessment.created' && r.target_id === saved.id,
      );
      expect(row).toMatchObject({
        outcome: 'success',
        target_type: 'assessment',
        organization_id: worker.organizationId,
        details: { clientId: client.id, domains: [...DOMAINS] },
      });
      expect(JSON.stringify(row!.details)).not.toMatch(/yes|violence/);
    });

    describe('refuses bad input with a message next to the field, and saves nothing', () => {
      const cases: Array<[string, (t: TestApp) => Record<string, string>, string, string]> = [
        [
          'a need that is not yes/no/unknown',
          (t) => assessmentFields(t, { need_health: 'maybe' }),
          'need_health',
          'Vui lòng chọn Có, Không hoặc Chưa rõ.',
        ],
        [
          'an eligibility that is not yes/no/unknown',
          (t) => assessmentFields(t, { eligible_credit: 'declined' }),
          'eligible_credit',
          'Vui lòng chọn Có, Không hoặc Chưa rõ.',
        ],
        ...DOMAINS.flatMap((domain): Array<[string, (t: TestApp) => Record<string, string>, string, string]> => [
          [
            `a missing need for ${domain}`,
            (t) => {
              const f = assessmentFields(t);
              delete f[`need_${domain}`];
              return f;
            },
            `need_${domain}`,
            'Vui lòng chọn Có, Không hoặc Chưa rõ.',
          ],
          [
            `a missing eligibility for ${domain}`,
            (t) => {
              const f = assessmentFields(t);
              delete f[`eligible_${domain}`];
              return f;
            },
            `eligible_${domain}`,
            'Vui lòng chọn Có, Không hoặc Chưa rõ.',
          ],
        ]),
        [
          'a violence answer outside the list',
          (t) => assessmentFields(t, { violence: 'unknown' }),
          'violence',
          'Vui lòng chọn Có, Không, Không muốn trả lời hoặc Không hỏi.',
        ],
        [
          'a missing date',
          (t) => assessmentFields(t, { assessedOn: '' }),
          'assessedOn',
          'Ngày không hợp lệ (dd/mm/yyyy).',
        ],
        [
          'a date that is not a date',
          (t) => assessmentFields(t, { assessedOn: 'yesterday' }),
          'assessedOn',
          'Ngày không hợp lệ (dd/mm/yyyy).',
        ],
        [
          'a day that does not exist',
          (t) => assessmentFields(t, { assessedOn: '2025-02-30' }),
          'assessedOn',
          'Ngày không hợp lệ (dd/mm/yyyy).',
        ],
        [
          'a date before 2000',
          (t) => assessmentFields(t, { assessedOn: '1999-12-31' }),
          'assessedOn',
          'Ngày không hợp lệ (dd/mm/yyyy).',
        ],
        [
          'a date tomorrow',
          (t) => assessmentFields(t, { assessedOn: daysFromToday(t, 1) }),
          'assessedOn',
          'Ngày đánh giá không được sau hôm nay.',
        ],
        [
          'a date far in the future',
          (t) => assessmentFields(t, { assessedOn: '2999-01-01' }),
          'assessedOn',
          'Ngày đánh giá không được sau hôm nay.',
        ],
        [
          'a missing submission key',
          (t) => {
            const f = assessmentFields(t);
            delete f.submissionKey;
            return f;
          },
          'submissionKey',
          'Biểu mẫu không hợp lệ hoặc đã cũ.',
        ],
        [
          'a submission key that is not a UUID',
          (t) => assessmentFields(t, { submissionKey: 'not-a-key' }),
          'submissionKey',
          'Biểu mẫu không hợp lệ hoặc đã cũ.',
        ],
      ];

      it.each(cases)('%s', async (_name, fields, field, message) => {
        const client = await aClient(t, worker);
        const res = await post(workerAgent, client, fields(t));
        expect(res.status).toBe(422);
        expect(res.text).toContain(message);
        if (field !== 'submissionKey') expect(res.text).toContain(`id="${field}-error"`);
        expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
        expect(await countAssessments(t, client.id)).toBe(0);
      });
    });

    it('keeps what was chosen when the form comes back with an error, and a fresh key when the old one was broken', async () => {
      const client = await aClient(t, worker);
      const fields = assessmentFields(t, { need_vocational: 'yes', violence: 'no', assessedOn: 'nope' });
      const res = await post(workerAgent, client, fields);
      expect(res.status).toBe(422);
      expect(checkedValue(res.text, 'need_vocational')).toBe('yes');
      expect(checkedValue(res.text, 'violence')).toBe('no');
      expect(res.text).toContain(`name="submissionKey" value="${fields.submissionKey}"`);

      const broken = await post(workerAgent, client, assessmentFields(t, { submissionKey: 'x' }));
      expect(broken.text).toMatch(/name="submissionKey" value="[0-9a-f-]{36}"/);
    });

    it('answers 422 and no 500 to a body with repeated fields', async () => {
      const client = await aClient(t, worker);
      const res = await submit(
        workerAgent,
        historyPath(client),
        { ...assessmentFields(t), need_health: ['yes', 'no'], assessedOn: [today(t), today(t)] },
        '/',
      );
      expect(res.status).toBe(422);
      expect(await countAssessments(t, client.id)).toBe(0);
    });
  });

  describe('the needs in force', () => {
    it('is the latest dated assessment on or before today, whatever the order of entry', async () => {
      const client = await aClient(t, worker);
      // Entered first, dated later: it stays in force after an older assessment is entered.
      await post(
        workerAgent,
        client,
        assessmentFields(t, { assessedOn: daysFromToday(t, -2), need_health: 'yes', eligible_health: 'yes' }),
      ).then((r) => expect(r.status).toBe(303));
      await post(
        workerAgent,
        client,
        assessmentFields(t, { assessedOn: daysFromToday(t, -10), need_health: 'no', eligible_health: 'no' }),
      ).then((r) => expect(r.status).toBe(303));

      const current = await t.app.get(AssessmentsService).currentNeeds(client);
      expect(current.find((a) => a.domain === 'health')).toEqual({
        domain: 'health',
        need: 'yes',
        eligible: 'yes',
        assessedOn: daysFromToday(t, -2),
      });
      const page = await workerAgent.get(newPath(client)).expect(200);
      expect(checkedValue(page.text, 'need_health')).toBe('yes');
    });

    it('takes no account of an assessment dated after today until that day comes', async () => {
      const client = await aClient(t, worker);
      const service = t.app.get(AssessmentsService);
      await post(workerAgent, client, assessmentFields(t, { need_psychosocial: 'yes' })).then((r) =>
        expect(r.status).toBe(303),
      );
      // The form refuses a future date; an import could still bring one.
      const inFiveDays = daysFromToday(t, 5);
      await service.record(
        actorOf(worker),
        actorContext(actorOf(worker), null),
        client.id,
        {
          assessedOn: inFiveDays,
          violence: null,
          answers: [{ domain: 'psychosocial', need: 'no', eligible: 'no' }],
        },
        randomUUID(),
      );
      expect((await service.currentNeeds(client)).find((a) => a.domain === 'psychosocial')?.need).toBe('yes');
      t.clock.advance(5 * DAYS);
      expect((await service.currentNeeds(client)).find((a) => a.domain === 'psychosocial')?.need).toBe('no');
    });

    it('refuses a future date through the form', async () => {
      const client = await aClient(t, worker);
      const res = await post(workerAgent, client, assessmentFields(t, { assessedOn: daysFromToday(t, 1) }));
      expect(res.status).toBe(422);
      expect(await countAssessments(t, client.id)).toBe(0);
    });
  });

  describe('the history', () => {
    it('lists the dated assessments with their answers, latest date first, under the needs in force', async () => {
      const client = await aClient(t, worker);
      const older = daysFromToday(t, -30);
      const newer = daysFromToday(t, -1);
      await post(workerAgent, client, assessmentFields(t, { assessedOn: newer, need_legal: 'yes' })).then((r) =>
        expect(r.status).toBe(303),
      );
      await post(workerAgent, client, assessmentFields(t, { assessedOn: older, need_legal: 'no' })).then((r) =>
        expect(r.status).toBe(303),
      );
      const page = await workerAgent.get(historyPath(client)).expect(200);
      const shown = (day: string) => day.split('-').reverse().join('/');
      const sections = page.text.split('data-testid="assessment"').slice(1);
      expect(sections).toHaveLength(2);
      expect(sections[0]).toContain(shown(newer));
      expect(sections[1]).toContain(shown(older));
      const current = page.text.split('data-testid="current-needs"')[1].split('</table>')[0];
      expect(current).toMatch(/Trợ giúp pháp lý<\/th>\s*<td>Có<\/td>/);
    });

    it('says so when the client has no assessment yet', async () => {
      const client = await aClient(t, worker);
      const page = await workerAgent.get(historyPath(client)).expect(200);
      expect(page.text).toContain('Chưa có lần đánh giá nào.');
      expect(page.text).toContain(`href="/clients/${client.id}/assessments/new"`);
    });

    it('audits the view as client.viewed', async () => {
      const client = await aClient(t, worker);
      await workerAgent.get(historyPath(client)).expect(200);
      const rows = await auditRowsFor(t.dataSource, worker.userId);
      expect(rows.some((r) => r.action === 'client.viewed' && r.target_id === client.id)).toBe(true);
    });

    it('shows a manager the history without the link to a new assessment', async () => {
      const manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
      const agent = await loginAs(t, manager);
      const client = await aClient(t, worker);
      const page = await agent.get(historyPath(client)).expect(200);
      expect(page.text).not.toContain(`href="/clients/${client.id}/assessments/new"`);
      // Without assessments:write, a route naming a client answers 404, even for a client they may see.
      await agent.get(newPath(client)).expect(404);
      const res = await post(agent, client, assessmentFields(t));
      expect(res.status).toBe(404);
      expect(await countAssessments(t, client.id)).toBe(0);
    });
  });

  describe('access', () => {
    it('answers 404 for a client of another organization, and saves nothing', async () => {
      const outsider = await aPersona(t, 'social_worker');
      const agent = await loginAs(t, outsider);
      const client = await aClient(t, worker);
      await agent.get(newPath(client)).expect(404);
      await agent.get(historyPath(client)).expect(404);
      const res = await post(agent, client, assessmentFields(t));
      expect(res.status).toBe(404);
      expect(await countAssessments(t, client.id)).toBe(0);
    });

    it('answers 404 for a client id that is not an id', async () => {
      await workerAgent.get('/clients/not-an-id/assessments/new').expect(404);
      await workerAgent.get('/clients/not-an-id/assessments').expect(404);
      const res = await submit(workerAgent, '/clients/not-an-id/assessments', assessmentFields(t), '/');
      expect(res.status).toBe(404);
    });

    // Every assessment route names a client: a role without the permission gets 404, as for no such client.
    it.each(['admin', 'peer_coordinator'] as const)(
      'answers 404 to a %s on every page, for a client of their organization as for none',
      async (role) => {
        const persona = await aPersona(t, role, { organizationId: worker.organizationId });
        const agent = await loginAs(t, persona);
        const client = await aClient(t, worker);
        const nobody = { ...client, id: randomUUID() };
        for (const of of [client, nobody]) {
          await agent.get(newPath(of)).expect(404);
          await agent.get(historyPath(of)).expect(404);
          const res = await post(agent, of, assessmentFields(t));
          expect(res.status).toBe(404);
        }
        expect(await countAssessments(t, client.id)).toBe(0);
        const viewed = await auditRowsFor(t.dataSource, persona.userId);
        expect(viewed.filter((r) => r.action === 'client.viewed')).toEqual([]);
      },
    );

    it('sends a visitor who is not signed in to the sign-in page', async () => {
      const client = await aClient(t, worker);
      const res = await request(t.app.getHttpServer()).get(newPath(client));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });
  });
});
