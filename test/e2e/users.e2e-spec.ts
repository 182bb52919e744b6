import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { cliContext } from '../../src/audit/audit.service';
import type { Role } from '../../src/auth/permissions';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import { UsersService } from '../../src/users/users.service';
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
import { pathOf, refusalFor } from '../support/routes';

// Starting the app on the embedded database, and the many argon2 hashes below, outlast Jest's 5 s default.
jest.setTimeout(30_000);

const LIST = '/admin/users';

interface StoredUser {
  id: string;
  role: string;
  organization_id: string;
  active: boolean;
  must_change_password: boolean;
  totp_enabled_at: Date | null;
}

/** The one-time password shown on the page that answers a creation or a reset. */
const temporaryPasswordIn = (html: string): string => {
  const match = /data-testid="temporary-password">([^<]+)</.exec(html);
  if (!match) throw new Error('No temporary password on the page');
  return match[1];
};

/** The message shown under a field (the form partials give it the id "<field>-error"). */
const fieldError = (html: string, field: string): string | undefined =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]+)<`).exec(html)?.[1];

describe('account administration', () => {
  let t: TestApp;
  let admin: Persona;
  let adminAgent: Agent;
  let otherOrganizationId: string;
  let thirdOrganizationId: string;
  let inactiveOrganizationId: string;

  const post = (path: string, fields: Record<string, string | string[]> = {}) => submit(adminAgent, path, fields, LIST);
  const stored = async (username: string): Promise<StoredUser | undefined> =>
    (
      await t.dataSource.query<StoredUser[]>(
        'SELECT id, role, organization_id, active, must_change_password, totp_enabled_at FROM app_user WHERE username = $1',
        [username],
      )
    )[0];
  const storedById = async (id: string): Promise<StoredUser> =>
    (
      await t.dataSource.query<StoredUser[]>(
        'SELECT id, role, organization_id, active, must_change_password, totp_enabled_at FROM app_user WHERE id = $1',
        [id],
      )
    )[0];
  const userCount = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM app_user'))[0].n);
  const grantsOf = (userId: string) => t.app.get(UsersService).grantsOf(userId);
  const actionsAbout = async (userId: string) =>
    (await auditRowsFor(t.dataSource, userId)).filter((r) => r.target_id === userId).map((r) => r.action);
  const signIn = (username: string, password: string) =>
    submit(request.agent(t.app.getHttpServer()), '/login', { username, password });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    adminAgent = await loginAs(t, admin);
    otherOrganizationId = (await anOrganization(t, 'Trung tâm CTXH Đống Đa')).id;
    thirdOrganizationId = (await anOrganization(t, 'CLB Ánh Dương')).id;
    const closed = await anOrganization(t, 'Đơn vị đã giải thể');
    await t.app.get(OrganizationsService).update(cliContext(), closed.id, { name: closed.name, active: false });
    inactiveOrganizationId = closed.id;
  });
  afterAll(() => t.close());

  describe('the list', () => {
    it('shows each account with its role, organization, status and two-factor, linking to its page', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const page = await adminAgent.get(`${LIST}?page=1`).expect(200);
      expect(page.text).toContain('<title>Tài khoản · Nhịp Cầu</title>');
      expect(page.text).toContain('href="/admin/users/new"');
      // Sorted by username, 25 a page: on a database shared with other test files the row may be further on.
      const rowOf = async (username: string): Promise<string> => {
        for (let n = 1; n <= 100; n++) {
          const listed = await adminAgent.get(`${LIST}?page=${n}`).expect(200);
          const found = listed.text.split('<tr>').find((r) => r.includes(`>${username}<`));
          if (found) return found;
          if (!/rel="next"/.test(listed.text)) break;
        }
        throw new Error(`${username} is on no page of the list`);
      };
      const row = await rowOf(worker.username);
      expect(row).toContain(`href="/admin/users/${worker.userId}"`);
      expect(row).toContain('Nhân viên công tác xã hội');
      expect(row).toContain('Trung tâm CTXH Đống Đa');
      expect(row).toContain('Đang hoạt động');
      expect(row).toContain('Chưa bật');
      expect(await rowOf(admin.username)).toContain('Đã bật');
    });

    it('pages the list 25 accounts at a time', async () => {
      const users = t.app.get(UsersService);
      const missing = Math.max(0, 26 - (await userCount()));
      for (let i = 0; i < missing; i++)
        await users.create(cliContext(), {
          username: unique('filler'),
          role: 'peer_coordinator',
          organizationId: otherOrganizationId,
          password: 'a-long-test-password',
        });
      const total = await userCount();
      const first = await adminAgent.get(LIST).expect(200);
      expect(first.text).toContain(`Trang 1/${Math.ceil(total / 25)} · ${total} mục`);
      expect(first.text).toMatch(/href="\?page(=|&#x3D;)2" rel="next"/);
      const second = await adminAgent.get(`${LIST}?page=2`).expect(200);
      expect(second.text).toContain(`Trang 2/${Math.ceil(total / 25)}`);
    });
  });

  describe('creating an account', () => {
    it('shows the form with the four roles and the active organizations only', async () => {
      const page = await adminAgent.get(`${LIST}/new`).expect(200);
      expect(page.text).toContain('<title>Tạo tài khoản · Nhịp Cầu</title>');
      for (const role of ['admin', 'manager', 'social_worker', 'peer_coordinator'])
        expect(page.text).toContain(`<option value="${role}"`);
      expect(page.text).toContain('Điều phối viên nhóm');
      expect(page.text).toContain(`value="${otherOrganizationId}"`);
      expect(page.text).not.toContain(`value="${inactiveOrganizationId}"`);
    });

    it('creates the account and shows its temporary password once, never cached', async () => {
      const username = unique('lan').toLowerCase();
      const res = await post(LIST, { username, role: 'social_worker', organizationId: otherOrganizationId });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('<title>Mật khẩu tạm thời · Nhịp Cầu</title>');
      expect(res.text).toContain(`Đã tạo tài khoản ${username}.`);
      const password = temporaryPasswordIn(res.text);
      expect(password).toMatch(/^[A-Za-z0-9]{16}$/);

      const user = await stored(username);
      expect(user).toMatchObject({
        role: 'social_worker',
        organization_id: otherOrganizationId,
        active: true,
        must_change_password: true,
      });
      const edit = await adminAgent.get(`${LIST}/${user!.id}`).expect(200);
      expect(edit.text).not.toContain(password);
      expect(edit.headers['cache-control']).not.toBe('no-store');

      const created = (await auditRowsFor(t.dataSource, user!.id)).find((r) => r.action === 'user.created')!;
      expect(created).toMatchObject({
        actor_user_id: admin.userId,
        target_type: 'user',
        details: { role: 'social_worker' },
      });
    });

    it('lets the new user sign in with the temporary password, then makes them choose their own', async () => {
      const username = unique('minh').toLowerCase();
      const res = await post(LIST, { username, role: 'peer_coordinator', organizationId: otherOrganizationId });
      const password = temporaryPasswordIn(res.text);
      const agent = request.agent(t.app.getHttpServer());
      const signedIn = await submit(agent, '/login', { username, password });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.location).toBe('/account/password');
      await agent.get('/').expect(303).expect('Location', '/account/password');
    });

    it('stores a username typed in capitals in lower case', async () => {
      const username = unique('hoa').toLowerCase();
      const res = await post(LIST, {
        username: username.toUpperCase(),
        role: 'peer_coordinator',
        organizationId: otherOrganizationId,
      });
      expect(res.status).toBe(201);
      expect(await stored(username)).toBeDefined();
    });

    it.each([
      ['an empty username', { username: '' }, 'username', 'Chỉ dùng chữ thường không dấu'],
      ['a username with spaces and signs', { username: 'Nguyễn Văn A!' }, 'username', 'Chỉ dùng chữ thường không dấu'],
      ['a username too short', { username: 'ab' }, 'username', 'Chỉ dùng chữ thường không dấu'],
      ['no role', { role: '' }, 'role', 'Vui lòng chọn một vai trò.'],
      ['an unknown role', { role: 'superuser' }, 'role', 'Vui lòng chọn một vai trò.'],
      ['no organization', { organizationId: '' }, 'organizationId', 'Vui lòng chọn một đơn vị đang hoạt động.'],
      ['an unknown organization', { organizationId: randomUUID() }, 'organizationId', 'Vui lòng chọn một đơn vị'],
      ['a malformed organization id', { organizationId: 'not-an-id' }, 'organizationId', 'Vui lòng chọn một đơn vị'],
    ])('refuses %s with a message next to the field and saves nothing', async (_, change, field, message) => {
      const username = unique('bad').toLowerCase();
      const before = await userCount();
      const res = await post(LIST, {
        username,
        role: 'social_worker',
        organizationId: otherOrganizationId,
        ...change,
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, field)).toContain(message);
      expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
      expect(res.text).not.toContain('data-testid="temporary-password"');
      expect(await userCount()).toBe(before);
    });

    it('refuses an inactive organization and saves nothing', async () => {
      const username = unique('closed').toLowerCase();
      const res = await post(LIST, { username, role: 'social_worker', organizationId: inactiveOrganizationId });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'organizationId')).toBe('Vui lòng chọn một đơn vị đang hoạt động.');
      expect(res.text).toContain(`value="${username}"`);
      expect(await stored(username)).toBeUndefined();
    });

    it('refuses a username already taken, keeping the typed values, and saves nothing', async () => {
      const existing = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const before = await userCount();
      const res = await post(LIST, {
        username: existing.username,
        role: 'manager',
        organizationId: thirdOrganizationId,
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'username')).toBe('Tên đăng nhập này đã được dùng.');
      expect(res.text).toContain(`value="${existing.username}"`);
      expect(res.text).toMatch(new RegExp(`<option value="${thirdOrganizationId}" selected>`));
      expect(await userCount()).toBe(before);
      expect(await stored(existing.username)).toMatchObject({ role: 'social_worker' });
      expect(await actionsAbout(existing.userId)).toEqual(['user.created']);
    });
  });

  describe('editing an account', () => {
    it('shows the account with its role, organization and the actions, under a neutral title', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const page = await adminAgent.get(`${LIST}/${worker.userId}`).expect(200);
      expect(page.text).toContain('<title>Sửa tài khoản · Nhịp Cầu</title>');
      expect(page.text).toContain(worker.username);
      expect(page.text).toMatch(/<option value="social_worker" selected>/);
      expect(page.text).toMatch(new RegExp(`<option value="${otherOrganizationId}" selected>`));
      for (const action of ['reset-password', 'reset-totp', 'sign-out', 'deactivate'])
        expect(page.text).toContain(`action="/admin/users/${worker.userId}/${action}"`);
      expect(page.text).not.toContain(`/admin/users/${worker.userId}/activate"`);
      // Grants are for managers only: no checkboxes for a social worker.
      expect(page.text).not.toContain('name="grantedOrganizationIds"');
      expect(page.text).toContain('Chỉ cán bộ quản lý được xem số liệu tổng hợp');
    });

    it('changes role and organization, signs the user out everywhere and audits the change', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const workerAgent = await loginAs(t, worker);
      await workerAgent.get('/').expect(200);

      const res = await post(`${LIST}/${worker.userId}`, {
        role: 'peer_coordinator',
        organizationId: thirdOrganizationId,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${worker.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã cập nhật tài khoản.');

      expect(await storedById(worker.userId)).toMatchObject({
        role: 'peer_coordinator',
        organization_id: thirdOrganizationId,
      });
      await workerAgent.get('/').expect(303).expect('Location', '/login');
      const updated = (await auditRowsFor(t.dataSource, worker.userId)).find((r) => r.action === 'user.updated')!;
      expect(updated).toMatchObject({
        actor_user_id: admin.userId,
        organization_id: thirdOrganizationId,
        details: { changed: ['role', 'organization'], role: 'peer_coordinator' },
      });
    });

    it('grants a manager other organizations for aggregates, and drops them when the role changes', async () => {
      const manager = await aPersona(t, 'manager', { organizationId: otherOrganizationId });
      const page = await adminAgent.get(`${LIST}/${manager.userId}`).expect(200);
      expect(page.text).toContain(`name="grantedOrganizationIds" value="${thirdOrganizationId}"`);
      expect(page.text).not.toContain(`name="grantedOrganizationIds" value="${otherOrganizationId}"`);
      expect(page.text).not.toContain(`name="grantedOrganizationIds" value="${inactiveOrganizationId}"`);

      const granted = await post(`${LIST}/${manager.userId}`, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: [thirdOrganizationId, admin.organizationId],
      });
      expect(granted.status).toBe(303);
      expect((await grantsOf(manager.userId)).sort()).toEqual([thirdOrganizationId, admin.organizationId].sort());
      const after = await adminAgent.get(`${LIST}/${manager.userId}`).expect(200);
      expect(after.text).toContain(`value="${thirdOrganizationId}" id="grant-${thirdOrganizationId}" checked`);

      const one = await post(`${LIST}/${manager.userId}`, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: thirdOrganizationId,
      });
      expect(one.status).toBe(303);
      expect(await grantsOf(manager.userId)).toEqual([thirdOrganizationId]);

      const demoted = await post(`${LIST}/${manager.userId}`, {
        role: 'social_worker',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: thirdOrganizationId,
      });
      expect(demoted.status).toBe(303);
      expect(await grantsOf(manager.userId)).toEqual([]);
      const changes = (await auditRowsFor(t.dataSource, manager.userId))
        .filter((r) => r.action === 'user.updated')
        .map((r) => r.details.changed);
      expect(changes).toEqual([['grants'], ['grants'], ['role', 'grants']]);
    });

    it('keeps a grant to an organization deactivated since, and offers it checked', async () => {
      const manager = await aPersona(t, 'manager', { organizationId: otherOrganizationId });
      const closing = await anOrganization(t, 'Sắp ngừng');
      await t.app.get(UsersService).update(cliContext(), manager.userId, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: [closing.id],
      });
      await t.app.get(OrganizationsService).update(cliContext(), closing.id, { name: closing.name, active: false });

      const page = await adminAgent.get(`${LIST}/${manager.userId}`).expect(200);
      expect(page.text).toContain(`value="${closing.id}" id="grant-${closing.id}" checked`);
      expect(page.text).toContain('(ngừng hoạt động)');
      const res = await post(`${LIST}/${manager.userId}`, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: [closing.id, thirdOrganizationId],
      });
      expect(res.status).toBe(303);
      expect((await grantsOf(manager.userId)).sort()).toEqual([closing.id, thirdOrganizationId].sort());
    });

    it.each([
      ['an unknown role', { role: 'superuser' }, 'role', 'Vui lòng chọn một vai trò.'],
      ['no organization', { organizationId: '' }, 'organizationId', 'Vui lòng chọn một đơn vị đang hoạt động.'],
      ['an unknown organization', { organizationId: randomUUID() }, 'organizationId', 'Vui lòng chọn một đơn vị'],
      ['a malformed organization id', { organizationId: "x' OR 1=1" }, 'organizationId', 'Vui lòng chọn một đơn vị'],
      ['a malformed granted id', { grantedOrganizationIds: ['nope'] }, 'grantedOrganizationIds', 'Vui lòng chọn'],
      ['an unknown granted organization', { grantedOrganizationIds: [randomUUID()] }, 'grantedOrganizationIds', 'Vui'],
    ])('refuses %s with a message next to the field and saves nothing', async (_, change, field, message) => {
      const manager = await aPersona(t, 'manager', { organizationId: otherOrganizationId });
      const res = await post(`${LIST}/${manager.userId}`, {
        role: 'manager',
        organizationId: thirdOrganizationId,
        grantedOrganizationIds: [admin.organizationId],
        ...change,
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, field)).toContain(message);
      expect(await storedById(manager.userId)).toMatchObject({ role: 'manager', organization_id: otherOrganizationId });
      expect(await grantsOf(manager.userId)).toEqual([]);
      expect(await actionsAbout(manager.userId)).not.toContain('user.updated');
    });

    it('refuses to move an account into an inactive organization', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const res = await post(`${LIST}/${worker.userId}`, {
        role: 'social_worker',
        organizationId: inactiveOrganizationId,
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'organizationId')).toBe('Vui lòng chọn một đơn vị đang hoạt động.');
      expect(await storedById(worker.userId)).toMatchObject({ organization_id: otherOrganizationId });
    });

    it('refuses a newly granted inactive organization', async () => {
      const manager = await aPersona(t, 'manager', { organizationId: otherOrganizationId });
      const res = await post(`${LIST}/${manager.userId}`, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: [inactiveOrganizationId],
      });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'grantedOrganizationIds')).toBe('Vui lòng chọn một đơn vị đang hoạt động.');
      expect(await grantsOf(manager.userId)).toEqual([]);
    });

    it('refuses to let an admin change their own role', async () => {
      const res = await post(`${LIST}/${admin.userId}`, { role: 'manager', organizationId: admin.organizationId });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'role')).toBe('Bạn không thể tự đổi vai trò của mình.');
      expect(await storedById(admin.userId)).toMatchObject({ role: 'admin' });
      await adminAgent.get(LIST).expect(200);
    });
  });

  describe('account actions', () => {
    it('resets a password: shows a new temporary one uncached, ends their sessions, the old one stops working', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const workerAgent = await loginAs(t, worker);

      const res = await post(`${LIST}/${worker.userId}/reset-password`);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain(`Đã đặt lại mật khẩu cho ${worker.username}.`);
      const temporary = temporaryPasswordIn(res.text);

      await workerAgent.get('/').expect(303).expect('Location', '/login');
      expect((await signIn(worker.username, worker.password)).status).toBe(401);
      const withTemporary = await signIn(worker.username, temporary);
      expect(withTemporary.status).toBe(303);
      expect(withTemporary.headers.location).toBe('/account/password');
      expect(await actionsAbout(worker.userId)).toContain('user.password_reset');
    });

    it('deactivates an account: their session ends at once and they can no longer sign in', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const workerAgent = await loginAs(t, worker);
      await workerAgent.get('/').expect(200);

      const res = await post(`${LIST}/${worker.userId}/deactivate`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${worker.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã ngừng hoạt động tài khoản và đăng xuất trên mọi thiết bị.');
      expect(page.text).toContain(`action="/admin/users/${worker.userId}/activate"`);

      await workerAgent.get('/').expect(303).expect('Location', '/login');
      expect((await signIn(worker.username, worker.password)).status).toBe(401);
      expect(await storedById(worker.userId)).toMatchObject({ active: false });
      expect(page.text).toMatch(/data-testid="account-status"><span class="badge text-bg-secondary">Ngừng hoạt động</);
      expect(await actionsAbout(worker.userId)).toContain('user.deactivated');
    });

    it('reactivates an account so that it can sign in again', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      await t.app.get(UsersService).setActive(cliContext(), worker.userId, false);

      const res = await post(`${LIST}/${worker.userId}/activate`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${worker.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã kích hoạt lại tài khoản.');
      expect((await signIn(worker.username, worker.password)).status).toBe(303);
      expect(await storedById(worker.userId)).toMatchObject({ active: true });
      const rows = await auditRowsFor(t.dataSource, worker.userId);
      expect(rows.find((r) => r.action === 'user.activated')).toMatchObject({ actor_user_id: admin.userId });
    });

    it('refuses to let an admin deactivate their own account, with a message, changing nothing', async () => {
      const res = await post(`${LIST}/${admin.userId}/deactivate`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${admin.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('alert-danger');
      expect(page.text).toContain('Bạn không thể tự ngừng hoạt động tài khoản của mình.');
      expect(await storedById(admin.userId)).toMatchObject({ active: true });
      expect(await actionsAbout(admin.userId)).not.toContain('user.deactivated');
      await adminAgent.get(LIST).expect(200);
    });

    it('resets two-factor: the manager must enrol again at the next sign-in', async () => {
      const manager = await aPersona(t, 'manager', { organizationId: otherOrganizationId });
      const managerAgent = await loginAs(t, manager);

      const res = await post(`${LIST}/${manager.userId}/reset-totp`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${manager.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã đặt lại xác thực hai lớp');
      expect(page.text).toMatch(/data-testid="account-totp">Chưa bật</);

      await managerAgent.get('/').expect(303).expect('Location', '/login');
      const again = await signIn(manager.username, manager.password);
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe('/account/totp');
      expect(await storedById(manager.userId)).toMatchObject({ totp_enabled_at: null });
      expect(await actionsAbout(manager.userId)).toContain('user.totp_reset');
    });

    it('signs an account out everywhere, leaving it able to sign in again', async () => {
      const worker = await aPersona(t, 'social_worker', { organizationId: otherOrganizationId });
      const phone = await loginAs(t, worker);
      const laptop = await loginAs(t, worker);

      const res = await post(`${LIST}/${worker.userId}/sign-out`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${worker.userId}`);
      const page = await adminAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã đăng xuất tài khoản trên mọi thiết bị.');

      await phone.get('/').expect(303).expect('Location', '/login');
      await laptop.get('/').expect(303).expect('Location', '/login');
      expect((await signIn(worker.username, worker.password)).status).toBe(303);
      expect(await actionsAbout(worker.userId)).toContain('user.signed_out_everywhere');
    });

    it('answers 404 for an unknown or malformed account id on every page and action', async () => {
      // 36 hyphens has the length and the alphabet of an id, but is not one: still a 404, not a database error.
      for (const id of [randomUUID(), 'not-a-uuid', '1', '-'.repeat(36)]) {
        await adminAgent.get(`${LIST}/${id}`).expect(404);
        for (const action of ['', '/reset-password', '/deactivate', '/activate', '/reset-totp', '/sign-out']) {
          const res = await post(`${LIST}/${id}${action}`, {
            role: 'social_worker',
            organizationId: otherOrganizationId,
          });
          expect(res.status).toBe(404);
        }
      }
    });
  });

  describe('the audit trail', () => {
    it('records every action on an account, by the admin, with no password in any row or log line', async () => {
      const username = unique('audited').toLowerCase();
      const created = await post(LIST, { username, role: 'manager', organizationId: otherOrganizationId });
      const firstPassword = temporaryPasswordIn(created.text);
      const { id } = (await stored(username))!;
      await post(`${LIST}/${id}`, {
        role: 'manager',
        organizationId: otherOrganizationId,
        grantedOrganizationIds: thirdOrganizationId,
      });
      const reset = await post(`${LIST}/${id}/reset-password`);
      const secondPassword = temporaryPasswordIn(reset.text);
      await post(`${LIST}/${id}/reset-totp`);
      await post(`${LIST}/${id}/sign-out`);
      await post(`${LIST}/${id}/deactivate`);
      await post(`${LIST}/${id}/activate`);

      const rows = (await auditRowsFor(t.dataSource, id)).filter((r) => r.target_id === id);
      expect(rows.map((r) => r.action)).toEqual([
        'user.created',
        'user.updated',
        'user.password_reset',
        'user.totp_reset',
        'user.signed_out_everywhere',
        'user.deactivated',
        'user.activated',
      ]);
      for (const row of rows) {
        expect(row).toMatchObject({ actor_user_id: admin.userId, actor_name: admin.username, target_type: 'user' });
        expect(JSON.stringify(row.details)).not.toMatch(/password/i);
      }
      const everything = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_event'));
      const logs = t.logLines.join('\n');
      for (const secret of [firstPassword, secondPassword]) {
        expect(everything).not.toContain(secret);
        expect(logs).not.toContain(secret);
      }
    });
  });
});

describe('account administration, for anyone but an admin', () => {
  let t: TestApp;
  let target: Persona;
  const agents = new Map<Role, Agent>();

  beforeAll(async () => {
    t = await createTestApp();
    target = await aPersona(t, 'social_worker');
    for (const role of ['manager', 'social_worker', 'peer_coordinator'] as const)
      agents.set(role, await loginAs(t, await aPersona(t, role, { organizationId: target.organizationId })));
  });
  afterAll(() => t.close());

  const ROLES_DENIED = ['manager', 'social_worker', 'peer_coordinator'] as const;

  // A route naming an account answers 404 (it never confirms that the account exists); the others 403.
  it.each(ROLES_DENIED)('answers a %s 403 on the list and the new form, 404 on every account page', async (role) => {
    const agent = agents.get(role)!;
    for (const pattern of [LIST, `${LIST}/new`, `${LIST}/:id`]) {
      for (const id of [target.userId, randomUUID()]) {
        const path = pathOf(pattern, { id });
        const res = await agent.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: refusalFor(pattern) });
      }
    }
  });

  it.each(ROLES_DENIED)(
    'answers a %s 404 on every account form and 403 on the new one, changing nothing',
    async (role) => {
      const agent = agents.get(role)!;
      const before = await t.dataSource.query('SELECT count(*) AS n FROM app_user');
      for (const action of ['', '/reset-password', '/deactivate', '/activate', '/reset-totp', '/sign-out']) {
        const pattern = `${LIST}/:id${action}`;
        const path = pathOf(pattern, { id: target.userId });
        const res = await submit(agent, path, { role: 'admin', organizationId: target.organizationId }, '/');
        expect({ path, status: res.status }).toEqual({ path, status: refusalFor(pattern) });
      }
      const created = await submit(
        agent,
        LIST,
        { username: unique('intruder').toLowerCase(), role: 'admin', organizationId: target.organizationId },
        '/',
      );
      expect(created.status).toBe(403);
      expect(await t.dataSource.query('SELECT count(*) AS n FROM app_user')).toEqual(before);
      const rows = await auditRowsFor(t.dataSource, target.userId);
      expect(rows.map((r) => r.action)).toEqual(['user.created']);
      expect(await t.app.get(UsersService).get(target.userId)).toMatchObject({ role: 'social_worker', active: true });
    },
  );
});
