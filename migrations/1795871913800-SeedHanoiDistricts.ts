import { MigrationInterface, QueryRunner } from 'typeorm';

/** The 30 district-level units of Hanoi (12 urban districts, Sơn Tây town, 17 rural districts).
 *  Seed data only: admins edit geography in the app when boundaries change. */
const DISTRICTS: ReadonlyArray<[code: string, name: string, kind: 'urban' | 'town' | 'rural']> = [
  ['ba-dinh', 'Ba Đình', 'urban'],
  ['hoan-kiem', 'Hoàn Kiếm', 'urban'],
  ['tay-ho', 'Tây Hồ', 'urban'],
  ['long-bien', 'Long Biên', 'urban'],
  ['cau-giay', 'Cầu Giấy', 'urban'],
  ['dong-da', 'Đống Đa', 'urban'],
  ['hai-ba-trung', 'Hai Bà Trưng', 'urban'],
  ['hoang-mai', 'Hoàng Mai', 'urban'],
  ['thanh-xuan', 'Thanh Xuân', 'urban'],
  ['nam-tu-liem', 'Nam Từ Liêm', 'urban'],
  ['bac-tu-liem', 'Bắc Từ Liêm', 'urban'],
  ['ha-dong', 'Hà Đông', 'urban'],
  ['son-tay', 'Sơn Tây', 'town'],
  ['ba-vi', 'Ba Vì', 'rural'],
  ['phuc-tho', 'Phúc Thọ', 'rural'],
  ['dan-phuong', 'Đan Phượng', 'rural'],
  ['hoai-duc', 'Hoài Đức', 'rural'],
  ['quoc-oai', 'Quốc Oai', 'rural'],
  ['thach-that', 'Thạch Thất', 'rural'],
  ['chuong-my', 'Chương Mỹ', 'rural'],
  ['thanh-oai', 'Thanh Oai', 'rural'],
  ['thuong-tin', 'Thường Tín', 'rural'],
  ['phu-xuyen', 'Phú Xuyên', 'rural'],
  ['ung-hoa', 'Ứng Hòa', 'rural'],
  ['my-duc', 'Mỹ Đức', 'rural'],
  ['soc-son', 'Sóc Sơn', 'rural'],
  ['dong-anh', 'Đông Anh', 'rural'],
  ['gia-lam', 'Gia Lâm', 'rural'],
  ['me-linh', 'Mê Linh', 'rural'],
  ['thanh-tri', 'Thanh Trì', 'rural'],
];

export class SeedHanoiDistricts1795871913800 implements MigrationInterface {
  name = 'SeedHanoiDistricts1795871913800';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [index, [code, name, kind]] of DISTRICTS.entries()) {
      await queryRunner.query(
        `INSERT INTO "district" ("code", "name", "kind", "active", "sort_order") VALUES ($1, $2, $3, true, $4)`,
        [code, name, kind, (index + 1) * 10],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "district" WHERE "code" = ANY($1)`, [DISTRICTS.map(([code]) => code)]);
  }
}
