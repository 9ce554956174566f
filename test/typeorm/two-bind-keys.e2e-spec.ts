import { Controller, Get, Inject, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import { HealthCheckService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import {
  getDataSourceToken,
  InjectDataSource,
  InjectEntityManager,
  InjectRepository,
  TypeOrmModule,
} from '@nestjs/typeorm';
import request from 'supertest';
import { Column, DataSource, Entity, EntityManager, PrimaryGeneratedColumn, Repository } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { User } from '../fixtures/nestjs-typeorm-app/users/user.entity';

/** An entity of the 'other' bind key only, which its config does not list: autoLoadEntities brings it in. */
@Entity('nt_notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 80 }) title!: string;
}

const NOTE_WRITER = Symbol('NOTE_WRITER');

/** The `Repository.extend` kind of custom repository. */
function noteWriter(dataSource: DataSource) {
  return dataSource.getRepository(Note).extend({
    writeTitled(title: string) {
      return this.save({ title });
    },
  });
}
type NoteWriter = ReturnType<typeof noteWriter>;

/** The class kind of custom repository, built on the injected EntityManager. */
@Injectable()
class NoteArchive extends Repository<Note> {
  constructor(@InjectEntityManager('other') manager: EntityManager) {
    super(Note, manager);
  }
  archive(title: string) {
    return this.save({ title });
  }
}

@Injectable()
class NotesService {
  constructor(
    @InjectRepository(Note, 'other') private readonly notes: Repository<Note>,
    @InjectEntityManager('other') private readonly manager: EntityManager,
    @Inject(NOTE_WRITER) private readonly writer: NoteWriter,
    private readonly archive: NoteArchive,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  write(how: string, title: string): Promise<unknown> {
    if (how === 'repository') return this.notes.save({ title });
    if (how === 'manager') return this.manager.save(Note, { title });
    if (how === 'transaction') return this.manager.transaction((manager) => manager.save(Note, { title }));
    if (how === 'extended') return this.writer.writeTitled(title);
    if (how === 'subclass') return this.archive.archive(title);
    return Promise.all([this.notes.save({ title }), this.users.save({ firstName: title, lastName: title })]);
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Post(':how/:title') async write(
    @Param('how') how: string,
    @Param('title') title: string,
    @Query('fail') fail?: string,
  ) {
    await this.notes.write(how, title);
    if (fail === 'true') throw new Error(`failed after writing ${title} through ${how}`);
    return { ok: true };
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @InjectDataSource() private readonly main: DataSource,
    @InjectDataSource('other') private readonly other: DataSource,
  ) {}
  @Get() check() {
    return this.health.check([
      () => this.db.pingCheck('default', { connection: this.main }),
      () => this.db.pingCheck('other', { connection: this.other }),
      // Without a connection, terminus looks up @nestjs/typeorm's default DataSource token itself.
      () => this.db.pingCheck('implicit'),
    ]);
  }
}

@Module({
  imports: [AdvancedAlchemyModule.forFeature([Note], 'other'), TypeOrmModule.forFeature([User])],
  providers: [
    NotesService,
    NoteArchive,
    { provide: NOTE_WRITER, useFactory: noteWriter, inject: [getDataSourceToken('other')] },
  ],
  controllers: [NotesController],
})
class NotesModule {}

describe.each(testDatabaseKinds())('Two bind keys through @nestjs/typeorm decorators on %s', (kind) => {
  const testApp = useTestApp({
    kind,
    label: 'nt',
    bindKeys: ['default', 'other'],
    config: (bindKey) => (bindKey === 'other' ? { autoLoadEntities: true } : { entities: [User] }),
    imports: [NotesModule, TerminusModule],
    controllers: [HealthController],
  });

  const notes = (title: string) => testApp.probes.other.count('nt_notes', 'title = ?', [title]);

  it.each(['repository', 'manager', 'transaction', 'extended', 'subclass'])(
    "commits a write through the %s of bind key 'other' with the request, and rolls it back with it",
    async (how) => {
      await request(testApp.url).post(`/notes/${how}/${how}-kept`).expect(201);
      expect(await notes(`${how}-kept`)).toBe(1);
      await request(testApp.url).post(`/notes/${how}/${how}-lost?fail=true`).expect(500);
      expect(await notes(`${how}-lost`)).toBe(0);
    },
  );

  it('writes each bind key to its own database, and a failure rolls back both', async () => {
    const q = kind === 'mariadb' ? '`' : '"';
    const users = (name: string) => testApp.probe.count('user', `${q}lastName${q} = ?`, [name]);
    await request(testApp.url).post('/notes/both/both-kept').expect(201);
    expect([await notes('both-kept'), await users('both-kept')]).toEqual([1, 1]);
    await request(testApp.url).post('/notes/both/both-lost?fail=true').expect(500);
    expect([await notes('both-lost'), await users('both-lost')]).toEqual([0, 0]);
  });

  it("answers terminus' TypeOrmHealthIndicator.pingCheck for each bind key's DataSource", async () => {
    const response = await request(testApp.url).get('/health').expect(200);
    expect(response.body.info).toMatchObject({
      default: { status: 'up' },
      other: { status: 'up' },
      implicit: { status: 'up' },
    });
  });
});
