import type { Role } from '../auth/permissions';
import { composeUic } from '../privacy/client-code';
import { SAMPLE_PREFIX } from '../providers/provider-samples';
import {
  Answer,
  Domain,
  DOMAINS,
  Gender,
  GroupKind,
  MemberRole,
  Modality,
  ReferralStatus,
  SessionType,
  Topic,
  Verification,
  ViolenceAnswer,
  WorkSetting,
} from '../reference/codes';
import { canMove, isOpen } from '../referrals/referral-status';
import { addDays } from '../web/days';

/**
 * The demo program (`npm run cli -- demo:seed`), planned as plain data before anything is saved: who
 * works where, which clients come when, what they are counselled on, what they need and how their
 * referrals end. A fixed seed makes the same program on every run (its days counted back from today),
 * and keeping the plan pure lets a unit test check that it is realistic and valid.
 */

export const DEMO_SEED = 20_260_501;
/** About 11 months of activity, up to today. */
export const PROGRAM_DAYS = 334;
export const DEFAULT_CLIENTS_PER_ORGANIZATION = 150;
export const MAX_CLIENTS_PER_ORGANIZATION = 1000;

/** The inner-city districts the demo program works in (MISSION §6 codes). */
export const DEMO_DISTRICTS = [
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
] as const;

/** One printed password per role: demo accounts only, never for real use. */
export const DEMO_PASSWORDS: Readonly<Record<Role, string>> = {
  admin: 'demo-admin-2026',
  manager: 'demo-manager-2026',
  social_worker: 'demo-social-worker-2026',
  peer_coordinator: 'demo-peer-coordinator-2026',
};

/** mulberry32: small, fast and good enough to make varied but repeatable demo data (not for secrets). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** Between min and max distinct values, drawn by weight. */
  someOf<T>(entries: ReadonlyArray<readonly [T, number]>, min: number, max: number): T[] {
    const wanted = this.int(min, max);
    let left = [...entries];
    const chosen: T[] = [];
    while (chosen.length < wanted && left.length > 0) {
      const value = this.weighted(left);
      chosen.push(value);
      left = left.filter(([v]) => v !== value);
    }
    return chosen;
  }
}

// ---------------------------------------------------------------------------------------------
// The plan's shape

export interface PlannedAccount {
  username: string;
  role: Role;
  password: string;
}

export interface PlannedContact {
  date: string;
  /** Index of the organization's social worker who records it. */
  worker: number;
  modality: Modality;
  districtCode: string;
  topics: Topic[];
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
  note: string | null;
}

export interface PlannedAssessment {
  assessedOn: string;
  answers: Array<{ domain: Domain; need: Answer; eligible: Answer }>;
  violence: ViolenceAnswer;
}

export interface PlannedStep {
  status: ReferralStatus;
  statusOn: string;
  appointmentOn: string | null;
  verification: Verification | null;
  note: string | null;
}

export interface PlannedReferral {
  domain: Domain;
  serviceType: string;
  referredOn: string;
  /** With an appointment the referral starts `scheduled`. */
  appointmentOn: string | null;
  note: string | null;
  /** The changes after it was made, in order; none after today. */
  steps: PlannedStep[];
  /** Which of the providers offering the service (best first) it goes to, as a fraction of their number. */
  providerRoll: number;
}

export interface PlannedClient {
  uic: { mother: string; father: string; sex: 'F' | 'M'; own: string };
  gender: Gender;
  birthYear: number;
  primaryDistrict: string;
  workSetting: WorkSetting;
  firstContactDate: string;
  alias: string | null;
  /** Index of the social worker who registered the client and follows them. */
  worker: number;
  contacts: PlannedContact[];
  assessments: PlannedAssessment[];
  referrals: PlannedReferral[];
}

export interface PlannedMember {
  /** Index into the organization's clients. */
  client: number;
  role: MemberRole;
  joinedOn: string;
  leftOn: string | null;
}

export interface PlannedSession {
  date: string;
  durationMinutes: number;
  sessionType: SessionType;
  topics: Topic[];
  /** Indexes into the organization's clients; `facilitated` marks a member who led it. */
  attendance: Array<{ client: number; facilitated: boolean }>;
  anonymousAttendees: number;
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
  countsAsContact: boolean;
  note: string | null;
}

export interface PlannedGroup {
  name: string;
  kind: GroupKind;
  districtCode: string;
  foundedOn: string;
  members: PlannedMember[];
  sessions: PlannedSession[];
}

