import { CommandBus, CqrsModule, EventBus } from '@nestjs/cqrs';
import { startTestApp, testDatabaseKinds, type TestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { eachKind } from '../support/each-kind';
import { AuditRequested, cqrsBindKeysProviders, PlaceAuditedOrder, RequestAudit } from './fixtures/cqrs-bind-keys-app';
import { waitFor } from './fixtures/wait-for';

// Events published in an app whose bind keys are `orders` and `audit` (none named `default`): the
// event handler runs after the publishing unit committed, in a unit of its own on the bind key it uses.
eachKind(testDatabaseKinds())('@nestjs/cqrs events with bind keys none of which is `default` on %s', (kind) => {
  let app: TestApp;
  const auditRows = (marker: string) => app.probes.audit.count(COMMIT_ROWS, 'marker = ?', [`${marker}:audit`]);
  const orderRows = (marker: string) => app.probes.orders.count(COMMIT_ROWS, 'marker = ?', [marker]);
  const auditWritten = (marker: string) => async () => ((await auditRows(marker)) === 1 ? true : undefined);

  beforeAll(async () => {
    app = await startTestApp({
      kind,
      label: 'entry_cqrs_keys',
      bindKeys: ['orders', 'audit'],
      entities: [CommitRow],
      imports: [CqrsModule.forRoot()],
      providers: cqrsBindKeysProviders,
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('published by a command with no transaction open: handled once the command resolved, its row committed', async () => {
    const marker = newMarker();
    await app.app.get(CommandBus).execute(new RequestAudit(marker));
    await waitFor(`the audit row of ${marker}`, auditWritten(marker));
  });

  it('published by a command with no transaction open that then throws: never handled', async () => {
    const [lost, kept] = [newMarker(), newMarker()];
    await expect(app.app.get(CommandBus).execute(new RequestAudit(lost, true))).rejects.toThrow(
      `audit ${lost} refused`,
    );
    // A later event's row is the witness that the refused one had its chance to run.
    await app.app.get(CommandBus).execute(new RequestAudit(kept));
    await waitFor(`the audit row of ${kept}`, auditWritten(kept));
    expect(await auditRows(lost)).toBe(0);
  });

  it('published by a command that wrote on `orders`: handled after that COMMIT, on `audit`', async () => {
    const marker = newMarker();
    await app.app.get(CommandBus).execute(new PlaceAuditedOrder(marker));
    await waitFor(`the audit row of ${marker}`, auditWritten(marker));
    expect(await orderRows(marker)).toBe(1);
  });

  it('published inside withSession on a bind key that stays unused: handled once the unit resolved', async () => {
    const marker = newMarker();
    await app.alchemy.withSession('orders', async () => {
      await app.app.get(CommandBus).execute(new RequestAudit(marker));
    });
    await waitFor(`the audit row of ${marker}`, auditWritten(marker));
  });

  it('published outside any unit: handled at once, in a unit of its own', async () => {
    const marker = newMarker();
    app.app.get(EventBus).publish(new AuditRequested(marker));
    await waitFor(`the audit row of ${marker}`, auditWritten(marker));
  });
});
