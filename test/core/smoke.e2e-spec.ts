import request from 'supertest';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { NOTES, NOTES_APP } from '../support/notes';

describe.each(testDatabaseKinds())('smoke on %s', (kind) => {
  const testApp = useTestApp({ kind, label: 'smoke', ...NOTES_APP });

  it('commits on 201 and rolls back on 500', async () => {
    await request(testApp.url).post('/notes').expect(201);
    await request(testApp.url).post('/notes/fail').expect(500);
    await request(testApp.url).get('/notes/ping').expect(200);
    expect(await testApp.probe.count(NOTES)).toBe(1);
  });
});