export interface PlannedOrganization {
  code: string;
  name: string;
  homeDistricts: readonly string[];
  manager: PlannedAccount;
  socialWorkers: PlannedAccount[];
  peerCoordinator: PlannedAccount;
  clients: PlannedClient[];
  groups: PlannedGroup[];
}

export interface DemoPlan {
  today: string;
  firstDay: string;
  /** Belongs to the first organization. */
  admin: PlannedAccount;
  organizations: PlannedOrganization[];
}

// ---------------------------------------------------------------------------------------------
// What the program looks like

const ORGANIZATIONS: ReadonlyArray<{
  code: string;
  name: string;
  home: readonly string[];
  /** How many clients keep coming back: the organizations stand at different places against their target. */
  returning: number;
  group: { name: string; kind: GroupKind } | null;
}> = [
  {
    code: 'demo-song-hong',
    name: `${SAMPLE_PREFIX}Trung tâm Công tác xã hội Sông Hồng`,
    home: ['hoan-kiem', 'ba-dinh', 'tay-ho', 'long-bien'],
    returning: 0.7,
    group: { name: 'Nhóm đồng đẳng Bình Minh', kind: 'peer_group' },
  },
  {
    code: 'demo-hoa-sen',
    name: `${SAMPLE_PREFIX}Nhóm hỗ trợ cộng đồng Hoa Sen`,
    home: ['dong-da', 'hai-ba-trung', 'hoang-mai'],
    returning: 0.6,
    group: { name: 'Câu lạc bộ Hoa Sen', kind: 'club' },
  },
  {
    code: 'demo-anh-duong',
    name: `${SAMPLE_PREFIX}Trung tâm tư vấn Ánh Dương`,
    home: ['cau-giay', 'thanh-xuan', 'nam-tu-liem'],
    returning: 0.45,
    group: null,
  },
];

const SOCIAL_WORKERS_PER_ORGANIZATION = 3;
const GROUP_MEMBERS_MAX = 14;
const SESSION_EVERY_DAYS = 14;

// Given names whose first letters make the client codes (MISSION §3); composeUic strips the diacritics.
// prettier-ignore
const MOTHER_NAMES = [
  'Lan', 'Hoa', 'Mai', 'Hương', 'Thu', 'Hà', 'Nga', 'Loan', 'Thảo', 'Hạnh', 'Phương', 'Liên',
  'Yến', 'Dung', 'Bích', 'Oanh', 'Xuân', 'Cúc', 'Tâm', 'Vân', 'Ánh', 'Nhung', 'Quyên', 'Gấm',
];
// prettier-ignore
const FATHER_NAMES = [
  'Hùng', 'Minh', 'Tuấn', 'Dũng', 'Nam', 'Quang', 'Sơn', 'Thắng', 'Long', 'Hải', 'Bình', 'Cường',
  'Đức', 'Khánh', 'Phúc', 'Tùng', 'Việt', 'Trung', 'Kiên', 'Lâm',
];
// prettier-ignore
const OWN_NAMES = [
  'Linh', 'Trang', 'Ngọc', 'Huyền', 'Thúy', 'Vy', 'Diệp', 'My', 'Chi', 'Quỳnh', 'Em', 'Uyên',
  'Giang', 'Phượng', 'Kim', 'Oanh', 'Tú', 'Sen', 'Hậu', 'Bảo',
];
const ALIASES = ['Mây', 'Bống', 'Sóc', 'Na', 'Mít', 'Su', 'Cam', 'Chíp', 'Bông', 'Thỏ', 'Kem', 'Nhím'];

