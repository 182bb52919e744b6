import { CreateFoundation1795871913565 } from './1795871913565-CreateFoundation';
import { ProtectAuditTrail1795871913600 } from './1795871913600-ProtectAuditTrail';
import { CreateSessionStore1795871913700 } from './1795871913700-CreateSessionStore';
import { SeedHanoiDistricts1795871913800 } from './1795871913800-SeedHanoiDistricts';
import { CreateOutreachRecords1795874464751 } from './1795874464751-CreateOutreachRecords';
import { CreateImportJobs1795874991636 } from './1795874991636-CreateImportJobs';
import { CreateReferrals1795880694479 } from './1795880694479-CreateReferrals';
import { CreatePeerGroups1795882712314 } from './1795882712314-CreatePeerGroups';
import { CreateIndicatorTables1795890000000 } from './1795890000000-CreateIndicatorTables';
import { CreateTargets1795890100000 } from './1795890100000-CreateTargets';
import { CreateConsentNotices1795890200000 } from './1795890200000-CreateConsentNotices';
import { CreatePrivacyRequests1795890300000 } from './1795890300000-CreatePrivacyRequests';
import { AddClientErasure1795890400000 } from './1795890400000-AddClientErasure';
import { CoverIndicatorClientDays1795890450000 } from './1795890450000-CoverIndicatorClientDays';
import { CreateIndicatorRollups1795890500000 } from './1795890500000-CreateIndicatorRollups';

/** Every migration, in order, listed explicitly (no globs: see STACK.md). */
export const MIGRATIONS = [
  CreateFoundation1795871913565,
  ProtectAuditTrail1795871913600,
  CreateSessionStore1795871913700,
  SeedHanoiDistricts1795871913800,
  CreateOutreachRecords1795874464751,
  CreateImportJobs1795874991636,
  CreateReferrals1795880694479,
  CreatePeerGroups1795882712314,
  CreateIndicatorTables1795890000000,
  CreateTargets1795890100000,
  CreateConsentNotices1795890200000,
  CreatePrivacyRequests1795890300000,
  AddClientErasure1795890400000,
  CoverIndicatorClientDays1795890450000,
  CreateIndicatorRollups1795890500000,
];
