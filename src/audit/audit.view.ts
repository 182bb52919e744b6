import { isRole } from '../auth/permissions';
import { hasMessage } from '../i18n/i18n';
import { formatDateTime } from '../web/handlebars-helpers';
import { AUDIT_ACTIONS } from './audit-action';
import type { AuditEventRecord } from './audit.repository';

/** A message key when the catalogs have one, otherwise null and the template shows the code itself. */
const keyIfKnown = (key: string): string | null => (hasMessage(key) ? key : null);

export const actionLabelKey = (action: string) => keyIfKnown(`audit.actions.${action}`);

/** The action filter's options, in the vocabulary's order. */
export const toActionOptions = () =>
  AUDIT_ACTIONS.map((action) => ({ value: action, label: action, labelKey: actionLabelKey(action) }));

export const toAuditRow = (event: AuditEventRecord) => ({
  id: event.id,
  href: `/audit/${event.id}`,
  time: formatDateTime(event.occurredAt),
  actorName: event.actorName,
  roleKey: isRole(event.actorRole) ? `roles.${event.actorRole}` : null,
  organizationName: event.organizationName,
  organizationCode: event.organizationCode,
  action: event.action,
  actionKey: actionLabelKey(event.action),
  targetType: event.targetType,
  targetTypeKey: event.targetType ? keyIfKnown(`audit.targetTypes.${event.targetType}`) : null,
  targetId: event.targetId,
  outcome: event.outcome,
  outcomeKey: keyIfKnown(`audit.outcomes.${event.outcome}`),
  failed: event.outcome !== 'success',
  ipAddress: event.ipAddress,
});

/** Details are closed, non-personal values (field names, counts, codes): shown as they are, escaped. */
const describe = (value: unknown): string => {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(describe).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

export const toAuditDetail = (event: AuditEventRecord) => ({
  ...toAuditRow(event),
  details: Object.entries(event.details ?? {}).map(([term, value]) => ({ term, description: describe(value) })),
});
