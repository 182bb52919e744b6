import type { Actor } from '../auth/actor';
import type { Organization } from '../organizations/organization.entity';

export const toHomeView = (actor: Actor, organization: Organization) => ({
  username: actor.username,
  roleKey: `roles.${actor.role}`,
  introKey: `home.${actor.role}`,
  organizationName: organization.name,
});
