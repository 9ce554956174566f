import { Body, Controller, Module, Post } from '@nestjs/common';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { bootTestApp, type BootedTestApp } from 'nestjs-advanced-alchemy/testing';
import { freePorts } from '../support/free-port';
import { galeraAvailable, startGaleraNode, type GaleraNode } from '../support/galera-node';

// A Galera node of its own (Debian's galera-4 with MariaDB), one node: what the module answers when
// the node leaves the primary component, and that XA is refused at startup. Three nodes with
// certification conflicts are not run here (see docs/high-availability.md).
const available = galeraAvailable();
if (!available)
  process.stdout.write('galera suite skipped: galera-4 (libgalera_smm.so) or mariadbd is not installed\n');
const describeWithGalera = available ? describe : describe.skip;
jest.setTimeout(90_000);

@Entity('galera_item')
class GaleraItem {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 40 }) label!: string;
}

@Controller('galera')
class GaleraController {
  constructor(@InjectSession() private readonly session: Session) {}

  @Post('items') async add(@Body() body: { label: string }): Promise<{ stored: true }> {
    await this.session.getRepository(GaleraItem).insert({ label: body.label });
    return { stored: true };
  }
}

let node: GaleraNode;
let booted: BootedTestApp;

beforeAll(async () => {
  if (!available) return;
  const [port, groupPort] = await freePorts(2);
  node = await startGaleraNode(port, groupPort);
  @Module({
    imports: [
      AdvancedAlchemyModule.forRoot({
        connectionString: node.url,
        entities: [GaleraItem],
        createAll: true,
        commitMode: 'autocommit',
        engineConfig: { poolSize: 4, connectTimeout: 2000 },
      }),
    ],
    controllers: [GaleraController],
  })
  class GaleraAppModule {}
  booted = await bootTestApp(GaleraAppModule);
});

afterAll(async () => {
  await booted?.close();
  await node?.stop();
});

describeWithGalera('a MariaDB Galera node', () => {
  it('writes through the node while it is in the primary component', async () => {
    expect((await booted.http.post('/galera/items', { label: 'ready' })).status).toBe(201);
    expect(await node.query("SELECT count(*) AS n FROM app.galera_item WHERE label = 'ready'")).toEqual([{ n: 1 }]);
  });

  it('answers 503 + Retry-After, not 500, while the node refuses statements (WSREP not ready), and writes again after', async () => {
    // What a node outside the primary component answers, made on purpose: every statement gets
    // ER_UNKNOWN_COM_ERROR "WSREP has not yet prepared node for application use".
    await node.query('SET GLOBAL wsrep_reject_queries = ALL');
    try {
      const refused = await booted.http.post<{ message: string }>('/galera/items', { label: 'refused' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
    } finally {
      await node.query('SET GLOBAL wsrep_reject_queries = NONE');
    }
    expect(await node.query("SELECT count(*) AS n FROM app.galera_item WHERE label = 'refused'")).toEqual([{ n: 0 }]);
    expect((await booted.http.post('/galera/items', { label: 'after' })).status).toBe(201);
  });

  it('refuses two-phase commit at startup on a Galera node, saying Galera has no XA', async () => {
    @Module({
      imports: [AdvancedAlchemyModule.forRoot([{ connectionString: node.url, sessionConfig: { twophase: true } }])],
    })
    class TwoPhaseOnGaleraModule {}
    const failure = await bootTestApp(TwoPhaseOnGaleraModule).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(String(failure)).toMatch(
      /sessionConfig\.twophase is set on bind key "default", but its MariaDB server is a Galera cluster node .*Galera does not support XA transactions: remove sessionConfig\.twophase/,
    );
  });
});
