import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/** Debian's galera-4 provider: where it is, the suites can start a Galera node. */
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

export function galeraAvailable(): boolean {
  return existsSync(GALERA_PROVIDER) && spawnSync('which', ['mariadbd', 'mariadb-install-db']).status === 0;
}

/** A one-node Galera cluster (wsrep on, bootstrapped with an empty gcomm:// address) on a loopback port. */
export interface GaleraNode {
  url: string;
  port: number;
  /** Runs one statement on the node through a connection of its own; returns the rows. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startGaleraNode(port: number, groupPort: number): Promise<GaleraNode> {
  const root = mkdtempSync(join(tmpdir(), 'aa-galera-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const install = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=mysql',
      '--skip-test-db',
      '--auth-root-authentication-method=normal',
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const child = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--user=mysql',
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(root, 'mysqld.sock')}`,
      `--pid-file=${join(root, 'mysqld.pid')}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=0',
      '--binlog-format=ROW',
      '--innodb-autoinc-lock-mode=2',
      '--wsrep-on=ON',
      `--wsrep-provider=${GALERA_PROVIDER}`,
      '--wsrep-cluster-address=gcomm://',
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${groupPort};ist.recv_addr=127.0.0.1:${groupPort + 1}`,
      `--wsrep-node-address=127.0.0.1:${groupPort}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (live.delete(child)) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  const query = async (sql: string): Promise<Array<Record<string, unknown>>> => {
    const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
    try {
      return (await connection.query(sql))[0] as Array<Record<string, unknown>>;
    } finally {
      await connection.end();
    }
  };
  const until = Date.now() + 60_000;
  for (;;) {
    const ready = await query("SHOW STATUS LIKE 'wsrep_ready'").catch(() => []);
    if (ready[0]?.Value === 'ON') break;
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`the Galera node did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await query('CREATE DATABASE app');
  return { url: `mariadb://root@127.0.0.1:${port}/app`, port, query, stop };
}
