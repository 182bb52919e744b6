import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { IN_MEMORY } from '../database/embedded';
import { loadEnv } from './env';

export const databaseConfig = registerAs('database', () => {
  const env = loadEnv();
  return {
    /** Unset: the embedded database. */
    url: env.DATABASE_URL,
    poolMax: env.DATABASE_POOL_MAX,
    dataDir: env.DATA_DIR === IN_MEMORY ? IN_MEMORY : resolve(env.DATA_DIR),
    migrationsRun: env.MIGRATIONS_RUN,
  };
});
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
