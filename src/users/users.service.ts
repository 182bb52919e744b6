import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { failOnDuplicate } from '../database/errors';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { SessionUser } from '../auth/actor';
import { hashPassword, temporaryPassword } from '../auth/password';
import type { Role } from '../auth/permissions';
import { OrganizationsService } from '../organizations/organizations.service';
import type { Page } from '../web/pagination';
import { User } from './user.entity';
import { UsersRepository } from './users.repository';
import { UUID } from '../web/form-rules';

export class UsernameTakenError extends Error {}
export class SelfDeactivationError extends Error {}
/** An admin changing their own role could leave nobody able to manage accounts. */
export class OwnRoleChangeError extends Error {}

/** The organization (or a granted one) is unknown, or inactive and not already held. */
export class UnknownOrganizationError extends Error {
  constructor(readonly field: 'organizationId' | 'grantedOrganizationIds') {
    super(`Unknown or inactive organization (${field})`);
  }
}

export interface NewUser {
  username: string;
  role: Role;
  organizationId: string;
  /** Given: the user keeps it (CLI). Omitted: a temporary password the user must change. */
  password?: string;
}

export interface UserChanges {
  role: Role;
  organizationId: string;
  grantedOrganizationIds: string[];
}

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usersRepository: UsersRepository,
    private readonly auditService: AuditService,
    private readonly organizationsService: OrganizationsService,
  ) {}

  /** What the session needs about a user; null when the account is gone or inactive. */
  async loadSessionUser(id: string): Promise<SessionUser | null> {
    const user = await this.usersRepository.findSessionUser(id);
    if (!user || !user.active) return null;
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      organizationId: user.organizationId,
      grantedOrganizationIds: user.grantedOrganizationIds,
      mustChangePassword: user.mustChangePassword,
      totpEnabled: user.totpEnabled,
    };
  }

  findByUsername(username: string): Promise<User | null> {
    return this.usersRepository.findByUsername(username);
  }

  async get(id: string): Promise<User> {
    const user = await this.usersRepository.findById(id);
    if (!user) throw new NotFoundException();
    return user;
  }

  grantsOf(userId: string): Promise<string[]> {
    return this.usersRepository.grantedOrganizationIds(userId);
  }

  list(page: Page) {
    return this.usersRepository.listPage(page.offset, page.limit);
  }

  hasAdmin(): Promise<boolean> {
    return this.usersRepository.countAdmins().then((n) => n > 0);
  }

  /** Creates an account; returns the temporary password to hand over when none was given. */
  async create(context: AuditContext, input: NewUser): Promise<{ user: User; temporaryPassword: string | null }> {
    const username = input.username.toLowerCase();
    if (await this.usersRepository.findByUsername(username)) throw new UsernameTakenError();
    if (!(await this.organizationsService.findActive(input.organizationId)))
      throw new UnknownOrganizationError('organizationId');
    const tempPassword = input.password ? null : temporaryPassword();
    const passwordHash = await hashPassword(input.password ?? tempPassword!);
    // The check above gives the friendly answer; the unique index settles a race between two admins.
    const user = await failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        const created = await this.usersRepository.insert(tx, {
          username,
          passwordHash,
          role: input.role,
          organizationId: input.organizationId,
          mustChangePassword: tempPassword !== null,
        });
        await this.auditService.record(tx, context, {
          action: 'user.created',
          target: { type: 'user', id: created.id },
          organizationId: created.organizationId,
          details: { role: created.role },
        });
        return created;
      }),
      () => new UsernameTakenError(),
    );
    return { user, temporaryPassword: tempPassword };
  }

  /** Role, organization and grants. A change of role or organization signs the user out everywhere. */
  async update(context: AuditContext, id: string, changes: UserChanges): Promise<void> {
    const user = await this.get(id);
    const grantsBefore = await this.usersRepository.grantedOrganizationIds(id);
    const grants =
      changes.role === 'manager'
        ? [...new Set(changes.grantedOrganizationIds)].filter((o) => o !== changes.organizationId)
        : [];
    if (id === context.actorUserId && changes.role !== user.role) throw new OwnRoleChangeError();
    await this.checkOrganizations(user, grantsBefore, changes.organizationId, grants);
    const changed = [
      ...(user.role !== changes.role ? ['role'] : []),
      ...(user.organizationId !== changes.organizationId ? ['organization'] : []),
      ...([...grantsBefore].sort().join() !== [...grants].sort().join() ? ['grants'] : []),
    ];
    if (changed.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { role: changes.role, organizationId: changes.organizationId });
      await this.usersRepository.replaceGrants(tx, id, grants);
      if (changed.includes('role') || changed.includes('organization'))
        await this.usersRepository.deleteSessions(tx, id);
      await this.auditService.record(tx, context, {
        action: 'user.updated',
        target: { type: 'user', id },
        organizationId: changes.organizationId,
        details: { changed, role: changes.role },
      });
    });
  }

  /**
   * A user may stay in, or keep a grant to, an organization deactivated since; nobody is moved into,
   * or newly granted, an unknown or inactive one.
   */
  private async checkOrganizations(user: User, grantsBefore: string[], organizationId: string, grants: string[]) {
    if (organizationId !== user.organizationId && !(await this.organizationsService.findActive(organizationId)))
      throw new UnknownOrganizationError('organizationId');
    const added = grants.filter((g) => !grantsBefore.includes(g));
    if (added.some((g) => !UUID.test(g))) throw new UnknownOrganizationError('grantedOrganizationIds');
    const found = await this.organizationsService.findByIds(added);
    if (found.filter((o) => o.active).length !== added.length)
      throw new UnknownOrganizationError('grantedOrganizationIds');
  }

  async setActive(context: AuditContext, id: string, active: boolean): Promise<void> {
    const user = await this.get(id);
    if (!active && user.id === context.actorUserId) throw new SelfDeactivationError();
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { active });
      if (!active) await this.usersRepository.deleteSessions(tx, id);
      await this.auditService.record(tx, context, {
        action: active ? 'user.activated' : 'user.deactivated',
        target: { type: 'user', id },
        organizationId: user.organizationId,
      });
    });
  }

  /** A new temporary password; the user must change it, and every session of theirs ends. */
  async resetPassword(context: AuditContext, id: string): Promise<string> {
    const user = await this.get(id);
    const password = temporaryPassword();
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { passwordHash, mustChangePassword: true });
      await this.usersRepository.deleteSessions(tx, id);
      await this.auditService.record(tx, context, {
        action: 'user.password_reset',
        target: { type: 'user', id },
        organizationId: user.organizationId,
      });
    });
    return password;
  }

  async resetTotp(context: AuditContext, id: string): Promise<void> {
    const user = await this.get(id);
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { totpSecretCipher: null, totpEnabledAt: null });
      await this.usersRepository.deleteSessions(tx, id);
      await this.auditService.record(tx, context, {
        action: 'user.totp_reset',
        target: { type: 'user', id },
        organizationId: user.organizationId,
      });
    });
  }

  async signOutEverywhere(context: AuditContext, id: string): Promise<void> {
    const user = await this.get(id);
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.deleteSessions(tx, id);
      await this.auditService.record(tx, context, {
        action: 'user.signed_out_everywhere',
        target: { type: 'user', id },
        organizationId: user.organizationId,
      });
    });
  }

  /** The user's own password change (first sign-in, or from their account page). */
  async changeOwnPassword(context: AuditContext, id: string, newPassword: string): Promise<void> {
    const passwordHash = await hashPassword(newPassword);
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { passwordHash, mustChangePassword: false });
      await this.auditService.record(tx, context, { action: 'auth.password_changed', target: { type: 'user', id } });
    });
  }

  async enableTotp(context: AuditContext, id: string, secretCipher: string, now: Date): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.usersRepository.update(tx, id, { totpSecretCipher: secretCipher, totpEnabledAt: now });
      await this.auditService.record(tx, context, { action: 'auth.totp_enrolled', target: { type: 'user', id } });
    });
  }
}
