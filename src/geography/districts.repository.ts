import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../database/transaction';
import { District } from './district.entity';

@Injectable()
export class DistrictsRepository {
  constructor(@InjectRepository(District) private readonly districts: Repository<District>) {}

  findByCode(code: string): Promise<District | null> {
    return this.districts.findOneBy({ code });
  }

  listAll(): Promise<District[]> {
    return this.districts.find({ order: { sortOrder: 'ASC', name: 'ASC' } });
  }

  listActive(): Promise<District[]> {
    return this.districts.find({ where: { active: true }, order: { sortOrder: 'ASC', name: 'ASC' } });
  }

  async insert(tx: Tx, district: District): Promise<void> {
    await tx.getRepository(District).insert(district);
  }

  async update(tx: Tx, code: string, changes: Partial<Omit<District, 'code'>>): Promise<void> {
    await tx.getRepository(District).update({ code }, changes);
  }
}
