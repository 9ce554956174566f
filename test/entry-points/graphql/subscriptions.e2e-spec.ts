import { createClient, type Client } from 'graphql-ws';
import { startTestApp, testDatabaseKinds, type TestApp } from 'nestjs-advanced-alchemy/testing';
import WebSocket from 'ws';
import { newMarker } from '../../commit/fixtures/markers';
import { waitFor } from '../fixtures/wait-for';
import { Note, NOTES } from './fixtures/note.entity';
import {
  CountingPubSub,
  DeliveriesService,
  NOTE_EVENTS,
  NOTE_PUBLISHED,
  NoteEventsResolver,
  type NotePublished,
} from './fixtures/note-events.resolver';
import { BROKEN_CHILD } from './fixtures/notes.resolver';
import type { Answer } from './fixtures/post-graphql';
import { websocketGraphqlModule } from './fixtures/websocket-graphql-module';

const SUBSCRIBE = 'subscription { notePublished { id marker deliveredCount checkedLabel } }';

const CASES = testDatabaseKinds().flatMap((kind) =>
  (['apollo-express', 'mercurius-fastify'] as const).map((server) => [server, kind] as const),
);

describe.each(CASES)('GraphQL subscriptions (%s), %s', (server, kind) => {
  let app: TestApp;
  let client: Client;
  let events: CountingPubSub;

  beforeAll(async () => {
    app = await startTestApp({
      kind,
      label: 'graphql_subscriptions',
      entities: [Note],
      http: server === 'apollo-express' ? 'express' : 'fastify',
      imports: [websocketGraphqlModule(server)],
      providers: [DeliveriesService, NoteEventsResolver, { provide: NOTE_EVENTS, useValue: new CountingPubSub() }],
    });
    events = app.app.get(NOTE_EVENTS);
    client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.close();
  });

  /** Subscribes, publishes each event once the server listens, and returns what the client received for each. */
  async function deliver(published: NotePublished[]): Promise<Answer[]> {
    const received: Answer[] = [];
    const before = events.subscriptionsMade;
    const unsubscribe = client.subscribe<Record<string, unknown>>(
      { query: SUBSCRIBE },
      { next: (answer) => void received.push(answer as Answer), error: () => undefined, complete: () => undefined },
    );
    try {
      await waitFor('the subscription to reach the server', () =>
        events.subscriptionsMade > before ? true : undefined,
      );
      for (const [index, event] of published.entries()) {
        await events.publish(NOTE_PUBLISHED, { notePublished: event });
        await waitFor(`event ${index + 1} to reach the client`, () => (received.length > index ? true : undefined));
      }
      return received;
    } finally {
      unsubscribe();
    }
  }
  const stored = (marker: string) => app.probe.count(NOTES, 'marker = ?', [marker]);

  it("an event whose resolver writes: the client gets it, its nested field reads the event's own row, stored", async () => {
    const marker = newMarker();
    const [answer] = await deliver([{ marker, fail: false }]);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.notePublished).toMatchObject({ marker, deliveredCount: 1, checkedLabel: `note ${marker}` });
    expect(await stored(marker)).toBe(1);
  });

  it('an event whose resolver writes then throws: the client gets the error, nothing stored', async () => {
    const marker = newMarker();
    const [answer] = await deliver([{ marker, fail: true }]);
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]?.message).toBe(`delivery of ${marker} refused after it was written`);
    expect(await stored(marker)).toBe(0);
  });

  it('a non-null nested field fails after the event resolver resolved: data null, nothing stored', async () => {
    const marker = `${BROKEN_CHILD}-${newMarker()}`.slice(0, 64);
    const [answer] = await deliver([{ marker, fail: false }]);
    expect(answer.data).toBeNull();
    expect(await stored(marker)).toBe(0);
  });

  it('each event of one subscription is a unit of its own: a failing event loses only its own write', async () => {
    const markers = [newMarker(), newMarker(), newMarker()];
    const answers = await deliver(markers.map((marker, index) => ({ marker, fail: index === 1 })));
    expect(answers.map((answer) => answer.data !== null)).toEqual([true, false, true]);
    expect([await stored(markers[0]), await stored(markers[1]), await stored(markers[2])]).toEqual([1, 0, 1]);
  });
});
