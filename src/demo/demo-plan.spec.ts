import { PASSWORD_MIN_LENGTH } from '../auth/password';
import { ROLES } from '../auth/permissions';
import { composeUic } from '../privacy/client-code';
import { isOpen } from '../referrals/referral-status';
import { addDays } from '../web/days';
import { DEMO_DISTRICTS, planDemoProgram, PlannedReferral, SeededRandom, stepsAreValid } from './demo-plan';

const TODAY = '2026-11-29';
const plan = planDemoProgram(TODAY);
const clients = plan.organizations.flatMap((o) => o.clients);
const referrals = clients.flatMap((c) => c.referrals);
const statusOf = (r: PlannedReferral) => r.steps.at(-1)?.status ?? (r.appointmentOn ? 'scheduled' : 'referred');
const lastNewsOf = (r: PlannedReferral) => r.steps.at(-1)?.statusOn ?? r.referredOn;

describe('the demo program plan', () => {
  it('is the same on every run for the same day, and moves with the day', () => {
    expect(planDemoProgram(TODAY)).toEqual(plan);
    const later = planDemoProgram(addDays(TODAY, 10));
    expect(later.organizations[0].clients[0].firstContactDate).toBe(
      addDays(plan.organizations[0].clients[0].firstContactDate, 10),
    );
  });

  it('has 150 clients per organization by default, or the number asked for', () => {
    expect(plan.organizations).toHaveLength(3);
    expect(plan.organizations.map((o) => o.clients.length)).toEqual([150, 150, 150]);
    expect(planDemoProgram(TODAY, 5).organizations.map((o) => o.clients.length)).toEqual([5, 5, 5]);
  });

  it('has an account of every role, each with a password long enough to be accepted', () => {
    const accounts = [
      plan.admin,
      ...plan.organizations.flatMap((o) => [o.manager, ...o.socialWorkers, o.peerCoordinator]),
    ];
    expect(new Set(accounts.map((a) => a.role))).toEqual(new Set(ROLES));
    expect(new Set(accounts.map((a) => a.username)).size).toBe(accounts.length);
    expect(accounts.every((a) => a.password.length >= PASSWORD_MIN_LENGTH)).toBe(true);
    expect(plan.organizations.every((o) => o.socialWorkers.length === 3)).toBe(true);
  });

  it('gives every client a different code and keeps every day within the last 11 months', () => {
    const codes = clients.map((c) => composeUic({ ...c.uic, birthYear: String(c.birthYear) }));
    expect(codes.every((c) => c.ok)).toBe(true);
    expect(new Set(codes.map((c) => (c.ok ? c.code : ''))).size).toBe(clients.length);
    const days = clients.flatMap((c) => [
      c.firstContactDate,
      ...c.contacts.map((x) => x.date),
      ...c.assessments.map((a) => a.assessedOn),
      ...c.referrals.flatMap((r) => [r.referredOn, ...r.steps.map((s) => s.statusOn)]),
    ]);
    expect(days.every((d) => d >= plan.firstDay && d <= TODAY)).toBe(true);
    expect(plan.firstDay).toBe(addDays(TODAY, -334));
  });

  it('starts each client with a contact on their first day, in their district, and spreads contacts over the 10 districts', () => {
    for (const c of clients) {
      expect(c.contacts[0]).toMatchObject({ date: c.firstContactDate, districtCode: c.primaryDistrict });
      expect(c.contacts.every((x) => x.date >= c.firstContactDate)).toBe(true);
    }
    const contacts = clients.flatMap((c) => c.contacts.map((x) => ({ ...x, home: c.primaryDistrict })));
    expect(new Set(contacts.map((x) => x.districtCode))).toEqual(new Set(DEMO_DISTRICTS));
    expect(contacts.filter((x) => x.districtCode !== x.home).length).toBeGreaterThan(50);
    const sameDay = clients.filter((c) => new Set(c.contacts.map((x) => x.date)).size < c.contacts.length);
    expect(sameDay.length).toBeGreaterThan(5);
  });

  it('covers the 10 districts with the first clients of each organization, even in a small demo', () => {
    const small = planDemoProgram(TODAY, 4);
    const districts = small.organizations.flatMap((o) => o.clients.map((c) => c.primaryDistrict));
    expect(new Set(districts)).toEqual(new Set(DEMO_DISTRICTS));
  });

  it('mixes yes, no and unknown in the needs assessments', () => {
    const answers = clients.flatMap((c) => c.assessments.flatMap((a) => a.answers));
    for (const value of ['yes', 'no', 'unknown']) {
      expect(answers.filter((a) => a.need === value).length).toBeGreaterThan(100);
    }
    expect(clients.filter((c) => c.assessments.length > 1).length).toBeGreaterThan(10);
  });

  it('refers only for a need that is there and eligible, with every step a move the lifecycle allows', () => {
    for (const c of clients) {
      for (const r of c.referrals) {
        const assessment = [...c.assessments].reverse().find((a) => a.assessedOn <= r.referredOn);
        expect(assessment?.answers.find((a) => a.domain === r.domain)).toMatchObject({ need: 'yes', eligible: 'yes' });
        expect(stepsAreValid(r)).toBe(true);
      }
    }
  });

  it('ends about half the referrals completed, some otherwise, and leaves some due and overdue for follow-up', () => {
    const count = (status: string) => referrals.filter((r) => statusOf(r) === status).length;
    const completed = count('completed') / referrals.length;
    expect(completed).toBeGreaterThan(0.4);
    expect(completed).toBeLessThan(0.7);
    for (const status of ['no_show', 'lost', 'declined', 'cancelled', 'referred', 'scheduled']) {
      expect(count(status)).toBeGreaterThan(0);
    }
    const open = referrals.filter((r) => isOpen(statusOf(r)));
    const quietFor = (r: PlannedReferral) => Math.round((Date.parse(TODAY) - Date.parse(lastNewsOf(r))) / 86_400_000);
    expect(open.filter((r) => quietFor(r) >= 14 && quietFor(r) <= 30).length).toBeGreaterThan(0);
    expect(open.filter((r) => quietFor(r) > 30).length).toBeGreaterThan(0);
    expect(open.filter((r) => quietFor(r) < 14).length).toBeGreaterThan(0);
    expect(new Set(referrals.map((r) => r.domain)).size).toBe(6);
  });

  it('runs peer groups whose sessions count only members of the group on that day', () => {
    const groups = plan.organizations.flatMap((o) => o.groups);
    expect(groups.length).toBeGreaterThanOrEqual(1);
    for (const [o, organization] of plan.organizations.entries()) {
      for (const group of organization.groups) {
        expect(group.sessions.length).toBeGreaterThan(10);
        for (const session of group.sessions) {
          expect(session.date >= group.foundedOn && session.date <= TODAY).toBe(true);
          for (const { client } of session.attendance) {
            const member = group.members.find((m) => m.client === client);
            expect(member && member.joinedOn <= session.date && (!member.leftOn || session.date <= member.leftOn)).toBe(
              true,
            );
            expect(plan.organizations[o].clients[client].firstContactDate <= session.date).toBe(true);
          }
        }
      }
    }
  });

  it('refuses a referral step the lifecycle does not allow', () => {
    const base: PlannedReferral = {
      domain: 'health',
      serviceType: 'hiv_testing',
      referredOn: '2026-01-10',
      appointmentOn: null,
      note: null,
      steps: [],
      providerRoll: 0,
    };
    const step = { appointmentOn: null, verification: null, note: null };
    expect(stepsAreValid({ ...base, steps: [{ ...step, status: 'no_show', statusOn: '2026-01-12' }] })).toBe(false);
    expect(stepsAreValid({ ...base, steps: [{ ...step, status: 'lost', statusOn: '2026-01-09' }] })).toBe(false);
    expect(stepsAreValid({ ...base, steps: [{ ...step, status: 'completed', statusOn: '2026-01-12' }] })).toBe(false);
  });
});

describe('the seeded random generator', () => {
  it('repeats its sequence for the same seed and stays within bounds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const draws = Array.from({ length: 1000 }, () => a.int(1, 6));
    expect(Array.from({ length: 1000 }, () => b.int(1, 6))).toEqual(draws);
    expect(new Set(draws)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(new SeededRandom(8).next()).not.toBe(new SeededRandom(7).next());
  });
});
