import request from 'supertest';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { innerRowStored, MATRIX_PROPAGATIONS } from './fixtures/expected-rows';
import { useScenarioApp, type ScenarioMessage } from './fixtures/scenario-app';
import { UnitScenarios } from './fixtures/unit-rows.service';

type Context = 'HTTP' | 'withSession' | 'message handler';
const CONTEXTS: readonly Context[] = ['HTTP', 'withSession', 'message handler'];
const OUTCOMES = [true, false] as const;

class OuterFailed extends Error {}

// Every propagation × (work resolves, throws) × (outer commits, rolls back) × context. The unit
// runs first (on SQLite the outer session has not taken the one connection yet, so REQUIRES_NEW
// and NOT_SUPPORTED can run); its row and the outer's are read through another connection.
describe.each(testDatabaseKinds())('propagation matrix on %s', (kind) => {
  const { testApp, messages } = useScenarioApp(kind, 'tx_matrix');

  const stored = async (marker: string, part: string) =>
    (await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [`${marker}:${part}`])) === 1;

  async function runIn(context: Context, message: ScenarioMessage): Promise<void> {
    const { marker, propagation, workThrows, outerFails } = message;
    if (context === 'HTTP') {
      const query = `workThrows=${workThrows ? 1 : 0}&outerFails=${outerFails ? 1 : 0}`;
      await request(testApp.url)
        .post(`/scenario/${propagation}/${marker}?${query}`)
        .expect(outerFails ? 400 : 201);
    } else if (context === 'withSession') {
      const scenarios = testApp.app.get(UnitScenarios);
      const run = testApp.alchemy.withSession(async () => {
        await scenarios.run(marker, propagation, workThrows);
        if (outerFails) throw new OuterFailed();
      });
      if (outerFails) await expect(run).rejects.toBeInstanceOf(OuterFailed);
      else await run;
    } else {
      const reply = messages.send('scenario', message);
      if (outerFails) await expect(reply).rejects.toMatchObject({ message: 'the outer handler fails' });
      else await expect(reply).resolves.toBe(marker);
    }
  }

  describe.each(CONTEXTS)('%s', (context) => {
    describe.each(MATRIX_PROPAGATIONS)('%s', (propagation) => {
      it.each(OUTCOMES.flatMap((workThrows) => OUTCOMES.map((outerCommits) => [workThrows, outerCommits] as const)))(
        'work throws: %s, outer commits: %s',
        async (workThrows, outerCommits) => {
          const marker = newMarker();
          await runIn(context, { marker, propagation, workThrows, outerFails: !outerCommits });
          expect(await stored(marker, 'outer')).toBe(outerCommits);
          expect(await stored(marker, 'inner')).toBe(innerRowStored(propagation, workThrows, outerCommits));
        },
      );
    });
  });
});
