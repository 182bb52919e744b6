import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { Tx } from '../database/transaction';
import { Organization } from './organization.entity';
import { isUuid } from '../web/form-rules';

@Injectable()
export class OrganizationsRepository {
  constructor(@InjectRepository(Organization) private readonly organizations: Repository<Organization>) {}

  findById(id: string): Promise<Organization | null> {
    return isUuid(id) ? this.organizations.findOneBy({ id }) : Promise.resolve(null);
  }

  findByCode(code: string): Promise<Organization | null> {
    return this.organizations.findOneBy({ code: code.toLowerCase() });
  }

  findByIds(ids: string[]): Promise<Organization[]> {
    return ids.length ? this.organizations.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  listAll(): Promise<Organization[]> {
    return this.organizations.find({ order: { name: 'ASC' } });
  }

  listActive(): Promise<Organization[]> {
    return this.organizations.find({ where: { active: true }, order: { name: 'ASC' } });
  }

  insert(tx: Tx, input: Pick<Organization, 'code' | 'name'>): Promise<Organization> {
    const repo = tx.getRepository(Organization);
    return repo.save(repo.create(input));
  }

  async update(tx: Tx, id: string, changes: Partial<Pick<Organization, 'name' | 'active'>>): Promise<void> {
    await tx.getRepository(Organization).update({ id }, changes);
  }
}
