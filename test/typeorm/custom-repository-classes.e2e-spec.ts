import { BadRequestException, Controller, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';

// A class extending Repository, listed in the module's own forFeature beside its entity (as many
// @nestjs/typeorm applications still list it), on the module's own options.

@Entity('cr_photos')
class Photo {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 80 }) title!: string;
}

@Injectable()
class PhotoRepository extends Repository<Photo> {
  constructor(dataSource: DataSource) {
    super(Photo, dataSource.createEntityManager());
  }
}

@Controller('photos')
class PhotosController {
  constructor(private readonly photos: PhotoRepository) {}
  @Post(':title')
  async create(@Param('title') title: string, @Query('fail') fail?: string): Promise<void> {
    await this.photos.save({ title });
    if (fail === 'true') throw new BadRequestException('refused after the write');
  }
}

@Module({
  imports: [AdvancedAlchemyModule.forFeature([Photo, PhotoRepository])],
  providers: [PhotoRepository],
  controllers: [PhotosController],
})
class PhotosModule {}

describe.each(testDatabaseKinds())('A custom repository class in AdvancedAlchemyModule.forFeature, on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let probe: DatabaseProbe;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'custom_repo');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          autoLoadEntities: true,
          createAll: true,
          commitMode: 'autocommit',
        }),
        PhotosModule,
      ],
    })
    class AppModule {}
    app = await bootApp(AppModule);
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await probe?.close();
    await app?.close();
    await database?.drop();
  });

  it('starts, and its writes follow the request: kept on 201, rolled back on 400', async () => {
    await request(app.getHttpServer()).post('/photos/kept').expect(201);
    await request(app.getHttpServer()).post('/photos/dropped?fail=true').expect(400);
    expect(await probe.count('cr_photos', 'title = ?', ['kept'])).toBe(1);
    expect(await probe.count('cr_photos', 'title = ?', ['dropped'])).toBe(0);
  });
});
