import { BadRequestException, Controller, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';

@Controller('two-binds')
class TwoBindsUnitsController {
  constructor(
    @InjectSession() private readonly main: Session,
    @InjectSession('audit') private readonly audit: Session,
  ) {}

  /**
   * A REQUIRES_NEW unit of 'default' that also writes through 'audit': its 'default' session is
   * new, its 'audit' session is the request's. The request then fails (400).
   */
  @Post(':marker') async run(@Param('marker') marker: string) {
    await this.audit.getRepository(CommitRow).insert({ marker: `${marker}-audit-before` });
    await this.main.transaction(
      async () => {
        await this.main.getRepository(CommitRow).insert({ marker: `${marker}-unit` });
        await this.audit.getRepository(CommitRow).insert({ marker: `${marker}-audit-in-unit` });
      },
      { propagation: 'REQUIRES_NEW' },
    );
    throw new BadRequestException('the request fails after its unit');
  }
}

describe.each(testDatabaseKinds())('units with two bind keys on %s', (kind) => {
  const testApp = useTestApp({
    kind,
    label: 'tx',
    bindKeys: ['default', 'audit'],
    entities: [CommitRow],
    controllers: [TwoBindsUnitsController],
  });

  it("a REQUIRES_NEW unit of one bind key commits alone; its writes on the other bind key are the request's, rolled back with it", async () => {
    const marker = newMarker();
    await request(testApp.url).post(`/two-binds/${marker}`).expect(400);
    expect(await testApp.probes.default.count(COMMIT_ROWS, 'marker = ?', [`${marker}-unit`])).toBe(1);
    expect(await testApp.probes.audit.count(COMMIT_ROWS, 'marker LIKE ?', [`${marker}-%`])).toBe(0);
  });
});
