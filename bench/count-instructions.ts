// `node dist/bench/count-instructions.js <variant> <connectionString> <requests>`: one variant's
// server in this process, sent <requests> POST /items + GET /items/1 pairs one after another over
// one keep-alive connection, then closed. Run under `valgrind --tool=callgrind` twice with two
// request counts: the difference of the two instruction totals, divided by the difference of the
// counts, is the instructions one request pair costs in this process, startup cancelled out, and
// unaffected by the load of the machine (the databases run outside the counted process).
import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { VARIANTS } from './variants';

function send(port: number, agent: Agent, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const [variantName, connectionString, count] = process.argv.slice(2);
  const app = await VARIANTS[variantName]().createApp(connectionString);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let index = 0; index < Number(count); index++) {
    const created = await send(port, agent, 'POST', '/items', JSON.stringify({ name: `item ${index}` }));
    const read = await send(port, agent, 'GET', '/items/1');
    if (created !== 201 || read !== 200) throw new Error(`unexpected answers ${created} / ${read}`);
  }
  agent.destroy();
  await app.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
