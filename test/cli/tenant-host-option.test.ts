import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runConsole } from '../support/console-runner.js';
import { createTestRoot } from '../support/test-root.js';

const IPV6_MESSAGE = /Invalid host name '(?:\[::1\]|::1)': an IPv6 address cannot name a tenant\. Pass the host name the tenant is served on, such as stats\.example\.com/;

describe('IPv6 address as tenant host', () => {
  const root = createTestRoot();
  after(() => root.cleanup());

  for (const raw of ['::1', '[::1]']) {
    it(`core:archive rejects ${raw}`, async () => {
      const run = await runConsole(root, ['core:archive', `--matomo-domain=${raw}`]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, IPV6_MESSAGE);
      assert.doesNotMatch(run.stderr, /tenant:create/);
    });

    it(`tenant:create rejects ${raw}`, async () => {
      const run = await runConsole(root, ['tenant:create', raw]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, IPV6_MESSAGE);
      assert.deepEqual(readdirSync(root.dir), ['config']);
    });
  }
});
