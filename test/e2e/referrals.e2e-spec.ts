import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { ProvidersService } from '../../src/providers/providers.service';
import type { ServiceProvider } from '../../src/providers/service-provider.entity';
import { REFERRAL_STATUSES, ReferralStatus } from '../../src/reference/codes';
import { canMove } from '../../src/referrals/referral-status';
import { ReferralChangeRefused, ReferralsService } from '../../src/referrals/referrals.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { auditRowsFor } from '../support/audit';
import { MINUTES } from '../support/fake-clock';
import { actorOf, aClient, addDays, erase, randomLetters } from '../support/fixtures';

jest.setTimeout(60_000);

const DAYS = 24 * 60 * 60 * 1000;

const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;
const testId = (html: string, id: string): string | null =>
  new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim() ?? null;
const statusOf = (html: string) => /data-testid="referral-status" data-status="([a-z_]+)"/.exec(html)?.[1];

describe('referrals', () => {
  let t: TestApp;
  let worker: Persona;
  let colleague: Persona;
  let manager: Persona;
  let outsider: Persona;
  let coordinator: Persona;
  let agent: Agent;
  let colleagueAgent: Agent;
  let clinic: ServiceProvider;
  let farClinic: ServiceProvider;

  const referrals = () => t.app.get(ReferralsService);
  const today = () => referrals().today();
  const post = (a: Agent, path: string, fields: Record<string, string>) => submit(a, path, fields, '/');
  const expect303 = async (response: Promise<request.Response>) => {
    const answered = await response;
    expect(answered.status).toBe(303);
    return answered;
  };

  const aProvider = (overrides: Partial<ServiceProvider> = {}) =>
    t.app.get(ProvidersService).create(cliContext(), {
      name: unique('Phòng khám'),
      domains: ['health'],
      serviceTypes: ['hiv_testing', 'prep'],
      districtCode: 'hoan-kiem',
      address: '1 Phố Mẫu',
      phone: '024 0000 0000',
      openingHours: '8:00–17:00',
      kpFriendly: false,
      active: true,
      needsReview: false,
      sample: false,
      ...overrides,
    });

  /** A referral made through the service (the HTTP form is tested on its own below). */
  const aReferral = async (
    client: Client,
    persona = worker,
    input: Partial<Parameters<ReferralsService['create']>[3]> = {},
  ) =>
    referrals().create(
      actorOf(persona),
      cliContext(),
      client,
      {
        domain: 'health',
        serviceType: 'hiv_testing',
        providerId: clinic.id,
        referredOn: addDays(today(), -3),
        appointmentOn: null,
        note: null,
        ...input,
      },
      randomUUID(),
    );

  /** Puts a referral in a status directly (to test the step from there). */
  const forceStatus = async (id: string, status: ReferralStatus) => {
    const completed = status === 'completed';
    await t.dataSource.query(
      `UPDATE referral SET status = $2, completed_on = CASE WHEN $3 THEN referred_on END,
         verification = CASE WHEN $3 THEN 'client_reported' END WHERE id = $1`,
      [id, status, completed],
    );
  };

  const versionOf = async (id: string): Promise<number> =>
    (await t.dataSource.query(`SELECT version FROM referral WHERE id = $1`, [id]))[0].version;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    colleague = await aPersona(t, 'social_worker', { organizationId: worker.organizationId });
    manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    outsider = await aPersona(t, 'social_worker');
    coordinator = await aPersona(t, 'peer_coordinator', { organizationId: worker.organizationId });
    agent = await loginAs(t, worker);
    colleagueAgent = await loginAs(t, colleague);
    clinic = await aProvider({ kpFriendly: true, districtCode: 'dong-da' });
    farClinic = await aProvider({ districtCode: 'hoan-kiem' });
  });

  afterAll(() => t.close());

  describe('making a referral', () => {
    it('goes from the service to a provider of that service, KP-friendly first, and records the referral', async () => {
      const client = await aClient(t, worker, { primaryDistrict: 'hoan-kiem' });
      const step1 = await agent.get(`/clients/${client.id}/referrals/new`).expect(200);
      expect(step1.text.replace(/&#x3D;/g, '=')).toContain(`/clients/${client.id}/referrals/new?service=hiv_testing`);
      const step2 = await agent.get(`/clients/${client.id}/referrals/new?service=hiv_testing`).expect(200);
      const offered = [...step2.text.matchAll(/name="providerId" value="([^"]+)"/g)].map((m) => m[1]);
      expect(offered.indexOf(clinic.id)).toBeLessThan(offered.indexOf(farClinic.id)); // KP-friendly first
      // A provider of another service is not offered.
      const legal = await aProvider({ domains: ['legal'], serviceTypes: ['legal_aid'] });
      expect(offered).not.toContain(legal.id);
      // Filtering by district keeps only that district's providers.
      const dongDa = await agent.get(`/clients/${client.id}/referrals/new?service=hiv_testing&district=dong-da`);
      expect(dongDa.text).toContain(clinic.id);
      expect(dongDa.text).not.toContain(farClinic.id);

      const response = await expect303(
        post(agent, `/clients/${client.id}/referrals`, {
          serviceType: 'hiv_testing',
          providerId: clinic.id,
          referredOn: today(),
          appointmentOn: '',
          note: 'Đi cùng bạn',
          submissionKey: randomUUID(),
        }),
      );
      const page = await agent.get(response.headers.location).expect(200);
      expect(statusOf(page.text)).toBe('referred');
      expect(page.text).toContain('Đi cùng bạn');
      expect(page.text).toContain(clinic.name);
      const [row] = await t.dataSource.query(`SELECT * FROM referral WHERE client_id = $1`, [client.id]);
      expect(row).toMatchObject({ domain: 'health', service_type: 'hiv_testing', status: 'referred', version: 1 });
      expect(row.note_cipher).toMatch(/^c:/);
      expect(JSON.stringify(row)).not.toContain('Đi cùng bạn');
      const clientPage = await agent.get(`/clients/${client.id}`).expect(200);
      expect(clientPage.text).toContain(`/referrals/${row.id}`);
      const audit = await auditRowsFor(t.dataSource, worker.userId);
      expect(audit.map((a) => a.action)).toContain('referral.created');
    });

    it('starts scheduled when an appointment date is given, and records a double submit once', async () => {
      const client = await aClient(t, worker);
      const fields = {
        serviceType: 'prep',
        providerId: clinic.id,
        referredOn: today(),
        appointmentOn: addDays(today(), 5),
        submissionKey: randomUUID(),
      };
      await expect303(post(agent, `/clients/${client.id}/referrals`, fields));
      await expect303(post(agent, `/clients/${client.id}/referrals`, fields));
      const rows = await t.dataSource.query(`SELECT status FROM referral WHERE client_id = $1`, [client.id]);
      expect(rows).toEqual([{ status: 'scheduled' }]);
    });

    it('refuses bad input with a message next to each field and saves nothing', async () => {
      const client = await aClient(t, worker);
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ providerId: '' }, 'providerId', 'Hãy chọn một cơ sở tiếp nhận'],
        [{ providerId: randomUUID() }, 'providerId', 'Hãy chọn một cơ sở tiếp nhận'],
        [{ providerId: 'not-an-id' }, 'providerId', 'Hãy chọn một cơ sở tiếp nhận'],
        [{ referredOn: '' }, 'referredOn', 'Vui lòng nhập'],
        [{ referredOn: '31/02/2026' }, 'referredOn', ''],
        [{ referredOn: addDays(today(), 1) }, 'referredOn', 'sau hôm nay'],
        [{ appointmentOn: addDays(today(), -1) }, 'appointmentOn', 'trước ngày chuyển gửi'],
        [{ note: 'Gọi 0912345678' }, 'note', ''],
        [{ note: 'x'.repeat(1001) }, 'note', ''],
      ];
      for (const [override, field, message] of cases) {
        const response = await post(agent, `/clients/${client.id}/referrals`, {
          serviceType: 'hiv_testing',
          providerId: clinic.id,
          referredOn: today(),
          submissionKey: randomUUID(),
          ...override,
        });
        expect(response.status).toBe(422);
        expect(fieldError(response.text, field)).toContain(message);
      }
      // A service type that does not exist goes back to the service step.
      const bad = await post(agent, `/clients/${client.id}/referrals`, { serviceType: 'magic', referredOn: today() });
      expect(bad.status).toBe(422);
      // A provider that does not offer the service is refused too (the form lists only those who do).
      const legal = await aProvider({ domains: ['legal'], serviceTypes: ['legal_aid'] });
      const wrong = await post(agent, `/clients/${client.id}/referrals`, {
        serviceType: 'hiv_testing',
        providerId: legal.id,
        referredOn: today(),
        submissionKey: randomUUID(),
      });
      expect(wrong.status).toBe(422);
      const rows = await t.dataSource.query(`SELECT id FROM referral WHERE client_id = $1`, [client.id]);
      expect(rows).toEqual([]);
    });

    it('shows the messages in English to a user who chose English, not the Vietnamese ones, and saves nothing', async () => {
      const client = await aClient(t, worker);
      const form = `/clients/${client.id}/referrals/new?service=hiv_testing`;
      // A session of its own, so the language chosen here never reaches the other tests' agent.
      const english = await loginAs(t, worker);
      const switched = await submit(english, '/lang', { lang: 'en', next: form }, form);
      expect(switched.status).toBe(303);
      const page = await english.get(form).expect(200);
      expect(page.text).toContain('<html lang="en">');

      // No provider chosen although the directory has some, and a referral dated tomorrow.
      const first = await post(english, `/clients/${client.id}/referrals`, {
        serviceType: 'hiv_testing',
        providerId: '',
        referredOn: addDays(today(), 1),
        submissionKey: randomUUID(),
      });
      expect(first.status).toBe(422);
      expect(fieldError(first.text, 'providerId')).toBe('Choose an active provider that offers this service.');
      expect(fieldError(first.text, 'referredOn')).toBe('The date cannot be after today.');
      expect(first.text).toContain('Please correct the fields marked below.');
      for (const vietnamese of [
        'Hãy chọn một cơ sở tiếp nhận đang hoạt động, có cung cấp dịch vụ này.',
        'Ngày không được sau hôm nay.',
        'Vui lòng sửa các mục được đánh dấu bên dưới.',
      ])
        expect(first.text).not.toContain(vietnamese);

      // A phone number in the note, and an appointment before the referral.
      const second = await post(english, `/clients/${client.id}/referrals`, {
        serviceType: 'hiv_testing',
        providerId: clinic.id,
        referredOn: today(),
        appointmentOn: addDays(today(), -1),
        note: 'Gọi 0912345678',
        submissionKey: randomUUID(),
      });
      expect(second.status).toBe(422);
      expect(fieldError(second.text, 'note')).toBe(
        'Do not write a phone number or an ID number (9 or 12 digits) here: records keep no identifying details.',
      );
      expect(fieldError(second.text, 'appointmentOn')).toBe('The appointment cannot be before the referral date.');
      for (const vietnamese of ['Không ghi số điện thoại', 'Ngày hẹn không được trước ngày chuyển gửi.'])
        expect(second.text).not.toContain(vietnamese);

      const rows = await t.dataSource.query(`SELECT id FROM referral WHERE client_id = $1`, [client.id]);
      expect(rows).toEqual([]);
      // The other agent of the same user keeps Vietnamese: the choice is the browser's, not the account's.
      const vietnamesePage = await agent.get(form).expect(200);
      expect(vietnamesePage.text).toContain('<html lang="vi">');
    });
  });

  describe('the lifecycle', () => {
    it('accepts exactly the valid transitions from every status', async () => {
      const client = await aClient(t, worker);
      for (const from of REFERRAL_STATUSES) {
        for (const to of REFERRAL_STATUSES) {
          const referral = await aReferral(client);
          await forceStatus(referral.id, from);
          const change = {
            status: to,
            statusOn: today(),
            appointmentOn: to === 'scheduled' ? addDays(today(), 2) : null,
            verification: to === 'completed' ? ('client_reported' as const) : null,
            note: null,
          };
          const attempt = referrals().changeStatus(actorOf(worker), cliContext(), referral.id, 1, change);
          if (canMove(from, to)) {
            await expect(attempt).resolves.toMatchObject({ version: 2 });
            const [row] = await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [referral.id]);
            expect(row.status).toBe(to);
          } else {
            await expect(attempt).rejects.toBeInstanceOf(ReferralChangeRefused);
            expect(await versionOf(referral.id)).toBe(1);
          }
        }
      }
    });

    it('offers only the valid next steps on the page and refuses any other through HTTP', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const page = await agent.get(`/referrals/${referral.id}`).expect(200);
      const offered = [...page.text.matchAll(/<option value="([a-z_]+)"/g)].map((m) => m[1]);
      expect(offered).toEqual(expect.arrayContaining(['scheduled', 'completed', 'declined', 'lost', 'cancelled']));
      expect(offered).not.toContain('no_show');
      const refused = await post(agent, `/referrals/${referral.id}/status`, {
        status: 'no_show',
        statusOn: today(),
        version: '1',
      });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('Không thể chuyển sang trạng thái này');
      expect(await versionOf(referral.id)).toBe(1);
    });

    it('requires a completed date that is neither in the future nor before the referral, and how it was verified', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client, worker, { referredOn: addDays(today(), -10) });
      const attempt = (fields: Record<string, string>) =>
        post(agent, `/referrals/${referral.id}/status`, { status: 'completed', version: '1', ...fields });
      expect(
        fieldError((await attempt({ statusOn: addDays(today(), 1), verification: 'document_seen' })).text, 'statusOn'),
      ).toContain('sau hôm nay');
      expect(
        fieldError(
          (await attempt({ statusOn: addDays(today(), -11), verification: 'document_seen' })).text,
          'statusOn',
        ),
      ).toContain('trước ngày chuyển gửi');
      expect(fieldError((await attempt({ statusOn: today() })).text, 'verification')).toContain('cách xác minh');
      expect(fieldError((await attempt({ statusOn: today(), verification: 'magic' })).text, 'verification')).toContain(
        'cách xác minh',
      );
      expect(await versionOf(referral.id)).toBe(1);

      await expect303(
        attempt({ statusOn: addDays(today(), -2), verification: 'document_seen', note: 'Đã xét nghiệm' }),
      );
      const [row] = await t.dataSource.query(
        `SELECT status, to_char(completed_on, 'YYYY-MM-DD') AS completed_on, verification, version FROM referral WHERE id = $1`,
        [referral.id],
      );
      expect(row).toEqual({
        status: 'completed',
        completed_on: addDays(today(), -2),
        verification: 'document_seen',
        version: 2,
      });
      const history = await t.dataSource.query(
        `SELECT from_status, to_status, to_char(status_on, 'YYYY-MM-DD') AS status_on, actor_id, actor_kind, correction, version
           FROM referral_event WHERE referral_id = $1 ORDER BY version`,
        [referral.id],
      );
      expect(history).toEqual([
        {
          from_status: null,
          to_status: 'referred',
          status_on: addDays(today(), -10),
          actor_id: worker.userId,
          actor_kind: 'user',
          correction: false,
          version: 1,
        },
        {
          from_status: 'referred',
          to_status: 'completed',
          status_on: addDays(today(), -2),
          actor_id: worker.userId,
          actor_kind: 'user',
          correction: false,
          version: 2,
        },
      ]);
      const page = await agent.get(`/referrals/${referral.id}`).expect(200);
      expect(page.text.match(/data-testid="history-line"/g)).toHaveLength(2);
      expect(page.text).toContain('Đã xét nghiệm');
    });

    it('requires an appointment date to schedule, and keeps the new one', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const missing = await post(agent, `/referrals/${referral.id}/status`, {
        status: 'scheduled',
        statusOn: today(),
        version: '1',
      });
      expect(fieldError(missing.text, 'appointmentOn')).toContain('ngày hẹn');
      await expect303(
        post(agent, `/referrals/${referral.id}/status`, {
          status: 'scheduled',
          statusOn: today(),
          appointmentOn: addDays(today(), 7),
          version: '1',
        }),
      );
      const [row] = await t.dataSource.query(
        `SELECT to_char(appointment_on, 'YYYY-MM-DD') AS a FROM referral WHERE id = $1`,
        [referral.id],
      );
      expect(row.a).toBe(addDays(today(), 7));
    });

    it('shows a conflict, never a silent overwrite, when two people save the same referral', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      // Both open the page at version 1.
      await agent.get(`/referrals/${referral.id}`).expect(200);
      await colleagueAgent.get(`/referrals/${referral.id}`).expect(200);
      await expect303(
        post(colleagueAgent, `/referrals/${referral.id}/status`, {
          status: 'declined',
          statusOn: today(),
          note: 'Không muốn đi',
          version: '1',
        }),
      );
      const second = await post(agent, `/referrals/${referral.id}/status`, {
        status: 'scheduled',
        statusOn: today(),
        appointmentOn: addDays(today(), 3),
        version: '1',
      });
      expect(second.status).toBe(409);
      expect(second.text).toContain('data-testid="conflict"');
      expect(second.text).toContain(colleague.username);
      expect(second.text).toContain('Không muốn đi');
      expect(second.text).toMatch(/data-testid="conflict-current"><strong>Từ chối/);
      const [row] = await t.dataSource.query(`SELECT status, version FROM referral WHERE id = $1`, [referral.id]);
      expect(row).toEqual({ status: 'declined', version: 2 });
      const audit = await auditRowsFor(t.dataSource, worker.userId);
      expect(audit.map((a) => a.action)).toContain('referral.conflict');
    });

    it('refuses a change through the service when another save committed in between', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const change = {
        status: 'lost' as const,
        statusOn: today(),
        appointmentOn: null,
        verification: null,
        note: null,
      };
      await referrals().changeStatus(actorOf(colleague), cliContext(), referral.id, 1, change);
      await expect(
        referrals().changeStatus(actorOf(worker), cliContext(), referral.id, 1, { ...change, status: 'cancelled' }),
      ).rejects.toMatchObject({ changes: [expect.objectContaining({ toStatus: 'lost' })] });
    });

    it('corrects a status with a reason, kept in the history as a correction and audited', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      await referrals().changeStatus(actorOf(worker), cliContext(), referral.id, 1, {
        status: 'lost',
        statusOn: today(),
        appointmentOn: null,
        verification: null,
        note: null,
      });
      const noReason = await post(agent, `/referrals/${referral.id}/correct`, {
        status: 'completed',
        statusOn: today(),
        verification: 'client_reported',
        version: '2',
      });
      expect(noReason.status).toBe(422);
      expect(fieldError(noReason.text, 'note')).toContain('lý do');
      await expect303(
        post(agent, `/referrals/${referral.id}/correct`, {
          status: 'completed',
          statusOn: today(),
          verification: 'client_reported',
          note: 'Ghi nhầm: khách đã đi khám',
          version: '2',
        }),
      );
      const [event] = await t.dataSource.query(
        `SELECT from_status, to_status, correction FROM referral_event WHERE referral_id = $1 AND version = 3`,
        [referral.id],
      );
      expect(event).toEqual({ from_status: 'lost', to_status: 'completed', correction: true });
      const audit = await auditRowsFor(t.dataSource, worker.userId);
      expect(audit.map((a) => a.action)).toContain('referral.corrected');
    });

    it('answers every bad status form with a message, never a 500', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const bodies: Array<Record<string, string>> = [
        {},
        { status: 'magic', statusOn: today(), version: '1' },
        { status: 'declined', statusOn: 'yesterday', version: '1' },
        { status: 'declined', statusOn: today(), version: 'abc' },
        { status: 'declined', statusOn: today(), version: '99999999999999' },
        { status: 'declined', statusOn: today(), version: '1', note: '0912 345 678' },
      ];
      for (const body of bodies) {
        const response = await post(agent, `/referrals/${referral.id}/status`, body);
        expect(response.status).toBe(422);
      }
      expect(await versionOf(referral.id)).toBe(1);
    });
  });

  describe('the slip and the provider confirmation', () => {
    const slipOf = async (a: Agent, id: string) => {
      const page = await a.get(`/referrals/${id}/slip`).expect(200);
      return { page, code: testId(page.text, 'slip-code')!, pin: testId(page.text, 'slip-pin')! };
    };
    const confirmAs = async (fields: Record<string, string>, from = request.agent(t.app.getHttpServer())) =>
      submit(from, '/confirm', fields, '/confirm');
    /** A visitor from one address (as behind the proxy): a random one, so no earlier run's counter applies. */
    const visitorFrom = (address = `2001:db8:ffff:${randomBytes(6).toString('hex').match(/..../g)!.join(':')}::1`) =>
      request.agent(t.app.getHttpServer()).set('X-Forwarded-For', address);
    /** A wrong answer with a code no slip carries (a fresh one each time, so no code reaches its own limit of five). */
    const wrongAnswer = (visitor: Agent) => {
      const code = randomBytes(4).toString('hex').toUpperCase();
      return confirmAs({ code: `${code.slice(0, 4)}-${code.slice(4)}`, pin: '123456', servedOn: today() }, visitor);
    };

    it('prints the display code, the referral code, the PIN, the provider and the appointment, and nothing else about the client', async () => {
      const client = await aClient(t, worker);
      await t.app.get(ClientsService).updateDetails(actorOf(worker), cliContext(), client.id, {
        gender: client.gender,
        birthYear: client.birthYear,
        primaryDistrict: client.primaryDistrict,
        workSetting: client.workSetting,
        firstContactDate: client.firstContactDate,
        alias: 'Bí danh riêng',
      });
      const referral = await aReferral(client, worker, { appointmentOn: addDays(today(), 4), note: 'Ghi chú kín' });
      const { page, code, pin } = await slipOf(agent, referral.id);
      expect(testId(page.text, 'slip-display-code')).toBe(client.displayCode);
      expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      expect(pin).toMatch(/^\d{6}$/);
      expect(page.text).toContain(clinic.name);
      expect(page.text).not.toContain('Bí danh riêng');
      expect(page.text).not.toContain('Ghi chú kín');
      expect(String(client.birthYear)).not.toBe(''); // the birth year is not on the slip:
      expect(page.text).not.toContain(`>${client.birthYear}<`);
      expect(page.headers['cache-control']).toBe('no-store');
      const audit = await auditRowsFor(t.dataSource, worker.userId);
      expect(audit.map((a) => a.action)).toContain('referral.slip_printed');
    });

    it('completes the referral as provider-confirmed with the right code and PIN, shows nothing about the client, and audits it', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const { code, pin } = await slipOf(agent, referral.id);
      const form = await request.agent(t.app.getHttpServer()).get('/confirm').expect(200);
      expect(form.text).not.toContain(client.displayCode!);
      const done = await confirmAs({ code: code.toLowerCase().replace('-', ' '), pin, servedOn: today() });
      expect(done.status).toBe(200);
      expect(done.text).toContain('data-testid="confirmed"');
      for (const secret of [client.displayCode!, referral.id, client.id, clinic.name])
        expect(done.text).not.toContain(secret);
      const [row] = await t.dataSource.query(
        `SELECT status, verification, to_char(completed_on, 'YYYY-MM-DD') AS completed_on FROM referral WHERE id = $1`,
        [referral.id],
      );
      expect(row).toEqual({ status: 'completed', verification: 'provider_confirmed', completed_on: today() });
      const [event] = await t.dataSource.query(
        `SELECT actor_kind, actor_id FROM referral_event WHERE referral_id = $1 AND to_status = 'completed'`,
        [referral.id],
      );
      expect(event).toEqual({ actor_kind: 'provider', actor_id: null });
      const [audited] = await t.dataSource.query(
        `SELECT actor_name, organization_id FROM audit_event WHERE action = 'referral.confirmed' AND target_id = $1`,
        [referral.id],
      );
      expect(audited).toEqual({ actor_name: 'anonymous', organization_id: worker.organizationId });
      // The same slip cannot confirm twice.
      const again = await confirmAs({ code, pin, servedOn: today() });
      expect(again.status).toBe(422);
      expect(again.text).toContain('đã được xác nhận trước đó');
    });

    it('answers a wrong PIN and an unknown code the same way, then locks the code after five failures', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const { code, pin } = await slipOf(agent, referral.id);
      const wrongPin = pin === '000000' ? '111111' : '000000';
      const unknown = await confirmAs({ code: `${randomLetters(4)}-${randomLetters(4)}`, pin, servedOn: today() });
      const wrong = await confirmAs({ code, pin: wrongPin, servedOn: today() });
      expect(unknown.status).toBe(422);
      expect(wrong.status).toBe(422);
      const message = (html: string) =>
        /<div class="alert alert-danger" role="alert">([^<]*)<\/div>\s*<form/.exec(html)?.[1];
      expect(message(wrong.text)).toBe(message(unknown.text));
      for (let i = 0; i < 4; i++) await confirmAs({ code, pin: wrongPin, servedOn: today() });
      const locked = await confirmAs({ code, pin, servedOn: today() });
      expect(locked.status).toBe(429);
      expect(locked.text).toContain('sai quá nhiều lần');
      expect((await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [referral.id]))[0].status).toBe(
        'referred',
      );
      const failures = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE action = 'referral.confirmation_failed'`,
      );
      expect(failures[0].n).toBeGreaterThanOrEqual(6);
    });

    it('locks an address after 20 wrong answers in 15 minutes, whatever the codes, without locking another address', async () => {
      const aSlip = async () => {
        const referral = await aReferral(await aClient(t, worker));
        return { referral, ...(await slipOf(agent, referral.id)) };
      };
      const statusOfReferral = async (id: string) =>
        (await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [id]))[0].status as string;

      const walker = visitorFrom();
      const neighbour = visitorFrom();
      const [first, second, third] = [await aSlip(), await aSlip(), await aSlip()];
      try {
        // Nineteen wrong answers: still answered as wrong, never locked, and a right answer still goes through.
        for (let i = 0; i < 19; i++) expect((await wrongAnswer(walker)).status).toBe(422);
        const beforeLimit = await confirmAs({ code: first.code, pin: first.pin, servedOn: today() }, walker);
        expect(beforeLimit.status).toBe(200);
        expect(await statusOfReferral(first.referral.id)).toBe('completed');

        // The twentieth wrong answer (a success does not wipe the address's count) locks the address...
        const twentieth = await wrongAnswer(walker);
        expect(twentieth.status).toBe(422);
        expect(twentieth.text).not.toContain('sai quá nhiều lần');
        const locked = await confirmAs({ code: second.code, pin: second.pin, servedOn: today() }, walker);
        expect(locked.status).toBe(429);
        expect(locked.text).toContain('Đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.');
        expect(await statusOfReferral(second.referral.id)).toBe('referred');

        // ...for that address only: the same slip confirms from another address.
        const elsewhere = await confirmAs({ code: second.code, pin: second.pin, servedOn: today() }, neighbour);
        expect(elsewhere.status).toBe(200);
        expect(elsewhere.text).toContain('data-testid="confirmed"');
        expect(await statusOfReferral(second.referral.id)).toBe('completed');

        // Still locked a minute before the 15 minutes are over; free again after them.
        t.clock.advance(14 * MINUTES);
        const stillLocked = await confirmAs({ code: third.code, pin: third.pin, servedOn: today() }, walker);
        expect(stillLocked.status).toBe(429);
        expect(stillLocked.text).toContain('Vui lòng thử lại sau 1 phút.');
        t.clock.advance(1 * MINUTES + 1000);
        const unlocked = await confirmAs({ code: third.code, pin: third.pin, servedOn: today() }, walker);
        expect(unlocked.status).toBe(200);
        expect(await statusOfReferral(third.referral.id)).toBe('completed');
      } finally {
        t.clock.reset();
      }
    });

    it('counts an address’s wrong answers within 15 minutes only: older ones do not add up to a lock', async () => {
      const visitor = visitorFrom();
      const referral = await aReferral(await aClient(t, worker));
      const { code, pin } = await slipOf(agent, referral.id);
      try {
        for (let i = 0; i < 19; i++) expect((await wrongAnswer(visitor)).status).toBe(422);
        // Sixteen minutes later the window has passed: one more wrong answer starts a new count.
        t.clock.advance(16 * MINUTES);
        expect((await wrongAnswer(visitor)).status).toBe(422);
        const right = await confirmAs({ code, pin, servedOn: today() }, visitor);
        expect(right.status).toBe(200);
      } finally {
        t.clock.reset();
      }
    });

    it('refuses bad confirmation input with messages and never a 500', async () => {
      for (const fields of [
        {} as Record<string, string>,
        { code: 'x', pin: '12', servedOn: 'soon' },
        { code: 'ABCD-EFGH', pin: '123456', servedOn: addDays(today(), 1) },
        { code: ['A', 'B'] as unknown as string, pin: '123456', servedOn: today() },
      ]) {
        const response = await confirmAs(fields);
        expect(response.status).toBe(422);
      }
    });

    it('refuses an expired slip, and a slip of an erased client', async () => {
      const client = await aClient(t, worker);
      const old = await aReferral(client, worker, { referredOn: addDays(today(), -120) });
      const { code, pin } = await slipOf(agent, old.id);
      const expired = await confirmAs({ code, pin, servedOn: today() });
      expect(expired.status).toBe(422);
      expect(expired.text).toContain('đã hết hạn');

      const erased = await aClient(t, worker);
      const referral = await aReferral(erased);
      const slip = await slipOf(agent, referral.id);
      await erase(t, erased);
      const refused = await confirmAs({ code: slip.code, pin: slip.pin, servedOn: today() });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('không đúng');
      expect((await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [referral.id]))[0].status).toBe(
        'referred',
      );
    });

    it('still confirms after the client was merged into another record (the PIN is re-sealed)', async () => {
      const keep = await aClient(t, worker);
      const duplicate = await aClient(t, worker);
      const referral = await aReferral(duplicate, worker, { note: 'Ghi chú trước khi gộp' });
      const { code, pin } = await slipOf(agent, referral.id);
      await t.app.get(ClientsService).merge(actorOf(manager), cliContext(), keep.id, duplicate.id, 'registered_twice');
      const found = await referrals().get(actorOf(worker), referral.id);
      expect(found.client.id).toBe(keep.id);
      expect(found.referral.note).toBe('Ghi chú trước khi gộp');
      const done = await confirmAs({ code, pin, servedOn: today() });
      expect(done.status).toBe(200);
    });
  });

  describe('who sees what', () => {
    it("answers 404 for another organization's referral on every route, and 403 to peer coordinators", async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const outsiderAgent = await loginAs(t, outsider);
      for (const path of [
        `/referrals/${referral.id}`,
        `/referrals/${referral.id}/slip`,
        `/referrals/${referral.id}/correct`,
      ]) {
        await outsiderAgent.get(path).expect(404);
      }
      const change = await post(outsiderAgent, `/referrals/${referral.id}/status`, {
        status: 'lost',
        statusOn: today(),
        version: '1',
      });
      expect(change.status).toBe(404);
      await outsiderAgent.get(`/clients/${client.id}/referrals/new`).expect(404);
      await outsiderAgent.get(`/referrals/${randomUUID()}`).expect(404);
      await outsiderAgent.get(`/referrals/not-a-uuid`).expect(404);
      const coordinatorAgent = await loginAs(t, coordinator);
      const seen = await coordinatorAgent.get(`/referrals/${referral.id}`);
      expect([403, 404]).toContain(seen.status);
      expect(seen.text).not.toContain(client.displayCode!);
      const list = await coordinatorAgent.get('/referrals/follow-up');
      expect([403, 404]).toContain(list.status);
    });

    it('lets a manager of the organization open the referral, audited as a view', async () => {
      const client = await aClient(t, worker);
      const referral = await aReferral(client);
      const managerAgent = await loginAs(t, manager);
      await managerAgent.get(`/referrals/${referral.id}`).expect(200);
      const audit = await auditRowsFor(t.dataSource, manager.userId);
      expect(audit.map((a) => a.action)).toContain('referral.viewed');
    });
  });

  describe('follow-up', () => {
    it('lists an open referral from 14 days without update, overdue after 30, oldest first', async () => {
      const followWorker = await aPersona(t, 'social_worker');
      const client = await aClient(t, followWorker);
      const open = await aReferral(client, followWorker);
      const closed = await aReferral(client, followWorker);
      await referrals().changeStatus(actorOf(followWorker), cliContext(), closed.id, 1, {
        status: 'cancelled',
        statusOn: today(),
        appointmentOn: null,
        verification: null,
        note: null,
      });
      const listed = async () => {
        const result = await referrals().followUps(actorOf(followWorker), true, { page: 1, offset: 0, limit: 25 });
        return { ids: result.rows.map((r) => r.id), due: result.due, overdue: result.overdue };
      };
      try {
        t.clock.advance(13 * DAYS);
        expect(await listed()).toEqual({ ids: [], due: 0, overdue: 0 });
        t.clock.advance(1 * DAYS); // 14
        expect(await listed()).toEqual({ ids: [open.id], due: 1, overdue: 0 });
        t.clock.advance(16 * DAYS); // 30
        expect(await listed()).toEqual({ ids: [open.id], due: 1, overdue: 0 });
        t.clock.advance(1 * DAYS); // 31
        expect(await listed()).toEqual({ ids: [open.id], due: 0, overdue: 1 });

        // The pages say the same (a fresh sign-in: the clock moved past the session's timeout).
        const followAgent = await loginAs(t, followWorker);
        const page = await followAgent.get('/referrals/follow-up').expect(200);
        expect(page.text.match(/data-testid="follow-up-row"/g)).toHaveLength(1);
        expect(page.text).toContain('data-overdue="true"');
        const home = await followAgent.get('/').expect(200);
        expect(home.text).toMatch(/data-testid="home-overdue">[^<]*1</);

        // An update restarts the count.
        await referrals().changeStatus(actorOf(followWorker), cliContext(), open.id, 1, {
          status: 'scheduled',
          statusOn: today(),
          appointmentOn: addDays(today(), 3),
          verification: null,
          note: null,
        });
        expect(await listed()).toEqual({ ids: [], due: 0, overdue: 0 });
      } finally {
        t.clock.reset();
      }
    });

    it('lists the referrals waiting longest first on the page, whatever order they were made in', async () => {
      const followWorker = await aPersona(t, 'social_worker');
      const [a, b, c] = [
        await aClient(t, followWorker),
        await aClient(t, followWorker),
        await aClient(t, followWorker),
      ];
      const schedule = (id: string) =>
        referrals().changeStatus(actorOf(followWorker), cliContext(), id, 1, {
          status: 'scheduled',
          statusOn: today(),
          appointmentOn: addDays(today(), 2),
          verification: null,
          note: null,
        });
      /** The rows of the follow-up page, top to bottom: referral, client code, days without update, overdue. */
      const rowsOf = (html: string) =>
        [...html.matchAll(/<tr data-testid="follow-up-row"([^>]*)>([\s\S]*?)<\/tr>/g)].map(([, attributes, row]) => ({
          id: /href="\/referrals\/([0-9a-f-]{36})"/.exec(row)?.[1],
          code: /<a href="\/clients\/[^"]+">([^<]+)<\/a>/.exec(row)?.[1],
          days: Number(/data-testid="days">(\d+)/.exec(row)?.[1]),
          overdue: attributes.includes('data-overdue="true"'),
        }));
      try {
        // Made in the order a, b, c on the same day; a is updated 10 days later and c 16 days later,
        // so after 33 days b has waited longest (33, overdue), then a (23), then c (17).
        const first = await aReferral(a, followWorker);
        const second = await aReferral(b, followWorker);
        const third = await aReferral(c, followWorker);
        t.clock.advance(10 * DAYS);
        await schedule(first.id);
        t.clock.advance(6 * DAYS);
        await schedule(third.id);
        t.clock.advance(17 * DAYS);

        const expected = [
          { id: second.id, code: b.displayCode, days: 33, overdue: true },
          { id: first.id, code: a.displayCode, days: 23, overdue: false },
          { id: third.id, code: c.displayCode, days: 17, overdue: false },
        ];
        // A fresh sign-in: the clock moved past the session's timeout.
        const followAgent = await loginAs(t, followWorker);
        const mine = await followAgent.get('/referrals/follow-up').expect(200);
        expect(rowsOf(mine.text)).toEqual(expected);
        expect(mine.text).toMatch(
          /data-testid="follow-up-counts">\s*<span[^>]*>[^<]*2[^<]*<\/span>\s*<span[^>]*>[^<]*1/,
        );
        const all = await followAgent.get('/referrals/follow-up?scope=all').expect(200);
        expect(rowsOf(all.text)).toEqual(expected);
      } finally {
        t.clock.reset();
      }
    });
  });
});
