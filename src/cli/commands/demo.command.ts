import { cliContext } from '../../audit/audit.service';
import { DEFAULT_CLIENTS_PER_ORGANIZATION, MAX_CLIENTS_PER_ORGANIZATION } from '../../demo/demo-plan';
import { DatabaseNotEmptyError, DemoReport, DemoSeedService } from '../../demo/demo-seed.service';
import type { ExistingRecords } from '../../demo/demo.repository';
import { CliCommand, UsageError } from '../command';

function clientsPerOrgOf(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_CLIENTS_PER_ORGANIZATION;
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : 0;
  if (n < 1 || n > MAX_CLIENTS_PER_ORGANIZATION) {
    throw new UsageError(`--clients-per-org: a whole number from 1 to ${MAX_CLIENTS_PER_ORGANIZATION}`);
  }
  return n;
}

const LABELS: Record<keyof ExistingRecords, string> = {
  organizations: 'organization(s)',
  users: 'account(s)',
  clients: 'client(s)',
  contacts: 'contact(s)',
  referrals: 'referral(s)',
};

export function refusal(found: ExistingRecords): string {
  const what = (Object.keys(LABELS) as Array<keyof ExistingRecords>)
    .filter((k) => found[k] > 0)
    .map((k) => `${found[k] >= 1000 ? '1000+' : found[k]} ${LABELS[k]}`)
    .join(', ');
  return [
    `Refused: demo:seed only fills an empty database, and this one already has data (${what}).`,
    'Nothing was changed. For a demo, point DATA_DIR at a new folder (or DATABASE_URL at an empty PostgreSQL database).',
  ].join('\n');
}

/** What the operator reads at the end: what was made, and the accounts to sign in with. */
export function demoSummary(report: DemoReport): string {
  const c = report.counts;
  const rows = [
    ['username', 'role', 'organization', 'password'],
    ...report.accounts.map((a) => [a.username, a.role, a.organizationCode, a.password]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
  return [
    `Demo program from ${report.firstDay} to ${report.today}: ${c.organizations} organizations, ${c.users} accounts, ${c.clients} clients, ` +
      `${c.contacts} contacts, ${c.assessments} needs assessments, ${c.referrals} referrals (${c.referralsCompleted} completed), ` +
      `${c.groups} peer groups with ${c.groupSessions} sessions; ${c.providersAdded} sample providers added to the directory.`,
    '',
    'Demo accounts (the passwords are printed here and public: never use them for real data):',
    ...table,
    '',
    'Managers and the administrator enrol in two-factor authentication (any TOTP app) at their first sign-in.',
    'Start the app (npm start) and sign in at http://localhost:3000/login.',
  ].join('\n');
}

export const demoSeedCommand: CliCommand = {
  name: 'demo:seed',
  usage: `demo:seed [--clients-per-org N]   (fills an EMPTY database with a synthetic demo program, ${DEFAULT_CLIENTS_PER_ORGANIZATION} clients per organization by default; refuses a database with data)`,
  options: ['clients-per-org'],
  run: async (app, values) => {
    const clientsPerOrganization = clientsPerOrgOf(values['clients-per-org']);
    try {
      const report = await app
        .get(DemoSeedService)
        .seed(cliContext(), { clientsPerOrganization }, (line) => process.stderr.write(`${line}\n`));
      return demoSummary(report);
    } catch (error) {
      if (error instanceof DatabaseNotEmptyError) throw new UsageError(refusal(error.found));
      throw error;
    }
  },
};
