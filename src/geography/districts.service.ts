import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { failOnDuplicate } from '../database/errors';
import { AuditContext, AuditService } from '../audit/audit.service';
import { District } from './district.entity';
import { DistrictsRepository } from './districts.repository';

export class DistrictCodeTakenError extends Error {}

const CACHE_MS = 30_000;

@Injectable()
export class DistrictsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly districtsRepository: DistrictsRepository,
    private readonly auditService: AuditService,
  ) {}

  private activeCache: { at: number; districts: District[] } | null = null;

  listAll(): Promise<District[]> {
    return this.districtsRepository.listAll();
  }

  /**
   * Active districts, read on every contact form: cached for a short while. This process drops the
   * cache on every change; other app servers see a change within CACHE_MS.
   */
  async listActive(): Promise<District[]> {
    const now = Date.now();
    if (!this.activeCache || now - this.activeCache.at > CACHE_MS) {
      this.activeCache = { at: now, districts: await this.districtsRepository.listActive() };
    }
    return this.activeCache.districts;
  }

  async get(code: string): Promise<District> {
    const district = await this.districtsRepository.findByCode(code);
    if (!district) throw new NotFoundException();
    return district;
  }

  async create(context: AuditContext, district: District): Promise<void> {
    if (await this.districtsRepository.findByCode(district.code)) throw new DistrictCodeTakenError();
    await failOnDuplicate(
      this.dataSource.transaction(async (tx) => {
        await this.districtsRepository.insert(tx, district);
        await this.auditService.record(tx, context, {
          action: 'district.created',
          target: { type: 'district', id: district.code },
          organizationId: null,
        });
      }),
      () => new DistrictCodeTakenError(),
    );
    this.activeCache = null;
  }

  async update(context: AuditContext, code: string, changes: Omit<District, 'code'>): Promise<void> {
    const district = await this.get(code);
    const changed = (Object.keys(changes) as Array<keyof typeof changes>).filter((k) => district[k] !== changes[k]);
    if (changed.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      await this.districtsRepository.update(tx, code, changes);
      await this.auditService.record(tx, context, {
        action: 'district.updated',
        target: { type: 'district', id: code },
        organizationId: null,
        details: { changed },
      });
    });
    this.activeCache = null;
  }
}
