/**
 * The stable code lists of MISSION.md §4 and §6: used in the database, imports and exports.
 * Labels are translated in the interface (src/i18n, section `codes`).
 */
export const GENDERS = ['female', 'male', 'trans_female', 'trans_male', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

/** `massage` includes hair-wash/relaxation and tẩm quất. */
export const WORK_SETTINGS = ['street', 'massage', 'karaoke_bar', 'hotel', 'online', 'other'] as const;
export type WorkSetting = (typeof WORK_SETTINGS)[number];

export const DOMAINS = ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'] as const;
export type Domain = (typeof DOMAINS)[number];

export const ANSWERS = ['yes', 'no', 'unknown'] as const;
export type Answer = (typeof ANSWERS)[number];

export const VIOLENCE_ANSWERS = ['yes', 'no', 'declined'] as const;
export type ViolenceAnswer = (typeof VIOLENCE_ANSWERS)[number];

export const MODALITIES = ['street', 'venue', 'online', 'phone', 'office', 'peer', 'group'] as const;
export type Modality = (typeof MODALITIES)[number];

export const TOPICS = [
  'hiv_sti',
  'condoms',
  'gbv',
  'legal_rights',
  'labour_rights',
  'services',
  'mental_health',
  'drug_use',
  'other',
] as const;
export type Topic = (typeof TOPICS)[number];

export const SERVICE_TYPES: Record<Domain, readonly string[]> = {
  health: ['hiv_testing', 'sti_care', 'arv', 'prep', 'methadone', 'reproductive_health', 'general_health'],
  legal: ['legal_aid', 'documents'],
  psychosocial: ['counselling', 'gbv_support'],
  vocational: ['training_course'],
  employment: ['job_placement'],
  credit: ['vbsp_loan', 'microcredit'],
};

export const ALL_SERVICE_TYPES: readonly string[] = DOMAINS.flatMap((domain) => SERVICE_TYPES[domain]);

/** The domain a service type belongs to (each type belongs to exactly one). */
export const domainOfServiceType = (serviceType: string): Domain | null =>
  DOMAINS.find((domain) => SERVICE_TYPES[domain].includes(serviceType)) ?? null;

export const REFERRAL_STATUSES = [
  'referred',
  'scheduled',
  'completed',
  'declined',
  'no_show',
  'lost',
  'cancelled',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** How a completed referral was verified. */
export const VERIFICATIONS = ['provider_confirmed', 'client_reported', 'document_seen'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

/** Peer groups (MISSION §4): kinds, member roles and the types of their sessions. */
export const GROUP_KINDS = ['peer_group', 'self_help_group', 'club'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export const MEMBER_ROLES = ['member', 'leader', 'peer_educator'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const SESSION_TYPES = [
  'regular_meeting',
  'skills_training',
  'health_education',
  'gbv_support',
  'legal_awareness',
  'livelihood',
  'community_event',
  'outreach',
] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);
