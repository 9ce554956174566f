import { BadRequestException, Controller, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { Note, NOTES } from '../support/notes';

// The injected DataSource's query(), createQueryBuilder() and transaction() inside a request run in
// the request's session; outside every scope they are TypeORM's own; createQueryRunner() stays explicit.

@Injectable()
class NotesService {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async write(how: string, title: string): Promise<void> {
    if (how === 'query') await this.dataSource.query(`INSERT INTO ${NOTES} (title) VALUES ('${title}')`);
    else if (how === 'query-builder')
      await this.dataSource.createQueryBuilder().insert().into(Note).values({ title }).execute();
    else if (how === 'transaction') await this.dataSource.transaction((manager) => manager.save(Note, { title }));
    else if (how === 'query-runner') {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.manager.save(Note, { title });
      } finally {
        await runner.release();
      }
    } else throw new BadRequestException(how);
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Post(':how/:title')
  async write(@Param('how') how: string, @Param('title') title: string, @Query('fail') fail?: string): Promise<void> {
    await this.notes.write(how, title);
    if (fail === 'true') throw new BadRequestException('refused after the write');
  }
}

@Module({ imports: [TypeOrmModule.forFeature([Note])], providers: [NotesService], controllers: [NotesController] })
class NotesModule {}

describe.each(testDatabaseKinds())("The injected DataSource's own methods, on %s", (kind) => {
  const testApp = useTestApp({ kind, label: 'ds_session', entities: [Note], imports: [NotesModule] });
  const notes = (title: string) => testApp.probe.count(NOTES, 'title = ?', [title]);

  it.each(['query', 'query-builder', 'transaction'])(
    '%s: inside a request that fails, the write is rolled back with it',
    async (how) => {
      await request(testApp.url).post(`/notes/${how}/fail-${how}?fail=true`).expect(400);
      expect(await notes(`fail-${how}`)).toBe(0);
      await request(testApp.url).post(`/notes/${how}/ok-${how}`).expect(201);
      expect(await notes(`ok-${how}`)).toBe(1);
    },
  );

  it('createQueryRunner() stays explicit: its own connection, committed whatever the request answers', async () => {
    await request(testApp.url).post('/notes/query-runner/runner-kept?fail=true').expect(400);
    expect(await notes('runner-kept')).toBe(1);
  });

  it.each(['query', 'query-builder', 'transaction'])(
    '%s: outside every scope, TypeORM behaves as without the module (committed at once)',
    async (how) => {
      await testApp.app.get(NotesService).write(how, `outside-${how}`);
      expect(await notes(`outside-${how}`)).toBe(1);
    },
  );

  it.each(['query', 'query-builder', 'transaction'])('%s: a throw in withSession rolls it back', async (how) => {
    const alchemy = testApp.alchemy;
    await expect(
      alchemy.withSession(async () => {
        await testApp.app.get(NotesService).write(how, `job-${how}`);
        throw new Error('the job failed');
      }),
    ).rejects.toThrow('the job failed');
    expect(await notes(`job-${how}`)).toBe(0);
  });
});
