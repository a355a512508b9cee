import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { renderApiDocs } from '../../src/api/api-docs.js';
import { buildApiMethodRegistry } from '../../src/api/modules/index.js';
import { readEnvironment } from '../../src/config/environment.js';

describe('docs/api.md', () => {
  it('matches the method registry', () => {
    const committed = readFileSync(resolve(readEnvironment({}).codeRoot, 'docs', 'api.md'), 'utf8');
    assert.equal(committed, renderApiDocs(buildApiMethodRegistry()), 'docs/api.md is out of date: run npm run docs:api');
  });

  it('documents every method with a description', () => {
    for (const method of buildApiMethodRegistry().list()) {
      assert.ok(method.description.length > 10, `${method.name} has no description`);
    }
  });
});