const GENDERS: ReadonlyArray<readonly [Gender, number]> = [
  ['female', 76],
  ['trans_female', 12],
  ['male', 6],
  ['trans_male', 2],
  ['other', 4],
];
const WORK_SETTINGS: ReadonlyArray<readonly [WorkSetting, number]> = [
  ['street', 20],
  ['massage', 25],
  ['karaoke_bar', 24],
  ['hotel', 10],
  ['online', 16],
  ['other', 5],
];
const FIRST_MODALITIES: ReadonlyArray<readonly [Modality, number]> = [
  ['street', 40],
  ['venue', 40],
  ['online', 12],
  ['office', 8],
];
const LATER_MODALITIES: ReadonlyArray<readonly [Modality, number]> = [
  ['street', 25],
  ['venue', 25],
  ['online', 15],
  ['phone', 20],
  ['office', 10],
  ['peer', 5],
];
const TOPICS: ReadonlyArray<readonly [Topic, number]> = [
  ['hiv_sti', 30],
  ['condoms', 30],
  ['services', 15],
  ['gbv', 8],
  ['mental_health', 8],
  ['legal_rights', 6],
  ['labour_rights', 5],
  ['drug_use', 4],
  ['other', 2],
];
const CONTACT_NOTES = [
  'Hẹn gặp lại tuần sau.',
  'Đã giới thiệu dịch vụ xét nghiệm.',
  'Khách hàng muốn tìm hiểu về học nghề.',
  'Đã phát tài liệu về quyền lao động.',
  'Khách hàng cần thêm thông tin về vay vốn.',
];
const REFERRAL_NOTES = ['Khách hàng muốn có người đi cùng.', 'Ưu tiên cơ sở thân thiện.', 'Hẹn buổi sáng.'];
const OUTCOME_NOTES = ['Khách hàng đã sử dụng dịch vụ.', 'Cơ sở xác nhận qua phiếu chuyển gửi.'];
const SESSION_NOTES = ['Các thành viên tích cực chia sẻ.', 'Cần thêm tài liệu cho buổi sau.'];

/** How often each need is there (yes), per domain. */
const NEED_YES: Readonly<Record<Domain, number>> = {
  health: 0.55,
  psychosocial: 0.35,
  legal: 0.2,
  vocational: 0.3,
  employment: 0.25,
  credit: 0.2,
};
/** How often a referral in the domain is used (completed). */
const COMPLETION: Readonly<Record<Domain, number>> = {
  health: 0.65,
  psychosocial: 0.55,
  legal: 0.5,
  vocational: 0.45,
  employment: 0.4,
  credit: 0.35,
};
const SERVICE_TYPES: Readonly<Record<Domain, ReadonlyArray<readonly [string, number]>>> = {
  health: [
    ['hiv_testing', 35],
    ['sti_care', 20],
    ['prep', 15],
    ['reproductive_health', 10],
    ['general_health', 10],
    ['arv', 5],
    ['methadone', 5],
  ],
  psychosocial: [
    ['counselling', 60],
    ['gbv_support', 40],
  ],
  legal: [
    ['legal_aid', 60],
    ['documents', 40],
  ],
  vocational: [['training_course', 1]],
  employment: [['job_placement', 1]],
  credit: [
    ['vbsp_loan', 60],
    ['microcredit', 40],
  ],
};
type Outcome = 'completed' | 'no_show' | 'declined' | 'lost' | 'cancelled' | 'open';
const OTHER_OUTCOMES: ReadonlyArray<readonly [Outcome, number]> = [
  ['no_show', 25],
  ['declined', 15],
  ['lost', 25],
  ['cancelled', 5],
  ['open', 30],
];
const VERIFICATIONS: ReadonlyArray<readonly [Verification, number]> = [
  ['provider_confirmed', 45],
  ['client_reported', 35],
  ['document_seen', 20],
];
const SESSION_TYPES: ReadonlyArray<readonly [SessionType, number]> = [
  ['regular_meeting', 40],
  ['health_education', 20],
  ['skills_training', 10],
  ['gbv_support', 8],
  ['legal_awareness', 8],
  ['livelihood', 8],
  ['community_event', 4],
  ['outreach', 2],
];

const earliest = (a: string, b: string) => (a < b ? a : b);
const latest = (a: string, b: string) => (a > b ? a : b);

// ---------------------------------------------------------------------------------------------

/** The whole demo program for today's date; the same arguments always give the same plan. */
export function planDemoProgram(today: string, clientsPerOrganization = DEFAULT_CLIENTS_PER_ORGANIZATION): DemoPlan {
  const firstDay = addDays(today, -PROGRAM_DAYS);
  const takenCodes = new Set<string>();
  const organizations = ORGANIZATIONS.map((spec, index) => {
    const random = new SeededRandom(DEMO_SEED + index);
    const number = index + 1;
    const clients = Array.from({ length: clientsPerOrganization }, (_, k) =>
      planClient(random, {
        today,
        firstDay,
        home: spec.home,
        returning: spec.returning,
        forcedDistrict: spec.home[k] ?? null,
        takenCodes,
      }),
    ).sort((a, b) => (a.firstContactDate < b.firstContactDate ? -1 : a.firstContactDate > b.firstContactDate ? 1 : 0));
    const groups =
      spec.group && clients.length > 0 ? [planGroup(random, spec.group, spec.home[0], clients, today, firstDay)] : [];
    return {
      code: spec.code,
      name: spec.name,
      homeDistricts: spec.home,
      manager: account(`demo.manager.${number}`, 'manager'),
      socialWorkers: Array.from({ length: SOCIAL_WORKERS_PER_ORGANIZATION }, (_, w) =>
        account(`demo.worker.${number}.${w + 1}`, 'social_worker'),
      ),
      peerCoordinator: account(`demo.coordinator.${number}`, 'peer_coordinator'),
      clients,
      groups,
    };
  });
  return { today, firstDay, admin: account('demo.admin', 'admin'), organizations };
}

