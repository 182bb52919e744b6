import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { failOnDuplicate } from '../database/errors';
import type { Target } from './target.entity';
import { pickTarget, ResolvedTarget, singleOrganization } from './targets';
import { TargetListRow, TargetsRepository, TargetValues, TargetVisibility } from './targets.repository';

/** A target of this year, scope and district is already set; `existingId` when the actor may open it. */
export class TargetScopeTakenError extends Error {
  constructor(readonly existingId: string | null) {
    super('Target scope taken');
  }
}

/** What an actor may set: program-wide targets (administrators) and which organizations' targets. */
export interface TargetAuthority {
  program: boolean;
  organizations: 'all' | string[];
}

/**
 * Yearly targets (MISSION §4) and the rule that says which one applies (`resolve`, used by the
 * dashboard). Administrators set program-wide targets and those of any organization; a manager sets
 * those of their own organization and sees the program's read-only. Organizations a manager is granted
 * for aggregates do not give them that organization's targets.
 */
@Injectable()
export class TargetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly targetsRepository: TargetsRepository,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The current year in Hanoi. */
  currentYear(): number {
    return Number(localDay(this.clock.now()).slice(0, 4));
  }

  authorityOf(actor: Actor): TargetAuthority {
    return actor.role === 'admin'
      ? { program: true, organizations: 'all' }
      : { program: false, organizations: [actor.organizationId] };
  }

  /** May the actor change this target (or set one of this scope)? */
  mayChange(actor: Actor, organizationId: string | null): boolean {
    const authority = this.authorityOf(actor);
    if (organizationId === null) return authority.program;
    return authority.organizations === 'all' || authority.organizations.includes(organizationId);
  }

  listForYear(actor: Actor, year: number): Promise<TargetListRow[]> {
    return this.targetsRepository.listForYear(this.visibilityOf(actor), year);
  }

  /** A target the actor may change: 404 when they may not see it, 403 for a program-wide one they only see. */
  async getChangeable(actor: Actor, id: string): Promise<Target> {
    const target = await this.targetsRepository.findVisible(this.visibilityOf(actor), id);
    if (!target) throw new NotFoundException();
    if (!this.mayChange(actor, target.organizationId)) throw new ForbiddenException();
    return target;
  }

  /** Sets a new target. The scope must be one the actor may set (the form checks it first). */
  async create(actor: Actor, context: AuditContext, values: TargetValues): Promise<Target> {
    this.assertMayChange(actor, values.organizationId);
    await this.assertScopeFree(actor, values);
    return failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        const target = await this.targetsRepository.insert(tx, values, actor.userId);
        await this.audit(tx, context, 'target.saved', target.id, values, 'created');
        return target;
      }),
      () => new TargetScopeTakenError(null),
    );
  }

  /** Changes a target (its scope too: a target moved onto another's scope is refused). */
  async update(actor: Actor, context: AuditContext, target: Target, values: TargetValues): Promise<void> {
    this.assertMayChange(actor, target.organizationId);
    this.assertMayChange(actor, values.organizationId);
    await this.assertScopeFree(actor, values, target.id);
    await failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        await this.targetsRepository.update(tx, target.id, values, actor.userId);
        await this.audit(tx, context, 'target.saved', target.id, values, 'updated');
      }),
      () => new TargetScopeTakenError(null),
    );
  }

  async remove(actor: Actor, context: AuditContext, target: Target): Promise<void> {
    this.assertMayChange(actor, target.organizationId);
    await this.dataSource.transaction(async (tx) => {
      await this.targetsRepository.delete(tx, target.id);
      await this.audit(tx, context, 'target.deleted', target.id, target, 'deleted');
    });
  }

  /**
   * The target that applies for a year to one organization, several, or all of them ('all'),
   * optionally in one district: see `pickTarget` for the order of the rules.
   */
  async resolve(year: number, organizationIds: string[] | 'all', district?: string | null): Promise<ResolvedTarget> {
    const organizationId = singleOrganization(organizationIds);
    const districtCode = district ?? null;
    const rules = await this.targetsRepository.rulesFor(year, organizationId, districtCode);
    return pickTarget(rules, organizationId, districtCode);
  }

  private visibilityOf(actor: Actor): TargetVisibility {
    const { organizations } = this.authorityOf(actor);
    return organizations === 'all' ? 'all' : { organizationIds: organizations };
  }

  private assertMayChange(actor: Actor, organizationId: string | null) {
    if (!this.mayChange(actor, organizationId)) throw new ForbiddenException();
  }

  private async assertScopeFree(actor: Actor, values: TargetValues, exceptId?: string) {
    const existing = await this.targetsRepository.findByScope(values.year, values.organizationId, values.districtCode);
    if (existing && existing.id !== exceptId) {
      throw new TargetScopeTakenError(this.mayChange(actor, existing.organizationId) ? existing.id : null);
    }
  }

  /** Codes, ids and numbers only: a target holds nothing about a person. */
  private audit(
    tx: Parameters<AuditService['record']>[0],
    context: AuditContext,
    action: 'target.saved' | 'target.deleted',
    id: string,
    values: TargetValues,
    change: 'created' | 'updated' | 'deleted',
  ) {
    return this.auditService.record(tx, context, {
      action,
      target: { type: 'target', id },
      organizationId: values.organizationId,
      details: {
        change,
        year: values.year,
        organizationId: values.organizationId,
        districtCode: values.districtCode,
        reachTarget: values.reachTarget,
        accessTarget: Number(values.accessTarget),
      },
    });
  }
}
