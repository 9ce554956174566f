import type { MigrationInterface, QueryRunner } from 'typeorm';

/** soft delete and versions */
export class SoftDeleteAndVersions1796656432177 implements MigrationInterface {
  name = 'SoftDeleteAndVersions1796656432177';
  /** The kind of database these statements are written for: another kind refuses to run them. */
  databaseKind = 'sqlite';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "temporary_books" ("id" varchar PRIMARY KEY NOT NULL, "createdAt" datetime(6) NOT NULL, "updatedAt" datetime(6) NOT NULL, "title" varchar(200) NOT NULL, "isbn" varchar(17) NOT NULL, "published_year" integer, "author_id" varchar NOT NULL, "deletedAt" datetime(6), CONSTRAINT "UQ_54337dc30d9bb2c3fadebc69094" UNIQUE ("isbn"), CONSTRAINT "FK_1056dbee4616479f7d562c562df" FOREIGN KEY ("author_id") REFERENCES "authors" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_books"("id", "createdAt", "updatedAt", "title", "isbn", "published_year", "author_id") SELECT "id", "createdAt", "updatedAt", "title", "isbn", "published_year", "author_id" FROM "books"`,
    );
    await queryRunner.query(`DROP TABLE "books"`);
    await queryRunner.query(`ALTER TABLE "temporary_books" RENAME TO "books"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_loans" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "createdAt" datetime(6) NOT NULL, "updatedAt" datetime(6) NOT NULL, "book_id" varchar NOT NULL, "borrower" varchar(100) NOT NULL, "returnedAt" datetime(6), "version" integer NOT NULL, CONSTRAINT "FK_09b09d3d1b8e33c0f8dd4cafa48" FOREIGN KEY ("book_id") REFERENCES "books" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_loans"("id", "createdAt", "updatedAt", "book_id", "borrower", "returnedAt", "version") SELECT "id", "createdAt", "updatedAt", "book_id", "borrower", "returnedAt", 1 FROM "loans"`,
    );
    await queryRunner.query(`DROP TABLE "loans"`);
    await queryRunner.query(`ALTER TABLE "temporary_loans" RENAME TO "loans"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "loans" RENAME TO "temporary_loans"`);
    await queryRunner.query(
      `CREATE TABLE "loans" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "createdAt" datetime(6) NOT NULL, "updatedAt" datetime(6) NOT NULL, "book_id" varchar NOT NULL, "borrower" varchar(100) NOT NULL, "returnedAt" datetime(6), CONSTRAINT "FK_09b09d3d1b8e33c0f8dd4cafa48" FOREIGN KEY ("book_id") REFERENCES "books" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "loans"("id", "createdAt", "updatedAt", "book_id", "borrower", "returnedAt") SELECT "id", "createdAt", "updatedAt", "book_id", "borrower", "returnedAt" FROM "temporary_loans"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_loans"`);
    await queryRunner.query(`ALTER TABLE "books" RENAME TO "temporary_books"`);
    await queryRunner.query(
      `CREATE TABLE "books" ("id" varchar PRIMARY KEY NOT NULL, "createdAt" datetime(6) NOT NULL, "updatedAt" datetime(6) NOT NULL, "title" varchar(200) NOT NULL, "isbn" varchar(17) NOT NULL, "published_year" integer, "author_id" varchar NOT NULL, CONSTRAINT "UQ_54337dc30d9bb2c3fadebc69094" UNIQUE ("isbn"), CONSTRAINT "FK_1056dbee4616479f7d562c562df" FOREIGN KEY ("author_id") REFERENCES "authors" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "books"("id", "createdAt", "updatedAt", "title", "isbn", "published_year", "author_id") SELECT "id", "createdAt", "updatedAt", "title", "isbn", "published_year", "author_id" FROM "temporary_books"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_books"`);
  }
}
