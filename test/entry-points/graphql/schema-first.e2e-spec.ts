import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type INestApplication } from '@nestjs/common';
import { Args, GraphQLModule, Mutation, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { newMarker } from '../../commit/fixtures/markers';
import { eachKind } from '../../support/each-kind';
import { Note, NOTES } from './fixtures/note.entity';
import { NotesService, PROBE } from './fixtures/notes.service';
import { answeredWithData, postGraphql } from './fixtures/post-graphql';

const TYPE_DEFS = `
  type Note { id: Int! marker: String! }
  type Query { ping: String }
  type Mutation { addNote(marker: String!, fail: Boolean = false): Note }
`;

/** Schema first: the SDL is written by hand, the resolver names its fields. */
@Resolver('Note')
class SchemaFirstNotesResolver {
  constructor(private readonly notes: NotesService) {}

  @Mutation('addNote')
  addNote(@Args('marker') marker: string, @Args('fail') fail: boolean) {
    return this.notes.add(marker, fail);
  }
}

eachKind(testDatabaseKinds())('GraphQL operations as units of work, schema first (apollo-express), %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'graphql_schema_first');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [Note],
          createAll: true,
          commitMode: 'autocommit',
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, typeDefs: TYPE_DEFS }),
      ],
      providers: [NotesService, SchemaFirstNotesResolver, { provide: PROBE, useValue: () => probe }],
    })
    class SchemaFirstModule {}
    const moduleRef = await Test.createTestingModule({ imports: [SchemaFirstModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('two fields, the second fails: the first is answered and stored, the second neither', async () => {
    const [first, second] = [newMarker(), newMarker()];
    const answer = await postGraphql(app, {
      query: `mutation { a: addNote(marker: "${first}") { id } b: addNote(marker: "${second}", fail: true) { id } }`,
    });
    expect(answeredWithData(answer)).toEqual(['a']);
    expect(await probe.count(NOTES, 'marker = ?', [first])).toBe(1);
    expect(await probe.count(NOTES, 'marker = ?', [second])).toBe(0);
  });
});
