// `npm run bench:replicas -- <bench options>`: starts a PostgreSQL primary and a streaming standby
// of it (own clusters on loopback ports 5444/5445), runs the bench against that primary with
// BENCH_POSTGRES_REPLICA_URL naming the standby, and removes both clusters afterwards.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SERVER_URL_VARIABLES } from 'nestjs-advanced-alchemy/testing';
import { startStandbyCluster } from '../test/support/pg-standby-cluster';
import { REPLICA_URL_VARIABLE } from './variants/ours-replica';

const cluster = startStandbyCluster(5444, 5445, { logStatements: false });
try {
  const result = spawnSync(process.execPath, [join(__dirname, 'run.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      [SERVER_URL_VARIABLES.postgres]: cluster.primaryUrl,
      [REPLICA_URL_VARIABLE]: cluster.standbyUrl,
    },
  });
  process.exitCode = result.status ?? 1;
} finally {
  cluster.stop();
}
