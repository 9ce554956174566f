import { Agent, request } from 'node:http';
import { Body, ConflictException, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CurrentTenant, InjectSession, type Session, type TenancyOptions } from 'nestjs-advanced-alchemy';

/** A row that says which tenant wrote it: a row found in another tenant's schema is a leak. */
@Entity('tenant_notes')
export class TenantNote {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 48 }) tenant!: string;
  @Column({ type: 'varchar', length: 100 }) label!: string;
}

@Controller('notes')
export class TenantNotesController {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly tenant: CurrentTenant,
  ) {}

  /** Writes a note of the request's tenant; `fail` answers 409 after the write (rolled back). */
  @Post() async create(@Body() body: { label: string; fail?: boolean }) {
    const note = await this.session.getRepository(TenantNote).save({ tenant: this.tenant.id, label: body.label });
    if (body.fail) throw new ConflictException('fails after its write');
    return note;
  }

  @Get(':id') async one(@Param('id') id: string) {
    const note = await this.session.getRepository(TenantNote).findOneBy({ id });
    if (!note) throw new NotFoundException();
    return note;
  }

  /** A crafted filter: `?tenant=<another>` must still see only the request's own tenant. */
  @Get() async list(@Query('tenant') tenant?: string) {
    return this.session.getRepository(TenantNote).findBy(tenant ? { tenant } : {});
  }
}

/** A tenancy option reading the `x-tenant` header, counting its calls, knowing only `known`. */
export function headerTenancy(known: ReadonlySet<string>): TenancyOptions & { calls: number } {
  const tenancy = {
    calls: 0,
    resolve(source: Parameters<TenancyOptions['resolve']>[0]) {
      tenancy.calls++;
      if (source.kind !== 'http') return undefined;
      const header = source.request.headers['x-tenant'];
      return typeof header === 'string' ? header : undefined;
    },
    isKnown: (tenant: string) => known.has(tenant),
  };
  return tenancy;
}

/**
 * The tenant setting of every connection of a DataSource's pool, asked on the connections
 * themselves: all of them are checked out at once (the idle ones first), asked, and given back.
 */
export async function settingOfEveryPooledConnection(dataSource: DataSource): Promise<string[]> {
  const driver = dataSource.driver as unknown as { master?: PgPool; pool?: MysqlPool };
  if (driver.master) {
    const pool = driver.master;
    const clients = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
    try {
      return await Promise.all(
        clients.map(async (client) => String((await client.query('SHOW search_path')).rows[0].search_path)),
      );
    } finally {
      for (const client of clients) client.release();
    }
  }
  const pool = driver.pool as MysqlPool;
  const connections = await Promise.all(
    Array.from(
      { length: pool.config.connectionLimit },
      () =>
        new Promise<MysqlConnection>((resolve, reject) =>
          pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
        ),
    ),
  );
  try {
    return await Promise.all(
      connections.map(
        (connection) =>
          new Promise<string>((resolve, reject) =>
            connection.query('SELECT DATABASE() AS db', (error, rows) =>
              error ? reject(error) : resolve(String(rows[0].db)),
            ),
          ),
      ),
    );
  } finally {
    for (const connection of connections) connection.release();
  }
}

interface PgPool {
  options: { max: number };
  connect(): Promise<{ query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>; release(): void }>;
}
interface MysqlConnection {
  query(sql: string, callback: (error: Error | null, rows: Array<Record<string, unknown>>) => void): void;
  release(): void;
}
interface MysqlPool {
  config: { connectionLimit: number };
  getConnection(callback: (error: Error | null, connection: MysqlConnection) => void): void;
}

/**
 * Sends `count` requests at once over at most 500 keep-alive connections (the server's listen
 * backlog is 511: a burst of 1,000 fresh connections would be reset before the app sees them).
 */
export async function burst(
  baseUrl: string,
  count: number,
  each: (index: number) => { path: string; tenant: string; body: unknown },
): Promise<Array<{ tenant: string; status: number }>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 500 });
  try {
    return await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const { path, tenant, body } = each(index);
        const payload = JSON.stringify(body);
        return new Promise<{ tenant: string; status: number }>((resolve, reject) => {
          const outgoing = request(new URL(path, baseUrl), {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              'x-tenant': tenant,
            },
          });
          outgoing.on('response', (response) => {
            response.resume();
            response.on('end', () => resolve({ tenant, status: response.statusCode ?? 0 }));
          });
          outgoing.on('error', reject);
          outgoing.end(payload);
        });
      }),
    );
  } finally {
    agent.destroy();
  }
}
