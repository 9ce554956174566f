import request from 'supertest';
import { testDatabaseKinds, useTestApp, useTestTransactions } from 'nestjs-advanced-alchemy/testing';
import { Note, NOTES, NOTES_APP } from '../support/notes';

describe.each(testDatabaseKinds())('test transactions on %s', (kind) => {
  const testApp = useTestApp({ kind, label: 'testtx', ...NOTES_APP });

  describe('inside useTestTransactions', () => {
    useTestTransactions(() => [testApp.dataSource()]);

    it('sees what earlier requests of the same test committed', async () => {
      await request(testApp.url).post('/notes').expect(201);
      await request(testApp.url).post('/notes').expect(201);
      await request(testApp.url).post('/notes/fail').expect(500);
      const { body } = await request(testApp.url).get('/notes/count').expect(200);
      expect(body).toEqual({ count: 2 });
      expect(await testApp.dataSource().getRepository(Note).count()).toBe(2);
    });

    it('starts the next test from the data before the first', async () => {
      const { body } = await request(testApp.url).get('/notes/count').expect(200);
      expect(body).toEqual({ count: 0 });
    });
  });

  it('left nothing in the database', async () => {
    expect(await testApp.probe.count(NOTES)).toBe(0);
    await request(testApp.url).post('/notes').expect(201);
    expect(await testApp.probe.count(NOTES)).toBe(1);
  });
});
