import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { startTestApp, testDatabaseKinds, type TestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { RowWriter } from '../commit/fixtures/row-writer.service';
import { newMarker } from '../commit/fixtures/markers';
import { eachKind } from '../support/each-kind';
import {
  providerHandlers,
  SLOW_LISTENER,
  SlowFactoryListener,
  ValueListener,
  ValueListenerEvent,
  WriteRow,
} from './fixtures/provider-handlers-app';
import { waitFor } from './fixtures/wait-for';

// Handlers Nest makes from useFactory or takes from useValue get units of work as class providers do.
eachKind(testDatabaseKinds())('handlers of factory and value providers on %s', (kind) => {
  let app: TestApp;
  const prefix = newMarker();
  const listener = new ValueListener();
  const rowsOf = (marker: string) => app.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  beforeAll(async () => {
    app = await startTestApp({
      kind,
      label: 'entry_providers',
      entities: [CommitRow],
      imports: [ScheduleModule.forRoot(), EventEmitterModule.forRoot(), CqrsModule.forRoot()],
      providers: providerHandlers(prefix, listener),
    });
    listener.rows = app.app.get(RowWriter);
    app.app.get<SlowFactoryListener>(SLOW_LISTENER).rows = app.app.get(RowWriter);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a @Timeout task made by an async useFactory: its tick is a unit, committed', async () => {
    await waitFor('the timeout row', async () => ((await rowsOf(`${prefix}:timeout`)) === 1 ? true : undefined));
  });

  it('an @OnEvent listener given by useValue: a unit of its own outside any, committed', async () => {
    const marker = newMarker();
    await app.app.get(EventEmitter2).emitAsync('value.write', new ValueListenerEvent(marker));
    expect(await rowsOf(`${marker}:value`)).toBe(1);
  });

  it('an @OnEvent listener made by an async useFactory already running when the module looks: a unit, committed', async () => {
    const marker = newMarker();
    await app.app.get(EventEmitter2).emitAsync('slow.write', new ValueListenerEvent(marker));
    expect(await rowsOf(`${marker}:slow`)).toBe(1);
  });

  it('a command handler made by a useFactory: committed when it resolves, rolled back when it throws', async () => {
    const [kept, lost] = [newMarker(), newMarker()];
    const commands = app.app.get(CommandBus);
    await commands.execute(new WriteRow(kept));
    await expect(commands.execute(new WriteRow(lost, true))).rejects.toThrow(`command ${lost} failed`);
    expect([await rowsOf(`${kept}:command`), await rowsOf(`${lost}:command`)]).toEqual([1, 0]);
  });
});
