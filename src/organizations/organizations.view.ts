import { CHECKED } from '../web/form-rules';
import type { Organization } from './organization.entity';

export const organizationPath = (organization: Pick<Organization, 'id'>) => `/admin/organizations/${organization.id}`;

export const toOrganizationRow = (organization: Organization) => ({
  code: organization.code,
  name: organization.name,
  active: organization.active,
  editHref: organizationPath(organization),
});

/** What the edit page shows besides the form: the code, which never changes. */
export const toOrganizationDetail = (organization: Organization) => ({
  code: organization.code,
  action: organizationPath(organization),
});

/** The edit form filled with the stored values (the same shape as a submitted form). */
export const toOrganizationFormValues = (organization: Organization) => ({
  name: organization.name,
  active: organization.active ? CHECKED : undefined,
});