const account = (username: string, role: Role): PlannedAccount => ({ username, role, password: DEMO_PASSWORDS[role] });

function planClient(
  random: SeededRandom,
  where: {
    today: string;
    firstDay: string;
    home: readonly string[];
    returning: number;
    /** The first clients of an organization live in each of its home districts in turn. */
    forcedDistrict: string | null;
    takenCodes: Set<string>;
  },
): PlannedClient {
  const { today, firstDay } = where;
  const gender = random.weighted(GENDERS);
  const sex: 'F' | 'M' =
    gender === 'female' || gender === 'trans_male' ? 'F' : gender === 'other' ? random.pick(['F', 'M'] as const) : 'M';
  const age = 19 + Math.floor(random.next() ** 1.6 * 32);
  const birthYear = Number(today.slice(0, 4)) - age;
  let uic: PlannedClient['uic'];
  for (;;) {
    uic = {
      mother: random.pick(MOTHER_NAMES),
      father: random.chance(0.1) ? 'XX' : random.pick(FATHER_NAMES),
      sex,
      own: random.pick(OWN_NAMES),
    };
    const composed = composeUic({ ...uic, birthYear: String(birthYear) });
    // A second client with the same code would open the first one: draw again (a code is a person).
    if (composed.ok && !where.takenCodes.has(composed.code)) {
      where.takenCodes.add(composed.code);
      break;
    }
  }
  const primaryDistrict =
    where.forcedDistrict ?? (random.chance(0.75) ? random.pick(where.home) : random.pick(DEMO_DISTRICTS));
  const firstContactDate = addDays(firstDay, random.int(0, PROGRAM_DAYS - 3));
  const worker = random.int(0, SOCIAL_WORKERS_PER_ORGANIZATION - 1);
  const contacts = planContacts(random, {
    today,
    firstContactDate,
    primaryDistrict,
    worker,
    returning: where.returning,
  });
  const assessments = planAssessments(random, today, firstContactDate);
  const referrals = assessments.flatMap((assessment, i) =>
    planReferrals(random, today, assessment, assessments[i + 1]?.assessedOn ?? null),
  );
  return {
    uic,
    gender,
    birthYear,
    primaryDistrict,
    workSetting: random.weighted(WORK_SETTINGS),
    firstContactDate,
    alias: random.chance(0.3) ? random.pick(ALIASES) : null,
    worker,
    contacts,
    assessments,
    referrals,
  };
}

function planContacts(
  random: SeededRandom,
  client: { today: string; firstContactDate: string; primaryDistrict: string; worker: number; returning: number },
): PlannedContact[] {
  const contact = (date: string, modality: Modality, districtCode: string, worker: number): PlannedContact => ({
    date,
    worker,
    modality,
    districtCode,
    topics: random.someOf(TOPICS, 1, 3),
    condoms: random.chance(0.7) ? random.pick([5, 10, 10, 20]) : 0,
    lubricants: random.chance(0.4) ? random.pick([2, 5, 10]) : 0,
    hivSelfTests: random.chance(0.08) ? 1 : 0,
    note: random.chance(0.08) ? random.pick(CONTACT_NOTES) : null,
  });
  // The first contact is where the client lives and works, with the worker who registers them.
  const contacts = [
    contact(client.firstContactDate, random.weighted(FIRST_MODALITIES), client.primaryDistrict, client.worker),
  ];
  // Some clients keep coming back, others are seen once or twice.
  const followUps = random.chance(client.returning) ? Infinity : random.int(0, 2);
  let day = client.firstContactDate;
  for (let n = 0; n < followUps; n++) {
    day = addDays(day, 10 + Math.floor(random.next() ** 1.5 * 80));
    if (day > client.today) break;
    const district = random.chance(0.15) ? random.pick(DEMO_DISTRICTS) : client.primaryDistrict;
    const worker = random.chance(0.85) ? client.worker : random.int(0, SOCIAL_WORKERS_PER_ORGANIZATION - 1);
    contacts.push(contact(day, random.weighted(LATER_MODALITIES), district, worker));
    // Now and then two records of the same day (a visit, then a call): they count once.
    if (random.chance(0.06)) contacts.push(contact(day, 'phone', district, worker));
  }
  return contacts;
}

