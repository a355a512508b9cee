import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDataTableFilters, type DataTableFilterOptions, type OutputRow } from '../../src/reports/datatable-filters.js';
import { ACTIONS_REPORTS } from '../../src/reports/Actions/actions-reports.js';
import type { TableReportDefinition } from '../../src/reports/report-definition.js';

const FLAT: DataTableFilterOptions = {
  limit: -1, offset: 0, sortColumn: undefined, sortOrder: 'desc', pattern: undefined, patternColumn: 'label',
  flat: true, expanded: false, labels: undefined, showColumns: undefined, hideColumns: [], truncate: undefined,
};

/** A page URL tree as the Actions archiver builds it: folders without slashes, pages with a leading one. */
const PAGE_URL_TREE: OutputRow[] = [
  { label: '/index', nb_hits: 5 },
  {
    label: 'lite-log', nb_hits: 4, subtable: [
      { label: '/page0.html', nb_hits: 2 },
      { label: '/index', nb_hits: 1 },
      { label: 'docs', nb_hits: 1, subtable: [{ label: '/start?lang=fr', nb_hits: 1 }] },
    ],
  },
];

function findTableReport(name: string): TableReportDefinition {
  const definition = ACTIONS_REPORTS.find((report) => report.name === name);
  assert.ok(definition?.kind === 'table', `${name} is a table report`);
  return definition;
}

function flatLabels(rows: OutputRow[], definition?: TableReportDefinition): string[] {
  return applyDataTableFilters(rows, FLAT, null, definition?.flatLabelRules).map((row) => String(row.label));
}

describe('flat=1 labels', () => {
  it('joins with " - " by default', () => {
    const rows: OutputRow[] = [{ label: 'Google', nb_visits: 1, subtable: [{ label: 'analytics', nb_visits: 1 }] }];
    assert.deepEqual(flatLabels(rows), ['Google - analytics']);
  });

  it('trims labels as Matomo does', () => {
    const rows: OutputRow[] = [{ label: ' spring ', nb_visits: 1, subtable: [{ label: '\temail\n', nb_visits: 1 }] }];
    assert.deepEqual(flatLabels(rows), ['spring - email']);
  });

  it('writes page URLs as paths', () => {
    const labels = flatLabels(PAGE_URL_TREE, findTableReport('Actions.getPageUrls'));
    assert.deepEqual(labels, ['/', '/lite-log/page0.html', '/lite-log/', '/lite-log/docs/start?lang=fr']);
  });

  for (const name of ['Actions.getEntryPageUrls', 'Actions.getExitPageUrls']) {
    it(`writes ${name} as paths`, () => {
      assert.deepEqual(flatLabels(PAGE_URL_TREE, findTableReport(name)), ['/', '/lite-log/page0.html', '/lite-log/', '/lite-log/docs/start?lang=fr']);
    });
  }

  it('joins page titles with /', () => {
    const rows: OutputRow[] = [{ label: 'Blog', nb_hits: 2, subtable: [{ label: 'Post 1', nb_hits: 2 }] }, { label: 'Home', nb_hits: 1 }];
    assert.deepEqual(flatLabels(rows, findTableReport('Actions.getPageTitles')), ['Blog/Post 1', 'Home']);
  });

  it('drops only the label slash', () => {
    const rows: OutputRow[] = [{ label: 'a/', nb_hits: 1, subtable: [{ label: '/b', nb_hits: 1 }] }];
    assert.deepEqual(flatLabels(rows, findTableReport('Actions.getPageTitles')), ['a//b']);
  });
});
