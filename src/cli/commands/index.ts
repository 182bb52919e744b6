import type { CliCommand, EarlyCommand } from '../command';
import { backupCommand, restoreCommand } from './backup.command';
import { demoSeedCommand } from './demo.command';
import { clientEraseCommand, erasuresListCommand, erasuresReapplyCommand, retentionRunCommand } from './erase.command';
import { importCommand } from './import.command';
import { indicatorsCommand } from './indicators.command';
import { rotateKeysCommand } from './keys.command';
import { createOrganizationCommand } from './organizations.command';
import { providerSamplesCommand } from './providers-samples.command';
import { createUserCommand } from './users.command';

/** Every command of `npm run cli -- …` that needs the app (secrets:generate is handled before start). */
export const COMMANDS: Array<CliCommand | EarlyCommand> = [
  createOrganizationCommand,
  createUserCommand,
  rotateKeysCommand,
  importCommand,
  clientEraseCommand,
  retentionRunCommand,
  erasuresListCommand,
  erasuresReapplyCommand,
  indicatorsCommand,
  providerSamplesCommand,
  demoSeedCommand,
  backupCommand,
  restoreCommand,
];
