import { Controller, Injectable } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { CurrentTenant, InjectSession, type Session, type TenancyOptions } from 'nestjs-advanced-alchemy';
import {
  createTestTenants,
  startTestApp,
  testDatabaseKinds,
  testTenantSchemaName,
  type TestApp,
  type TestTenants,
} from 'nestjs-advanced-alchemy/testing';
import { openWsClient, type WsClient } from '../commit/fixtures/ws-client';
import { eachKind } from '../support/each-kind';
import { freePort } from '../support/free-port';
import { TenantNote, TenantNotesController } from './tenant-notes';

// The tenant travels with the request on Fastify (its header), with a microservice message (a field
// of its data) and with a WebSocket connection (read from the handshake, kept on the socket): each
// row lands in its tenant's schema and nowhere else.

const TENANTS = ['m1', 'm2'];

/** The socket's tenant, kept on the client at connection from its handshake's `?tenant=`. */
const SOCKET_TENANT = Symbol('tenant');
type TenantSocket = { [SOCKET_TENANT]?: string };

const tenancy: TenancyOptions = {
  resolve(source) {
    if (source.kind === 'http') {
      const header = source.request.headers['x-tenant'];
      return typeof header === 'string' ? header : undefined;
    }
    if (source.kind === 'message') return (source.data as { tenant?: string } | undefined)?.tenant;
    if (source.kind === 'socket') return (source.client as TenantSocket)[SOCKET_TENANT];
    return undefined;
  },
  isKnown: (tenant) => TENANTS.includes(tenant),
};

@Injectable()
class NoteWriter {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly tenant: CurrentTenant,
  ) {}
  async write(label: string): Promise<string> {
    await this.session.getRepository(TenantNote).save({ tenant: this.tenant.id, label });
    return `${this.tenant.id}:${label}`;
  }
}

@Controller()
class NoteMessages {
  constructor(private readonly notes: NoteWriter) {}
  @MessagePattern('notes.write') write(@Payload() data: { tenant?: string; label: string }) {
    return this.notes.write(data.label);
  }
}

