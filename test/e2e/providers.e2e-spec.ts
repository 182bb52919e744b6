import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { cliContext } from '../../src/audit/audit.service';
import type { Role } from '../../src/auth/permissions';
import { DistrictsService } from '../../src/geography/districts.service';
import { SAMPLE_PREFIX, SAMPLE_PROVIDERS } from '../../src/providers/provider-samples';
import type { NewProvider } from '../../src/providers/providers.repository';
import { ProvidersService } from '../../src/providers/providers.service';
import { providerNameKey, ServiceProvider } from '../../src/providers/service-provider.entity';
import { DOMAINS, SERVICE_TYPES } from '../../src/reference/codes';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { cli, queryCliDatabase } from '../support/cli';

jest.setTimeout(120_000);

const LIST = '/admin/providers';
const NEW = '/admin/providers/new';
const PROGRAM_DISTRICTS = [
  'ba-dinh',
  'cau-giay',
  'hoang-mai',
  'hai-ba-trung',
  'ha-dong',
  'hoan-kiem',
  'nam-tu-liem',
  'dong-da',
  'bac-tu-liem',
  'thanh-tri',
];

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}" type="[a-z]+" value="([^"]*)"`).exec(html)?.[1] ?? null;

const selected = (html: string, field: string): string | null =>
  new RegExp(`<select[^>]*name="${field}"[\\s\\S]*?<option value="([^"]*)" selected>`).exec(html)?.[1] ?? null;

const ticked = (html: string, name: string): string[] =>
  [...html.matchAll(new RegExp(`name="${name}" value="([^"]+)" id="[^"]+" checked`, 'g'))].map((m) => m[1]);

const isChecked = (html: string, name: string) => new RegExp(`name="${name}" value="1" checked`).test(html);

