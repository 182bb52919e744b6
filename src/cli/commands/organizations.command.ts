import { cliContext } from '../../audit/audit.service';
import { translate } from '../../i18n/i18n';
import { OrganizationCodeTakenError, OrganizationsService } from '../../organizations/organizations.service';
import { CreateOrganizationArgs } from '../cli.forms';
import { CliCommand, UsageError, validated } from '../command';

export const createOrganizationCommand: CliCommand = {
  name: 'org:create',
  usage: 'org:create --code CODE --name "NAME"',
  options: ['code', 'name'],
  run: async (app, values) => {
    const args = await validated(CreateOrganizationArgs, values);
    try {
      const organization = await app.get(OrganizationsService).create(cliContext(), args);
      return `Organization ${organization.code} created.`;
    } catch (error) {
      if (error instanceof OrganizationCodeTakenError)
        throw new UsageError(`--code: ${translate('en', 'organizations.codeTaken')}`);
      throw error;
    }
  },
};
