import { MigrationInterface, QueryRunner } from 'typeorm';

/** The notice as it was shown at registration until versions could be published (one paragraph per line). */
const FIRST_NOTICE = {
  version: '2026-01',
  publishedAt: '2026-01-01T00:00:00+07:00',
  vi: [
    'Mục đích: ghi lại những lần chúng tôi gặp và hỗ trợ bạn, để giới thiệu bạn đến dịch vụ y tế, pháp lý, tâm lý, học nghề, việc làm và vay vốn khi bạn cần.',
    'Những gì được lưu: một mã số tạo từ vài chữ cái và năm sinh. Chúng tôi không lưu tên, số điện thoại, địa chỉ hay giấy tờ tùy thân của bạn.',
    'Ai được xem: chỉ nhân viên của đơn vị chúng tôi. Báo cáo gửi cơ quan quản lý chỉ có số liệu tổng hợp, không ai nhận ra bạn.',
    'Lưu bao lâu: nếu trong 36 tháng bạn không gặp chúng tôi, hồ sơ sẽ tự động bị xóa.',
    'Bạn có thể hỏi xem, hạn chế hoặc yêu cầu xóa thông tin của mình bất cứ lúc nào: chỉ cần nói với nhân viên tiếp cận hoặc liên hệ đơn vị. Bạn có quyền từ chối và vẫn được hỗ trợ như bình thường.',
  ].join('\n'),
  en: [
    'Purpose: to record the times we meet and support you, so we can refer you to health, legal, psychological, vocational training, employment and credit services when you need them.',
    'What is kept: a code made from a few letters and your birth year. We do not keep your name, phone number, address or identity papers.',
    'Who sees it: only the staff of our organization. Reports to the authorities contain only totals, from which nobody can recognise you.',
    'How long: if you have no contact with us for 36 months, the record is erased automatically.',
    'You may ask to see, restrict or erase your data at any time: just tell an outreach worker or contact the organization. You may refuse and will still be helped as usual.',
  ].join('\n'),
};

/**
 * Versions of the consent notice, published by admins. The notice registration showed until now becomes
 * version 2026-01 (the version every client so far recorded), and each client's version must name a
 * published notice. Published notices are never changed or removed: the database refuses it.
 */
export class CreateConsentNotices1795890200000 implements MigrationInterface {
  name = 'CreateConsentNotices1795890200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "consent_notice" ("version" character varying(20) NOT NULL, "body_vi" text NOT NULL, "body_en" text NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_by" uuid, CONSTRAINT "ck_consent_notice_bodies" CHECK ("body_vi" <> '' AND "body_en" <> ''), CONSTRAINT "ck_consent_notice_version" CHECK ("version" ~ '^20[0-9]{2}-(0[1-9]|1[0-2])(-([2-9]|[1-9][0-9]))?$'), CONSTRAINT "pk_consent_notice" PRIMARY KEY ("version"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "consent_notice" ADD CONSTRAINT "fk_consent_notice_published_by" FOREIGN KEY ("published_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "consent_notice" ("version", "body_vi", "body_en", "published_at", "published_by") VALUES ($1, $2, $3, $4, NULL)`,
      [FIRST_NOTICE.version, FIRST_NOTICE.vi, FIRST_NOTICE.en, FIRST_NOTICE.publishedAt],
    );
    await queryRunner.query(`
      CREATE FUNCTION consent_notice_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a published consent notice is never changed: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`CREATE TRIGGER consent_notice_no_update_delete BEFORE UPDATE OR DELETE ON "consent_notice"
      FOR EACH ROW EXECUTE FUNCTION consent_notice_refuse_change()`);
    await queryRunner.query(
      `ALTER TABLE "client" ADD CONSTRAINT "fk_client_consent_notice" FOREIGN KEY ("consent_notice_version") REFERENCES "consent_notice"("version") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client" DROP CONSTRAINT "fk_client_consent_notice"`);
    await queryRunner.query(`DROP TRIGGER consent_notice_no_update_delete ON "consent_notice"`);
    await queryRunner.query(`DROP FUNCTION consent_notice_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "consent_notice" DROP CONSTRAINT "fk_consent_notice_published_by"`);
    await queryRunner.query(`DROP TABLE "consent_notice"`);
  }
}
