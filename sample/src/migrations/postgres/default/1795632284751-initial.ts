import type { MigrationInterface, QueryRunner } from 'typeorm';

/** initial */
export class Initial1795632284751 implements MigrationInterface {
  name = 'Initial1795632284751';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "authors" ("id" uuid NOT NULL, "createdAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "name" character varying(200) NOT NULL, "birth_year" integer, CONSTRAINT "PK_d2ed02fabd9b52847ccb85e6b88" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "books" ("id" uuid NOT NULL, "createdAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "title" character varying(200) NOT NULL, "isbn" character varying(17) NOT NULL, "published_year" integer, "author_id" uuid NOT NULL, CONSTRAINT "UQ_54337dc30d9bb2c3fadebc69094" UNIQUE ("isbn"), CONSTRAINT "PK_f3f2f25a099d24e12545b70b022" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "loans" ("id" BIGSERIAL NOT NULL, "createdAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP(6) WITH TIME ZONE NOT NULL, "book_id" uuid NOT NULL, "borrower" character varying(100) NOT NULL, "returnedAt" TIMESTAMP(6) WITH TIME ZONE, CONSTRAINT "PK_5c6942c1e13e4de135c5203ee61" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "books" ADD CONSTRAINT "FK_1056dbee4616479f7d562c562df" FOREIGN KEY ("author_id") REFERENCES "authors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "loans" ADD CONSTRAINT "FK_09b09d3d1b8e33c0f8dd4cafa48" FOREIGN KEY ("book_id") REFERENCES "books"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loans" DROP CONSTRAINT "FK_09b09d3d1b8e33c0f8dd4cafa48"`);
    await queryRunner.query(`ALTER TABLE "books" DROP CONSTRAINT "FK_1056dbee4616479f7d562c562df"`);
    await queryRunner.query(`DROP TABLE "loans"`);
    await queryRunner.query(`DROP TABLE "books"`);
    await queryRunner.query(`DROP TABLE "authors"`);
  }
}
