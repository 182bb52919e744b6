import { AuditEvent } from '../audit/audit-event.entity';
import { LoginThrottle } from '../auth/login-throttle.entity';
import { District } from '../geography/district.entity';
import { Organization } from '../organizations/organization.entity';
import { ManagerOrganizationGrant, User } from '../users/user.entity';

/** Every entity, listed explicitly (TypeORM 1.x switches between require and import() on globs). */
export const ENTITIES = [Organization, User, ManagerOrganizationGrant, District, AuditEvent, LoginThrottle];
