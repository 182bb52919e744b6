import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

export const appConfig = registerAs('app', () => {
  const env = loadEnv();
  return {
    nodeEnv: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
  };
});
export type AppConfig = ReturnType<typeof appConfig>;
