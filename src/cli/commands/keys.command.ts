import { cliContext } from '../../audit/audit.service';
import { DEFAULT_BATCH_SIZE, KeyRotationService, RotationReport } from '../../privacy/key-rotation.service';
import { CliCommand, UsageError } from '../command';

const MAX_BATCH_SIZE = 10_000;

function batchSizeOf(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_BATCH_SIZE;
  const size = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : 0;
  if (size < 1 || size > MAX_BATCH_SIZE) {
    throw new UsageError(`--batch-size: a whole number from 1 to ${MAX_BATCH_SIZE}`);
  }
  return size;
}

/** What the operator reads: per column, what this run did and what is left. */
export function rotationSummary(report: RotationReport): string {
  const width = Math.max(...report.columns.map((c) => c.name.length));
  const lines = report.columns.map(
    (c) => `  ${c.name.padEnd(width)}  ${c.rotated} re-encrypted, ${c.remaining} remaining`,
  );
  const outcome = report.complete
    ? `Everything is sealed under ${report.activeKeyId}; older keys may now leave FIELD_KEYS once open sessions have expired.`
    : 'Stopped before the end: run keys:rotate again to continue where it stopped.';
  return [`Key rotation to ${report.activeKeyId}:`, ...lines, outcome].join('\n');
}

export const rotateKeysCommand: CliCommand = {
  name: 'keys:rotate',
  usage: `keys:rotate [--batch-size N]   (re-encrypts under FIELD_KEY_ID, or the last key of FIELD_KEYS; ${DEFAULT_BATCH_SIZE} rows per transaction by default)`,
  options: ['batch-size'],
  run: async (app, values) => {
    const batchSize = batchSizeOf(values['batch-size']);
    const report = await app.get(KeyRotationService).rotate(cliContext(), { batchSize });
    return rotationSummary(report);
  },
};
