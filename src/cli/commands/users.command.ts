import { cliContext } from '../../audit/audit.service';
import type { Role } from '../../auth/permissions';
import { translate } from '../../i18n/i18n';
import { OrganizationsService } from '../../organizations/organizations.service';
import { UsernameTakenError, UsersService } from '../../users/users.service';
import { CreateUserArgs } from '../cli.forms';
import { CliCommand, readStdinLine, UsageError, validated } from '../command';

export const createUserCommand: CliCommand = {
  name: 'user:create',
  usage:
    'user:create --username U --role ROLE --org CODE   (password read from standard input; roles: admin, manager, social_worker, peer_coordinator)',
  options: ['username', 'role', 'org'],
  run: async (app, values) => {
    const password = await readStdinLine('Password: ');
    const args = await validated(CreateUserArgs, { ...values, password });
    const organization = await app.get(OrganizationsService).findByCode(args.org);
    if (!organization?.active) throw new UsageError(`--org: no active organization has the code ${args.org}`);
    try {
      const { user } = await app.get(UsersService).create(cliContext(), {
        username: args.username,
        role: args.role as Role,
        organizationId: organization.id,
        password: args.password,
      });
      return `User ${user.username} (${user.role}) created in ${organization.code}.`;
    } catch (error) {
      if (error instanceof UsernameTakenError)
        throw new UsageError(`--username: ${translate('en', 'users.usernameTaken')}`);
      throw error;
    }
  },
};
