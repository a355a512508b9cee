import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { withStatementCache } from '../../src/db/sqlite-statement-cache.js';

describe('withStatementCache', () => {
  test('returns one statement per SQL text', () => {
    const database = withStatementCache(new SQLite(':memory:'));
    const first = database.prepare('SELECT 1 AS one');
    const second = database.prepare('SELECT 1 AS one');
    const other = database.prepare('SELECT 2 AS two');
    assert.equal(first, second);
    assert.notEqual(first, other);
    database.close();
  });

  test('prepares a fresh statement while the cached one iterates', () => {
    const database = withStatementCache(new SQLite(':memory:'));
    const sql = 'SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2)';
    const iterating = database.prepare(sql);
    const rows = iterating.iterate([]);
    assert.deepEqual(rows.next().value, { value: 1 });
    const during = database.prepare(sql);
    assert.notEqual(during, iterating);
    assert.deepEqual(during.all([]), [{ value: 1 }, { value: 2 }]);
    assert.deepEqual(rows.next().value, { value: 2 });
    assert.equal(rows.next().done, true);
    database.close();
  });

  test('evicts the oldest statement past its size', () => {
    const database = withStatementCache(new SQLite(':memory:'), 1);
    const first = database.prepare('SELECT 1');
    database.prepare('SELECT 2');
    assert.notEqual(database.prepare('SELECT 1'), first);
    database.close();
  });
});