function planAssessments(random: SeededRandom, today: string, firstContactDate: string): PlannedAssessment[] {
  if (!random.chance(0.85)) return [];
  const first = earliest(addDays(firstContactDate, random.int(0, 14)), today);
  const assessments = [
    { assessedOn: first, answers: DOMAINS.map((d) => answer(random, d)), violence: violence(random) },
  ];
  // Some clients are assessed again a few months later: one or two answers change.
  const again = addDays(first, random.int(90, 180));
  if (again <= today && random.chance(0.2)) {
    const changed = new Set(
      random.someOf(
        DOMAINS.map((d) => [d, 1] as const),
        1,
        2,
      ),
    );
    assessments.push({
      assessedOn: again,
      answers: assessments[0].answers.map((a) => (changed.has(a.domain) ? answer(random, a.domain) : a)),
      violence: violence(random),
    });
  }
  return assessments;
}

function answer(random: SeededRandom, domain: Domain): { domain: Domain; need: Answer; eligible: Answer } {
  if (random.chance(NEED_YES[domain])) {
    return {
      domain,
      need: 'yes',
      eligible: random.weighted<Answer>([
        ['yes', 85],
        ['unknown', 10],
        ['no', 5],
      ]),
    };
  }
  if (random.chance(0.75)) {
    return {
      domain,
      need: 'no',
      eligible: random.weighted<Answer>([
        ['unknown', 60],
        ['no', 25],
        ['yes', 15],
      ]),
    };
  }
  return { domain, need: 'unknown', eligible: 'unknown' };
}

const violence = (random: SeededRandom) =>
  random.weighted<ViolenceAnswer>([
    ['no', 72],
    ['yes', 18],
    ['declined', 10],
  ]);

/** Referrals for the needs an assessment found (need and eligible), before the next assessment. */
function planReferrals(
  random: SeededRandom,
  today: string,
  assessment: PlannedAssessment,
  nextAssessedOn: string | null,
): PlannedReferral[] {
  return assessment.answers
    .filter((a) => a.need === 'yes' && a.eligible === 'yes')
    .flatMap((a) => {
      if (!random.chance(0.75)) return [];
      const referredOn = addDays(assessment.assessedOn, random.int(0, 10));
      if (referredOn > today || (nextAssessedOn && referredOn >= nextAssessedOn)) return [];
      return [planReferral(random, today, a.domain, referredOn)];
    });
}

function planReferral(random: SeededRandom, today: string, domain: Domain, referredOn: string): PlannedReferral {
  const withAppointment = random.chance(0.6);
  const appointmentOn = withAppointment ? addDays(referredOn, random.int(2, 14)) : null;
  const outcome: Outcome = random.chance(COMPLETION[domain]) ? 'completed' : random.weighted(OTHER_OUTCOMES);
  const steps: PlannedStep[] = [];
  const step = (status: ReferralStatus, statusOn: string, extra: Partial<PlannedStep> = {}) =>
    steps.push({ status, statusOn, appointmentOn: null, verification: null, note: null, ...extra });
  let appointment = appointmentOn;
  const schedule = (from: string) => {
    const on = addDays(from, random.int(1, 5));
    appointment = addDays(on, random.int(3, 10));
    step('scheduled', on, { appointmentOn: appointment });
  };
  const complete = (on: string) =>
    step('completed', on, {
      verification: random.weighted(VERIFICATIONS),
      note: random.chance(0.2) ? random.pick(OUTCOME_NOTES) : null,
    });

  switch (outcome) {
    case 'completed':
      if (!appointment && random.chance(0.5)) schedule(referredOn);
      complete(appointment ?? addDays(referredOn, random.int(3, 20)));
      break;
    case 'no_show': {
      if (!appointment) schedule(referredOn);
      step('no_show', appointment!);
      if (random.chance(0.5)) {
        schedule(appointment!);
        if (random.chance(0.6)) complete(appointment!);
        else step('lost', addDays(appointment!, random.int(30, 45)));
      }
      break;
    }
    case 'declined':
      step('declined', addDays(referredOn, random.int(0, 10)));
      break;
    case 'lost':
      step('lost', addDays(referredOn, random.int(30, 60)));
      break;
    case 'cancelled':
      step('cancelled', addDays(referredOn, random.int(1, 15)));
      break;
    case 'open':
      break;
  }
  // Most referrals that went quiet are closed as lost a month or so after the last news; the others
  // wait in the follow-up list.
  const last = steps[steps.length - 1];
  if (isOpen(last?.status ?? (appointmentOn ? 'scheduled' : 'referred')) && random.chance(0.7)) {
    step('lost', addDays(last?.statusOn ?? referredOn, random.int(30, 45)));
  }
  // What has not happened yet by today is not in the demo: the referral stays open where it is.
  const notYet = steps.findIndex((s) => s.statusOn > today);
  return {
    domain,
    serviceType: random.weighted(SERVICE_TYPES[domain]),
    referredOn,
    appointmentOn,
    note: random.chance(0.15) ? random.pick(REFERRAL_NOTES) : null,
    steps: notYet === -1 ? steps : steps.slice(0, notYet),
    providerRoll: random.next(),
  };
}

