// A bench server: one variant in a process of its own. Started by run.ts with fork(); reports its
// port over IPC and answers memory questions (after a forced GC) the same way.
import 'reflect-metadata';
import { VARIANTS } from './variants';
import { takeHoldTimes, watchHoldTimes } from './hold-times';

async function main(): Promise<void> {
  if (process.env.BENCH_HOLD_TIMES === '1') watchHoldTimes();
  const [variantName, connectionString] = process.argv.slice(2);
  const makeVariant = VARIANTS[variantName];
  if (!makeVariant) throw new Error(`unknown variant ${variantName}`);
  const app = await makeVariant().createApp(connectionString);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.on('message', (message: { command: string }) => {
    if (message.command === 'memory') {
      global.gc?.();
      process.send?.({ memory: process.memoryUsage() });
    } else if (message.command === 'hold-times') {
      process.send?.({ holdTimes: takeHoldTimes() });
    } else if (message.command === 'cpu') {
      process.send?.({ cpu: process.cpuUsage() });
    } else if (message.command === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.({ port: address.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
