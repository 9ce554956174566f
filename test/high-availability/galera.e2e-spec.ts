import { Body, Controller, Module, Post, type Type } from '@nestjs/common';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { bootTestApp, type BootedTestApp } from 'nestjs-advanced-alchemy/testing';
import { freePorts } from '../support/free-port';
import { startupError } from '../support/boot-app';
import { isSuccess as ok, outcomeUnknown, postWrite, type WriteAnswer as Answer } from '../support/write-answers';
import { galeraAvailable, PORTS_PER_NODE, startGaleraCluster, type GaleraCluster } from '../support/galera-node';

// A three-node MariaDB Galera cluster of its own (Debian's galera-4) on loopback ports, an app on
// each node: the same rows written from several nodes at once (certification conflicts at COMMIT),
// one node killed under load, a node that refuses statements, and two-phase commit refused.
const available = galeraAvailable();
if (!available) {
  process.stdout.write('galera suite skipped: galera-4 (libgalera_smm.so), mariadbd or rsync is not installed\n');
}
const describeWithGalera = available ? describe : describe.skip;
jest.setTimeout(150_000);

/** One row per answered request: the log the answers are checked against. */
@Entity('galera_write')
@Unique(['writer', 'seq'])
class GaleraWrite {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'int' }) writer!: number;
  @Column({ type: 'int' }) seq!: number;
}

/** A few hot counters every request increments: the rows the nodes fight over. */
@Entity('galera_counter')
class GaleraCounter {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'int' }) n!: number;
}

const HOT_ROWS = 2;

interface WriteBody {
  writer: number;
  seq: number;
}

@Controller('galera')
class GaleraController {
  static attempts = 0;
  constructor(@InjectSession() private readonly session: Session) {}

  private async write(body: WriteBody): Promise<void> {
    GaleraController.attempts++;
    await this.session.getRepository(GaleraWrite).insert({ writer: body.writer, seq: body.seq });
    await this.session.query('UPDATE galera_counter SET n = n + 1 WHERE id = ?', [body.seq % HOT_ROWS]);
  }

  /** The request's own transaction: a conflict at its COMMIT ends the request (503, nothing stored). */
  @Post('request-unit') async requestUnit(@Body() body: WriteBody): Promise<{ stored: true }> {
    await this.write(body);
    return { stored: true };
  }

  /** A unit that owns its transaction, rerun on a conflict (up to 5 runs). */
  @Post('retried-unit') async retriedUnit(@Body() body: WriteBody): Promise<{ stored: true }> {
    await this.session.transaction(() => this.write(body), {
      propagation: 'REQUIRES_NEW',
      retry: { attempts: 5, backoffMs: 5 },
    });
    return { stored: true };
  }
}

function appModule(connectionString: string): Type {
  @Module({
    imports: [
      AdvancedAlchemyModule.forRoot({
        connectionString,
        entities: [GaleraWrite, GaleraCounter],
        commitMode: 'autocommit',
        engineConfig: { poolSize: 6, connectTimeout: 2000 },
      }),
    ],
    controllers: [GaleraController],
  })
  class GaleraAppModule {}
  return GaleraAppModule;
}

let cluster: GaleraCluster;
const apps: BootedTestApp[] = [];

beforeAll(async () => {
  if (!available) return;
  cluster = await startGaleraCluster(await freePorts(3 * PORTS_PER_NODE));
  await cluster.nodes[0].query(
    'CREATE TABLE app.galera_write (id int AUTO_INCREMENT PRIMARY KEY, writer int NOT NULL, seq int NOT NULL, ' +
      'UNIQUE KEY (writer, seq))',
  );
  await cluster.nodes[0].query('CREATE TABLE app.galera_counter (id int PRIMARY KEY, n int NOT NULL)');
  await cluster.nodes[0].query(
    `INSERT INTO app.galera_counter VALUES ${Array.from({ length: HOT_ROWS }, (_, i) => `(${i}, 0)`).join(',')}`,
  );
  for (const node of cluster.nodes) apps.push(await bootTestApp(appModule(node.url)));
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await cluster?.stop();
});