@WebSocketGateway()
class NotesGateway implements OnGatewayConnection {
  constructor(private readonly notes: NoteWriter) {}
  handleConnection(client: TenantSocket, request: IncomingMessage) {
    const tenant = new URL(request.url ?? '/', 'ws://localhost').searchParams.get('tenant');
    if (tenant) client[SOCKET_TENANT] = tenant;
  }
  @SubscribeMessage('notes.write') async write(@MessageBody() label: string) {
    return { event: 'written', data: await this.notes.write(label) };
  }
}

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))('tenancy on other transports, %s', (kind) => {
  const rowsOf = async (testApp: TestApp, tenants: TestTenants, tenant: string) => {
    const quote = kind === 'postgres' ? '"' : '`';
    const table = `${quote}${tenants.schemaName(tenant)}${quote}.${quote}tenant_notes${quote}`;
    const rows = await testApp.probe.query<{ tenant: string; label: string }>(
      `SELECT tenant, label FROM ${table} ORDER BY label`,
    );
    return rows.map((row) => `${row.tenant}:${row.label}`);
  };
  const config = (_key: string, database: TestApp['database']) => ({
    tenancy: { strategy: 'schema' as const, schemaName: testTenantSchemaName(database) },
  });

  describe('Fastify', () => {
    let testApp: TestApp;
    let tenants: TestTenants;
    beforeAll(async () => {
      testApp = await startTestApp({
        kind,
        http: 'fastify',
        label: 'tenancy_fastify',
        entities: [TenantNote],
        controllers: [TenantNotesController],
        config,
        moduleOptions: { tenancy },
      });
      tenants = await createTestTenants(testApp.database, TENANTS);
    });
    afterAll(async () => {
      await tenants?.drop();
      await testApp?.close();
    });

    it("each request's row in its tenant's schema only; no tenant 400, unknown 404", async () => {
      const post = (tenant: string | undefined, label: string) =>
        testApp.http.post('/notes', { label }, tenant ? { headers: { 'x-tenant': tenant } } : {});
      expect((await post('m1', 'f1')).status).toBe(201);
      expect((await post('m2', 'f2')).status).toBe(201);
      expect((await post('m2', 'f3')).status).toBe(201);
      expect((await post(undefined, 'none')).status).toBe(400);
      expect((await post('zz', 'unknown')).status).toBe(404);
      expect(await rowsOf(testApp, tenants, 'm1')).toEqual(['m1:f1']);
      expect(await rowsOf(testApp, tenants, 'm2')).toEqual(['m2:f2', 'm2:f3']);
      expect(await testApp.probe.count('tenant_notes')).toBe(0);
    });
  });

  describe('microservice messages and WebSocket gateways', () => {
    let testApp: TestApp;
    let tenants: TestTenants;
    let client: ClientProxy;
    const sockets: WsClient[] = [];
    beforeAll(async () => {
      const tcp = { host: '127.0.0.1', port: await freePort() };
      testApp = await startTestApp({
        kind,
        label: 'tenancy_messages',
        entities: [TenantNote],
        controllers: [NoteMessages],
        providers: [NoteWriter, NotesGateway],
        config,
        moduleOptions: { tenancy },
        async configure(app) {
          app.useWebSocketAdapter(new WsAdapter(app));
          app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
          await app.startAllMicroservices();
        },
      });
      tenants = await createTestTenants(testApp.database, TENANTS);
      client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
      await client.connect();
    });
    afterAll(async () => {
      for (const socket of sockets) socket.close();
      await client?.close();
      await tenants?.drop();
      await testApp?.close();
    });

    it("a message's row lands in the tenant its data names, and a message without a tenant is refused", async () => {
      const send = (data: { tenant?: string; label: string }) => firstValueFrom(client.send('notes.write', data));
      await expect(send({ tenant: 'm1', label: 'rpc1' })).resolves.toBe('m1:rpc1');
      await expect(send({ tenant: 'm2', label: 'rpc2' })).resolves.toBe('m2:rpc2');
      await expect(send({ label: 'rpc-none' })).rejects.toEqual(
        expect.objectContaining({ message: expect.stringContaining('No tenant') }),
      );
      await expect(send({ tenant: 'zz', label: 'rpc-unknown' })).rejects.toEqual(
        expect.objectContaining({ message: expect.stringContaining('Unknown tenant') }),
      );
      expect(await rowsOf(testApp, tenants, 'm1')).toEqual(['m1:rpc1']);
      expect(await rowsOf(testApp, tenants, 'm2')).toEqual(['m2:rpc2']);
      expect(await testApp.probe.count('tenant_notes')).toBe(0);
    });

    it("a WebSocket message's row lands in its socket's tenant", async () => {
      const url = testApp.url.replace(/^http/, 'ws');
      const first = await openWsClient(`${url}/?tenant=m1`);
      const second = await openWsClient(`${url}/?tenant=m2`);
      sockets.push(first, second);
      expect(await first.request('notes.write', 'ws1')).toEqual({ event: 'written', data: 'm1:ws1' });
      expect(await second.request('notes.write', 'ws2')).toEqual({ event: 'written', data: 'm2:ws2' });
      expect(await first.request('notes.write', 'ws3')).toEqual({ event: 'written', data: 'm1:ws3' });
      expect((await rowsOf(testApp, tenants, 'm1')).filter((row) => row.includes(':ws'))).toEqual(['m1:ws1', 'm1:ws3']);
      expect((await rowsOf(testApp, tenants, 'm2')).filter((row) => row.includes(':ws'))).toEqual(['m2:ws2']);
      // A socket whose handshake named no tenant: each of its messages is refused, nothing written.
      const nobody = await openWsClient(url);
      sockets.push(nobody);
      expect(await nobody.request('notes.write', 'ws-none')).toMatchObject({
        event: 'exception',
        data: { message: expect.stringContaining('No tenant') },
      });
      expect(await testApp.probe.count('tenant_notes')).toBe(0);
    });
  });
});
