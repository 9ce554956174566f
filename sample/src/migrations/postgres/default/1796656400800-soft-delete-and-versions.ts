import type { MigrationInterface, QueryRunner } from 'typeorm';

/** soft delete and versions */
export class SoftDeleteAndVersions1796656400800 implements MigrationInterface {
  name = 'SoftDeleteAndVersions1796656400800';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = 'postgres';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "books" ADD "deletedAt" TIMESTAMP(6) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "loans" ADD "version" integer NOT NULL DEFAULT 1`);
    // Loans made before this migration start at version 1; new ones get theirs from TypeORM.
    await queryRunner.query(`ALTER TABLE "loans" ALTER COLUMN "version" DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loans" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "books" DROP COLUMN "deletedAt"`);
  }
}
