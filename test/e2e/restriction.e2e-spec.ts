import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { ContactsService } from '../../src/contacts/contacts.service';
import type { PeerGroup } from '../../src/groups/peer-group.entity';
import { GroupsService } from '../../src/groups/groups.service';
import { translate } from '../../src/i18n/i18n';
import { ImportsService } from '../../src/imports/imports.service';
import { composeUic } from '../../src/privacy/client-code';
import { ProvidersService } from '../../src/providers/providers.service';
import type { Referral } from '../../src/referrals/referral.entity';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { auditRowsFor } from '../support/audit';
import { actorOf, aClient, addDays, aUic } from '../support/fixtures';

jest.setTimeout(90_000);

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const escaped = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
const vi = (key: string) => escaped(translate('vi', key));
const en = (key: string) => escaped(translate('en', key));

const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;
const errorMessage = (html: string) => /data-testid="error-message">([^<]*)</.exec(html)?.[1] ?? null;

describe('restriction of processing', () => {
  let t: TestApp;
  let worker: Persona;
  let manager: Persona;
  let outsider: Persona;
  let agent: Agent;
  let managerAgent: Agent;
  let outsiderAgent: Agent;
  let clinicId: string;
  let workDir: string;

  const today = () => t.app.get(ReferralsService).today();
  const post = (a: Agent, path: string, fields: Record<string, string | string[]>) => submit(a, path, fields, '/');
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query<Array<{ n: number }>>(sql, params))[0].n);
  const restrictedAt = async (clientId: string) =>
    (await t.dataSource.query(`SELECT restricted_at FROM client WHERE id = $1`, [clientId]))[0].restricted_at as
      | Date
      | null;
  const restrict = (clientId: string, reason = 'client_request') =>
    post(managerAgent, `/clients/${clientId}/restrict`, { reason });

  /** A client with a contact, an assessment and a referral, then restricted by the manager. */
  async function aRestrictedClient(): Promise<{ client: Client; contactId: string; referral: Referral }> {
    const client = await aClient(t, worker);
    const contact = await t.app.get(ContactsService).record(
      actorOf(worker),
      cliContext(),
      client,
      {
        contactDate: today(),
        modality: 'street',
        districtCode: client.primaryDistrict,
        topics: ['hiv_sti'],
        condoms: 1,
        lubricants: 0,
        hivSelfTests: 0,
      },
      randomUUID(),
    );
    const referral = await t.app.get(ReferralsService).create(
      actorOf(worker),
      cliContext(),
      client,
      {
        domain: 'health',
        serviceType: 'hiv_testing',
        providerId: clinicId,
        referredOn: addDays(today(), -2),
        appointmentOn: null,
        note: null,
      },
      randomUUID(),
    );
    expect((await restrict(client.id)).status).toBe(303);
    return { client, contactId: contact.id, referral };
  }

  /** A refused write: 409, the page says why in the user's language. */
  const expectRefused = (response: { status: number; text: string }, lang: 'vi' | 'en' = 'vi') => {
    expect(response.status).toBe(409);
    expect(errorMessage(response.text)).toBe(lang === 'vi' ? vi('restriction.refused') : en('restriction.refused'));
  };

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    outsider = await aPersona(t, 'manager');
    agent = await loginAs(t, worker);
    managerAgent = await loginAs(t, manager);
    outsiderAgent = await loginAs(t, outsider);
    const clinic = await t.app.get(ProvidersService).create(cliContext(), {
      name: unique('Phòng khám'),
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: 'hoan-kiem',
      address: '1 Phố Mẫu',
      phone: '024 0000 0000',
      openingHours: '8:00–17:00',
      kpFriendly: true,
      active: true,
      needsReview: false,
      sample: false,
    });
    clinicId = clinic.id;
    workDir = mkdtempSync(join(tmpdir(), 'restriction-'));
  });

  afterAll(async () => {
    await t.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('restricting and lifting', () => {
    it('restricts with a reason (audited), shows the banner and takes the write actions off the client page', async () => {
      const client = await aClient(t, worker);
      const before = await agent.get(`/clients/${client.id}`);
      expect(before.text).toContain(`/clients/${client.id}/contacts/new`);
      expect(before.text).not.toContain('data-testid="restricted-banner"');

      const form = await managerAgent.get(`/clients/${client.id}/restriction`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('data-testid="restrict-form"');
      const response = await restrict(client.id, 'accuracy_disputed');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/clients/${client.id}`);
      expect(await restrictedAt(client.id)).not.toBeNull();

      const page = await agent.get(`/clients/${client.id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-testid="restricted-banner"');
      for (const href of ['/contacts/new', '/assessments/new', '/referrals/new', '/edit', '/merge']) {
        expect(page.text).not.toContain(`href="/clients/${client.id}${href}"`);
      }
      const managerPage = await managerAgent.get(`/clients/${client.id}`);
      expect(managerPage.text).toContain(`href="/clients/${client.id}/restriction"`);
      expect(managerPage.text).not.toContain(`/clients/${client.id}/merge"`);

      const audit = (await auditRowsFor(t.dataSource, manager.userId)).filter(
        (r) => r.action === 'client.restricted' && r.target_id === client.id,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0].details).toEqual({ reason: 'accuracy_disputed' });

      // Restricting again changes nothing and audits nothing more.
      expect((await restrict(client.id)).status).toBe(303);
      expect(
        (await auditRowsFor(t.dataSource, manager.userId)).filter(
          (r) => r.action === 'client.restricted' && r.target_id === client.id,
        ),
      ).toHaveLength(1);
    });

    it('refuses a restriction or a lifting without a reason, in both languages, changing nothing', async () => {
      const client = await aClient(t, worker);
      const missing = await post(managerAgent, `/clients/${client.id}/restrict`, { reason: '' });
      expect(missing.status).toBe(422);
      expect(fieldError(missing.text, 'reason')).toBe(vi('restriction.errors.reason'));
      const bogus = await post(managerAgent, `/clients/${client.id}/restrict`, { reason: 'because' });
      expect(bogus.status).toBe(422);
      expect(await restrictedAt(client.id)).toBeNull();

      const english = await loginAs(t, manager);
      const path = `/clients/${client.id}/restriction`;
      await submit(english, '/lang', { lang: 'en', next: path }, path);
      const inEnglish = await submit(english, `/clients/${client.id}/restrict`, { reason: '' }, path);
      expect(fieldError(inEnglish.text, 'reason')).toBe(en('restriction.errors.reason'));
      expect(await restrictedAt(client.id)).toBeNull();

      expect((await restrict(client.id)).status).toBe(303);
      const noLiftReason = await post(managerAgent, `/clients/${client.id}/unrestrict`, { reason: '' });
      expect(noLiftReason.status).toBe(422);
      expect(fieldError(noLiftReason.text, 'reason')).toBe(vi('restriction.errors.reason'));
      expect(await restrictedAt(client.id)).not.toBeNull();
    });

    it('answers 404 for unknown clients, other organizations’ clients and workers without the permission', async () => {
      const client = await aClient(t, worker);
      const unknown = await restrict(randomUUID());
      expect(unknown.status).toBe(404);
      expect((await managerAgent.get('/clients/nope/restriction')).status).toBe(404);
      expect((await post(outsiderAgent, `/clients/${client.id}/restrict`, { reason: 'client_request' })).status).toBe(
        404,
      );
      expect((await post(agent, `/clients/${client.id}/restrict`, { reason: 'client_request' })).status).toBe(404);
      expect((await agent.get(`/clients/${client.id}/restriction`)).status).toBe(404);
      expect(await restrictedAt(client.id)).toBeNull();
    });

    it('lifts the restriction with a reason (audited), and writes are accepted again', async () => {
      const { client } = await aRestrictedClient();
      const lifted = await post(managerAgent, `/clients/${client.id}/unrestrict`, { reason: 'dispute_resolved' });
      expect(lifted.status).toBe(303);
      expect(await restrictedAt(client.id)).toBeNull();
      const audit = (await auditRowsFor(t.dataSource, manager.userId)).filter(
        (r) => r.action === 'client.restriction_lifted' && r.target_id === client.id,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0].details).toEqual({ reason: 'dispute_resolved' });
      const page = await agent.get(`/clients/${client.id}`);
      expect(page.text).not.toContain('data-testid="restricted-banner"');
      expect(page.text).toContain(`/clients/${client.id}/contacts/new`);

      const recorded = await post(agent, `/clients/${client.id}/contacts`, {
        submissionKey: randomUUID(),
        contactDate: today(),
        modality: 'venue',
        districtCode: client.primaryDistrict,
        topics: ['hiv_sti'],
      });
      expect(recorded.status).toBe(303);
    });
  });

  describe('while restricted', () => {
    it('still shows the client page and the data summary', async () => {
      const { client } = await aRestrictedClient();
      expect((await agent.get(`/clients/${client.id}`)).status).toBe(200);
      const summary = await agent.get(`/clients/${client.id}/summary`);
      expect(summary.status).toBe(200);
      expect(summary.text).toContain('data-testid="summary-restriction"');
    });

    it('refuses new contacts, and edits and deletions of existing ones', async () => {
      const { client, contactId } = await aRestrictedClient();
      const contacts = () => count(`SELECT count(*)::int AS n FROM contact WHERE client_id = $1 AND deleted_at IS NULL`, [client.id]);
      const fields = {
        submissionKey: randomUUID(),
        contactDate: today(),
        modality: 'venue',
        districtCode: client.primaryDistrict,
        topics: ['condoms'],
        condoms: '5',
      };
      expectRefused(await post(agent, `/clients/${client.id}/contacts`, fields));
      expectRefused(await post(agent, `/contacts/${contactId}`, { ...fields, condoms: '9' }));
      expectRefused(await post(agent, `/contacts/${contactId}/delete`, {}));
      expect(await contacts()).toBe(1);
      const [stored] = await t.dataSource.query(`SELECT condoms, topics FROM contact WHERE id = $1`, [contactId]);
      expect(stored.condoms).toBe(1);

      // In English too.
      const english = await loginAs(t, worker);
      const path = `/clients/${client.id}`;
      await submit(english, '/lang', { lang: 'en', next: path }, path);
      expectRefused(await submit(english, `/clients/${client.id}/contacts`, { ...fields, submissionKey: randomUUID() }, path), 'en');
      expect(await contacts()).toBe(1);
    });

    it('refuses new assessments', async () => {
      const { client } = await aRestrictedClient();
      const answers = Object.fromEntries(
        ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'].flatMap((d) => [
          [`need_${d}`, 'yes'],
          [`eligible_${d}`, 'yes'],
        ]),
      );
      const response = await post(agent, `/clients/${client.id}/assessments`, {
        ...answers,
        assessedOn: today(),
        violence: '',
        submissionKey: randomUUID(),
      });
      expectRefused(response);
      expect(await count(`SELECT count(*)::int AS n FROM needs_assessment WHERE client_id = $1`, [client.id])).toBe(0);
    });

    it('refuses new referrals, status changes, corrections and a provider’s confirmation', async () => {
      const { client, referral } = await aRestrictedClient();
      const referrals = t.app.get(ReferralsService);
      expectRefused(
        await post(agent, `/clients/${client.id}/referrals`, {
          serviceType: 'hiv_testing',
          providerId: clinicId,
          referredOn: today(),
          submissionKey: randomUUID(),
        }),
      );
      expect(await count(`SELECT count(*)::int AS n FROM referral WHERE client_id = $1`, [client.id])).toBe(1);

      expectRefused(
        await post(agent, `/referrals/${referral.id}/status`, {
          status: 'scheduled',
          statusOn: today(),
          appointmentOn: addDays(today(), 3),
          version: '1',
        }),
      );
      expectRefused(
        await post(agent, `/referrals/${referral.id}/correct`, {
          status: 'declined',
          statusOn: today(),
          note: 'Nhập nhầm',
          version: '1',
        }),
      );
      const slip = await referrals.slip(actorOf(worker), cliContext(), referral.id);
      const confirmation = await referrals.confirmByProvider(cliContext(), slip.slipCode, slip.pin, today());
      expect(confirmation.kind).toBe('refused');
      const [stored] = await t.dataSource.query(`SELECT status, version FROM referral WHERE id = $1`, [referral.id]);
      expect(stored).toEqual({ status: 'referred', version: 1 });
    });

    it('refuses edits of the client and merges either way', async () => {
      const { client } = await aRestrictedClient();
      expectRefused(
        await post(agent, `/clients/${client.id}/edit`, {
          gender: 'female',
          birthYear: String(client.birthYear),
          primaryDistrict: client.primaryDistrict,
          workSetting: 'massage',
          firstContactDate: client.firstContactDate,
          alias: '',
        }),
      );
      const [stored] = await t.dataSource.query(`SELECT work_setting FROM client WHERE id = $1`, [client.id]);
      expect(stored.work_setting).toBe('street');

      const other = await aClient(t, worker);
      const mergeInto = (keep: Client, duplicate: Client) =>
        post(managerAgent, `/clients/${keep.id}/merge`, {
          duplicateCode: duplicate.displayCode!,
          reason: 'registered_twice',
          step: 'confirm',
        });
      expectRefused(await mergeInto(other, client));
      expectRefused(await mergeInto(client, other));
      const statuses = await t.dataSource.query(`SELECT status FROM client WHERE id = ANY($1::uuid[])`, [
        [client.id, other.id],
      ]);
      expect(statuses).toEqual([{ status: 'active' }, { status: 'active' }]);
    });

    it('refuses adding the client to a group, with a message on the form', async () => {
      const { client } = await aRestrictedClient();
      const group: PeerGroup = await t.app.get(GroupsService).create(
        actorOf(manager),
        cliContext(),
        {
          name: unique('Nhóm'),
          kind: 'peer_group',
          districtCode: 'hoang-mai',
          foundedOn: addDays(today(), -100),
          active: true,
          coordinatorIds: [],
        },
        randomUUID(),
      );
      const response = await post(managerAgent, `/groups/${group.id}/members`, {
        displayCode: client.displayCode!,
        role: 'member',
        joinedOn: today(),
        submissionKey: randomUUID(),
      });
      expect(response.status).toBe(422);
      expect(fieldError(response.text, 'displayCode')).toBe(vi('restriction.memberRefused'));
      expect(await count(`SELECT count(*)::int AS n FROM group_membership WHERE client_id = $1`, [client.id])).toBe(0);
    });

    it('rejects import rows for the client as bad rows with the reason', async () => {
      const parts = aUic();
      const registered = await t.app.get(ClientsService).register(actorOf(worker), cliContext(), {
        uic: parts,
        gender: 'female',
        birthYear: 1992,
        primaryDistrict: 'hoan-kiem',
        workSetting: 'street',
        firstContactDate: '2024-03-01',
        consentDate: '2024-03-01',
        confirmKnownElsewhere: true,
        submissionKey: randomUUID(),
      });
      if (registered.kind !== 'created') throw new Error('The code was taken; run again');
      const client = registered.client;
      const composed = composeUic({ ...parts, birthYear: '1992' });
      if (!composed.ok) throw new Error('Bad code');
      expect((await restrict(client.id)).status).toBe(303);

      const file = join(workDir, 'contacts.csv');
      writeFileSync(
        file,
        `uic,contact_date,modality,district,topics,condoms,lubricants,hiv_self_tests\r\n${composed.code},${today()},street,hoan-kiem,hiv_sti,1,0,0\r\n`,
      );
      const { outcome } = await t.app
        .get(ImportsService)
        .importWith(cliContext(), worker.organizationId, 'contacts', file, 'cli');
      expect(outcome.status).toBe('rejected');
      if (outcome.status !== 'rejected') return;
      expect(outcome.badRows).toEqual([{ row: 2, problems: [{ column: 'uic', reason: 'client_restricted' }] }]);
      expect(await count(`SELECT count(*)::int AS n FROM contact WHERE client_id = $1`, [client.id])).toBe(0);
    });
  });
});
