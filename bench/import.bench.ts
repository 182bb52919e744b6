/**
 * Import benchmark (MISSION §7: 100,000 contacts in under a minute, with flat memory). Not a test: it
 * prints figures. `npm run bench:import` runs it on the embedded database, then on DATABASE_URL when
 * set, each in a process of its own so their memory figures do not mix.
 *
 *   npm run bench:import                       # embedded database in a temporary directory
 *   DATABASE_URL=postgres://… npm run bench:import
 *   npm run bench:import -- --rows 20000 --clients 1000
 *
 * Each run: a new organization; a few thousand clients imported from a generated CSV; then a CSV of
 * 100,000 contacts for them (written to a temporary file, streamed) imported through ImportsService,
 * exactly as the upload page and the command line do. RSS is sampled every 50 ms during the contacts
 * import.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    rows: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '3000' },
  },
});
const ROWS = Number(values.rows);
const CLIENTS = Number(values.clients);
const MB = 1024 * 1024;

const LETTERS = 'ABCDEGHIKLMNOPQRSTUVXY';
/** The n-th distinct client code (mother, father, sex, two-digit year, own initial). */
function codeOf(n: number): string {
  const pick = (k: number) => LETTERS[Math.floor(n / LETTERS.length ** k) % LETTERS.length];
  const year = String(70 + (n % 30)).padStart(2, '0');
  return `${pick(0)}${pick(1)}${pick(2)}${pick(3)}${n % 2 ? 'F' : 'M'}${year}${pick(4)}`;
}

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const DISTRICTS = ['ba-dinh', 'cau-giay', 'hoang-mai', 'hai-ba-trung', 'ha-dong', 'hoan-kiem', 'dong-da', 'thanh-tri'];
const MODALITIES = ['street', 'venue', 'online', 'phone', 'peer'];
const TOPICS = ['hiv_sti', 'condoms;gbv', '', 'services;mental_health', 'legal_rights'];

async function runOne(target: 'embedded' | 'postgres'): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'nc-bench-import-'));
  // Configuration as a production-like start would read it; fixed benchmark keys (never used elsewhere).
  const { resetEnvForTests } = await import('../src/config/env');
  resetEnvForTests({
    NODE_ENV: 'test',
    DATA_DIR: join(work, 'data'),
    DATABASE_URL: target === 'postgres' ? process.env.DATABASE_URL : '',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
    UIC_KEY: Buffer.alloc(32, 3).toString('base64'),
    FIELD_KEYS: `v1:${Buffer.alloc(32, 5).toString('base64')}`,
    LOG_LEVEL: 'silent',
  });
  if (target === 'embedded') delete process.env.DATABASE_URL;
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../src/app.module');
  const { cliContext } = await import('../src/audit/audit.service');
  const { OrganizationsService } = await import('../src/organizations/organizations.service');
  const { ImportsService } = await import('../src/imports/imports.service');

  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  try {
    const organization = await app
      .get(OrganizationsService)
      .create(cliContext(), { code: `bench-${Date.now().toString(36)}`, name: 'Benchmark' });
    const imports = app.get(ImportsService);

    const clientsFile = join(work, 'clients.csv');
    await writeLines(
      clientsFile,
      'uic,gender,birth_year,district,work_setting,first_contact_date,consent_date',
      CLIENTS,
      (i) =>
        `${codeOf(i)},female,19${codeOf(i).slice(5, 7)},${DISTRICTS[i % DISTRICTS.length]},street,2024-01-10,10/01/2024`,
    );
    let started = performance.now();
    const clients = await imports.importWith(cliContext(), organization.id, 'clients', clientsFile, 'cli');
    const clientSeconds = (performance.now() - started) / 1000;
    if (clients.outcome.status !== 'completed') throw new Error(`Clients import: ${JSON.stringify(clients.outcome)}`);

    const contactsFile = join(work, 'contacts.csv');
    await writeLines(
      contactsFile,
      'uic,contact_date,modality,district,topics,condoms,lubricants,hiv_self_tests',
      ROWS,
      (i) => {
        const day = String(1 + (i % 28)).padStart(2, '0');
        const month = String(1 + (i % 12)).padStart(2, '0');
        const date = i % 2 ? `2024-${month}-${day}` : `${day}/${month}/2024`;
        return `${codeOf(i % CLIENTS)},${date},${MODALITIES[i % 5]},${DISTRICTS[i % 8]},${TOPICS[i % 5]},${i % 20},${i % 3},${i % 2}`;
      },
    );

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const samples: Array<{ t: number; rss: number }> = [];
    started = performance.now();
    const sampler = setInterval(
      () => samples.push({ t: performance.now() - started, rss: process.memoryUsage().rss }),
      50,
    );
    const contacts = await imports.importWith(cliContext(), organization.id, 'contacts', contactsFile, 'cli');
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    if (contacts.outcome.status !== 'completed')
      throw new Error(`Contacts import: ${JSON.stringify(contacts.outcome)}`);

    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const peak = Math.max(baseline, ...samples.map((s) => s.rss));
    const at = (fraction: number) =>
      samples[Math.min(samples.length - 1, Math.floor(samples.length * fraction))]?.rss ?? 0;
    const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(34)} ${value}\n`);
    process.stdout.write(
      `\n${target === 'embedded' ? 'Embedded database (PGlite, on disk)' : 'PostgreSQL (DATABASE_URL)'}\n`,
    );
    line('clients imported', `${CLIENTS} in ${clientSeconds.toFixed(2)} s`);
    line('contact rows imported', `${ROWS} (${contacts.outcome.created.contacts} created)`);
    line('total', `${seconds.toFixed(2)} s`);
    line('throughput', `${Math.round(ROWS / seconds)} rows/s`);
    line('RSS before the contacts import', `${(baseline / MB).toFixed(0)} MB`);
    line(
      'RSS at 25% / 50% / 75% / 100% of time',
      [0.25, 0.5, 0.75, 0.999].map((f) => `${(at(f) / MB).toFixed(0)}`).join(' / ') + ' MB',
    );
    line('peak RSS during the import', `${(peak / MB).toFixed(0)} MB (+${((peak - baseline) / MB).toFixed(0)} MB)`);
    line('JS heap kept after the import (GC)', `${((heapAfter - heapBefore) / MB).toFixed(1)} MB`);
  } finally {
    await app.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (values.target === 'embedded' || values.target === 'postgres') return runOne(values.target);
  process.stdout.write(`Import benchmark: ${ROWS} contact rows for ${CLIENTS} clients\n`);
  const targets = ['embedded', ...(process.env.DATABASE_URL ? ['postgres'] : [])];
  for (const target of targets) {
    const run = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        require.resolve('ts-node/dist/bin'),
        '--transpile-only',
        __filename,
        '--target',
        target,
        '--rows',
        String(ROWS),
        '--clients',
        String(CLIENTS),
      ],
      { stdio: 'inherit', env: process.env },
    );
    if (run.status !== 0) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
