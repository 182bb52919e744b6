import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { MIGRATIONS } from '../../migrations';
import { openEmbeddedDatabase } from './embedded';
import { ENTITIES } from './entities';
import { SnakeCaseNamingStrategy } from './snake-case-naming';

export interface DatabaseHandle {
  options: DataSourceOptions;
  /** Closes the embedded database and releases its lock; nothing to do for a server. */
  close: () => Promise<void>;
}

/**
 * One options builder for the app, the TypeORM CLI and the tests:
 * DATABASE_URL set → that PostgreSQL server; unset → the embedded database (PGlite) under DATA_DIR,
 * reached through its node-postgres adapter so that everything uses the real `pg` driver.
 */
export async function buildDataSourceOptions(config: DatabaseConfig): Promise<DatabaseHandle> {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeCaseNamingStrategy(),
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
    logging: false,
  };
  if (config.url) {
    return {
      options: {
        ...common,
        url: config.url,
        // JIT compilation costs the indicator queries 300–500 ms per run (measured with bench:indicators)
        // and buys nothing for statements of this size: off for the app's sessions.
        extra: { max: config.poolMax, connectionTimeoutMillis: 5_000, options: '-c jit=off' },
      },
      close: async () => undefined,
    };
  }
  const embedded = await openEmbeddedDatabase(config.dataDir);
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  // Exactly one connection: PGlite is single-session, and a second pool would not be isolated.
  const pgConfig = createPgConfig(embedded.pglite);
  return {
    options: { ...common, extra: { ...pgConfig, max: 1, idleTimeoutMillis: 0 } },
    close: embedded.close,
  };
}
