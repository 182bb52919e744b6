import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../database/transaction';
import type { Domain } from '../reference/codes';
import { UUID } from '../web/form-rules';
import { providerNameKey, ServiceProvider } from './service-provider.entity';

export type NewProvider = Omit<ServiceProvider, 'id' | 'createdAt' | 'updatedAt' | 'nameKey'>;

export interface ProviderFilters {
  domain?: Domain;
  districtCode?: string;
  /** Only the entries an import added and an admin has not reviewed yet. */
  needsReview?: boolean;
  /** Inactive entries too (the admin list). */
  includeInactive?: boolean;
}

@Injectable()
export class ProvidersRepository {
  constructor(@InjectRepository(ServiceProvider) private readonly providers: Repository<ServiceProvider>) {}

  findById(id: string): Promise<ServiceProvider | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.providers.findOneBy({ id });
  }

  findByName(tx: Tx | null, name: string): Promise<ServiceProvider | null> {
    const manager = tx ?? this.providers.manager;
    return manager.getRepository(ServiceProvider).findOneBy({ nameKey: providerNameKey(name) });
  }

  /**
   * Active providers of a service type for the referral form: KP-friendly first, then those in the
   * client's district, then by name.
   */
  forService(domain: Domain, serviceType: string, districtCode: string | null): Promise<ServiceProvider[]> {
    return this.providers
      .createQueryBuilder('p')
      .where('p.active AND :domain = ANY(p.domains) AND :serviceType = ANY(p.serviceTypes)', { domain, serviceType })
      .orderBy('p.kpFriendly', 'DESC')
      .addOrderBy('CASE WHEN p.district_code = :district THEN 0 ELSE 1 END', 'ASC')
      .addOrderBy('p.name', 'ASC')
      .setParameter('district', districtCode ?? '')
      .getMany();
  }

  async list(filters: ProviderFilters, offset: number, limit: number) {
    const qb = this.providers.createQueryBuilder('p');
    if (!filters.includeInactive) qb.andWhere('p.active');
    if (filters.domain) qb.andWhere(':domain = ANY(p.domains)', { domain: filters.domain });
    if (filters.districtCode) qb.andWhere('p.districtCode = :district', { district: filters.districtCode });
    if (filters.needsReview) qb.andWhere('p.needsReview');
    const [rows, total] = await qb
      .orderBy('p.needsReview', 'DESC')
      .addOrderBy('p.name', 'ASC')
      .skip(offset)
      .take(limit)
      .getManyAndCount();
    return { rows, total };
  }

  countNeedingReview(): Promise<number> {
    return this.providers.countBy({ needsReview: true });
  }

  async insert(tx: Tx, provider: NewProvider): Promise<ServiceProvider> {
    const row = { ...provider, nameKey: providerNameKey(provider.name) };
    const result = await tx.getRepository(ServiceProvider).insert(row);
    return { ...row, ...(result.generatedMaps[0] as Pick<ServiceProvider, 'id' | 'createdAt' | 'updatedAt'>) };
  }

  async update(tx: Tx, id: string, changes: Partial<NewProvider>): Promise<void> {
    const withKey = changes.name === undefined ? changes : { ...changes, nameKey: providerNameKey(changes.name) };
    await tx.getRepository(ServiceProvider).update({ id }, withKey);
  }
}
