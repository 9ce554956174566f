import { Controller, Injectable, Param, Post, Query } from '@nestjs/common';
import request from 'supertest';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { deferred, type Deferred } from '../support/boot-app';

const REQUESTS = 50;
const ROWS_PER_REQUEST = 3;
/**
 * On server databases this many requests wait for each other after inserting, so their
 * uncommitted transactions are certainly open at the same time (fewer than the pool's 10
 * connections, so the others still get through). SQLite serialises sessions, so there nobody waits.
 */
const OVERLAPPING = 5;

/**
 * A row is 'pending' while its request runs and becomes 'done' just before the handler returns,
 * so no committed row is ever pending: any pending row a session sees is uncommitted.
 */
@Entity('cc_marks')
class Mark {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 40 }) tag!: string;
  @Column({ type: 'varchar', length: 10 }) state!: string;
}

/** What one request saw of the pending rows, from inside its own transaction. */
interface Sighting {
  tags: string[];
  pendingRows: number;
}

/** The single instance every request goes through; it holds only the proxy and the test's bookkeeping. */
@Injectable()
class MarksService {
  overlapping = 0;
  insideWindow = 0;
  maxInsideWindow = 0;
  barrier?: Deferred;
  arrivals = 0;

  constructor(@InjectSession() private readonly session: Session) {}

  /** Starts a round: `overlapping` requests will wait until that many have inserted. */
  reset(overlapping: number): void {
    Object.assign(this, { overlapping, insideWindow: 0, maxInsideWindow: 0, arrivals: 0, barrier: deferred() });
    if (overlapping === 0) this.barrier?.resolve();
  }

  async record(tag: string): Promise<Sighting> {
    const repository = this.session.getRepository(Mark);
    const ids: number[] = [];
    for (let row = 0; row < ROWS_PER_REQUEST; row++) {
      ids.push((await repository.save({ tag, state: 'pending' })).id);
      // Let the other requests run between the statements of this one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // From the first insert to here this request's rows are uncommitted.
    this.insideWindow += 1;
    this.maxInsideWindow = Math.max(this.maxInsideWindow, this.insideWindow);
    const arrival = ++this.arrivals;
    if (arrival === this.overlapping) this.barrier?.resolve();
    if (arrival <= this.overlapping) await this.barrier?.promise;
    const seen = await repository.findBy({ state: 'pending' });
    // By primary key: on MariaDB an UPDATE that scans the table would wait on the others' new rows.
    await repository.update(ids, { state: 'done' });
    this.insideWindow -= 1;
    return { tags: [...new Set(seen.map((row) => row.tag))], pendingRows: seen.length };
  }
}

@Controller('marks')
class MarksController {
  constructor(private readonly marks: MarksService) {}

  @Post(':tag') async record(@Param('tag') tag: string, @Query('fail') fail?: string) {
    const sighting = await this.marks.record(tag);
    if (fail) throw new Error(`request ${tag} fails after writing`);
    return sighting;
  }
}

/** Sends every request at once and waits for all the answers. */
function sendAll(url: string, paths: string[]) {
  return Promise.all(paths.map((path) => request(url).post(path)));
}

describe.each(testDatabaseKinds())('concurrent requests on %s', (kind) => {
  const overlapping = kind === 'sqlite' ? 0 : OVERLAPPING;
  const testApp = useTestApp({
    kind,
    label: 'concurrency',
    entities: [Mark],
    config: { engineConfig: kind === 'sqlite' ? {} : { poolSize: 10 } },
    controllers: [MarksController],
    providers: [MarksService],
  });
  let marks: MarksService;
  beforeAll(() => {
    marks = testApp.app.get(MarksService);
  });

  async function committedTags(prefix: string): Promise<Map<string, number>> {
    const rows = await testApp.probe.query<{ tag: string; n: number | string }>(
      'SELECT tag, COUNT(*) AS n FROM cc_marks WHERE tag LIKE ? AND state = ? GROUP BY tag',
      [`${prefix}-%`, 'done'],
    );
    return new Map(rows.map((row) => [row.tag, Number(row.n)]));
  }

  it(`lets ${REQUESTS} concurrent requests each see only their own uncommitted rows`, async () => {
    marks.reset(overlapping);
    const tags = Array.from({ length: REQUESTS }, (_, index) => `ok-${index}`);
    const responses = await sendAll(
      testApp.url,
      tags.map((tag) => `/marks/${tag}`),
    );

    responses.forEach((response, index) => {
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ tags: [tags[index]], pendingRows: ROWS_PER_REQUEST });
    });
    if (kind === 'sqlite') {
      // One session at a time holds the connection, from its first statement to its commit.
      expect(marks.maxInsideWindow).toBe(1);
    } else {
      expect(marks.maxInsideWindow).toBeGreaterThanOrEqual(OVERLAPPING);
    }
    const committed = await committedTags('ok');
    expect([...committed.keys()].sort()).toEqual([...tags].sort());
    expect([...committed.values()].every((count) => count === ROWS_PER_REQUEST)).toBe(true);
    expect(await testApp.probe.count('cc_marks', 'state = ?', ['pending'])).toBe(0);
  });

  it('commits exactly the requests that answered 2xx when half of them fail', async () => {
    marks.reset(overlapping);
    const tags = Array.from({ length: REQUESTS }, (_, index) => `half-${index}`);
    const responses = await sendAll(
      testApp.url,
      tags.map((tag, index) => (index % 2 === 0 ? `/marks/${tag}?fail=1` : `/marks/${tag}`)),
    );

    const succeeded = tags.filter((_, index) => responses[index].status === 201);
    const failed = tags.filter((_, index) => responses[index].status === 500);
    expect(succeeded).toHaveLength(REQUESTS / 2);
    expect(failed).toHaveLength(REQUESTS / 2);
    // A failed request's rows must never ride along on another request's commit.
    const committed = await committedTags('half');
    expect([...committed.keys()].sort()).toEqual([...succeeded].sort());
    expect(await testApp.probe.count('cc_marks', 'tag LIKE ?', ['half-%'])).toBe(succeeded.length * ROWS_PER_REQUEST);
    expect(await testApp.probe.count('cc_marks', 'state = ?', ['pending'])).toBe(0);
  });
});
