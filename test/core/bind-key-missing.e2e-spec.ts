// @InjectSession records the keys it is given process-wide (per jest test file) when the decorator
// runs, so the undeclared key lives in a file of its own and cannot leak into the other suites.
import { Controller, Get, Injectable } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ImproperConfigurationError, InjectDataSource, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { startTestApp, testDatabaseKinds, type StartTestAppOptions } from 'nestjs-advanced-alchemy/testing';
import { startTestAppError } from '../support/boot-app';
import { Note } from '../support/notes';

/** Asks for a bind key no configuration declares. */
@Injectable()
class MissingKeyConsumer {
  constructor(@InjectSession('missing') readonly session: Session) {}
}

@Controller('ghost')
class GhostDataSourceController {
  constructor(@InjectDataSource('ghost') readonly dataSource: DataSource) {}
  @Get() get() {
    return 'unreachable';
  }
}

@Injectable()
class DefaultKeyConsumer {
  constructor(@InjectSession() readonly session: Session) {}
}

@Controller('notes')
class NotesController {
  constructor(private readonly consumer: DefaultKeyConsumer) {}
  @Get('count') async count() {
    return { count: await this.consumer.session.getRepository(Note).count() };
  }
}

describe.each(testDatabaseKinds())('an undeclared bind key on %s', (kind) => {
  // A bootstrap that fails part-way may leave its DataSource open; keep hold of each to close it.
  const opened: DataSource[] = [];
  afterEach(async () => {
    for (const dataSource of opened.splice(0)) if (dataSource.isInitialized) await dataSource.destroy();
  });
  const appOf = (parts: Pick<StartTestAppOptions, 'controllers' | 'providers'>): StartTestAppOptions => ({
    kind,
    label: 'bind_key_missing',
    entities: [Note],
    config: {
      commitMode: undefined,
      createDataSource: (options) => {
        const dataSource = new DataSource(options);
        opened.push(dataSource);
        return dataSource;
      },
    },
    ...parts,
  });

  it("fails the bootstrap, naming the class and the key of @InjectSession('missing')", async () => {
    const error = await startTestAppError(appOf({ providers: [MissingKeyConsumer, DefaultKeyConsumer] }));
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('MissingKeyConsumer');
    expect(message).toContain("@InjectSession('missing')");
    expect(message).toContain('"default"');
    // The consumer of the declared key is not blamed.
    expect(message).not.toContain('DefaultKeyConsumer');
  });

  it('names every offender, controllers and @InjectDataSource included', async () => {
    const { message } = await startTestAppError(
      appOf({ providers: [MissingKeyConsumer], controllers: [GhostDataSourceController] }),
    );
    expect(message).toContain("MissingKeyConsumer uses @InjectSession('missing')");
    expect(message).toContain("GhostDataSourceController uses @InjectDataSource('ghost')");
  });

  it('still boots an app whose providers only use declared keys', async () => {
    const app = await startTestApp(appOf({ providers: [DefaultKeyConsumer], controllers: [NotesController] }));
    try {
      await request(app.url).get('/notes/count').expect(200, { count: 0 });
    } finally {
      await app.close();
    }
  });
});
