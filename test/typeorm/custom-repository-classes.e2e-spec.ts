import { BadRequestException, Controller, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';

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
  const testApp = useTestApp({
    kind,
    label: 'custom_repo',
    config: { autoLoadEntities: true },
    imports: [PhotosModule],
  });

  it('starts, and its writes follow the request: kept on 201, rolled back on 400', async () => {
    await request(testApp.url).post('/photos/kept').expect(201);
    await request(testApp.url).post('/photos/dropped?fail=true').expect(400);
    expect(await testApp.probe.count('cr_photos', 'title = ?', ['kept'])).toBe(1);
    expect(await testApp.probe.count('cr_photos', 'title = ?', ['dropped'])).toBe(0);
  });
});