describeWithGalera('a three-node MariaDB Galera cluster', () => {
  it('stores what was answered 2xx, retries or answers 503 for certification conflicts, and 503 for a killed node', async () => {
    const answers: Answer[] = [];
    let stop = false;
    // Writers 1-8 on node 1, 9-16 on node 2, 17-24 on node 3 (killed under load); odd writers use the retried unit.
    const writer = async (id: number): Promise<void> => {
      const app = apps[Math.floor((id - 1) / 8)];
      const path = id % 2 === 1 ? '/galera/retried-unit' : '/galera/request-unit';
      for (let seq = 1; !stop; seq++) {
        const answer = await postWrite(app.http, path, id, seq);
        answers.push(answer);
        if (answer.status === 503) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const running = Array.from({ length: 24 }, (_, index) => writer(index + 1));
    const waitAnswers = async (count: number): Promise<void> => {
      while (answers.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await waitAnswers(300);
    await cluster.nodes[2].kill();
    const killedAt = answers.length;
    await waitAnswers(killedAt + 300);
    stop = true;
    await Promise.all(running);

    const key = (row: Record<string, unknown> | Answer): string => `${Number(row.writer)}/${Number(row.seq)}`;
    const rows = await cluster.nodes[0].query('SELECT writer, seq FROM app.galera_write');
    const stored = new Set(rows.map(key));
    const [{ total }] = await cluster.nodes[0].query('SELECT sum(n) AS total FROM app.galera_counter');
    const errors = answers.filter((answer) => !ok(answer));
    const unknown = errors.filter(outcomeUnknown);
    const conflicts = errors.filter((answer) => answer.message.includes('conflict'));
    const retries = GaleraController.attempts - answers.length;
    process.stdout.write(
      `galera: ${answers.length} answers, ${answers.filter(ok).length} 2xx, ${conflicts.length} conflicts answered 503, ` +
        `${unknown.length} outcome unknown (${unknown.filter((a) => stored.has(key(a))).length} stored), ` +
        `${errors.length - conflicts.length - unknown.length} other 503, about ${retries} reruns\n`,
    );

    expect(errors.filter((answer) => answer.status !== 503 || answer.retryAfter === null)).toEqual([]);
    expect(answers.filter(ok).filter((answer) => !stored.has(key(answer)))).toEqual([]);
    expect(errors.filter((answer) => !unknown.includes(answer) && stored.has(key(answer)))).toEqual([]);
    // Every stored write incremented a counter in the same transaction: nothing half-applied.
    expect(Number(total)).toBe(stored.size);
    // The nodes did fight over the hot rows, and the killed node's app answered 503.
    expect(conflicts.length + retries).toBeGreaterThan(0);
    expect(errors.some((answer) => answer.writer > 16)).toBe(true);
  });

  it('answers 503 + Retry-After, not 500, while a node refuses statements (WSREP not ready), and writes again after', async () => {
    // What a node outside the primary component answers, made on purpose: every statement gets
    // ER_UNKNOWN_COM_ERROR "WSREP has not yet prepared node for application use".
    await cluster.nodes[0].query('SET GLOBAL wsrep_reject_queries = ALL');
    try {
      const refused = await apps[0].http.post<{ message: string }>('/galera/request-unit', { writer: 100, seq: 1 });
      expect(refused.status).toBe(503);
      expect(refused.body.message).toMatch(/Galera node of bind key "default" is not part of the cluster's primary/);
      expect(refused.headers.get('retry-after')).toBe('1');
    } finally {
      await cluster.nodes[0].query('SET GLOBAL wsrep_reject_queries = NONE');
    }
    expect(await cluster.nodes[1].query('SELECT count(*) AS n FROM app.galera_write WHERE writer = 100')).toEqual([
      { n: 0 },
    ]);
    expect((await apps[0].http.post('/galera/request-unit', { writer: 100, seq: 2 })).status).toBe(201);
  });

  it('refuses two-phase commit at startup on a Galera node, saying Galera has no XA', async () => {
    const failure = await startupError([
      AdvancedAlchemyModule.forRoot([{ connectionString: cluster.nodes[0].url, sessionConfig: { twophase: true } }]),
    ]);
    expect(String(failure)).toMatch(
      /sessionConfig\.twophase is set on bind key "default", but its MariaDB server is a Galera cluster node .*Galera does not support XA transactions: remove sessionConfig\.twophase/,
    );
  });
});
