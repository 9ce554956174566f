import type { MigrationInterface, QueryRunner } from 'typeorm';

/** initial */
export class Initial1795632289649 implements MigrationInterface {
  name = 'Initial1795632289649';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`authors\` (\`id\` uuid NOT NULL, \`createdAt\` datetime(6) NOT NULL, \`updatedAt\` datetime(6) NOT NULL, \`name\` varchar(200) NOT NULL, \`birth_year\` int NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`books\` (\`id\` uuid NOT NULL, \`createdAt\` datetime(6) NOT NULL, \`updatedAt\` datetime(6) NOT NULL, \`title\` varchar(200) NOT NULL, \`isbn\` varchar(17) NOT NULL, \`published_year\` int NULL, \`author_id\` uuid NOT NULL, UNIQUE INDEX \`IDX_54337dc30d9bb2c3fadebc6909\` (\`isbn\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`loans\` (\`id\` bigint NOT NULL AUTO_INCREMENT, \`createdAt\` datetime(6) NOT NULL, \`updatedAt\` datetime(6) NOT NULL, \`book_id\` uuid NOT NULL, \`borrower\` varchar(100) NOT NULL, \`returnedAt\` datetime(6) NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`books\` ADD CONSTRAINT \`FK_1056dbee4616479f7d562c562df\` FOREIGN KEY (\`author_id\`) REFERENCES \`authors\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`loans\` ADD CONSTRAINT \`FK_09b09d3d1b8e33c0f8dd4cafa48\` FOREIGN KEY (\`book_id\`) REFERENCES \`books\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`loans\` DROP FOREIGN KEY \`FK_09b09d3d1b8e33c0f8dd4cafa48\``);
    await queryRunner.query(`ALTER TABLE \`books\` DROP FOREIGN KEY \`FK_1056dbee4616479f7d562c562df\``);
    await queryRunner.query(`DROP TABLE \`loans\``);
    await queryRunner.query(`DROP INDEX \`IDX_54337dc30d9bb2c3fadebc6909\` ON \`books\``);
    await queryRunner.query(`DROP TABLE \`books\``);
    await queryRunner.query(`DROP TABLE \`authors\``);
  }
}
