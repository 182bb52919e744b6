import type { DataSource } from 'typeorm';

export interface AuditRow {
  action: string;
  outcome: string;
  actor_name: string;
  actor_user_id: string | null;
  organization_id: string | null;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

/** Audit rows about a user (as actor or as target), oldest first. */
export function auditRowsFor(dataSource: DataSource, userId: string): Promise<AuditRow[]> {
  return dataSource.query(
    `SELECT action, outcome, actor_name, actor_user_id, organization_id, target_type, target_id, details
       FROM audit_event WHERE actor_user_id = $1::uuid OR target_id = $1::text ORDER BY id`,
    [userId],
  );
}
