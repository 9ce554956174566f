import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { startTestApp, testDatabaseKinds, type TestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { eachKind } from '../support/each-kind';
import { CountRows, CqrsWitness, OrdersController, PlaceOrder, cqrsProviders } from './fixtures/cqrs-app';
import { waitFor } from './fixtures/wait-for';

// @nestjs/cqrs: a command is a unit of work of its own unless it runs inside one (then it joins it);
// its events reach their handlers only once that unit committed, never after a rollback; a query joins.
eachKind(testDatabaseKinds())('@nestjs/cqrs handlers on %s', (kind) => {
  let app: TestApp;
  let commands: CommandBus;
  let witness: CqrsWitness;
  const rowsOf = (marker: string) => app.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);
  const deliveriesOf = (marker: string) => witness.deliveries.filter((delivery) => delivery.marker === marker);

  beforeAll(async () => {
    app = await startTestApp({
      kind,
      label: 'entry_cqrs',
      entities: [CommitRow],
      imports: [CqrsModule.forRoot()],
      controllers: [OrdersController],
      providers: cqrsProviders(),
    });
    commands = app.app.get(CommandBus);
    witness = app.app.get(CqrsWitness);
    witness.probe = app.probe;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a command outside any unit: committed when it resolves, its event handled after the COMMIT', async () => {
    const marker = newMarker();
    // The query the handler runs joins the command's unit: it sees the command's own uncommitted row.
    await expect(commands.execute(new PlaceOrder(marker))).resolves.toBe(1);
    expect([await rowsOf(marker), await rowsOf(`${marker}:mail`)]).toEqual([1, 1]);
    expect(deliveriesOf(marker)).toEqual([{ marker, orderCommitted: true }]);
  });

  it('a command that throws after writing: rolled back, its event never handled', async () => {
    const marker = newMarker();
    await expect(commands.execute(new PlaceOrder(marker, true))).rejects.toThrow(`order ${marker} refused`);
    expect([await rowsOf(marker), await rowsOf(`${marker}:mail`)]).toEqual([0, 0]);
    expect(deliveriesOf(marker)).toEqual([]);
  });

  it('a command inside an open unit joins it: rolled back with it, its event never handled', async () => {
    const marker = newMarker();
    let committedInside = -1;
    const outer = app.alchemy.withSession(async () => {
      await commands.execute(new PlaceOrder(marker));
      committedInside = await rowsOf(marker); // the command did not commit on its own
      throw new Error('the caller fails after the command');
    });
    await expect(outer).rejects.toThrow('the caller fails');
    expect(committedInside).toBe(0);
    expect([await rowsOf(marker), await rowsOf(`${marker}:mail`)]).toEqual([0, 0]);
    expect(deliveriesOf(marker)).toEqual([]);
  });

  it('a command inside an open unit that commits: its event handled after that COMMIT', async () => {
    const marker = newMarker();
    await app.alchemy.withSession(() => commands.execute(new PlaceOrder(marker)));
    expect([await rowsOf(marker), await rowsOf(`${marker}:mail`)]).toEqual([1, 1]);
    expect(deliveriesOf(marker)).toEqual([{ marker, orderCommitted: true }]);
  });

  it("a command dispatched by a route joins the request's unit: its event handled after the request's COMMIT", async () => {
    const [kept, lost] = [newMarker(), newMarker()];
    expect((await app.http.post(`/orders/${kept}?fail=false`)).status).toBe(201);
    expect((await app.http.post(`/orders/${lost}?fail=true`)).status).toBe(500);
    await waitFor('the mail of the kept order', async () => ((await rowsOf(`${kept}:mail`)) === 1 ? true : undefined));
    expect([await rowsOf(kept), await rowsOf(lost), await rowsOf(`${lost}:mail`)]).toEqual([1, 0, 0]);
    expect([...deliveriesOf(kept), ...deliveriesOf(lost)]).toEqual([{ marker: kept, orderCommitted: true }]);
  });

  it('a query outside any unit gets one of its own', async () => {
    const marker = newMarker();
    await commands.execute(new PlaceOrder(marker));
    await expect(app.app.get(QueryBus).execute(new CountRows(marker))).resolves.toBe(1);
  });
});
