import { createClient, type Client } from 'graphql-ws';
import { startTestApp, testDatabaseKinds, type TestApp } from 'nestjs-advanced-alchemy/testing';
import WebSocket from 'ws';
import { newMarker } from '../../commit/fixtures/markers';
import { waitFor } from '../fixtures/wait-for';
import { Note, NOTES } from './fixtures/note.entity';
import { CountingPubSub, NOTE_EVENTS, NOTE_PUBLISHED } from './fixtures/note-events.resolver';
import { NotesResolver } from './fixtures/notes.resolver';
import { NotesService, PROBE } from './fixtures/notes.service';
import type { Answer } from './fixtures/post-graphql';
import { websocketGraphqlModule } from './fixtures/websocket-graphql-module';
import { WatchedNotesResolver } from './fixtures/watched-notes.resolver';

const CASES = testDatabaseKinds().flatMap((kind) =>
  (['apollo-express', 'mercurius-fastify'] as const).map((server) => [server, kind] as const),
);

// The WebSocket transport: the upgrade request holds no session while the socket is open, and every
// operation sent over it (a subscription's start and events, a query, a mutation) is a unit of its own.
describe.each(CASES)('GraphQL over WebSocket (%s), %s', (server, kind) => {
  let app: TestApp;
  let client: Client;
  let events: CountingPubSub;
  const stored = (marker: string) => app.probe.count(NOTES, 'marker = ?', [marker]);
  /** The sessions of the bind key that hold (or may hold) a connection now. */
  const openSessions = () => app.alchemy.bind('default').openSessions;

  beforeAll(async () => {
    app = await startTestApp({
      kind,
      label: 'graphql_websocket',
      entities: [Note],
      http: server === 'apollo-express' ? 'express' : 'fastify',
      imports: [websocketGraphqlModule(server, { fullWsTransport: true })],
      providers: [
        NotesService,
        NotesResolver,
        WatchedNotesResolver,
        { provide: PROBE, useValue: () => app.probe },
        { provide: NOTE_EVENTS, useValue: new CountingPubSub() },
      ],
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

  /** Runs one operation over the socket and returns its single answer. */
  function overSocket(query: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let answer: Answer | undefined;
      client.subscribe(
        { query },
        {
          next: (value) => void (answer = value as Answer),
          error: reject,
          complete: () => (answer ? resolve(answer) : reject(new Error(`no answer to ${query}`))),
        },
      );
    });
  }

  it('a subscription that read at its start: no session held while the socket is idle, nor after an event', async () => {
    const marker = newMarker();
    const received: Answer[] = [];
    const before = events.subscriptionsMade;
    const unsubscribe = client.subscribe(
      { query: `subscription { noteWatched(marker: "${marker}") { marker } }` },
      { next: (answer) => void received.push(answer as Answer), error: () => undefined, complete: () => undefined },
    );
    try {
      await waitFor('the subscription to reach the server', () =>
        events.subscriptionsMade > before ? true : undefined,
      );
      expect(app.app.get(WatchedNotesResolver).seenAtSubscribe.at(-1)).toBe(0);
      expect(openSessions()).toBe(0);
      await events.publish(NOTE_PUBLISHED, { notePublished: { marker, fail: false } });
      await waitFor('the event to reach the client', () => (received.length > 0 ? true : undefined));
      expect(received[0].data).toEqual({ noteWatched: { marker } });
      expect(openSessions()).toBe(0);
    } finally {
      unsubscribe();
    }
  });

  it('a mutation over the socket that throws after writing: the error answered, nothing stored', async () => {
    const marker = newMarker();
    const answer = await overSocket(`mutation { addNote(marker: "${marker}", fail: true) { id } }`);
    expect(answer.errors?.[0]?.message).toBe(`note ${marker} refused after it was written`);
    expect(await stored(marker)).toBe(0);
    expect(openSessions()).toBe(0);
  });

  it('a mutation over the socket that succeeds: its row stored before the answer', async () => {
    const marker = newMarker();
    const answer = await overSocket(`mutation { addNote(marker: "${marker}") { marker sameMarkerCount } }`);
    expect(answer.data).toEqual({ addNote: { marker, sameMarkerCount: 1 } });
    expect(await stored(marker)).toBe(1);
    expect(openSessions()).toBe(0);
  });

  it('a query that writes, over the socket: a unit as over HTTP (a throwing one stores nothing)', async () => {
    const [kept, lost] = [newMarker(), newMarker()];
    expect((await overSocket(`{ recordVisit(marker: "${kept}") { marker } }`)).data).toEqual({
      recordVisit: { marker: kept },
    });
    expect((await overSocket(`{ recordVisit(marker: "${lost}", fail: true) { marker } }`)).data).toBeNull();
    expect([await stored(kept), await stored(lost)]).toEqual([1, 0]);
  });
});
