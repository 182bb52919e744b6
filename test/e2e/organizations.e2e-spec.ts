import { cliContext } from '../../src/audit/audit.service';
import type { Role } from '../../src/auth/permissions';
import { OrganizationCodeTakenError, OrganizationsService } from '../../src/organizations/organizations.service';
import {
  Agent,
  anOrganization,
  aPersona,
  createTestApp,
  loginAs,
  Persona,
  submit,
  TestApp,
  unique,
} from '../support/app';
import { auditRowsFor } from '../support/audit';

const LIST = '/admin/organizations';
const NEW = '/admin/organizations/new';
const WELL_FORMED_UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback">([^<]*)<`).exec(html)?.[1] ?? null;

/** The value a text input is rendered with. */
const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}" type="text" value="([^"]*)"`).exec(html)?.[1] ?? null;

describe('organization admin pages', () => {
  let t: TestApp;
  let admin: Persona;
  let agent: Agent;
  const organizations = () => t.app.get(OrganizationsService);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    agent = await loginAs(t, admin);
  });
  afterAll(() => t.close());

  const auditRows = async (action: string, organizationId: string) =>
    (await auditRowsFor(t.dataSource, admin.userId)).filter(
      (r) => r.action === action && r.target_id === organizationId,
    );

  describe('list', () => {
    it('shows every organization with its code, name and status under a neutral title', async () => {
      const active = await anOrganization(t, 'Trung tâm CTXH Hoàng Mai');
      const inactive = await anOrganization(t, 'Câu lạc bộ Bông Sen');
      await organizations().update(cliContext(), inactive.id, { name: inactive.name, active: false });

      const page = await agent.get(LIST).expect(200);
      expect(page.text).toContain('<title>Đơn vị · Nhịp Cầu</title>');
      const row = (code: string) =>
        new RegExp(`data-testid="organization-${code}">[\\s\\S]*?</tr>`).exec(page.text)?.[0];
      expect(row(active.code)).toContain('Trung tâm CTXH Hoàng Mai');
      expect(row(active.code)).toContain('Đang hoạt động');
      expect(row(active.code)).toContain(`href="/admin/organizations/${active.id}"`);
      expect(row(inactive.code)).toContain('Câu lạc bộ Bông Sen');
      expect(row(inactive.code)).toContain('Ngừng hoạt động');
      expect(row(admin.organizationCode)).toBeDefined();
    });

    it('links to the form for a new organization', async () => {
      const page = await agent.get(LIST).expect(200);
      expect(page.text).toContain(`href="${NEW}"`);
    });
  });

  describe('creating', () => {
    it('shows an empty form with code and name', async () => {
      const page = await agent.get(NEW).expect(200);
      expect(page.text).toContain('<title>Tạo đơn vị · Nhịp Cầu</title>');
      expect(page.text).toContain('name="code"');
      expect(page.text).toContain('name="name"');
      expect(page.text).toContain('action="/admin/organizations"');
    });

    it('creates an organization with its code in lower case, then shows the list with a message', async () => {
      const code = unique('CTXH-Dong-Da');
      const res = await submit(agent, LIST, { code, name: 'Trung tâm CTXH Đống Đa' }, NEW);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);

      const saved = await organizations().findByCode(code.toLowerCase());
      expect(saved).toMatchObject({ code: code.toLowerCase(), name: 'Trung tâm CTXH Đống Đa', active: true });
      const list = await agent.get(LIST).expect(200);
      expect(list.text).toContain('Đã tạo đơn vị.');
      expect(list.text).toContain('Trung tâm CTXH Đống Đa');
      const again = await agent.get(LIST).expect(200);
      expect(again.text).not.toContain('Đã tạo đơn vị.');
    });

    it('audits the creation', async () => {
      const code = unique('audited');
      await submit(agent, LIST, { code, name: 'Audited organization' }, NEW).then((r) => expect(r.status).toBe(303));
      const saved = await organizations().findByCode(code);
      const rows = await auditRows('organization.created', saved!.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ target_type: 'organization', organization_id: saved!.id, outcome: 'success' });
    });

    it.each([
      ['is empty', ''],
      ['has a space', 'bad code'],
      ['starts with a hyphen', '-ctxh'],
      ['ends with a hyphen', 'ctxh-'],
      ['has accents', 'đống-đa'],
      ['has an underscore', 'ctxh_dong_da'],
      ['is longer than 40 characters', 'a'.repeat(41)],
    ])('refuses a code that %s, next to the field, keeping the other values and saving nothing', async (_, code) => {
      const name = unique('Kept name');
      const res = await submit(agent, LIST, { code, name }, NEW);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'code')).toContain('Chỉ dùng chữ thường không dấu, số và gạch ngang');
      expect(fieldError(res.text, 'name')).toBeNull();
      expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
      expect(inputValue(res.text, 'name')).toBe(name);
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM organization WHERE name = $1`, [
        name,
      ]);
      expect(count).toBe(0);
    });

    it.each([
      ['is missing', undefined, 'Vui lòng nhập mục này.'],
      ['is empty', '', 'Vui lòng nhập mục này.'],
      ['is only spaces', '    ', 'Vui lòng nhập mục này.'],
      ['is longer than 200 characters', 'x'.repeat(201), 'Quá dài (tối đa 200 ký tự).'],
    ])('refuses a name that %s, next to the field, keeping the code and saving nothing', async (_, name, message) => {
      const code = unique('named');
      const res = await submit(agent, LIST, name === undefined ? { code } : { code, name }, NEW);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'name')).toBe(message);
      expect(fieldError(res.text, 'code')).toBeNull();
      expect(inputValue(res.text, 'code')).toBe(code);
      expect(await organizations().findByCode(code)).toBeNull();
    });

    it('accepts a name of exactly 200 characters', async () => {
      const code = unique('long-name');
      const res = await submit(agent, LIST, { code, name: 'x'.repeat(200) }, NEW);
      expect(res.status).toBe(303);
      expect((await organizations().findByCode(code))?.name).toHaveLength(200);
    });

    it('refuses a code that is already taken, in any letter case, and saves nothing', async () => {
      const existing = await anOrganization(t, 'Existing organization');
      for (const code of [existing.code, existing.code.toUpperCase()]) {
        const res = await submit(agent, LIST, { code, name: 'Duplicate' }, NEW);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'code')).toBe('Mã đơn vị này đã tồn tại.');
        expect(inputValue(res.text, 'name')).toBe('Duplicate');
      }
      expect((await organizations().findByCode(existing.code))?.name).toBe('Existing organization');
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM organization WHERE name = $1`, [
        'Duplicate',
      ]);
      expect(count).toBe(0);
    });
  });

  describe('editing', () => {
    it('shows the code read-only and the current name and status', async () => {
      const organization = await anOrganization(t, 'Trung tâm Ba Đình');
      const page = await agent.get(`${LIST}/${organization.id}`).expect(200);
      expect(page.text).toContain('<title>Sửa đơn vị · Nhịp Cầu</title>');
      expect(page.text).toMatch(new RegExp(`id="code" type="text" value="${organization.code}" readonly`));
      expect(page.text).not.toContain('name="code"');
      expect(inputValue(page.text, 'name')).toBe('Trung tâm Ba Đình');
      expect(page.text).toMatch(/name="active" value="1" checked/);
      expect(page.text).toContain(`action="/admin/organizations/${organization.id}"`);
    });

    it('renames an organization, keeps it active, shows a message and audits the changed field', async () => {
      const organization = await anOrganization(t, 'Old name');
      const path = `${LIST}/${organization.id}`;
      const res = await submit(agent, path, { name: 'New name', active: '1' }, path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);
      expect(await organizations().get(organization.id)).toMatchObject({ name: 'New name', active: true });
      expect((await agent.get(LIST)).text).toContain('Đã cập nhật đơn vị.');
      const rows = await auditRows('organization.updated', organization.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].details).toEqual({ changed: ['name'] });
    });

    it('deactivates an organization when the box is unticked, and reactivates it', async () => {
      const organization = await anOrganization(t, 'Club to pause');
      const path = `${LIST}/${organization.id}`;
      await submit(agent, path, { name: 'Club to pause' }, path).then((r) => expect(r.status).toBe(303));
      expect((await organizations().get(organization.id)).active).toBe(false);
      const edit = await agent.get(path).expect(200);
      expect(edit.text).not.toMatch(/name="active" value="1" checked/);

      await submit(agent, path, { name: 'Club to pause', active: '1' }, path).then((r) => expect(r.status).toBe(303));
      expect((await organizations().get(organization.id)).active).toBe(true);
      const rows = await auditRows('organization.updated', organization.id);
      expect(rows.map((r) => r.details)).toEqual([{ changed: ['active'] }, { changed: ['active'] }]);
    });

    it('records both field names when the name and status change together', async () => {
      const organization = await anOrganization(t, 'Both');
      const path = `${LIST}/${organization.id}`;
      await submit(agent, path, { name: 'Both changed' }, path).then((r) => expect(r.status).toBe(303));
      const rows = await auditRows('organization.updated', organization.id);
      expect(rows.map((r) => r.details)).toEqual([{ changed: ['name', 'active'] }]);
    });

    it('writes no audit row when nothing changed', async () => {
      const organization = await anOrganization(t, 'Unchanged');
      const path = `${LIST}/${organization.id}`;
      await submit(agent, path, { name: 'Unchanged', active: '1' }, path).then((r) => expect(r.status).toBe(303));
      expect(await auditRows('organization.updated', organization.id)).toEqual([]);
    });

    it('ignores a code sent with the edit form: the code never changes', async () => {
      const organization = await anOrganization(t, 'Fixed code');
      const path = `${LIST}/${organization.id}`;
      const res = await submit(agent, path, { code: 'hijacked-code', name: 'Fixed code', active: '1' }, path);
      expect(res.status).toBe(303);
      expect((await organizations().get(organization.id)).code).toBe(organization.code);
      expect(await organizations().findByCode('hijacked-code')).toBeNull();
    });

    it.each([
      ['name', { name: '' }, 'Vui lòng nhập mục này.'],
      ['name', { name: 'y'.repeat(201), active: '1' }, 'Quá dài (tối đa 200 ký tự).'],
      ['active', { name: 'Valid name', active: 'yes' }, 'Giá trị không hợp lệ.'],
    ])(
      'refuses a bad %s next to the field, keeps the typed values and saves nothing',
      async (field, fields, message) => {
        const organization = await anOrganization(t, 'Stays the same');
        const path = `${LIST}/${organization.id}`;
        const res = await submit(agent, path, fields, path);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, field)).toBe(message);
        expect(inputValue(res.text, 'name')).toBe(fields.name);
        expect(res.text).toMatch(new RegExp(`id="code" type="text" value="${organization.code}" readonly`));
        expect(await organizations().get(organization.id)).toMatchObject({ name: 'Stays the same', active: true });
        expect(await auditRows('organization.updated', organization.id)).toEqual([]);
      },
    );

    it('keeps the box unticked when a form with errors is shown again', async () => {
      const organization = await anOrganization(t, 'Unticked');
      const path = `${LIST}/${organization.id}`;
      const res = await submit(agent, path, { name: '' }, path);
      expect(res.status).toBe(422);
      expect(res.text).not.toMatch(/name="active" value="1" checked/);
    });

    it('answers 404 for an unknown id and for a malformed one', async () => {
      for (const id of [WELL_FORMED_UNKNOWN_ID, 'not-a-uuid', '123', "1' OR '1'='1", '-'.repeat(36)]) {
        const path = `${LIST}/${encodeURIComponent(id)}`;
        await agent.get(path).expect(404);
        const res = await submit(agent, path, { name: 'Anything', active: '1' }, LIST);
        expect(res.status).toBe(404);
      }
    });
  });

  describe.each<Role>(['manager', 'social_worker', 'peer_coordinator'])('as a %s', (role) => {
    let outsider: Agent;
    let target: { id: string; code: string };
    let ownOrganizationId: string;

    beforeAll(async () => {
      const persona = await aPersona(t, role);
      ownOrganizationId = persona.organizationId;
      outsider = await loginAs(t, persona);
      target = await anOrganization(t, 'Not theirs to edit');
    });

    it('answers 403 to the list and the new form, and 404 to the edit form of an organization, existing or not', async () => {
      await outsider.get(LIST).expect(403);
      await outsider.get(NEW).expect(403);
      // The edit form names a record: without organizations:manage it never confirms that it exists.
      await outsider.get(`${LIST}/${target.id}`).expect(404);
      await outsider.get(`${LIST}/${ownOrganizationId}`).expect(404);
      await outsider.get(`${LIST}/${WELL_FORMED_UNKNOWN_ID}`).expect(404);
    });

    it('answers 403 to creating and saves nothing', async () => {
      const code = unique('sneaky');
      const res = await submit(outsider, LIST, { code, name: 'Sneaky' }, '/');
      expect(res.status).toBe(403);
      expect(await organizations().findByCode(code)).toBeNull();
    });

    it('answers 404 to editing and changes nothing', async () => {
      const res = await submit(outsider, `${LIST}/${target.id}`, { name: 'Renamed' }, '/');
      expect(res.status).toBe(404);
      expect(await organizations().get(target.id)).toMatchObject({ name: 'Not theirs to edit', active: true });
    });
  });
});

describe('two admins creating the same organization code at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates it once and answers "code taken" to the other', async () => {
    const code = unique('race');
    const service = t.app.get(OrganizationsService);
    const results = await Promise.allSettled([
      service.create(cliContext(), { code, name: 'A' }),
      service.create(cliContext(), { code, name: 'B' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(OrganizationCodeTakenError);
  });
});
