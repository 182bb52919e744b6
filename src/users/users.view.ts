import { ROLES } from '../auth/permissions';
import type { Organization } from '../organizations/organization.entity';
import type { User } from './user.entity';
import type { UserRow } from './users.repository';

export const userPath = (id: string) => `/admin/users/${id}`;

export const toUserRow = (row: UserRow) => ({
  href: userPath(row.id),
  username: row.username,
  roleKey: `roles.${row.role}`,
  organizationName: row.organizationName,
  active: row.active,
  totpEnabled: row.totpEnabled,
});

export const toUserDetail = (user: User, organization: Organization | undefined) => ({
  id: user.id,
  href: userPath(user.id),
  username: user.username,
  roleKey: `roles.${user.role}`,
  organizationName: organization?.name ?? '',
  active: user.active,
  totpEnabled: user.totpEnabledAt !== null,
  mustChangePassword: user.mustChangePassword,
  createdAt: user.createdAt,
});

/** The one-time page that shows a temporary password (after creation or a reset). */
export const toTemporaryPasswordView = (user: User, reason: 'created' | 'reset', password: string) => ({
  headingKey: reason === 'created' ? 'users.created' : 'users.passwordResetDone',
  username: user.username,
  href: userPath(user.id),
  temporaryPassword: password,
});

export const roleOptions = () => ROLES.map((role) => ({ value: role, labelKey: `roles.${role}` }));

const organizationLabel = (organization: Organization) => `${organization.name} (${organization.code})`;

export const organizationOptions = (organizations: Organization[]) =>
  organizations.map((o) => ({ value: o.id, label: organizationLabel(o), inactive: !o.active }));

/** Checkboxes for a manager's grants: every organization offered except the one they belong to. */
export const grantOptions = (organizations: Organization[], ownOrganizationId: string, checked: string[]) =>
  organizations
    .filter((o) => o.id !== ownOrganizationId)
    .map((o) => ({ value: o.id, label: organizationLabel(o), inactive: !o.active, checked: checked.includes(o.id) }));
