import type { MigrationInterface, QueryRunner } from 'typeorm';

/** soft delete and versions */
export class SoftDeleteAndVersions1796656417906 implements MigrationInterface {
  name = 'SoftDeleteAndVersions1796656417906';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = 'mariadb';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`books\` ADD \`deletedAt\` datetime(6) NULL`);
    await queryRunner.query(`ALTER TABLE \`loans\` ADD \`version\` int NOT NULL DEFAULT 1`);
    // Loans made before this migration start at version 1; new ones get theirs from TypeORM.
    await queryRunner.query(`ALTER TABLE \`loans\` ALTER COLUMN \`version\` DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`loans\` DROP COLUMN \`version\``);
    await queryRunner.query(`ALTER TABLE \`books\` DROP COLUMN \`deletedAt\``);
  }
}
