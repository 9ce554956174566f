import { startTestApp, type StartTestAppOptions, type TestApp } from './test-app';

// The hooks of whichever test runner is running (Jest, Vitest with globals): declared here so that
// the kit builds without any runner's type definitions.
declare function beforeAll(hook: () => Promise<void>): void;
declare function afterAll(hook: () => Promise<void>): void;

/**
 * Starts the application of `options` (`startTestApp`) in a `beforeAll` of the enclosing `describe`
 * and closes it (app, probes, databases) in its `afterAll`. The returned object reads through to the
 * running app, so tests and later hooks write `testApp.url`, `testApp.probe`…; reading it outside
 * them (before the app has started or after it has closed) throws an error saying so.
 * `options` may be a function: it is called in the `beforeAll`, after the hooks declared before it.
 */
export function useTestApp(
  options: StartTestAppOptions | (() => StartTestAppOptions | Promise<StartTestAppOptions>),
): TestApp {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startTestApp(typeof options === 'function' ? await options() : options);
  });
  afterAll(async () => {
    const closing = running;
    running = undefined;
    await closing?.close();
  });
  return new Proxy({} as TestApp, {
    get(_target, property) {
      // Not a promise: `await testApp` gives the proxy itself.
      if (property === 'then') return undefined;
      if (!running) {
        throw new Error(
          `useTestApp: the application is not running (read "${String(property)}" inside a test or a hook declared after useTestApp).`,
        );
      }
      return Reflect.get(running, property) as unknown;
    },
  });
}
