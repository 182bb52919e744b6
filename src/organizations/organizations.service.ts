import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { failOnDuplicate } from '../database/errors';
import { AuditContext, AuditService } from '../audit/audit.service';
import { Organization } from './organization.entity';
import { OrganizationsRepository } from './organizations.repository';

export class OrganizationCodeTakenError extends Error {}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organizationsRepository: OrganizationsRepository,
    private readonly auditService: AuditService,
  ) {}

  listAll(): Promise<Organization[]> {
    return this.organizationsRepository.listAll();
  }

  listActive(): Promise<Organization[]> {
    return this.organizationsRepository.listActive();
  }

  findByCode(code: string): Promise<Organization | null> {
    return this.organizationsRepository.findByCode(code);
  }

  findByIds(ids: string[]): Promise<Organization[]> {
    return this.organizationsRepository.findByIds(ids);
  }

  async get(id: string): Promise<Organization> {
    const organization = await this.organizationsRepository.findById(id);
    if (!organization) throw new NotFoundException();
    return organization;
  }

  /** An active organization by id, or null (forms report it as a field error). */
  async findActive(id: string): Promise<Organization | null> {
    const organization = await this.organizationsRepository.findById(id);
    return organization?.active ? organization : null;
  }

  async create(context: AuditContext, input: { code: string; name: string }): Promise<Organization> {
    const code = input.code.toLowerCase();
    if (await this.organizationsRepository.findByCode(code)) throw new OrganizationCodeTakenError();
    return failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        const organization = await this.organizationsRepository.insert(tx, { code, name: input.name });
        await this.auditService.record(tx, context, {
          action: 'organization.created',
          target: { type: 'organization', id: organization.id },
          organizationId: organization.id,
        });
        return organization;
      }),
      () => new OrganizationCodeTakenError(),
    );
  }

  async update(context: AuditContext, id: string, changes: { name: string; active: boolean }): Promise<void> {
    const organization = await this.get(id);
    const changed = [
      ...(organization.name !== changes.name ? ['name'] : []),
      ...(organization.active !== changes.active ? ['active'] : []),
    ];
    if (changed.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      await this.organizationsRepository.update(tx, id, changes);
      await this.auditService.record(tx, context, {
        action: 'organization.updated',
        target: { type: 'organization', id },
        organizationId: id,
        details: { changed },
      });
    });
  }
}
