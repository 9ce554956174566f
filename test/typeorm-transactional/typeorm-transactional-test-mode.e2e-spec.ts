import {
  enableTransactionalTestMode,
  SessionScopeError,
  Transactional as ModuleTransactional,
} from 'nestjs-advanced-alchemy';
import { PostEvents } from '../fixtures/typeorm-transactional-app/post-events';
import { PostService } from '../fixtures/typeorm-transactional-app/post.service';
import type { Post } from '../fixtures/typeorm-transactional-app/post.entity';

// A plain unit test of a service written for typeorm-transactional, moved to this module: no database,
// no Nest module, the repository a stand-in. The test mode is switched on explicitly.
jest.mock('typeorm-transactional', () => jest.requireActual('nestjs-advanced-alchemy/typeorm-transactional'));

/** A repository stand-in that keeps what it is given. */
function fakeRepository() {
  const saved: Array<Partial<Post>> = [];
  return {
    saved,
    create: (post: Partial<Post>) => post,
    save: async (post: Partial<Post>) => {
      saved.push(post);
      return post;
    },
  };
}

class Greeter {
  @ModuleTransactional()
  async greet(name: string): Promise<string> {
    return `hello ${name}`;
  }
}

describe('Unit tests of @Transactional() methods, with no database and no module', () => {
  it('without the test mode, a @Transactional() method fails as in an application that is not started', async () => {
    await expect(new Greeter().greet('a')).rejects.toThrow(SessionScopeError);
    await expect(new Greeter().greet('a')).rejects.toThrow('enableTransactionalTestMode()');
  });

  describe('with enableTransactionalTestMode()', () => {
    let disable: () => void;
    beforeAll(() => {
      disable = enableTransactionalTestMode();
    });
    afterAll(() => disable());

    it("runs the module's @Transactional() methods as they are", async () => {
      await expect(new Greeter().greet('b')).resolves.toBe('hello b');
    });

    it('runs a typeorm-transactional service: its work, then its commit and complete hooks', async () => {
      const repository = fakeRepository();
      const events = new PostEvents();
      const service = new PostService(repository as never, undefined as never, events);
      await service.createPost('unit');
      expect(repository.saved).toEqual([{ message: 'unit' }]);
      expect(events.of('unit')).toEqual(['commit:unit', 'complete:unit:ok']);
    });

    it('runs the rollback and complete hooks, with the error, when the method throws', async () => {
      const events = new PostEvents();
      const service = new PostService(fakeRepository() as never, undefined as never, events);
      await expect(service.createPost('unit-failed', true)).rejects.toThrow('refused unit-failed');
      expect(events.of('unit-failed')).toEqual(['rollback:unit-failed', 'complete:unit-failed:error']);
    });
  });
});
