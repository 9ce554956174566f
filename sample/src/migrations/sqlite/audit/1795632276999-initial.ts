import type { MigrationInterface, QueryRunner } from 'typeorm';

/** initial */
export class Initial1795632276999 implements MigrationInterface {
  name = 'Initial1795632276999';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entries" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "action" varchar(50) NOT NULL, "subject_id" varchar(64) NOT NULL, "summary" varchar(300), "createdAt" datetime(6) NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_entries"`);
  }
}
