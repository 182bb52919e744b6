import type { Actor } from '../auth/actor';
import type { Permission } from '../auth/permissions';

interface NavEntry {
  href: string;
  labelKey: string;
  permission: Permission;
}

/** The menu, in order. An entry shows only to roles that hold its permission. */
const NAV: readonly NavEntry[] = [
  { href: '/', labelKey: 'nav.home', permission: 'home:view' },
  { href: '/clients', labelKey: 'nav.clients', permission: 'clients:read' },
  { href: '/contacts', labelKey: 'nav.contacts', permission: 'contacts:read' },
  { href: '/groups', labelKey: 'nav.groups', permission: 'groups:read' },
  { href: '/referrals/follow-up', labelKey: 'nav.followUp', permission: 'referrals:read' },
  { href: '/review/referrals', labelKey: 'nav.referralReview', permission: 'referrals:review' },
  { href: '/indicators', labelKey: 'nav.indicators', permission: 'indicators:view' },
  { href: '/privacy/requests', labelKey: 'nav.requests', permission: 'privacy:requests' },
  { href: '/imports', labelKey: 'nav.imports', permission: 'imports:run' },
  { href: '/targets', labelKey: 'nav.targets', permission: 'targets:manage' },
  { href: '/admin/users', labelKey: 'nav.users', permission: 'users:manage' },
  { href: '/admin/organizations', labelKey: 'nav.organizations', permission: 'organizations:manage' },
  { href: '/admin/providers', labelKey: 'nav.providers', permission: 'providers:manage' },
  { href: '/admin/districts', labelKey: 'nav.districts', permission: 'geography:manage' },
  { href: '/admin/consent-notices', labelKey: 'nav.consentNotices', permission: 'consent:manage' },
  { href: '/admin/retention', labelKey: 'nav.retention', permission: 'retention:manage' },
  { href: '/audit', labelKey: 'nav.audit', permission: 'audit:read' },
];

export function navigationFor(actor: Actor, currentPath: string) {
  return NAV.filter((entry) => actor.permissions.has(entry.permission)).map((entry) => ({
    href: entry.href,
    labelKey: entry.labelKey,
    current: entry.href === '/' ? currentPath === '/' : currentPath.startsWith(entry.href),
  }));
}
