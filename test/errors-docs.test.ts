import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readEnvironment } from '../src/config/environment.js';
import { ERROR_CODES } from '../src/errors.js';

/** Reads the table rows of docs/errors.md as a map from code to the HTTP status written there. */
function readDocumentedStatuses(): Map<string, number> {
  const text = readFileSync(resolve(readEnvironment({}).codeRoot, 'docs', 'errors.md'), 'utf8');
  const statuses = new Map<string, number>();
  for (const match of text.matchAll(/^\| `([A-Z0-9_]+)` \| ([0-9]{3}) \|/gm)) statuses.set(match[1]!, Number(match[2]));
  return statuses;
}

describe('docs/errors.md', () => {
  const documented = readDocumentedStatuses();

  for (const [code, status] of Object.entries(ERROR_CODES)) {
    it(`lists ${code} with status ${status}`, () => {
      assert.ok(documented.has(code), `docs/errors.md has no row for ${code}; add one that says when it happens`);
      assert.equal(documented.get(code), status, `docs/errors.md gives ${code} another status than src/errors.ts`);
    });
  }

  it('lists no code outside the catalog', () => {
    const unknown = [...documented.keys()].filter((code) => !(code in ERROR_CODES));
    assert.deepEqual(unknown, []);
  });
});
