import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { measureRawSqliteInserts, RAW_INSERT_TABLES } from '../../bench/raw-sqlite-inserts.js';
import type { DatabaseConfig } from '../../src/db/database-config.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { createAction, createConversion, createVisit } from '../support/log-factories.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTestTenant } from '../support/test-root.js';

/** Reads every row of a table in rowid order, as arrays of column values. */
function readRows(file: string, table: string): unknown[][] {
  const database = new Sqlite(file, { readonly: true });
  try {
    return database.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw(true).all() as unknown[][];
  } finally {
    database.close();
  }
}

/** Reads the stored SQL of a file's `RAW_INSERT_TABLES` and their indexes, by name. */
function readLogSchema(file: string, tablesPrefix: string): Map<string, string | null> {
  const database = new Sqlite(file, { readonly: true });
  try {
    const tables = RAW_INSERT_TABLES.map((table) => `${tablesPrefix}${table}`);
    const entries = database.prepare<string[], { name: string; sql: string | null }>(
      `SELECT name, sql FROM sqlite_schema WHERE tbl_name IN (${tables.map(() => '?').join(', ')})`,
    ).all(...tables);
    return new Map(entries.map((entry) => [entry.name, entry.sql]));
  } finally {
    database.close();
  }
}

describe('measureRawSqliteInserts', () => {
  const directories: string[] = [];
  after(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  const suite = useTestRoot(async (root) => {
    const { host } = await createTestTenant(root);
    const filled = root.registry.resolve(parseTenantHost(host))!;
    const db = filled.db();
    const first = await createVisit(db, { idsite: 1, visit_total_actions: 3 });
    const second = await createVisit(db, { idsite: 1, visit_total_actions: 2, location_latitude: 48.85 });
    for (let index = 0; index < 3; index += 1) {
      await createAction(db, { idvisit: first, idsite: 1, server_time: `2024-05-01 10:0${index}:00`, url: `https://www.example.org/page/${index}`, title: `Page ${index}` });
    }
    await createAction(db, { idvisit: second, idsite: 1, server_time: '2024-05-01 11:00:00', url: 'https://example.org/', eventCategory: 'Video', eventAction: 'Play' });
    await createAction(db, { idvisit: second, idsite: 1, server_time: '2024-05-01 11:01:00', url: 'https://example.org/cart', custom_float: 2.5 });
    await createConversion(db, { idvisit: second, idsite: 1, idgoal: 1, server_time: '2024-05-01 11:01:00', revenue: 12.5 });

    const { host: emptyHost } = await createTestTenant(root);
    const empty = root.registry.resolve(parseTenantHost(emptyHost))!;
    return { filled: filled.databaseConfig, empty: empty.databaseConfig };
  });

  function measureInNewDirectory(config: DatabaseConfig, hitsPerCommit: number, limitMs: number): ReturnType<typeof measureRawSqliteInserts> {
    const directory = mkdtempSync(join(tmpdir(), 'footfall-raw-inserts-test-'));
    directories.push(directory);
    return measureRawSqliteInserts(config, { hitsPerCommit, limitMs, directory });
  }

  it('copies every log row exactly', () => {
    const config = suite.filled;
    const result = measureInNewDirectory(config, 2, 60_000);
    for (const table of RAW_INSERT_TABLES) {
      const name = `${config.tablesPrefix}${table}`;
      assert.deepEqual(readRows(result.file, name), readRows(config.sqliteFile, name), table);
    }
  });

  it('counts hits, rows and commits', () => {
    const result = measureInNewDirectory(suite.filled, 2, 60_000);
    assert.equal(result.sourceHits, 5);
    assert.equal(result.hits, 5);
    assert.equal(result.commits, 3);
    assert.equal(result.rows.log_link_visit_action, 5);
    assert.equal(result.rows.log_visit, 2);
    assert.equal(result.rows.log_conversion, 1);
    assert.equal(result.rows.log_conversion_item, 0);
    assert.equal(result.rows.log_action, readRows(suite.filled.sqliteFile, `${suite.filled.tablesPrefix}log_action`).length);
    assert.ok(result.hitsPerSecond > 0);
  });

  it('copies the tables with their indexes', () => {
    const result = measureInNewDirectory(suite.filled, 5, 60_000);
    const copied = readLogSchema(result.file, suite.filled.tablesPrefix);
    const source = readLogSchema(suite.filled.sqliteFile, suite.filled.tablesPrefix);
    assert.ok(copied.has(`${suite.filled.tablesPrefix}log_link_visit_action_idvisit`));
    assert.deepEqual(copied, source);
  });

  it('opens the copy in WAL mode', () => {
    const result = measureInNewDirectory(suite.filled, 5, 60_000);
    const database = new Sqlite(result.file, { readonly: true });
    try {
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      database.close();
    }
  });

  it('stops after one commit past the limit', () => {
    const result = measureInNewDirectory(suite.filled, 2, 0);
    assert.equal(result.commits, 1);
    assert.equal(result.hits, 2);
    assert.equal(readRows(result.file, `${suite.filled.tablesPrefix}log_link_visit_action`).length, 2);
  });

  it('removes its temporary copy', () => {
    const result = measureRawSqliteInserts(suite.filled, { hitsPerCommit: 5, limitMs: 60_000 });
    assert.equal(existsSync(dirname(result.file)), false);
  });

  it('rejects a tenant without hits', () => {
    assert.throws(() => measureInNewDirectory(suite.empty, 5, 60_000), /is empty, so there are no hits to re-insert/);
  });

  it('rejects a commit size of zero', () => {
    assert.throws(() => measureInNewDirectory(suite.filled, 0, 60_000), RangeError);
  });
});
