import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

export const retentionConfig = registerAs('retention', () => {
  const env = loadEnv();
  return {
    /** Clients with no activity for this many months are erased (MISSION §2 rule 8). */
    months: env.RETENTION_MONTHS,
    /** Whether the web server runs the retention job every day; tests leave it off. */
    scheduled: (env.RETENTION_SCHEDULE ?? (env.NODE_ENV === 'test' ? 'off' : 'on')) === 'on',
  };
});
export type RetentionConfig = ReturnType<typeof retentionConfig>;
