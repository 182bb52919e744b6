import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DISTRICT_KINDS = ['urban', 'town', 'rural'] as const;
export type DistrictKind = (typeof DISTRICT_KINDS)[number];

/** A district-level unit (quận/huyện/thị xã). Geography is data: admins edit it, boundaries change. */
@Entity('district')
export class District {
  /** ASCII slug of the Vietnamese name, e.g. `hai-ba-trung`; used in imports and exports. */
  @PrimaryColumn({ type: 'varchar', length: 60 })
  code: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  kind: DistrictKind;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'integer', default: 0 })
  sortOrder: number;
}
