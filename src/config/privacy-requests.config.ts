import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

export const privacyRequestsConfig = registerAs('privacyRequests', () => {
  const env = loadEnv();
  return {
    /** A request's deadline is the day it was received plus this many calendar days. */
    deadlineDays: env.PRIVACY_REQUEST_DAYS,
  };
});
export type PrivacyRequestsConfig = ReturnType<typeof privacyRequestsConfig>;
