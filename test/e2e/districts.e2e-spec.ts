import { cliContext } from '../../src/audit/audit.service';
import type { Role } from '../../src/auth/permissions';
import type { District } from '../../src/geography/district.entity';
import { DistrictsService } from '../../src/geography/districts.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { auditRowsFor } from '../support/audit';

const LIST = '/admin/districts';
const NEW = '/admin/districts/new';

/** The codes of the seed migration: Hanoi's 12 urban districts, Sơn Tây town and 17 rural districts. */
const SEEDED_CODES = [
  'ba-dinh',
  'hoan-kiem',
  'tay-ho',
  'long-bien',
  'cau-giay',
  'dong-da',
  'hai-ba-trung',
  'hoang-mai',
  'thanh-xuan',
  'nam-tu-liem',
  'bac-tu-liem',
  'ha-dong',
  'son-tay',
  'ba-vi',
  'phuc-tho',
  'dan-phuong',
  'hoai-duc',
  'quoc-oai',
  'thach-that',
  'chuong-my',
  'thanh-oai',
  'thuong-tin',
  'phu-xuyen',
  'ung-hoa',
  'my-duc',
  'soc-son',
  'dong-anh',
  'gia-lam',
  'me-linh',
  'thanh-tri',
];

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback">([^<]*)<`).exec(html)?.[1] ?? null;

