import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestRoot, uniqueHost } from '../support/test-root.js';

for (const engine of ALL_ENGINES) {
  describe(`core:archive --force-idsites on ${engine}`, () => {
    const root = createTestRoot();
    const host = uniqueHost(`arch${engine}`);
    const domain = `--matomo-domain=${host}`;
    const escapedHost = host.replaceAll('.', '\\.');
    let skip: false | string = false;

    before(async () => {
      skip = await engineSkip(engine as DatabaseAdapter);
      if (skip !== false) return;
      await runConsoleJson(root, ['tenant:create', host, `--db-adapter=${engine}`]);
    });
    after(() => deleteAllTenants(root));

    it('fails when no requested site exists', async (t) => {
      if (skip !== false) return t.skip(skip);
      const run = await runConsole(root, ['core:archive', domain, '--force-idsites=999']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^Error: Site 999 of --force-idsites does not exist in ${escapedHost}, so there is nothing to archive\\. site:list lists the sites\\.$`, 'm'));
      assert.doesNotMatch(run.stdout, /No site has new data/);

      const several = await runConsole(root, ['core:archive', domain, '--force-idsites=999,998']);
      assert.equal(several.code, 1, several.stderr);
      assert.match(several.stderr, new RegExp(`^Error: Sites 998, 999 of --force-idsites do not exist in ${escapedHost}`, 'm'));
    });

    it('skips a missing site beside an existing one', async (t) => {
      if (skip !== false) return t.skip(skip);
      const run = await runConsole(root, ['core:archive', domain, '--force-idsites=1,999', '--force-date-range=2024-05-01,2024-05-01']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`^Site 999 of --force-idsites does not exist in ${escapedHost}, so it is skipped\\.`, 'm'));
      assert.match(run.stdout, /^Archived 1 site\(s\) of /m);
      assert.match(run.stdout, /^ {2}idSite 1: 1 day\(s\)/m);
    });
  });
}
