import { randomInt } from 'node:crypto';
import { cliContext } from '../../src/audit/audit.service';
import { localDay } from '../../src/clock/clock';
import { TargetScopeTakenError, TargetsService } from '../../src/targets/targets.service';
import { Agent, anOrganization, aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { actorOf } from '../support/fixtures';

jest.setTimeout(120_000);

const LIST = '/targets';
const NEW = '/targets/new';

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const rowOf = (html: string, id: string) =>
  new RegExp(`data-testid="target-${id}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? null;

interface StoredTarget {
  id: string;
  year: number;
  organization_id: string | null;
  district_code: string | null;
  reach_target: number;
  access_target: string;
  updated_by: string | null;
}

interface AuditRow {
  action: string;
  actor_user_id: string | null;
  organization_id: string | null;
  details: Record<string, unknown>;
}

describe('targets', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let admin: Persona;
  let managerA: Persona;
  let worker: Persona;
  let adminAgent: Agent;
  let managerAgent: Agent;
  let workerAgent: Agent;
  const usedYears = new Set<number>();

  beforeAll(async () => {
    t = await createTestApp();
    orgA = (await anOrganization(t, 'Đơn vị Chỉ tiêu A')).id;
    orgB = (await anOrganization(t, 'Đơn vị Chỉ tiêu B')).id;
    admin = await aPersona(t, 'admin', { organizationId: orgA });
    managerA = await aPersona(t, 'manager', { organizationId: orgA });
    worker = await aPersona(t, 'social_worker', { organizationId: orgA });
    [adminAgent, managerAgent, workerAgent] = await Promise.all([
      loginAs(t, admin),
      loginAs(t, managerA),
      loginAs(t, worker),
    ]);
  });
  afterAll(async () => {
    // Program-wide targets belong to every test file on a shared database: leave none behind.
    if (usedYears.size > 0) await t.dataSource.query(`DELETE FROM target WHERE year = ANY($1)`, [[...usedYears]]);
    await t.close();
  });

  /** A year no other test (of any file) has set a program-wide target for. */
  const aFreeYear = async (): Promise<number> => {
    for (;;) {
      const year = 2030 + randomInt(70);
      if (usedYears.has(year)) continue;
      const [{ n }] = await t.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM target WHERE year = $1 AND organization_id IS NULL`,
        [year],
      );
      if (n > 0) continue;
      usedYears.add(year);
      return year;
    }
  };

  const form = (fields: Record<string, string>) => ({
    scope: orgA,
    districtCode: '',
    reachTarget: '500',
    accessPercent: '60',
    ...fields,
  });

  const stored = (year: number): Promise<StoredTarget[]> =>
    t.dataSource.query(
      `SELECT id, year, organization_id, district_code, reach_target, access_target::text AS access_target, updated_by
         FROM target WHERE year = $1 ORDER BY organization_id NULLS FIRST, district_code NULLS FIRST`,
      [year],
    );

  const auditOf = (id: string): Promise<AuditRow[]> =>
    t.dataSource.query(
      `SELECT action, actor_user_id, organization_id, details FROM audit_event
        WHERE target_type = 'target' AND target_id = $1 ORDER BY id`,
      [id],
    );

  /** A target set through the service, as the pages do. */
  const aTarget = async (
    by: Persona,
    year: number,
    organizationId: string | null,
    districtCode: string | null = null,
    reachTarget = 400,
    accessTarget = '0.5000',
  ) =>
    t.app
      .get(TargetsService)
      .create(actorOf(by), cliContext(), { year, organizationId, districtCode, reachTarget, accessTarget });

  describe('access', () => {
    it('answers 403 to a social worker on the list and the form, and 404 on a target’s routes', async () => {
      const year = await aFreeYear();
      const target = await aTarget(admin, year, orgA);
      await workerAgent.get(LIST).expect(403);
      await workerAgent.get(`${LIST}?year=${year}`).expect(403);
      await workerAgent.get(NEW).expect(403);
      expect((await submit(workerAgent, NEW, form({ year: String(year) }), '/')).status).toBe(403);
      await workerAgent.get(`${LIST}/${target.id}/edit`).expect(404);
      expect((await submit(workerAgent, `${LIST}/${target.id}/delete`, {}, '/')).status).toBe(404);
      expect(await stored(year)).toHaveLength(1);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      await adminAgent.get(`${LIST}/00000000-0000-4000-8000-000000000000/edit`).expect(404);
      await adminAgent.get(`${LIST}/not-an-id/edit`).expect(404);
      const res = await submit(adminAgent, `${LIST}/not-an-id/delete`, {}, LIST);
      expect(res.status).toBe(404);
    });
  });

  describe('the list', () => {
    it('opens on the current year in Hanoi and shows the default that applies when nothing is set', async () => {
      const year = Number(localDay(t.clock.now()).slice(0, 4));
      const page = await managerAgent.get(LIST).expect(200);
      expect(page.text).toContain(`Chỉ tiêu ${year}</h1>`);
      expect(page.text).toContain('mức mặc định là 500 lượt tiếp cận và tỷ lệ 60%');
      expect(/<title>([^<]*)<\/title>/.exec(page.text)?.[1]).toBe('Chỉ tiêu · Nhịp Cầu');
    });

    it('shows the default as in force for a year with no target', async () => {
      const year = await aFreeYear();
      const page = await adminAgent.get(`${LIST}?year=${year}`).expect(200);
      expect(page.text).toContain('data-testid="targets-empty"');
      const inForce = /data-testid="in-force">[\s\S]*?<\/div>\s*<\/div>/.exec(page.text)?.[0] ?? '';
      expect(inForce).toContain('500 lượt tiếp cận, tỷ lệ tiếp cận 60%');
      expect(inForce).toContain('mức mặc định');
    });

    it('explains a year that is not one, and shows the current year instead', async () => {
      const year = Number(localDay(t.clock.now()).slice(0, 4));
      for (const bad of ['1800', 'abc', '2101']) {
        const page = await adminAgent.get(`${LIST}?year=${bad}`).expect(200);
        expect(fieldError(page.text, 'year')).toBe('Hãy nhập một năm từ 2000 đến 2100.');
        expect(page.text).toContain(`Chỉ tiêu ${year}</h1>`);
      }
    });
  });

  describe('an administrator', () => {
    it('sets a program-wide target, shown as a percent and stored as a fraction, audited', async () => {
      const year = await aFreeYear();
      const res = await submit(
        adminAgent,
        NEW,
        form({ year: String(year), scope: 'program', reachTarget: '1200', accessPercent: '62,5' }),
        NEW,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${LIST}?year=${year}`);
      const [row] = await stored(year);
      expect(row).toMatchObject({
        organization_id: null,
        district_code: null,
        reach_target: 1200,
        access_target: '0.6250',
        updated_by: admin.userId,
      });
      const page = await adminAgent.get(res.headers.location as string).expect(200);
      expect(page.text).toContain('Đã lưu chỉ tiêu.');
      const shown = rowOf(page.text, row.id) ?? '';
      expect(shown).toContain('Toàn chương trình');
      expect(shown).toContain('1200');
      expect(shown).toContain('62.5%');
      expect(page.text).toContain('1200 lượt tiếp cận, tỷ lệ tiếp cận 62.5%');
      expect(page.text).toContain('theo chỉ tiêu toàn chương trình');
      expect(await auditOf(row.id)).toEqual([
        {
          action: 'target.saved',
          actor_user_id: admin.userId,
          organization_id: null,
          details: {
            change: 'created',
            year,
            organizationId: null,
            districtCode: null,
            reachTarget: 1200,
            accessTarget: 0.625,
          },
        },
      ]);
    });

    it('sets the target of any organization, for one district, and edits it', async () => {
      const year = await aFreeYear();
      const res = await submit(
        adminAgent,
        NEW,
        form({ year: String(year), scope: orgB, districtCode: 'hoan-kiem', reachTarget: '300', accessPercent: '55' }),
        NEW,
      );
      expect(res.status).toBe(303);
      const [row] = await stored(year);
      expect(row).toMatchObject({ organization_id: orgB, district_code: 'hoan-kiem', reach_target: 300 });
      const edit = await adminAgent.get(`${LIST}/${row.id}/edit`).expect(200);
      expect(edit.text).toContain('value="55"');
      const saved = await submit(
        adminAgent,
        `${LIST}/${row.id}/edit`,
        form({ year: String(year), scope: orgB, districtCode: 'hoan-kiem', reachTarget: '350', accessPercent: '57.5' }),
        `${LIST}/${row.id}/edit`,
      );
      expect(saved.status).toBe(303);
      expect((await stored(year))[0]).toMatchObject({ reach_target: 350, access_target: '0.5750' });
      const audit = await auditOf(row.id);
      expect(audit.map((a) => [a.action, a.details.change, a.organization_id])).toEqual([
        ['target.saved', 'created', orgB],
        ['target.saved', 'updated', orgB],
      ]);
      expect(audit[1].details).toMatchObject({ districtCode: 'hoan-kiem', reachTarget: 350, accessTarget: 0.575 });
    });

    it('removes a target, audited, and the next rule applies again', async () => {
      const year = await aFreeYear();
      const target = await aTarget(admin, year, null, null, 900, '0.7000');
      const before = await adminAgent.get(`${LIST}?year=${year}`).expect(200);
      expect(before.text).toContain('900 lượt tiếp cận, tỷ lệ tiếp cận 70%');
      const res = await submit(adminAgent, `${LIST}/${target.id}/delete`, {}, `${LIST}/${target.id}/edit`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${LIST}?year=${year}`);
      expect(await stored(year)).toHaveLength(0);
      const after = await adminAgent.get(`${LIST}?year=${year}`).expect(200);
      expect(after.text).toContain('Đã xóa chỉ tiêu.');
      expect(after.text).toContain('500 lượt tiếp cận, tỷ lệ tiếp cận 60%');
      const audit = await auditOf(target.id);
      expect(audit.map((a) => a.action)).toEqual(['target.saved', 'target.deleted']);
      expect(audit[1].details).toMatchObject({ change: 'deleted', year, organizationId: null, reachTarget: 900 });
    });

    it('refuses a second target for the same year, scope and district, with a link to the first', async () => {
      const year = await aFreeYear();
      const first = await aTarget(admin, year, null);
      const res = await submit(adminAgent, NEW, form({ year: String(year), scope: 'program' }), NEW);
      expect(res.status).toBe(422);
      expect(res.text).toContain('Đã có chỉ tiêu cho năm, phạm vi và quận/huyện này.');
      expect(res.text).toContain(`href="/targets/${first.id}/edit" data-testid="existing-link"`);
      // The same scope with a district, or another organization, is another target.
      expect(
        (await submit(adminAgent, NEW, form({ year: String(year), scope: 'program', districtCode: 'ba-dinh' }), NEW))
          .status,
      ).toBe(303);
      const orgTarget = await submit(adminAgent, NEW, form({ year: String(year), scope: orgA }), NEW);
      expect(orgTarget.status).toBe(303);
      // Moving a target onto the scope of another is refused too.
      const rows = await stored(year);
      const ofOrg = rows.find((r) => r.organization_id === orgA)!;
      const moved = await submit(
        adminAgent,
        `${LIST}/${ofOrg.id}/edit`,
        form({ year: String(year), scope: 'program' }),
        `${LIST}/${ofOrg.id}/edit`,
      );
      expect(moved.status).toBe(422);
      expect(moved.text).toContain('Đã có chỉ tiêu cho năm, phạm vi và quận/huyện này.');
      expect(await stored(year)).toHaveLength(3);
    });

    it('refuses bad input field by field, in both languages, and saves nothing', async () => {
      const year = await aFreeYear();
      const bad = form({
        year: '1800',
        scope: 'program',
        reachTarget: '0',
        accessPercent: '150',
        districtCode: 'atlantis',
      });
      const res = await submit(adminAgent, NEW, bad, NEW);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'year')).toBe('Hãy nhập một năm từ 2000 đến 2100.');
      expect(fieldError(res.text, 'reachTarget')).toBe(
        'Hãy nhập số lượt tiếp cận là một số nguyên từ 1 đến 1.000.000.',
      );
      expect(fieldError(res.text, 'accessPercent')).toBe(
        'Hãy nhập tỷ lệ phần trăm từ 1 đến 100, tối đa một chữ số thập phân (ví dụ 60 hoặc 62,5).',
      );
      expect(fieldError(res.text, 'districtCode')).toBe('Hãy chọn một quận/huyện trong danh sách.');
      // What was typed is shown again.
      expect(res.text).toContain('value="1800"');
      expect(res.text).toContain('value="150"');
      const letters = await submit(
        adminAgent,
        NEW,
        form({ year: 'năm', scope: 'nobody', reachTarget: 'năm trăm', accessPercent: 'sáu mươi' }),
        NEW,
      );
      expect(letters.status).toBe(422);
      expect(fieldError(letters.text, 'year')).toBe('Hãy nhập một năm từ 2000 đến 2100.');
      expect(fieldError(letters.text, 'scope')).toBe('Hãy chọn toàn chương trình hoặc một đơn vị trong danh sách.');
      expect(fieldError(letters.text, 'reachTarget')).not.toBeNull();
      expect(fieldError(letters.text, 'accessPercent')).not.toBeNull();
      const decimals = await submit(
        adminAgent,
        NEW,
        form({ year: String(year), reachTarget: '12.5', accessPercent: '62.55' }),
        NEW,
      );
      expect(decimals.status).toBe(422);
      expect(fieldError(decimals.text, 'reachTarget')).not.toBeNull();
      expect(fieldError(decimals.text, 'accessPercent')).not.toBeNull();
      const missing = await submit(adminAgent, NEW, {}, NEW);
      expect(missing.status).toBe(422);
      for (const field of ['year', 'scope', 'reachTarget', 'accessPercent']) {
        expect(fieldError(missing.text, field)).not.toBeNull();
      }

      await submit(adminAgent, '/lang', { lang: 'en', next: NEW }, NEW).then((r) => expect(r.status).toBe(303));
      const english = await submit(adminAgent, NEW, bad, NEW);
      expect(english.status).toBe(422);
      expect(fieldError(english.text, 'year')).toBe('Enter a year from 2000 to 2100.');
      expect(fieldError(english.text, 'reachTarget')).toBe(
        'Enter the number of outreach contacts as a whole number from 1 to 1,000,000.',
      );
      expect(fieldError(english.text, 'accessPercent')).toBe(
        'Enter a percentage from 1 to 100, with at most one decimal (for example 60 or 62.5).',
      );
      expect(fieldError(english.text, 'districtCode')).toBe('Choose a district from the list.');
      await submit(adminAgent, '/lang', { lang: 'vi', next: LIST }, LIST);

      expect(await stored(1800)).toHaveLength(0);
      expect(await stored(year)).toHaveLength(0);
    });
  });

  describe('a manager', () => {
    it('sets a target for their own organization, and sees the program’s read-only but not another organization’s', async () => {
      const year = await aFreeYear();
      const program = await aTarget(admin, year, null, null, 800, '0.6500');
      const other = await aTarget(admin, year, orgB, null, 100, '0.2000');
      const form0 = await managerAgent.get(`${NEW}?year=${year}`).expect(200);
      expect(form0.text).toContain(`value="${year}"`);
      // Their own organization is the only scope offered.
      expect(form0.text).not.toContain('value="program"');
      expect(form0.text).not.toContain(`value="${orgB}"`);
      const res = await submit(
        managerAgent,
        NEW,
        form({ year: String(year), reachTarget: '450', accessPercent: '61' }),
        NEW,
      );
      expect(res.status).toBe(303);
      const own = (await stored(year)).find((r) => r.organization_id === orgA)!;
      expect(own).toMatchObject({ reach_target: 450, access_target: '0.6100', updated_by: managerA.userId });
      expect((await auditOf(own.id)).map((a) => [a.action, a.actor_user_id, a.organization_id])).toEqual([
        ['target.saved', managerA.userId, orgA],
      ]);

      const page = await managerAgent.get(`${LIST}?year=${year}`).expect(200);
      const programRow = rowOf(page.text, program.id) ?? '';
      expect(programRow).toContain('Toàn chương trình');
      expect(programRow).toContain('data-testid="read-only"');
      expect(programRow).not.toContain('/edit');
      expect(rowOf(page.text, own.id)).toContain(`href="/targets/${own.id}/edit"`);
      expect(rowOf(page.text, other.id)).toBeNull();
      expect(page.text).toContain('Đang áp dụng cho đơn vị của bạn');
      expect(page.text).toContain('450 lượt tiếp cận, tỷ lệ tiếp cận 61%');
    });

    it('answers 404 on another organization’s target and changes nothing', async () => {
      const year = await aFreeYear();
      const other = await aTarget(admin, year, orgB);
      await managerAgent.get(`${LIST}/${other.id}/edit`).expect(404);
      const edit = await submit(
        managerAgent,
        `${LIST}/${other.id}/edit`,
        form({ year: String(year), scope: orgA }),
        LIST,
      );
      expect(edit.status).toBe(404);
      expect((await submit(managerAgent, `${LIST}/${other.id}/delete`, {}, LIST)).status).toBe(404);
      expect(await stored(year)).toMatchObject([{ id: other.id, organization_id: orgB, reach_target: 400 }]);
      expect((await auditOf(other.id)).map((a) => a.action)).toEqual(['target.saved']);
    });

    it('cannot change a program-wide target (403) nor set one (a clear message), nor one of another organization', async () => {
      const year = await aFreeYear();
      const program = await aTarget(admin, year, null);
      await managerAgent.get(`${LIST}/${program.id}/edit`).expect(403);
      expect((await submit(managerAgent, `${LIST}/${program.id}/delete`, {}, LIST)).status).toBe(403);
      const asProgram = await submit(
        managerAgent,
        NEW,
        form({ year: String(year), scope: 'program', districtCode: 'ba-dinh' }),
        NEW,
      );
      expect(asProgram.status).toBe(422);
      expect(fieldError(asProgram.text, 'scope')).toBe(
        'Chỉ quản trị hệ thống mới đặt được chỉ tiêu toàn chương trình. Hãy chọn đơn vị của bạn.',
      );
      const asOther = await submit(managerAgent, NEW, form({ year: String(year), scope: orgB }), NEW);
      expect(asOther.status).toBe(422);
      expect(fieldError(asOther.text, 'scope')).toBe('Hãy chọn toàn chương trình hoặc một đơn vị trong danh sách.');
      expect(await stored(year)).toHaveLength(1);
    });

    it('is sent to the target their organization already has for the year when setting it again', async () => {
      const year = await aFreeYear();
      const existing = await aTarget(admin, year, orgA);
      const res = await submit(managerAgent, NEW, form({ year: String(year) }), NEW);
      expect(res.status).toBe(422);
      expect(res.text).toContain('Đã có chỉ tiêu cho năm, phạm vi và quận/huyện này.');
      expect(res.text).toContain(`href="/targets/${existing.id}/edit" data-testid="existing-link"`);
      expect(await stored(year)).toHaveLength(1);
    });
  });

  describe('the database', () => {
    it('keeps one target per scope when two are saved at once (the unique index, not only the form)', async () => {
      const year = await aFreeYear();
      const outcomes = await Promise.allSettled([aTarget(admin, year, null), aTarget(admin, year, null)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      expect(refused.reason).toBeInstanceOf(TargetScopeTakenError);
      expect(await stored(year)).toHaveLength(1);
      // NULL district and NULL organization count as one scope in the index itself.
      await expect(
        t.dataSource.query(`INSERT INTO target (year, reach_target, access_target) VALUES ($1, 10, 0.5)`, [year]),
      ).rejects.toMatchObject({ code: '23505' });
    });
  });

  describe('resolve (the target the dashboard shows)', () => {
    it('follows district, organization, program, default — and says which rule applied', async () => {
      const year = await aFreeYear();
      const targets = t.app.get(TargetsService);
      expect(await targets.resolve(year, [orgA])).toEqual({ reach: 500, accessRate: 0.6, source: 'default' });
      expect(await targets.resolve(year, 'all', 'hoan-kiem')).toEqual({
        reach: 500,
        accessRate: 0.6,
        source: 'default',
      });

      await aTarget(admin, year, null, null, 1000, '0.6500');
      expect(await targets.resolve(year, [orgA])).toEqual({ reach: 1000, accessRate: 0.65, source: 'program' });
      expect(await targets.resolve(year, 'all')).toMatchObject({ reach: 1000, source: 'program' });

      await aTarget(admin, year, orgA, null, 400, '0.5500');
      expect(await targets.resolve(year, [orgA])).toEqual({ reach: 400, accessRate: 0.55, source: 'organization' });
      expect(await targets.resolve(year, [orgA, orgA])).toMatchObject({ reach: 400, source: 'organization' });
      // Several organizations, or all: the program's target, never one organization's.
      expect(await targets.resolve(year, [orgA, orgB])).toMatchObject({ reach: 1000, source: 'program' });
      expect(await targets.resolve(year, [orgB])).toMatchObject({ reach: 1000, source: 'program' });
      // A district with no district target: the rules without a district, and their source.
      expect(await targets.resolve(year, [orgA], 'hoan-kiem')).toMatchObject({ reach: 400, source: 'organization' });

      await aTarget(admin, year, null, 'hoan-kiem', 200, '0.6000');
      expect(await targets.resolve(year, [orgA], 'hoan-kiem')).toEqual({
        reach: 200,
        accessRate: 0.6,
        source: 'district',
      });
      expect(await targets.resolve(year, 'all', 'hoan-kiem')).toMatchObject({ reach: 200, source: 'district' });

      await aTarget(admin, year, orgA, 'hoan-kiem', 50, '0.7000');
      expect(await targets.resolve(year, [orgA], 'hoan-kiem')).toEqual({
        reach: 50,
        accessRate: 0.7,
        source: 'district',
      });
      expect(await targets.resolve(year, [orgB], 'hoan-kiem')).toMatchObject({ reach: 200, source: 'district' });
      expect(await targets.resolve(year, [orgA, orgB], 'hoan-kiem')).toMatchObject({ reach: 200, source: 'district' });
      expect(await targets.resolve(year, [orgA], 'ba-dinh')).toMatchObject({ reach: 400, source: 'organization' });
      expect(await targets.resolve(year, [orgA], null)).toMatchObject({ reach: 400, source: 'organization' });
    });
  });
});
