import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

export const reportsConfig = registerAs('reports', () => {
  const env = loadEnv();
  return {
    /** Counts from 1 to k-1 are shown as "<k" so that members of a small group cannot be re-identified. */
    suppressionThreshold: env.SUPPRESSION_K,
    retentionMonths: env.RETENTION_MONTHS,
  };
});
export type ReportsConfig = ReturnType<typeof reportsConfig>;
