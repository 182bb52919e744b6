import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Organization } from '../organizations/organization.entity';
import type { Role } from '../auth/permissions';

@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower-case login name. */
  @Column({ type: 'varchar', length: 60, unique: true })
  username: string;

  /** argon2id hash. */
  @Column({ type: 'varchar', length: 200 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_app_user_organization' })
  organization?: Organization;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Set for temporary passwords given by an admin: the user must choose their own at next login. */
  @Column({ type: 'boolean', default: false })
  mustChangePassword: boolean;

  /** TOTP secret, encrypted with the field cipher. */
  @Column({ type: 'text', nullable: true })
  totpSecretCipher: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  totpEnabledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** Organizations whose aggregates a manager may see, besides their own (granted by an admin). */
@Entity('manager_organization_grant')
export class ManagerOrganizationGrant {
  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_grant_user' })
  user?: User;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_grant_organization' })
  organization?: Organization;
}
