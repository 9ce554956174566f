import { Controller, Post, Query } from '@nestjs/common';
import request from 'supertest';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';

/** Handlers that commit part of their work themselves, as manual mode expects. */
@Controller('manual')
class SelfCommittingController {
  constructor(private readonly rows: RowWriter) {}

  @Post('commit-then-throw') async commitThenThrow(@Query('kept') kept: string, @Query('lost') lost: string) {
    await this.rows.write(kept);
    await this.rows.commit();
    await this.rows.write(lost);
    throw new Error('failing after a commit of its own');
  }

  @Post('commit-then-succeed') async commitThenSucceed(@Query('kept') kept: string, @Query('lost') lost: string) {
    await this.rows.write(kept);
    await this.rows.commit();
    await this.rows.write(lost);
    return { kept, lost };
  }
}

// Manual mode never commits on its own: what the handler committed stays, whatever the status;
// what it wrote after its last commit is rolled back at the end of the request.
describe.each(testDatabaseKinds())('manual mode, %s', (kind) => {
  const testApp = useTestApp({
    kind,
    label: 'manual_mode',
    entities: [CommitRow],
    config: { commitMode: 'manual' },
    controllers: [SelfCommittingController],
    providers: [RowWriter],
  });

  const rowsOf = (marker: string) => testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  it('session.commit() then a throw (500): the committed row stays, the later one is rolled back', async () => {
    const [kept, lost] = [newMarker(), newMarker()];
    await request(testApp.url).post(`/manual/commit-then-throw?kept=${kept}&lost=${lost}`).expect(500);

    expect(await rowsOf(kept)).toBe(1);
    expect(await rowsOf(lost)).toBe(0);
  });

  it('session.commit() then a 201: still only the committed row, manual mode adds no commit', async () => {
    const [kept, lost] = [newMarker(), newMarker()];
    await request(testApp.url).post(`/manual/commit-then-succeed?kept=${kept}&lost=${lost}`).expect(201);

    expect(await rowsOf(kept)).toBe(1);
    expect(await rowsOf(lost)).toBe(0);
  });
});
