import { resetEnvForTests } from '../../src/config/env';

/**
 * Test configuration: fixed keys (never used outside tests); with DATABASE_URL set the tests run on
 * that PostgreSQL server (CI), otherwise on an in-memory embedded database per test file.
 */
resetEnvForTests({
  NODE_ENV: 'test',
  DATA_DIR: process.env.DATABASE_URL ? './data-test' : 'memory://',
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
  UIC_KEY: Buffer.alloc(32, 7).toString('base64'),
  FIELD_KEYS: `v1:${Buffer.alloc(32, 9).toString('base64')}`,
  BACKUP_KEY: Buffer.alloc(32, 11).toString('base64'),
  LOG_LEVEL: 'info',
});
