import type { CliCommand } from '../command';
import { importCommand } from './import.command';
import { rotateKeysCommand } from './keys.command';
import { createOrganizationCommand } from './organizations.command';
import { providerSamplesCommand } from './providers-samples.command';
import { createUserCommand } from './users.command';

/** Every command of `npm run cli -- …` that needs the app (secrets:generate is handled before start). */
export const COMMANDS: CliCommand[] = [
  createOrganizationCommand,
  createUserCommand,
  rotateKeysCommand,
  importCommand,
  providerSamplesCommand,
];