const rowOf = (html: string, id: string) =>
  new RegExp(`data-testid="provider-${id}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? null;

const rowIds = (html: string) => [...html.matchAll(/data-testid="provider-([0-9a-f-]{36})"/g)].map((m) => m[1]);

const reviewCount = (html: string): number => Number(/Có (\d+) cơ sở do nhập dữ liệu/.exec(html)?.[1] ?? 0);

const FIELDS = [
  'name',
  'domains',
  'serviceTypes',
  'districtCode',
  'address',
  'phone',
  'openingHours',
  'kpFriendly',
  'active',
];

describe('service directory admin pages', () => {
  let t: TestApp;
  let admin: Persona;
  let agent: Agent;
  /** A district of this file only, so filtered lists hold only this file's entries. */
  let district: string;
  const providers = () => t.app.get(ProvidersService);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    agent = await loginAs(t, admin);
    district = unique('quan-danh-ba');
    await t.app
      .get(DistrictsService)
      .create(cliContext(), { code: district, name: 'Quận Danh Bạ', kind: 'urban', active: true, sortOrder: 990 });
  });
  afterAll(() => t.close());

  /** A valid form; an override of `undefined` leaves that field out, as a browser does with an unticked box. */
  const validFields = (overrides: Record<string, string | string[] | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({
        name: unique('Phòng khám Thử'),
        domains: ['health', 'legal'],
        serviceTypes: ['hiv_testing', 'prep', 'legal_aid'],
        districtCode: district,
        address: 'Số 9 phố Thử, phường Thử',
        phone: '(024) 3333-4444',
        openingHours: 'Thứ 2–Thứ 6, 7:30–16:30',
        kpFriendly: '1',
        active: '1',
        ...overrides,
      }).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
    );

  /** An entry made through the service, as other features and imports do. */
  const aProvider = (overrides: Partial<NewProvider> = {}): Promise<ServiceProvider> =>
    providers().create(cliContext(), {
      name: unique('Cơ sở Thử'),
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: district,
      address: null,
      phone: null,
      openingHours: null,
      kpFriendly: false,
      active: true,
      needsReview: false,
      sample: false,
      ...overrides,
    });

  /** The way an import adds a name it does not know. */
  const anImported = (name = unique('Cơ sở Mới Nhập')) =>
    t.dataSource.transaction((tx) => providers().findOrAddForImport(tx, cliContext(), name, 'legal', 'legal_aid'));

  const stored = async (name: string) => {
    const found: Array<Record<string, unknown>> = await t.dataSource.query(
      `SELECT id, name, domains, service_types, district_code, address, phone, opening_hours, kp_friendly, active,
              needs_review, sample
         FROM service_provider WHERE name_key = $1`,
      [providerNameKey(name)],
    );
    return found;
  };

  const auditOf = (id: string): Promise<Array<{ action: string; actor_user_id: string | null; details: unknown }>> =>
    t.dataSource.query(
      `SELECT action, actor_user_id, organization_id, details FROM audit_event
        WHERE target_type = 'provider' AND target_id = $1 ORDER BY id`,
      [id],
    );

  describe('list', () => {
    it('shows each entry with its domains, services, district, phone and an edit link, under a neutral title', async () => {
      const provider = await aProvider({
        domains: ['health', 'psychosocial'],
        serviceTypes: ['methadone', 'counselling'],
        phone: '024 0000 1111',
      });
      const page = await agent.get(`${LIST}?district=${district}`).expect(200);
      expect(page.text).toContain('<title>Danh bạ dịch vụ · Nhịp Cầu</title>');
      const row = rowOf(page.text, provider.id)!;
      expect(row).toContain(provider.name);
      expect(row).toContain('Y tế – sức khỏe, Tư vấn tâm lý – xã hội');
      expect(row).toContain('Điều trị Methadone, Tư vấn tâm lý');
      expect(row).toContain('Quận Danh Bạ');
      expect(row).toContain('024 0000 1111');
      expect(row).toContain(`href="${LIST}/${provider.id}/edit"`);
    });

    it('marks sample, inactive and KP-friendly entries with badges, and plain entries with none', async () => {
      const sample = await aProvider({ sample: true });
      const inactive = await aProvider({ active: false });
      const friendly = await aProvider({ kpFriendly: true });
      const plain = await aProvider();
      const page = await agent.get(`${LIST}?district=${district}`).expect(200);
      expect(rowOf(page.text, sample.id)).toContain('data-testid="badge-sample">Dữ liệu mẫu<');
      expect(rowOf(page.text, inactive.id)).toContain('data-testid="badge-inactive">Ngừng hoạt động<');
      expect(rowOf(page.text, friendly.id)).toContain('data-testid="badge-kp">Thân thiện với nhóm đích<');
      expect(rowOf(page.text, plain.id)).not.toContain('data-testid="badge-');
    });

    it('lists the entries an import added first, flagged, with their count and a link at the top', async () => {
      const before = reviewCount((await agent.get(LIST).expect(200)).text);
      const first = await aProvider({ name: unique('AAA Đã rà soát') });
      const toReview = await aProvider({ name: unique('ZZZ Cần rà soát'), needsReview: true });
      const imported = await anImported();

      const page = await agent.get(LIST).expect(200);
      expect(reviewCount(page.text)).toBe(before + 2);
      expect(page.text).toContain(`href="${LIST}?review&#x3D;1"`); // Handlebars escapes "=" in attributes
      expect(page.text).toContain('Xem các cơ sở cần rà soát');

      const inDistrict = await agent.get(`${LIST}?district=${district}`).expect(200);
      const ids = rowIds(inDistrict.text);
      expect(ids.indexOf(toReview.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(toReview.id)).toBeLessThan(ids.indexOf(first.id));
      expect(rowOf(inDistrict.text, toReview.id)).toContain('data-testid="badge-review">Cần rà soát<');
      expect(rowOf(inDistrict.text, first.id)).not.toContain('badge-review');

      const reviewOnly = await agent.get(`${LIST}?review=1`).expect(200);
      expect(rowOf(reviewOnly.text, imported.id)).toContain('Cần rà soát');
      expect(rowOf(reviewOnly.text, toReview.id)).not.toBeNull();
      expect(rowOf(reviewOnly.text, first.id)).toBeNull();
      expect(rowIds(reviewOnly.text).length).toBe(Math.min(before + 2, 25));
    });

    it('filters by domain and by district', async () => {
      const legal = await aProvider({ domains: ['legal'], serviceTypes: ['documents'] });
      const health = await aProvider({ domains: ['health'], serviceTypes: ['prep'] });
      const elsewhere = await aProvider({ districtCode: 'thanh-tri', domains: ['legal'], serviceTypes: ['legal_aid'] });

      const byDomain = await agent.get(`${LIST}?district=${district}&domain=legal`).expect(200);
      expect(rowOf(byDomain.text, legal.id)).not.toBeNull();
      expect(rowOf(byDomain.text, health.id)).toBeNull();
      expect(rowOf(byDomain.text, elsewhere.id)).toBeNull();
      expect(selected(byDomain.text, 'domain')).toBe('legal');
      expect(selected(byDomain.text, 'district')).toBe(district);

      const byOtherDistrict = await agent.get(`${LIST}?district=thanh-tri&domain=legal`).expect(200);
      expect(rowOf(byOtherDistrict.text, elsewhere.id)).not.toBeNull();
      expect(rowOf(byOtherDistrict.text, legal.id)).toBeNull();
    });

    it('says which filter is wrong and ignores it, keeping the others, without an error page', async () => {
      const provider = await aProvider();
      const page = await agent.get(`${LIST}?district=${district}&domain=astrology&review=yes`).expect(200);
      expect(fieldError(page.text, 'domain')).toBe('Giá trị lọc không hợp lệ; bộ lọc này không được áp dụng.');
      expect(fieldError(page.text, 'review')).not.toBeNull();
      expect(rowOf(page.text, provider.id)).not.toBeNull();

      const badDistrict = await agent.get(`${LIST}?district=nowhere&domain=health`).expect(200);
      expect(fieldError(badDistrict.text, 'district')).not.toBeNull();
      const repeated = await agent.get(`${LIST}?domain=health&domain=legal&page=x&page=2`).expect(200);
      expect(fieldError(repeated.text, 'domain')).not.toBeNull();
    });

    it('pages through long lists, keeping the filters in the links', async () => {
      const code = unique('quan-trang');
      await t.app
        .get(DistrictsService)
        .create(cliContext(), { code, name: 'Quận Nhiều Trang', kind: 'urban', active: true, sortOrder: 991 });
      for (let i = 0; i < 26; i += 1) await aProvider({ districtCode: code, name: unique(`Trang ${i}`) });
      const first = await agent.get(`${LIST}?district=${code}`).expect(200);
      expect(rowIds(first.text)).toHaveLength(25);
      expect(first.text).toContain('Trang 1/2 · 26 mục');
      expect(first.text).toContain(`href="?district&#x3D;${code}&amp;page&#x3D;2"`);
      const second = await agent.get(`${LIST}?district=${code}&page=2`).expect(200);
      expect(rowIds(second.text)).toHaveLength(1);
    });
  });

  describe('adding', () => {
    it('shows a form with every domain and its services, ticked as active and not KP-friendly', async () => {
      const page = await agent.get(NEW).expect(200);
      expect(page.text).toContain('<title>Thêm cơ sở tiếp nhận · Nhịp Cầu</title>');
      for (const domain of DOMAINS) {
        expect(page.text).toContain(`name="domains" value="${domain}"`);
        for (const type of SERVICE_TYPES[domain]) expect(page.text).toContain(`name="serviceTypes" value="${type}"`);
      }
      expect(page.text).toContain('Xét nghiệm HIV');
      expect(page.text).toContain(`<option value="${district}">Quận Danh Bạ</option>`);
      expect(isChecked(page.text, 'active')).toBe(true);
      expect(isChecked(page.text, 'kpFriendly')).toBe(false);
      expect(page.text).toContain('name="_csrf"');
    });

    it('adds an entry, tidies its name, shows the list with a message and audits the creation', async () => {
      const name = unique('Phòng   khám  Mới');
      const res = await submit(
        agent,
        LIST,
        validFields({ name, domains: ['legal', 'health'], serviceTypes: ['legal_aid', 'prep', 'hiv_testing'] }),
        NEW,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);
      const [row] = await stored(name.replace(/\s+/g, ' '));
      expect(row).toMatchObject({
        name: name.replace(/\s+/g, ' '),
        domains: ['health', 'legal'],
        service_types: ['hiv_testing', 'prep', 'legal_aid'],
        district_code: district,
        address: 'Số 9 phố Thử, phường Thử',
        phone: '(024) 3333-4444',
        opening_hours: 'Thứ 2–Thứ 6, 7:30–16:30',
        kp_friendly: true,
        active: true,
        needs_review: false,
        sample: false,
      });
      expect((await agent.get(LIST)).text).toContain('Đã thêm cơ sở vào danh bạ dịch vụ.');
      const audit = await auditOf(row.id as string);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'provider.created', actor_user_id: admin.userId, organization_id: null }),
      ]);
    });

    it('adds an entry with only a name, a domain and a service: the rest empty, inactive, not KP-friendly', async () => {
      const fields = validFields({
        domains: 'credit',
        serviceTypes: 'microcredit',
        districtCode: '',
        address: '',
        phone: '',
        openingHours: '',
        kpFriendly: undefined,
        active: undefined,
      });
      await submit(agent, LIST, fields, NEW).then((r) => expect(r.status).toBe(303));
      const [row] = await stored(fields.name as string);
      expect(row).toMatchObject({
        domains: ['credit'],
        service_types: ['microcredit'],
        district_code: null,
        address: null,
        phone: null,
        opening_hours: null,
        kp_friendly: false,
        active: false,
      });
    });

    it('accepts the longest values and a phone that looks like a phone: these are public facts', async () => {
      const fields = validFields({
        name: unique('D').padEnd(200, 'x'),
        address: 'Số 0912345678 phố Dài '.padEnd(300, 'x'),
        phone: '+84 (0)24 3333 4444 / 0912.345.678'.padEnd(40, '0').replace('/', '-'),
        openingHours: 'h'.repeat(200),
      });
      const res = await submit(agent, LIST, fields, NEW);
      expect(fieldError(res.text, 'phone')).toBeNull();
      expect(res.status).toBe(303);
      expect(await stored(fields.name as string)).toHaveLength(1);
    });

    it.each([
      ['name', 'an empty name', { name: '' }, 'Vui lòng nhập mục này.'],
      ['name', 'a missing name', { name: undefined }, 'Vui lòng nhập mục này.'],
      ['name', 'a name of spaces only', { name: '    ' }, 'Vui lòng nhập mục này.'],
      ['name', 'a name over 200 characters', { name: 'x'.repeat(201) }, 'Quá dài (tối đa 200 ký tự).'],
      ['name', 'two names', { name: ['A', 'B'] }, 'Vui lòng nhập mục này.'],
      ['domains', 'no domain', { domains: undefined }, 'Vui lòng chọn ít nhất một lĩnh vực trong danh sách.'],
      ['domains', 'an unknown domain', { domains: ['health', 'magic'] }, 'Vui lòng chọn ít nhất một lĩnh vực'],
      ['serviceTypes', 'no service', { serviceTypes: undefined }, 'Vui lòng chọn ít nhất một dịch vụ trong danh sách.'],
      [
        'serviceTypes',
        'an unknown service',
        { serviceTypes: ['hiv_testing', 'tarot'] },
        'Vui lòng chọn ít nhất một dịch vụ',
      ],
      [
        'serviceTypes',
        'a service outside the ticked domains',
        { domains: ['health'], serviceTypes: ['hiv_testing', 'legal_aid'] },
        'Mỗi dịch vụ phải thuộc một lĩnh vực đã đánh dấu.',
      ],
      [
        'districtCode',
        'an unknown district',
        { districtCode: 'atlantis' },
        'Vui lòng chọn một quận/huyện trong danh sách.',
      ],
      ['districtCode', 'two districts', { districtCode: ['ba-dinh', 'dong-da'] }, 'Vui lòng chọn một quận/huyện'],
      ['address', 'an address over 300 characters', { address: 'a'.repeat(301) }, 'Quá dài (tối đa 300 ký tự).'],
      ['phone', 'letters in the phone', { phone: '024 CALL NOW' }, 'Số điện thoại chỉ gồm chữ số'],
      ['phone', 'a phone of symbols only', { phone: '(+) - .' }, 'Số điện thoại chỉ gồm chữ số'],
      ['phone', 'a phone over 40 characters', { phone: '0'.repeat(41) }, 'Quá dài (tối đa 40 ký tự).'],
      [
        'openingHours',
        'opening hours over 200 characters',
        { openingHours: 'h'.repeat(201) },
        'Quá dài (tối đa 200 ký tự).',
      ],
      ['kpFriendly', 'a forged KP-friendly box', { kpFriendly: 'yes' }, 'Giá trị không hợp lệ.'],
      ['active', 'a forged active box', { active: 'true' }, 'Giá trị không hợp lệ.'],
    ])(
      'refuses %s next to the field (%s), keeps the values and saves nothing',
      async (field, _, overrides, message) => {
        const name = unique('Giữ lại');
        const fields = validFields({ name, ...overrides });
        const res = await submit(agent, LIST, fields, NEW);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, field)).toContain(message);
        for (const other of FIELDS.filter((f) => f !== field)) expect(fieldError(res.text, other)).toBeNull();
        expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
        if (field !== 'name') expect(inputValue(res.text, 'name')).toBe(name);
        if (field !== 'districtCode') expect(selected(res.text, 'districtCode')).toBe(district);
        if (field !== 'domains' && field !== 'serviceTypes') {
          expect(ticked(res.text, 'domains')).toEqual(['health', 'legal']);
          expect(ticked(res.text, 'serviceTypes')).toEqual(['hiv_testing', 'prep', 'legal_aid']);
        }
        expect(await stored(name)).toEqual([]);
      },
    );

    it('shows every error at once when several fields are wrong', async () => {
      const res = await submit(
        agent,
        LIST,
        { name: '', domains: 'credit', serviceTypes: 'arv', districtCode: 'x', phone: 'abc', active: '2' },
        NEW,
      );
      expect(res.status).toBe(422);
      for (const field of ['name', 'serviceTypes', 'districtCode', 'phone', 'active']) {
        expect(fieldError(res.text, field)).not.toBeNull();
      }
      expect(fieldError(res.text, 'serviceTypes')).toBe('Mỗi dịch vụ phải thuộc một lĩnh vực đã đánh dấu.');
    });

    it('refuses a name already in the directory, in any case or spacing, links to it and saves nothing', async () => {
      const existing = await aProvider({ name: unique('Bệnh viện Trùng Tên') });
      const variant = `  ${existing.name.toUpperCase().replace(' ', '   ')} `;
      const res = await submit(agent, LIST, validFields({ name: variant }), NEW);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'name')).toBe(
        'Cơ sở này đã có trong danh bạ (không phân biệt chữ hoa, chữ thường và khoảng trắng).',
      );
      expect(res.text).toContain(`data-testid="taken-link">`);
      expect(res.text).toContain(`href="${LIST}/${existing.id}/edit" data-testid="taken-link"`);
      expect(await stored(existing.name)).toHaveLength(1);
      expect((await auditOf(existing.id)).map((a) => a.action)).toEqual(['provider.created']);
    });

    it('records a form sent twice once, and points the second answer to the entry', async () => {
      const fields = validFields();
      const token = await agent.get(NEW).then((r) => /name="_csrf" value="([^"]+)"/.exec(r.text)![1]);
      const send = () =>
        agent
          .post(LIST)
          .type('form')
          .send({ ...fields, _csrf: token });
      const answers = await Promise.all([send(), send()]);
      expect(answers.map((a) => a.status).sort()).toEqual([303, 422]);
      const rows = await stored(fields.name as string);
      expect(rows).toHaveLength(1);
      const second = answers.find((a) => a.status === 422)!;
      expect(fieldError(second.text, 'name')).not.toBeNull();
    });

    it('shows the messages in English once English is chosen', async () => {
      const english = await loginAs(t, admin);
      await submit(english, '/lang', { lang: 'en', next: NEW }, NEW).then((r) => expect(r.status).toBe(303));
      const res = await submit(
        english,
        LIST,
        validFields({ domains: 'health', serviceTypes: 'legal_aid', phone: 'x', districtCode: 'nowhere' }),
        NEW,
      );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'serviceTypes')).toBe('Each service must belong to a ticked domain.');
      expect(fieldError(res.text, 'phone')).toBe('A phone number has digits, spaces and + ( ) . - only.');
      expect(fieldError(res.text, 'districtCode')).toBe('Choose a district from the list.');
      expect(res.text).toContain('<title>Add a provider · Nhịp Cầu</title>');
    });
  });

  describe('editing', () => {
    const path = (p: ServiceProvider) => `${LIST}/${p.id}`;

    it('shows the form filled with the stored values', async () => {
      const provider = await aProvider({
        domains: ['health', 'credit'],
        serviceTypes: ['arv', 'vbsp_loan'],
        address: 'Số 1 phố Cũ',
        phone: '024 1111 2222',
        openingHours: 'Sáng thứ 7',
        kpFriendly: true,
      });
      const page = await agent.get(`${path(provider)}/edit`).expect(200);
      expect(page.text).toContain('<title>Sửa cơ sở tiếp nhận · Nhịp Cầu</title>');
      expect(page.text).toContain(`action="${path(provider)}"`);
      expect(inputValue(page.text, 'name')).toBe(provider.name);
      expect(ticked(page.text, 'domains')).toEqual(['health', 'credit']);
      expect(ticked(page.text, 'serviceTypes')).toEqual(['arv', 'vbsp_loan']);
      expect(selected(page.text, 'districtCode')).toBe(district);
      expect(inputValue(page.text, 'address')).toBe('Số 1 phố Cũ');
      expect(inputValue(page.text, 'phone')).toBe('024 1111 2222');
      expect(inputValue(page.text, 'openingHours')).toBe('Sáng thứ 7');
      expect(isChecked(page.text, 'kpFriendly')).toBe(true);
      expect(isChecked(page.text, 'active')).toBe(true);
      expect(page.text).not.toContain('data-testid="review-notice"');
    });

    it('saves the changes, shows a message and audits the names of the changed fields only', async () => {
      const provider = await aProvider();
      const name = unique('Tên Mới');
      const res = await submit(
        agent,
        path(provider),
        {
          name,
          domains: ['health', 'vocational'],
          serviceTypes: ['hiv_testing', 'training_course'],
          districtCode: 'ba-dinh',
          address: '',
          phone: '024 5555 6666',
          openingHours: '',
          active: '1',
        },
        `${path(provider)}/edit`,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LIST);
      const [row] = await stored(name);
      expect(row).toMatchObject({
        id: provider.id,
        domains: ['health', 'vocational'],
        service_types: ['hiv_testing', 'training_course'],
        district_code: 'ba-dinh',
        phone: '024 5555 6666',
        address: null,
      });
      expect((await agent.get(LIST)).text).toContain('Đã lưu thông tin cơ sở.');
      const updates = (await auditOf(provider.id)).filter((a) => a.action === 'provider.updated');
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({ actor_user_id: admin.userId, organization_id: null });
      expect(updates[0].details).toEqual({ changed: ['name', 'domains', 'serviceTypes', 'districtCode', 'phone'] });
      expect(JSON.stringify(updates[0].details)).not.toContain('5555');
    });

    it('writes nothing when nothing changed', async () => {
      const provider = await aProvider({ domains: ['health'], serviceTypes: ['hiv_testing'], kpFriendly: true });
      const res = await submit(
        agent,
        path(provider),
        {
          name: provider.name,
          domains: 'health',
          serviceTypes: 'hiv_testing',
          districtCode: district,
          kpFriendly: '1',
          active: '1',
        },
        `${path(provider)}/edit`,
      );
      expect(res.status).toBe(303);
      expect((await auditOf(provider.id)).map((a) => a.action)).toEqual(['provider.created']);
    });

    it('deactivates an entry, which then shows as inactive', async () => {
      const provider = await aProvider();
      const fields = { name: provider.name, domains: 'health', serviceTypes: 'hiv_testing', districtCode: district };
      await submit(agent, path(provider), fields, `${path(provider)}/edit`).then((r) => expect(r.status).toBe(303));
      const list = await agent.get(`${LIST}?district=${district}`);
      expect(rowOf(list.text, provider.id)).toContain('badge-inactive');
      expect((await auditOf(provider.id)).pop()?.details).toEqual({ changed: ['active'] });
    });

    it('tells the admin that an entry added by an import waits for review and that saving clears the mark', async () => {
      const imported = await anImported();
      const page = await agent.get(`${path(imported)}/edit`).expect(200);
      expect(page.text).toContain('data-testid="review-notice"');
      expect(page.text).toContain('Cơ sở này được thêm tự động khi nhập dữ liệu và chưa được rà soát.');
      expect(page.text).toContain('Khi lưu, cơ sở sẽ được đánh dấu là đã rà soát.');
      expect(ticked(page.text, 'domains')).toEqual(['legal']);
      expect(ticked(page.text, 'serviceTypes')).toEqual(['legal_aid']);
      expect(selected(page.text, 'districtCode')).toBeNull();
    });

    it('clears the "to review" mark on save, even with nothing else changed, and audits it', async () => {
      const before = reviewCount((await agent.get(LIST)).text);
      const imported = await anImported();
      expect(reviewCount((await agent.get(LIST)).text)).toBe(before + 1);
      const res = await submit(
        agent,
        path(imported),
        { name: imported.name, domains: 'legal', serviceTypes: 'legal_aid', districtCode: '', active: '1' },
        `${path(imported)}/edit`,
      );
      expect(res.status).toBe(303);
      const [row] = await stored(imported.name);
      expect(row.needs_review).toBe(false);
      const list = await agent.get(LIST);
      expect(reviewCount(list.text)).toBe(before);
      expect(rowOf((await agent.get(`${LIST}?review=1`)).text, imported.id)).toBeNull();
      expect((await agent.get(`${path(imported)}/edit`)).text).not.toContain('data-testid="review-notice"');
      const audit = await auditOf(imported.id);
      expect(audit.map((a) => a.action)).toEqual(['provider.created', 'provider.updated']);
      expect(audit[0].details).toEqual({ source: 'import' });
      expect(audit[1].details).toEqual({ changed: ['needsReview'] });
    });

    it('keeps the "to review" mark when the form is refused', async () => {
      const imported = await anImported();
      const res = await submit(
        agent,
        path(imported),
        { name: imported.name, domains: 'legal' },
        `${path(imported)}/edit`,
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('data-testid="review-notice"');
      expect((await stored(imported.name))[0].needs_review).toBe(true);
    });

    it('refuses the name of another entry, but accepts a change of case of its own name', async () => {
      const other = await aProvider({ name: unique('Cơ sở Khác') });
      const provider = await aProvider({ name: unique('Cơ sở Này') });
      const fields = { domains: 'health', serviceTypes: 'hiv_testing', districtCode: district, active: '1' };
      const res = await submit(agent, path(provider), { ...fields, name: other.name.toLowerCase() }, LIST);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'name')).toContain('Cơ sở này đã có trong danh bạ');
      expect(res.text).toContain(`href="${LIST}/${other.id}/edit" data-testid="taken-link"`);
      expect((await stored(provider.name))[0].id).toBe(provider.id);

      const own = await submit(agent, path(provider), { ...fields, name: provider.name.toUpperCase() }, LIST);
      expect(own.status).toBe(303);
      expect((await stored(provider.name))[0].name).toBe(provider.name.toUpperCase());
    });

    it('refuses bad values next to the fields, keeps the typed values and changes nothing', async () => {
      const provider = await aProvider({ name: unique('Không Đổi') });
      const res = await submit(
        agent,
        path(provider),
        { name: 'Tên Đã Gõ', domains: 'health', serviceTypes: 'job_placement', phone: 'none', active: '1' },
        LIST,
      );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'serviceTypes')).toBe('Mỗi dịch vụ phải thuộc một lĩnh vực đã đánh dấu.');
      expect(fieldError(res.text, 'phone')).not.toBeNull();
      expect(inputValue(res.text, 'name')).toBe('Tên Đã Gõ');
      expect(res.text).toContain(`action="${path(provider)}"`);
      expect(await stored('Tên Đã Gõ')).toEqual([]);
      expect((await auditOf(provider.id)).map((a) => a.action)).toEqual(['provider.created']);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      const fields = validFields();
      for (const id of [randomUUID(), 'not-an-id', '1', `${randomUUID()}-x`, "x' OR '1'='1", 'new']) {
        const encoded = encodeURIComponent(id);
        if (id !== 'new') await agent.get(`${LIST}/${encoded}/edit`).expect(404);
        const res = await submit(agent, `${LIST}/${encoded}`, fields, LIST);
        expect(res.status).toBe(404);
      }
      expect(await stored(fields.name as string)).toEqual([]);
    });
  });

  describe('sample entries', () => {
    it('adds the clearly marked demo entries once, across the six domains and the program districts', async () => {
      const present = async () =>
        (await Promise.all(SAMPLE_PROVIDERS.map((s) => stored(s.name)))).filter((r) => r.length > 0).length;
      const before = await present();
      expect(await providers().addSamples(cliContext())).toBe(SAMPLE_PROVIDERS.length - before);
      expect(await present()).toBe(SAMPLE_PROVIDERS.length);
      expect(await providers().addSamples(cliContext())).toBe(0);

      expect(SAMPLE_PROVIDERS.length).toBeGreaterThanOrEqual(6);
      expect(new Set(SAMPLE_PROVIDERS.flatMap((s) => s.domains))).toEqual(new Set(DOMAINS));
      expect(new Set(SAMPLE_PROVIDERS.map((s) => s.kpFriendly))).toEqual(new Set([true, false]));
      for (const sample of SAMPLE_PROVIDERS) {
        expect(sample.name.startsWith(SAMPLE_PREFIX)).toBe(true);
        expect(PROGRAM_DISTRICTS).toContain(sample.districtCode);
        for (const type of sample.serviceTypes) {
          expect(sample.domains.some((d) => SERVICE_TYPES[d].includes(type))).toBe(true);
        }
        const [row] = await stored(sample.name);
        expect(row).toMatchObject({ sample: true, active: true, needs_review: false });
      }

      const [credit] = await stored(SAMPLE_PROVIDERS.find((s) => s.domains.includes('credit'))!.name);
      const page = await agent.get(`${LIST}?domain=credit&district=hai-ba-trung`).expect(200);
      expect(rowOf(page.text, credit.id as string)).toContain('Dữ liệu mẫu');
      const edit = await agent.get(`${LIST}/${credit.id as string}/edit`).expect(200);
      expect(edit.text).toContain('Đây là dữ liệu mẫu để trình diễn, không phải một cơ sở có thật.');
    });
  });

  describe.each<Role>(['manager', 'social_worker', 'peer_coordinator'])('as a %s', (role) => {
    let outsider: Agent;
    let target: ServiceProvider;

    beforeAll(async () => {
      outsider = await loginAs(t, await aPersona(t, role));
      target = await aProvider({ name: unique('Không Được Sửa') });
    });

    it("answers 403 to the list and the new form, and 404 to an entry's form (a record route never confirms a record)", async () => {
      await outsider.get(LIST).expect(403);
      await outsider.get(`${LIST}?review=1`).expect(403);
      await outsider.get(NEW).expect(403);
      await outsider.get(`${LIST}/${target.id}/edit`).expect(404);
    });

    it('answers 403 to adding and 404 to editing, and changes nothing', async () => {
      const fields = validFields();
      expect((await submit(outsider, LIST, fields, '/')).status).toBe(403);
      expect(await stored(fields.name as string)).toEqual([]);
      const res = await submit(outsider, `${LIST}/${target.id}`, { ...validFields(), name: 'Đã Sửa' }, '/');
      expect(res.status).toBe(404);
      expect((await stored(target.name))[0].id).toBe(target.id);
      expect(await stored('Đã Sửa')).toEqual([]);
      expect((await auditOf(target.id)).map((a) => a.action)).toEqual(['provider.created']);
    });
  });
});

describe('providers:samples command', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nc-providers-'));
    env = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const sampleRows = () =>
    queryCliDatabase<{ name: string; sample: boolean }>(
      dataDir,
      'SELECT name, sample FROM service_provider WHERE name = ANY($1)',
      [SAMPLE_PROVIDERS.map((s) => s.name)],
    );

  it('adds the sample entries, audited as the OS user, and adds nothing the second time', async () => {
    // On a shared PostgreSQL database another test may have added them already; the embedded one starts empty.
    const before = process.env.DATABASE_URL ? (await sampleRows()).length : 0;
    const first = await cli(env, ['providers:samples']);
    expect(first.stderr).not.toContain('Failed');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `${SAMPLE_PROVIDERS.length - before} sample provider(s) added to the service directory`,
    );

    const rows = await sampleRows();
    expect(rows).toHaveLength(SAMPLE_PROVIDERS.length);
    expect(rows.every((r) => r.sample)).toBe(true);

    const audit = await queryCliDatabase<{ actor_name: string; details: unknown }>(
      dataDir,
      `SELECT a.actor_name, a.details FROM audit_event a JOIN service_provider p ON a.target_id = p.id::text
        WHERE a.action = 'provider.created' AND p.name = ANY($1)`,
      [SAMPLE_PROVIDERS.map((s) => s.name)],
    );
    expect(audit).toHaveLength(SAMPLE_PROVIDERS.length);
    expect(audit.every((a) => a.actor_name.startsWith('cli:'))).toBe(true);
    expect(audit.every((a) => JSON.stringify(a.details) === '{"source":"samples"}')).toBe(true);

    const again = await cli(env, ['providers:samples']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `0 sample provider(s) added to the service directory (${SAMPLE_PROVIDERS.length} already there).`,
    );
    expect(await sampleRows()).toHaveLength(SAMPLE_PROVIDERS.length);
  });

  it('refuses an option it does not know', async () => {
    const res = await cli(env, ['providers:samples', '--count', '3']);
    expect(res.code).toBe(2);
  });
});