function planGroup(
  random: SeededRandom,
  spec: { name: string; kind: GroupKind },
  districtCode: string,
  clients: PlannedClient[],
  today: string,
  firstDay: string,
): PlannedGroup {
  const foundedOn = earliest(addDays(firstDay, 20), today);
  // Members: clients known for a month at least, in the group's own district first.
  const candidates = clients
    .map((c, index) => ({ c, index, order: (c.primaryDistrict === districtCode ? 0 : 1) + random.next() }))
    .filter(({ c }) => c.firstContactDate <= addDays(today, -30))
    .sort((a, b) => a.order - b.order)
    .slice(0, GROUP_MEMBERS_MAX);
  const members: PlannedMember[] = candidates.map(({ c, index }, n) => {
    const joinedOn = earliest(latest(foundedOn, addDays(c.firstContactDate, random.int(3, 30))), today);
    const leaves = n >= 2 && random.chance(0.15);
    const leftOn = leaves ? addDays(joinedOn, random.int(60, 150)) : null;
    return {
      client: index,
      role: n === 0 ? 'leader' : n === 1 ? 'peer_educator' : 'member',
      joinedOn,
      leftOn: leftOn && leftOn <= addDays(today, -7) ? leftOn : null,
    };
  });
  const sessions: PlannedSession[] = [];
  for (let day = addDays(foundedOn, 7); day <= today; day = addDays(day, SESSION_EVERY_DAYS)) {
    const present = members.filter((m) => m.joinedOn <= day && (m.leftOn === null || day <= m.leftOn));
    const attendance = present
      .filter(() => random.chance(0.65))
      .map((m) => ({ client: m.client, facilitated: m.role !== 'member' && random.chance(0.3) }));
    sessions.push({
      date: day,
      durationMinutes: random.pick([60, 90, 90, 120]),
      sessionType: random.weighted(SESSION_TYPES),
      topics: random.someOf(TOPICS, 1, 2),
      attendance,
      anonymousAttendees: random.int(0, 5),
      condoms: random.chance(0.6) ? random.int(2, 10) * 5 : 0,
      lubricants: random.chance(0.3) ? random.int(1, 4) * 5 : 0,
      hivSelfTests: random.chance(0.2) ? random.int(1, 3) : 0,
      countsAsContact: random.chance(0.85),
      note: random.chance(0.2) ? random.pick(SESSION_NOTES) : null,
    });
  }
  return { name: spec.name, kind: spec.kind, districtCode, foundedOn, members, sessions };
}

/** Every step of a referral is a move the lifecycle allows, from the status it starts in. */
export function stepsAreValid(referral: PlannedReferral): boolean {
  let status: ReferralStatus = referral.appointmentOn ? 'scheduled' : 'referred';
  let previous = referral.referredOn;
  for (const step of referral.steps) {
    if (!canMove(status, step.status) || step.statusOn < previous) return false;
    if (step.status === 'scheduled' && !step.appointmentOn) return false;
    if (step.status === 'completed' && !step.verification) return false;
    status = step.status;
    previous = step.statusOn;
  }
  return true;
}
