import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { openProbe, testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { newMarker } from '../../commit/fixtures/markers';
import { startStandbyCluster, type StandbyCluster } from '../../support/pg-standby-cluster';
import { freePorts } from '../../support/free-port';
import { Module, type INestApplication } from '@nestjs/common';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { bootApp } from '../../support/boot-app';
import { Note, NOTES } from './fixtures/note.entity';
import { NotesResolver } from './fixtures/notes.resolver';
import { NotesService, PROBE } from './fixtures/notes.service';
import { postGraphql } from './fixtures/post-graphql';
import { ReadOnlyNotesResolver } from './fixtures/read-only-notes.resolver';

// PostgreSQL's own binaries start the clusters; where the CI's server is not there, neither are they.
const describeWithPostgres = testDatabaseKinds().includes('postgres') ? describe : describe.skip;
jest.setTimeout(120_000);

// The fields of one GraphQL operation share its sessions: a @ReadOnly() field follows the replica
// router's rule for them (after a write, everything on the primary, so it reads that write), and its
// mark holds while it resolves, not for the fields after it.
describeWithPostgres('@ReadOnly() GraphQL fields with a read replica (PostgreSQL primary and standby)', () => {
  let cluster: StandbyCluster;
  let app: INestApplication;
  let probe: DatabaseProbe;

  beforeAll(async () => {
    cluster = startStandbyCluster(...((await freePorts(2)) as [number, number]), { logStatements: false });
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: cluster.primaryUrl,
          replicas: [cluster.standbyUrl],
          entities: [Note],
          createAll: true,
          commitMode: 'autocommit',
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }),
      ],
      providers: [NotesService, NotesResolver, ReadOnlyNotesResolver, { provide: PROBE, useValue: () => probe }],
    })
    class ReadOnlyFieldsModule {}
    app = await bootApp(ReadOnlyFieldsModule);
    probe = await openProbe(cluster.primaryUrl);
    // The table createAll made on the primary reaches the standby by replication.
    for (let tries = 0; ; tries += 1) {
      const [row] = await cluster.query('standby', "SELECT to_regclass('notes') IS NOT NULL AS ok");
      if (row.ok === true) break;
      if (tries > 200) throw new Error('the notes table never reached the standby');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    await app?.close();
    await probe?.close();
    cluster?.stop();
  });

  it('a @ReadOnly() field after a write of its operation reads that write (on the primary)', async () => {
    const marker = newMarker();
    const answer = await postGraphql(app, {
      query: `query { recordVisit(marker: "${marker}") { id } readOnlyCount(marker: "${marker}") }`,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.readOnlyCount).toBe(1);
    expect(await probe.count(NOTES, 'marker = ?', [marker])).toBe(1);
  });

  it('a field after a @ReadOnly() one may write: the mark is the field’s, not the operation’s', async () => {
    const marker = newMarker();
    const answer = await postGraphql(app, {
      query: `query { readOnlyCount(marker: "${marker}") recordVisit(marker: "${marker}") { id } }`,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.readOnlyCount).toBe(0);
    expect(await probe.count(NOTES, 'marker = ?', [marker])).toBe(1);
  });

  it('a write in a @ReadOnly() field of an operation that has not written is refused, nothing stored', async () => {
    const marker = newMarker();
    const answer = await postGraphql(app, { query: `query { readOnlyVisit(marker: "${marker}") { id } }` });
    expect(answer.errors?.[0]?.message).toMatch(/sent in a @ReadOnly\(\) route .* which reads from a replica only/);
    expect(await probe.count(NOTES, 'marker = ?', [marker])).toBe(0);
  });
});