/** The value a text input is rendered with. */
const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}" type="text" value="([^"]*)"`).exec(html)?.[1] ?? null;

const selectedKind = (html: string): string | null =>
  /<select[^>]*name="kind"[\s\S]*?<option value="(\w+)" selected>/.exec(html)?.[1] ?? null;

const isTicked = (html: string) => /name="active" value="1" checked/.test(html);

const rowOf = (html: string, code: string) =>
  new RegExp(`data-testid="district-${code}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? null;

/** A valid form; an override of `undefined` leaves that field out, as a browser would. */
const validFields = (overrides: Record<string, string | undefined> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries({
      code: unique('quan'),
      name: 'Quận Thử Nghiệm',
      kind: 'urban',
      sortOrder: '500',
      active: '1',
      ...overrides,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

describe('district admin pages', () => {
  let t: TestApp;
  let admin: Persona;
  let agent: Agent;
  const districts = () => t.app.get(DistrictsService);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    agent = await loginAs(t, admin);
  });
  afterAll(() => t.close());

  /** A district of this test only (the seeded ones are shared with other test files). */
  const aDistrict = async (overrides: Partial<District> = {}): Promise<District> => {
    const district: District = {
      code: unique('huyen'),
      name: 'Huyện Mẫu',
      kind: 'rural',
      active: true,
      sortOrder: 900,
      ...overrides,
    };
    await districts().create(cliContext(), district);
    return district;
  };

  const stored = async (code: string): Promise<District | null> =>
    (await districts().listAll()).find((d) => d.code === code) ?? null;

  const auditRows = async (action: string, code: string) =>
    (await auditRowsFor(t.dataSource, admin.userId)).filter((r) => r.action === action && r.target_id === code);

  describe('list', () => {
    it('shows all 30 seeded districts of Hanoi under a neutral title', async () => {
      const page = await agent.get(LIST).expect(200);
      expect(page.text).toContain('<title>Địa bàn · Nhịp Cầu</title>');
      for (const code of SEEDED_CODES) expect(rowOf(page.text, code)).not.toBeNull();
    });

    it('shows each district with its Vietnamese name, kind, status, order and an edit link', async () => {
      const page = await agent.get(LIST).expect(200);
      const row = rowOf(page.text, 'hai-ba-trung')!;
      expect(row).toContain('Hai Bà Trưng');
      expect(row).toContain('<td>Quận</td>');
      expect(row).toContain('<td>70</td>');
      expect(row).toContain('Đang hoạt động');
      expect(row).toContain('href="/admin/districts/hai-ba-trung"');
      expect(rowOf(page.text, 'son-tay')).toContain('<td>Thị xã</td>');
      expect(rowOf(page.text, 'ba-vi')).toContain('<td>Huyện</td>');
    });

    it('lists districts by display order', async () => {
      const page = await agent.get(LIST).expect(200);
      const position = (code: string) => page.text.indexOf(`data-testid="district-${code}"`);
      expect(position('ba-dinh')).toBeLessThan(position('hoan-kiem'));
      expect(position('ha-dong')).toBeLessThan(position('son-tay'));
      expect(position('me-linh')).toBeLessThan(position('thanh-tri'));
    });

    it('shows an inactive district as inactive', async () => {
      const district = await aDistrict({ active: false });
      const page = await agent.get(LIST).expect(200);
      expect(rowOf(page.text, district.code)).toContain('Ngừng hoạt động');
    });

    it('shows the kind labels in English once English is chosen', async () => {
      const english = await loginAs(t, admin);
      await submit(english, '/lang', { lang: 'en', next: LIST }, LIST).then((r) => expect(r.status).toBe(303));
      const page = await english.get(LIST).expect(200);
      expect(rowOf(page.text, 'hai-ba-trung')).toContain('<td>Urban district</td>');
      expect(rowOf(page.text, 'son-tay')).toContain('<td>Town</td>');
      expect(rowOf(page.text, 'ba-vi')).toContain('<td>Rural district</td>');
    });
  });

  describe('creating', () => {
    it('shows a form with the three kinds, ticked as active and placed after the last district', async () => {
      const page = await agent.get(NEW).expect(200);
      expect(page.text).toContain('<title>Thêm địa bàn · Nhịp Cầu</title>');
      expect(page.text).toContain('<option value="urban">Quận</option>');
      expect(page.text).toContain('<option value="town">Thị xã</option>');
      expect(page.text).toContain('<option value="rural">Huyện</option>');
      expect(isTicked(page.text)).toBe(true);
      const last = Math.max(...(await districts().listAll()).map((d) => d.sortOrder));
      expect(inputValue(page.text, 'sortOrder')).toBe(String(last + 10));
    });

    it('adds a district with its code in lower case, then shows the list with a message', async () => {
      const code = unique('Thi-Xa-Moi');
      const res = await submit(
        agent,
        LIST,
        validFields({ code, name: 'Thị xã Mới', kind: 'town', sortOrder: '305' }),
        NEW,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);
      expect(await stored(code.toLowerCase())).toEqual({
        code: code.toLowerCase(),
        name: 'Thị xã Mới',
        kind: 'town',
        active: true,
        sortOrder: 305,
      });
      const list = await agent.get(LIST).expect(200);
      expect(list.text).toContain('Đã thêm địa bàn.');
      expect(rowOf(list.text, code.toLowerCase())).toContain('Thị xã Mới');
    });

    it('adds an inactive district when the box is unticked, with sort orders 0 and 100000 accepted', async () => {
      const { active: _, ...fields } = validFields({ sortOrder: '0' });
      await submit(agent, LIST, fields, NEW).then((r) => expect(r.status).toBe(303));
      expect(await stored(fields.code)).toMatchObject({ active: false, sortOrder: 0 });

      const top = validFields({ sortOrder: '100000' });
      await submit(agent, LIST, top, NEW).then((r) => expect(r.status).toBe(303));
      expect((await stored(top.code))?.sortOrder).toBe(100000);
    });

    it('audits the creation', async () => {
      const fields = validFields();
      await submit(agent, LIST, fields, NEW).then((r) => expect(r.status).toBe(303));
      const rows = await auditRows('district.created', fields.code);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ target_type: 'district', organization_id: null, outcome: 'success' });
    });

    it.each([
      ['code', 'an empty code', { code: '' }, 'Chỉ dùng chữ thường không dấu, số và gạch ngang'],
      ['code', 'a code with spaces', { code: 'hai ba trung' }, 'Chỉ dùng chữ thường không dấu, số và gạch ngang'],
      ['code', 'a code with accents', { code: 'hai-bà-trưng' }, 'Chỉ dùng chữ thường không dấu, số và gạch ngang'],
      ['code', 'a code ending in a hyphen', { code: 'hai-ba-' }, 'Chỉ dùng chữ thường không dấu, số và gạch ngang'],
      ['code', 'a code too long', { code: 'a'.repeat(41) }, 'Chỉ dùng chữ thường không dấu, số và gạch ngang'],
      ['code', 'the code of the new-district page', { code: 'NEW' }, 'Mã này được hệ thống dùng riêng'],
      ['name', 'an empty name', { name: '' }, 'Vui lòng nhập mục này.'],
      ['name', 'a missing name', { name: undefined }, 'Vui lòng nhập mục này.'],
      ['name', 'a name of spaces only', { name: '   ' }, 'Vui lòng nhập mục này.'],
      ['name', 'a name over 120 characters', { name: 'x'.repeat(121) }, 'Quá dài (tối đa 120 ký tự).'],
      ['kind', 'no kind', { kind: '' }, 'Vui lòng chọn loại địa bàn.'],
      ['kind', 'an unknown kind', { kind: 'province' }, 'Vui lòng chọn loại địa bàn.'],
      ['sortOrder', 'an empty sort order', { sortOrder: '' }, 'Vui lòng nhập một số nguyên.'],
      ['sortOrder', 'a word as sort order', { sortOrder: 'first' }, 'Vui lòng nhập một số nguyên.'],
      ['sortOrder', 'a negative sort order', { sortOrder: '-1' }, 'Vui lòng nhập một số nguyên.'],
      ['sortOrder', 'a decimal sort order', { sortOrder: '1.5' }, 'Vui lòng nhập một số nguyên.'],
      ['sortOrder', 'a sort order over 100000', { sortOrder: '100001' }, 'Vui lòng nhập số nguyên từ 0 đến 100000.'],
      ['sortOrder', 'a huge sort order', { sortOrder: '99999999999' }, 'Vui lòng nhập một số nguyên.'],
      ['active', 'a forged status', { active: 'yes' }, 'Giá trị không hợp lệ.'],
    ])(
      'refuses %s next to the field (%s), keeps the values and saves nothing',
      async (field, _, overrides, message) => {
        const fields = validFields({ name: unique('Giữ lại'), ...overrides });
        const res = await submit(agent, LIST, fields, NEW);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, field)).toContain(message);
        for (const other of ['code', 'name', 'kind', 'sortOrder', 'active'].filter((f) => f !== field)) {
          expect(fieldError(res.text, other)).toBeNull();
        }
        expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
        if (field !== 'name') expect(inputValue(res.text, 'name')).toBe(fields.name);
        if (field !== 'code') expect(inputValue(res.text, 'code')).toBe(fields.code);
        if (field !== 'kind') expect(selectedKind(res.text)).toBe(fields.kind);
        const [{ count }] = await t.dataSource.query(
          `SELECT count(*)::int AS count FROM district WHERE code = $1 OR name = $2`,
          [fields.code.toLowerCase(), fields.name ?? ''],
        );
        expect(count).toBe(0);
      },
    );

    it('shows every error at once when several fields are wrong', async () => {
      const res = await submit(agent, LIST, { code: 'Bad Code', name: '', kind: 'x', sortOrder: '100001' }, NEW);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'code')).not.toBeNull();
      expect(fieldError(res.text, 'name')).not.toBeNull();
      expect(fieldError(res.text, 'kind')).not.toBeNull();
      expect(fieldError(res.text, 'sortOrder')).toBe('Vui lòng nhập số nguyên từ 0 đến 100000.');
    });

    it('refuses a code that is already taken, in any letter case, and changes nothing', async () => {
      for (const code of ['hai-ba-trung', 'Hai-Ba-Trung']) {
        const res = await submit(agent, LIST, validFields({ code, name: 'Trùng mã' }), NEW);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'code')).toBe('Mã địa bàn này đã tồn tại.');
        expect(inputValue(res.text, 'name')).toBe('Trùng mã');
      }
      expect((await stored('hai-ba-trung'))?.name).toBe('Hai Bà Trưng');
      expect(await auditRows('district.created', 'hai-ba-trung')).toEqual([]);
    });
  });

  describe('editing', () => {
    it('shows the code read-only and the current name, kind, order and status', async () => {
      const page = await agent.get(`${LIST}/hai-ba-trung`).expect(200);
      expect(page.text).toContain('<title>Sửa địa bàn · Nhịp Cầu</title>');
      expect(page.text).toContain('id="code" type="text" value="hai-ba-trung" readonly');
      expect(page.text).not.toContain('name="code"');
      expect(inputValue(page.text, 'name')).toBe('Hai Bà Trưng');
      expect(selectedKind(page.text)).toBe('urban');
      expect(inputValue(page.text, 'sortOrder')).toBe('70');
      expect(isTicked(page.text)).toBe(true);
      expect(page.text).toContain('action="/admin/districts/hai-ba-trung"');
    });

    it('saves the new name, kind and order, shows a message and audits the changed fields', async () => {
      const district = await aDistrict({ name: 'Huyện Cũ', kind: 'rural', sortOrder: 910 });
      const path = `${LIST}/${district.code}`;
      const res = await submit(agent, path, { name: 'Quận Mới', kind: 'urban', sortOrder: '15', active: '1' }, path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);
      expect(await stored(district.code)).toEqual({
        code: district.code,
        name: 'Quận Mới',
        kind: 'urban',
        active: true,
        sortOrder: 15,
      });
      expect((await agent.get(LIST)).text).toContain('Đã cập nhật địa bàn.');
      const rows = await auditRows('district.updated', district.code);
      expect(rows).toHaveLength(1);
      expect(rows[0].organization_id).toBeNull();
      expect((rows[0].details.changed as string[]).sort()).toEqual(['kind', 'name', 'sortOrder']);
    });

    it('deactivates a district when the box is unticked, and reactivates it', async () => {
      const district = await aDistrict();
      const path = `${LIST}/${district.code}`;
      const fields = { name: district.name, kind: district.kind, sortOrder: String(district.sortOrder) };
      await submit(agent, path, fields, path).then((r) => expect(r.status).toBe(303));
      expect((await stored(district.code))?.active).toBe(false);
      expect(isTicked((await agent.get(path)).text)).toBe(false);
      expect(rowOf((await agent.get(LIST)).text, district.code)).toContain('Ngừng hoạt động');

      await submit(agent, path, { ...fields, active: '1' }, path).then((r) => expect(r.status).toBe(303));
      expect((await stored(district.code))?.active).toBe(true);
      const rows = await auditRows('district.updated', district.code);
      expect(rows.map((r) => r.details)).toEqual([{ changed: ['active'] }, { changed: ['active'] }]);
    });

    it('ignores a code sent with the edit form: the code never changes', async () => {
      const district = await aDistrict();
      const path = `${LIST}/${district.code}`;
      const hijack = unique('hijack');
      const res = await submit(
        agent,
        path,
        { code: hijack, name: district.name, kind: district.kind, sortOrder: '900', active: '1' },
        path,
      );
      expect(res.status).toBe(303);
      expect(await stored(district.code)).not.toBeNull();
      expect(await stored(hijack)).toBeNull();
    });

    it.each([
      ['name', { name: '' }, 'Vui lòng nhập mục này.'],
      ['name', { name: 'x'.repeat(121) }, 'Quá dài (tối đa 120 ký tự).'],
      ['kind', { kind: 'city' }, 'Vui lòng chọn loại địa bàn.'],
      ['sortOrder', { sortOrder: 'abc' }, 'Vui lòng nhập một số nguyên.'],
      ['sortOrder', { sortOrder: '100001' }, 'Vui lòng nhập số nguyên từ 0 đến 100000.'],
      ['active', { active: 'on-please' }, 'Giá trị không hợp lệ.'],
    ])(
      'refuses a bad %s next to the field, keeps the typed values and saves nothing',
      async (field, overrides, message) => {
        const district = await aDistrict({ name: 'Không Đổi', kind: 'rural', sortOrder: 920 });
        const path = `${LIST}/${district.code}`;
        const fields = { name: 'Tên Đã Gõ', kind: 'town', sortOrder: '42', active: '1', ...overrides };
        const res = await submit(agent, path, fields, path);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, field)).toBe(message);
        expect(res.text).toContain(`id="code" type="text" value="${district.code}" readonly`);
        if (field !== 'name') expect(inputValue(res.text, 'name')).toBe('Tên Đã Gõ');
        if (field !== 'sortOrder') expect(inputValue(res.text, 'sortOrder')).toBe('42');
        if (field !== 'kind') expect(selectedKind(res.text)).toBe('town');
        expect(await stored(district.code)).toEqual(district);
        expect(await auditRows('district.updated', district.code)).toEqual([]);
      },
    );

    it('answers 404 for an unknown code and for one that is not a code at all', async () => {
      for (const code of [
        'no-such-district',
        'HAI-BA-TRUNG',
        'hai_ba_trung',
        '-x',
        'a'.repeat(61),
        "x' OR '1'='1",
        'hai\u0000ba',
      ]) {
        const path = `${LIST}/${encodeURIComponent(code)}`;
        await agent.get(path).expect(404);
        const res = await submit(agent, path, { name: 'X', kind: 'urban', sortOrder: '1', active: '1' }, LIST);
        expect(res.status).toBe(404);
      }
      expect((await stored('hai-ba-trung'))?.name).toBe('Hai Bà Trưng');
    });
  });

  describe.each<Role>(['manager', 'social_worker', 'peer_coordinator'])('as a %s', (role) => {
    let outsider: Agent;
    let target: District;

    beforeAll(async () => {
      outsider = await loginAs(t, await aPersona(t, role));
      target = await aDistrict({ name: 'Không Được Sửa' });
    });

    it('answers 403 to the list and the new form, and 404 to the edit form of a district, existing or not', async () => {
      await outsider.get(LIST).expect(403);
      await outsider.get(NEW).expect(403);
      // The edit form names a record: without geography:manage it never confirms that the district exists.
      await outsider.get(`${LIST}/${target.code}`).expect(404);
      await outsider.get(`${LIST}/hai-ba-trung`).expect(404);
      await outsider.get(`${LIST}/${unique('khong-co')}`).expect(404);
    });

    it('answers 403 to adding and saves nothing', async () => {
      const fields = validFields();
      const res = await submit(outsider, LIST, fields, '/');
      expect(res.status).toBe(403);
      expect(await stored(fields.code)).toBeNull();
    });

    it('answers 404 to editing and changes nothing', async () => {
      const res = await submit(
        outsider,
        `${LIST}/${target.code}`,
        { name: 'Đã Sửa', kind: 'urban', sortOrder: '1' },
        '/',
      );
      expect(res.status).toBe(404);
      expect(await stored(target.code)).toEqual(target);
    });
  });
});
