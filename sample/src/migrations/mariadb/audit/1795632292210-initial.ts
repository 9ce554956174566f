import type { MigrationInterface, QueryRunner } from 'typeorm';

/** initial */
export class Initial1795632292210 implements MigrationInterface {
  name = 'Initial1795632292210';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`audit_entries\` (\`id\` bigint NOT NULL AUTO_INCREMENT, \`action\` varchar(50) NOT NULL, \`subject_id\` varchar(64) NOT NULL, \`summary\` varchar(300) NULL, \`createdAt\` datetime(6) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`audit_entries\``);
  }
}
