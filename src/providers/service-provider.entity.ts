import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ALL_SERVICE_TYPES, DOMAINS, Domain } from '../reference/codes';
import { sqlList } from '../reference/sql';

/**
 * A partner organization clients are referred to (the service directory). Everything here is public
 * information about the organization, never about a client.
 */
@Entity('service_provider')
@Check('ck_service_provider_domains', `"domains" <@ ARRAY[${sqlList(DOMAINS)}]::varchar[]`)
@Check('ck_service_provider_service_types', `"service_types" <@ ARRAY[${sqlList(ALL_SERVICE_TYPES)}]::varchar[]`)
export class ServiceProvider {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The name folded for matching (`providerNameKey`): unique, so an import finds "Bệnh viện  X" as "bệnh viện x". */
  @Column({ type: 'varchar', length: 200, unique: true })
  nameKey: string;

  @Column({ type: 'varchar', length: 20, array: true, default: '{}' })
  domains: Domain[];

  @Column({ type: 'varchar', length: 30, array: true, default: '{}' })
  serviceTypes: string[];

  /** Null for a provider added by an import that did not say where it is. */
  @Column({ type: 'varchar', length: 60, nullable: true })
  districtCode: string | null;

  /** The organization's public address, phone and opening hours, printed on referral slips. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  openingHours: string | null;

  /** Known to serve key populations without judgement: offered first. */
  @Column({ type: 'boolean', default: false })
  kpFriendly: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Added by an import under a name not yet in the directory: an admin completes or merges it. */
  @Column({ type: 'boolean', default: false })
  needsReview: boolean;

  /** A demo entry (`providers:samples`), clearly marked on every page that lists it. */
  @Column({ type: 'boolean', default: false })
  sample: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** How names are compared: case, spacing and Unicode composition do not make two providers. */
export const providerNameKey = (name: string) =>
  name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
