import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';

@Entity('create_all_enum_tickets')
class Ticket {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'simple-enum', enum: ['open', 'closed'], default: 'open' }) state!: 'open' | 'closed';
}

// createAll on a fresh database must create a table with an enum column. On PostgreSQL TypeORM
// creates the column's enum type first (CREATE TYPE …); createMissingTables keeps only the CREATE
// TABLE / INDEX / ALTER TABLE statements of the missing tables, so the type is never created.
describe.each(testDatabaseKinds())('createAll with an enum column on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'create_all_enum');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates the table at startup', async () => {
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [Ticket],
          createAll: true,
        }),
      ],
    })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).init();
    await app.close();
    const probe = await openProbe(database.connectionString);
    try {
      await probe.query("INSERT INTO create_all_enum_tickets (state) VALUES ('closed')");
      expect(await probe.count('create_all_enum_tickets')).toBe(1);
    } finally {
      await probe.close();
    }
  });
});
