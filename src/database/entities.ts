import { NeedsAssessment, NeedsAssessmentDomain } from '../assessments/needs-assessment.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { LoginThrottle } from '../auth/login-throttle.entity';
import { AnonymousContactTally } from '../clients/anonymous-tally.entity';
import { Client } from '../clients/client.entity';
import { ConsentNotice } from '../consent-notices/consent-notice.entity';
import { Contact } from '../contacts/contact.entity';
import { District } from '../geography/district.entity';
import { GroupAttendance, GroupSession } from '../groups/group-session.entity';
import { GroupMembership, PeerGroup, PeerGroupCoordinator } from '../groups/peer-group.entity';
import { ImportJob } from '../imports/import-job.entity';
import { Organization } from '../organizations/organization.entity';
import { PrivacyRequest } from '../privacy-requests/privacy-request.entity';
import { ServiceProvider } from '../providers/service-provider.entity';
import { Referral, ReferralEvent } from '../referrals/referral.entity';
import { Target } from '../targets/target.entity';
import { ManagerOrganizationGrant, User } from '../users/user.entity';

/** Every entity, listed explicitly (TypeORM 1.x switches between require and import() on globs). */
export const ENTITIES = [
  Organization,
  User,
  ManagerOrganizationGrant,
  District,
  AuditEvent,
  LoginThrottle,
  Client,
  AnonymousContactTally,
  Contact,
  NeedsAssessment,
  NeedsAssessmentDomain,
  ImportJob,
  PeerGroup,
  PeerGroupCoordinator,
  GroupMembership,
  GroupSession,
  GroupAttendance,
  ServiceProvider,
  Referral,
  ReferralEvent,
  Target,
  PrivacyRequest,
  ConsentNotice,
];
