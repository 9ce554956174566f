import { Injectable, Module } from '@nestjs/common';
import { getDataSourceToken, InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import { AdvancedAlchemyModule, ImproperConfigurationError } from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { bootApp, startupError } from '../support/boot-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { User } from '../fixtures/nestjs-typeorm-app/users/user.entity';

/** An entity no bind key lists. */
@Entity('nt_strangers')
class Stranger {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 20 }) name!: string;
}

@Injectable()
class StrangersService {
  constructor(@InjectRepository(Stranger) readonly strangers: Repository<Stranger>) {}
}

describe.each(testDatabaseKinds())('Startup checks of the @nestjs/typeorm integration on %s', (kind) => {
  let database: TestDatabase;
  const config = () => ({ connectionString: database.connectionString, entities: [User] });

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'nt_startup');
  });
  afterAll(() => database?.drop());

  it('refuses a second AdvancedAlchemyModule.forRoot of the same bind key, naming both import sites and the fix', async () => {
    @Module({ imports: [AdvancedAlchemyModule.forRoot(config())] })
    class ReportsModule {}
    @Module({ imports: [AdvancedAlchemyModule.forRoot(config()), ReportsModule] })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('Bind key "default" is registered twice');
    expect(error.message).toMatch(
      /imported in (AppModule and again in ReportsModule|ReportsModule and again in AppModule)/,
    );
    expect(error.message).toContain('several times with distinct bind keys');
    expect(error.message).toContain('AdvancedAlchemyModule.forFeature([Entity, …], bindKey)');
  });

  it('refuses a TypeOrmModule.forRoot DataSource of the same name as a bind key', async () => {
    @Module({
      imports: [
        // Not connected: the clash is a matter of configuration, found before anything connects.
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [User], manualInitialization: true })),
        AdvancedAlchemyModule.forRoot(config()),
      ],
    })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('TypeOrmModule.forRoot registers a DataSource named "default"');
    expect(error.message).toContain('AdvancedAlchemyModule.forRootAsync({ inject: [getDataSourceToken()]');
  });

  it('refuses a named TypeOrmModule.forRoot DataSource that clashes with a named bind key', async () => {
    @Module({
      imports: [
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { name: 'audit', manualInitialization: true })),
        AdvancedAlchemyModule.forRoot([config(), { ...config(), bindKey: 'audit' }]),
      ],
    })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error.message).toContain('TypeOrmModule.forRoot registers a DataSource named "audit"');
    expect(error.message).toContain("getDataSourceToken('audit')");
  });

  it("leaves @nestjs/typeorm's default tokens to TypeOrmModule.forRoot when forRoot declares no 'default' bind key", async () => {
    @Module({
      imports: [
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [User], manualInitialization: true })),
        AdvancedAlchemyModule.forRoot({ ...config(), bindKey: 'primary' }),
      ],
    })
    class AppModule {}

    const app = await bootApp(AppModule);
    try {
      // TypeOrmModule's DataSource (never initialised here), and the bind key's under its own name.
      expect(app.get(DataSource).isInitialized).toBe(false);
      expect(app.get<DataSource>(getDataSourceToken('primary')).isInitialized).toBe(true);
    } finally {
      await app.close();
    }
  });

  it("refuses forRootAsync's default tokens beside TypeOrmModule.forRoot, naming the inject that fixes it", async () => {
    @Module({
      imports: [
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [User], manualInitialization: true })),
        AdvancedAlchemyModule.forRootAsync({ useFactory: () => ({ ...config(), bindKey: 'primary' }) }),
      ],
    })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('TypeOrmModule.forRoot registers a DataSource named "default"');
    expect(error.message).toContain("Add getDataSourceToken() to forRootAsync's inject");
  });

  it.each([
    ['AdvancedAlchemyModule.forFeature', () => AdvancedAlchemyModule.forFeature([Stranger])],
    ['TypeOrmModule.forFeature', () => TypeOrmModule.forFeature([Stranger])],
  ])('refuses %s of an entity the bind key does not know, naming the fix', async (_name, forFeature) => {
    @Module({ imports: [forFeature()], providers: [StrangersService] })
    class StrangersModule {}
    @Module({ imports: [AdvancedAlchemyModule.forRoot(config()), StrangersModule] })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('Stranger is not an entity of bind key "default"');
    expect(error.message).toContain('autoLoadEntities: true');
    expect(error.message).toContain('AdvancedAlchemyModule.forFeature([Stranger])');
  });

  it('refuses a forFeature on a bind key no configuration declares', async () => {
    @Module({ imports: [AdvancedAlchemyModule.forFeature([Stranger], 'ghost')] })
    class StrangersModule {}
    @Module({ imports: [AdvancedAlchemyModule.forRoot(config()), StrangersModule] })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain("AdvancedAlchemyModule.forFeature([Stranger], 'ghost')");
    expect(error.message).toContain('Configured bind keys: "default"');
  });

  it('refuses autoLoadEntities on a bind key that brings its own DataSource', async () => {
    @Module({
      imports: [
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [User], manualInitialization: true })),
        AdvancedAlchemyModule.forRootAsync({
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => ({ dataSource, autoLoadEntities: true }),
        }),
      ],
    })
    class AppModule {}

    const error = await startupError([AppModule]);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect(error.message).toContain('sets autoLoadEntities but brings its own dataSource');
  });
});
