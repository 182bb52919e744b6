import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PreparedStatement, runPrepared } from '../database/prepared';
import type { Tx } from '../database/transaction';
import type { Role } from '../auth/permissions';
import { ManagerOrganizationGrant, User } from './user.entity';
import { isUuid } from '../web/form-rules';

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  active: boolean;
  totpEnabled: boolean;
  organizationCode: string;
  organizationName: string;
  createdAt: Date;
}

/** A user as the session needs it (see `findSessionUser`). */
export interface SessionUserRow {
  id: string;
  username: string;
  role: Role;
  organizationId: string;
  active: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  /** The organizations granted to a manager; empty for every other role. */
  grantedOrganizationIds: string[];
}

const SESSION_USER: PreparedStatement = {
  name: 'users.session_user',
  text: `SELECT u.id, u.username, u.role, u.organization_id AS "organizationId", u.active,
                u.must_change_password AS "mustChangePassword", u.totp_enabled_at IS NOT NULL AS "totpEnabled",
                CASE WHEN u.role = 'manager'
                     THEN ARRAY(SELECT g.organization_id::text FROM manager_organization_grant g WHERE g.user_id = u.id)
                     ELSE '{}'::text[] END AS "grantedOrganizationIds"
           FROM app_user u WHERE u.id = $1`,
};

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.users.findOneBy({ id }) : Promise.resolve(null);
  }

  /**
   * What a signed-in request needs about its user, in one prepared statement (the grants of a manager
   * included): read on every request, so it skips the entity mapping and leaves out the password hash and the
   * second-factor secret.
   */
  async findSessionUser(id: string): Promise<SessionUserRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await runPrepared<SessionUserRow>(this.users.manager, SESSION_USER, [id]);
    return row ?? null;
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username: username.toLowerCase() });
  }

  countAdmins(): Promise<number> {
    return this.users.countBy({ role: 'admin', active: true });
  }

  async grantedOrganizationIds(userId: string): Promise<string[]> {
    const grants = await this.users.manager.getRepository(ManagerOrganizationGrant).findBy({ userId });
    return grants.map((g) => g.organizationId);
  }

  async listPage(offset: number, limit: number): Promise<{ rows: UserRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.users
        .createQueryBuilder('u')
        .innerJoin('u.organization', 'o')
        .select([
          'u.id AS id',
          'u.username AS username',
          'u.role AS role',
          'u.active AS active',
          'u.totp_enabled_at IS NOT NULL AS "totpEnabled"',
          'o.code AS "organizationCode"',
          'o.name AS "organizationName"',
          'u.created_at AS "createdAt"',
        ])
        .orderBy('u.username')
        .offset(offset)
        .limit(limit)
        .getRawMany<UserRow>(),
      this.users.count(),
    ]);
    return { rows, total };
  }

  insert(tx: Tx, user: Pick<User, 'username' | 'passwordHash' | 'role' | 'organizationId' | 'mustChangePassword'>) {
    return tx.getRepository(User).save(tx.getRepository(User).create(user));
  }

  async update(tx: Tx, id: string, changes: Partial<Omit<User, 'id' | 'organization'>>): Promise<void> {
    await tx.getRepository(User).update({ id }, changes);
  }

  async replaceGrants(tx: Tx, userId: string, organizationIds: string[]): Promise<void> {
    const grants = tx.getRepository(ManagerOrganizationGrant);
    await grants.delete({ userId });
    if (organizationIds.length)
      await grants.insert(organizationIds.map((organizationId) => ({ userId, organizationId })));
  }

  /** Sign-out everywhere: drops every server-side session of the user. */
  async deleteSessions(tx: Tx, userId: string): Promise<void> {
    await tx.query(`DELETE FROM user_session WHERE sess::jsonb -> 'passport' ->> 'user' = $1`, [userId]);
  }
}
