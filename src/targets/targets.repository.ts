import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../database/transaction';
import { UUID } from '../web/form-rules';
import { Target } from './target.entity';
import type { TargetRule } from './targets';

/** What a target form sets (the rest is the system's). */
export type TargetValues = Pick<Target, 'year' | 'organizationId' | 'districtCode' | 'reachTarget' | 'accessTarget'>;

/** Whose targets an actor sees: all of them, or the program's and those of some organizations. */
export type TargetVisibility = 'all' | { organizationIds: string[] };

/** A target with its organization's name, for the list. */
export interface TargetListRow {
  id: string;
  year: number;
  organizationId: string | null;
  organizationName: string | null;
  districtCode: string | null;
  reachTarget: number;
  accessTarget: string;
  updatedAt: Date;
}

@Injectable()
export class TargetsRepository {
  constructor(@InjectRepository(Target) private readonly targets: Repository<Target>) {}

  /** A target the actor may see: any, or a program-wide one or one of the given organizations. */
  findVisible(visibility: TargetVisibility, id: string): Promise<Target | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    const qb = this.targets.createQueryBuilder('t').where('t.id = :id', { id });
    if (visibility !== 'all') {
      qb.andWhere('(t.organizationId IS NULL OR t.organizationId IN (:...organizationIds))', {
        organizationIds: visibility.organizationIds,
      });
    }
    return qb.getOne();
  }

  /** The targets of a year the actor may see: program-wide first, then by organization name, then district. */
  async listForYear(visibility: TargetVisibility, year: number): Promise<TargetListRow[]> {
    const qb = this.targets
      .createQueryBuilder('t')
      .leftJoin('t.organization', 'o')
      .select([
        't.id AS id',
        't.year AS year',
        't.organization_id AS "organizationId"',
        'o.name AS "organizationName"',
        't.district_code AS "districtCode"',
        't.reach_target AS "reachTarget"',
        't.access_target AS "accessTarget"',
        't.updated_at AS "updatedAt"',
      ])
      .where('t.year = :year', { year });
    if (visibility !== 'all') {
      qb.andWhere('(t.organizationId IS NULL OR t.organizationId IN (:...organizationIds))', {
        organizationIds: visibility.organizationIds,
      });
    }
    const rows = await qb
      .orderBy('t.organization_id IS NULL', 'DESC')
      .addOrderBy('o.name', 'ASC')
      .addOrderBy('t.organization_id', 'ASC')
      .addOrderBy('t.district_code IS NULL', 'DESC')
      .addOrderBy('t.district_code', 'ASC')
      .getRawMany<TargetListRow>();
    return rows.map((row) => ({ ...row, year: Number(row.year), reachTarget: Number(row.reachTarget) }));
  }

  /** The target of exactly this scope, if one is set (the form's duplicate check). */
  findByScope(year: number, organizationId: string | null, districtCode: string | null): Promise<Target | null> {
    return this.targets
      .createQueryBuilder('t')
      .where('t.year = :year', { year })
      .andWhere(organizationId === null ? 't.organizationId IS NULL' : 't.organizationId = :organizationId', {
        organizationId,
      })
      .andWhere(districtCode === null ? 't.districtCode IS NULL' : 't.districtCode = :districtCode', { districtCode })
      .getOne();
  }

  /**
   * Every rule that may apply to a question about a year: the program's, and, when the question is
   * about one organization, that organization's; with a district, those of that district too.
   */
  async rulesFor(year: number, organizationId: string | null, districtCode: string | null): Promise<TargetRule[]> {
    const qb = this.targets
      .createQueryBuilder('t')
      .select(['t.organizationId', 't.districtCode', 't.reachTarget', 't.accessTarget'])
      .where('t.year = :year', { year });
    if (organizationId === null) qb.andWhere('t.organizationId IS NULL');
    else qb.andWhere('(t.organizationId IS NULL OR t.organizationId = :organizationId)', { organizationId });
    if (districtCode === null) qb.andWhere('t.districtCode IS NULL');
    else qb.andWhere('(t.districtCode IS NULL OR t.districtCode = :districtCode)', { districtCode });
    const rows = await qb.getMany();
    return rows.map((row) => ({
      organizationId: row.organizationId,
      districtCode: row.districtCode,
      reach: row.reachTarget,
      accessRate: Number(row.accessTarget),
    }));
  }

  async insert(tx: Tx, values: TargetValues, updatedBy: string | null): Promise<Target> {
    const repository = tx.getRepository(Target);
    const result = await repository.insert({ ...values, updatedBy });
    const { id } = result.identifiers[0] as { id: string };
    return (await repository.findOneByOrFail({ id })) as Target;
  }

  async update(tx: Tx, id: string, values: TargetValues, updatedBy: string | null): Promise<void> {
    await tx.getRepository(Target).update({ id }, { ...values, updatedBy });
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.getRepository(Target).delete({ id });
  }
}
