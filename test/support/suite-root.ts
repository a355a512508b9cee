/** Suite hooks that create a test root before a suite and remove it, with the server built on it, after the suite. */
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { deleteAllTenants } from './console-runner.js';
import type { CapturedServer } from './session-server.js';
import { createTestRoot, type TestRoot } from './test-root.js';

/** The fields of a setup's handles that the after hook closes: a server built as `app`, or a captured `server`. */
interface ClosableHandles {
  app?: FastifyInstance;
  server?: Partial<CapturedServer>;
}

/** Options of `useTestRoot`. */
export interface TestRootOptions {
  /**
   * True to delete every tenant with its database and database user before removing the root,
   * which tenants on MariaDB and PostgreSQL need. Otherwise only the root folder is removed.
   */
  deleteTenants?: boolean;
  /** The skip reason of the suite's engine: when it is a string, neither hook does anything. */
  skip?: string | false;
}

/**
 * Registers a `before` hook that creates a test root and runs `setup` on it, and an `after`
 * hook that closes the server `setup` returned, then removes the root. Node runs the after hook
 * even when `setup` throws, so the root is removed in that case too.
 *
 * NOTE: a server that `setup` built before it threw is not closed, because `setup` never
 * returned it.
 *
 * Returns one object that contains `root` and the handles `setup` returned. Its fields are set
 * only once the `before` hook has run, so tests read them inside `it`, not at suite level.
 */
export function useTestRoot<Handles extends object>(
  setup: (root: TestRoot) => Promise<Handles>, options: TestRootOptions = {},
): { root: TestRoot } & Handles {
  const suite = {} as { root: TestRoot } & Handles;
  before(async () => {
    if (options.skip) return;
    suite.root = createTestRoot();
    Object.assign(suite, await setup(suite.root));
  });
  after(async () => {
    if (options.skip) return;
    const { app, server } = suite as ClosableHandles;
    await (app ?? server?.app)?.close();
    if (suite.root === undefined) return;
    if (options.deleteTenants) await deleteAllTenants(suite.root);
    else await suite.root.cleanup();
  });
  return suite;
}
