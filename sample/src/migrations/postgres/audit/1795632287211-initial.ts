import type { MigrationInterface, QueryRunner } from 'typeorm';

/** initial */
export class Initial1795632287211 implements MigrationInterface {
  name = 'Initial1795632287211';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entries" ("id" BIGSERIAL NOT NULL, "action" character varying(50) NOT NULL, "subject_id" character varying(64) NOT NULL, "summary" character varying(300), "createdAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6b1623bcad4d04530b76548d619" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_entries"`);
  }
}
