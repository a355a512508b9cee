import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildPreviewScriptUrl, compareCondition, decidePreview, isDownloadLink, measureScroll, readDataLayerPath, readUrlPart, renderTemplate,
} from '../../tracker/tag-manager/container-rules.js';
import { DEFAULT_DOWNLOAD_EXTENSIONS } from '../../tracker/url-matching.js';

describe('compareCondition', () => {
  const cases: [string, string, string, boolean][] = [
    ['https://shop.example/Signup', 'contains', 'signup', true],
    ['https://shop.example/cart', 'contains', 'signup', false],
    ['https://shop.example/cart', 'not_contains', 'signup', true],
    ['Gold', 'equals', 'gold', true],
    ['Gold', 'equals_exactly', 'gold', false],
    ['Gold', 'equals_exactly', 'Gold', true],
    ['Gold', 'not_equals', 'gold', false],
    ['/de/shop', 'starts_with', '/DE/', true],
    ['/de/shop', 'not_starts_with', '/de/', false],
    ['file.PDF', 'ends_with', '.pdf', true],
    ['file.pdf', 'not_ends_with', '.pdf', false],
    ['order-1234', 'matches_regex', '^order-[0-9]+$', true],
    ['order-abc', 'matches_regex', '^order-[0-9]+$', false],
    ['order-abc', 'not_matches_regex', '^order-[0-9]+$', true],
    ['anything', 'matches_regex', '([', false],
    ['anything', 'unknown_comparison', 'anything', false],
  ];
  for (const [actual, comparison, expected, result] of cases) {
    it(`${comparison} of '${actual}' and '${expected}' is ${result}`, () => assert.equal(compareCondition(actual, comparison, expected), result));
  }
});

describe('renderTemplate', () => {
  const variables: Record<string, unknown> = { Plan: 'gold', Count: 3, Config: { matomoUrl: 'https://a.example/', idSite: 4 } };
  const lookup = (name: string): unknown => variables[name];

  it('replaces references inside text', () => assert.equal(renderTemplate('Plan {{Plan}} x{{ Count }}', lookup), 'Plan gold x3'));
  it('returns the value of a whole reference', () => assert.deepEqual(renderTemplate('{{Config}}', lookup), { matomoUrl: 'https://a.example/', idSite: 4 }));
  it('renders unknown references as empty text', () => assert.equal(renderTemplate('[{{Missing}}]', lookup), '[]'));
  it('renders objects member by member', () => {
    assert.deepEqual(renderTemplate({ action: '{{Plan}}', list: ['{{Count}}', 'plain'], flag: true }, lookup), { action: 'gold', list: [3, 'plain'], flag: true });
  });
});

describe('readDataLayerPath', () => {
  const dataLayer = { plan: 'gold', user: { id: 7, tier: { name: 'pro' } }, 'dotted.key': 'kept' };
  it('reads a top-level key', () => assert.equal(readDataLayerPath(dataLayer, 'plan'), 'gold'));
  it('reads a nested path', () => assert.equal(readDataLayerPath(dataLayer, 'user.tier.name'), 'pro'));
  it('prefers a key that contains a dot', () => assert.equal(readDataLayerPath(dataLayer, 'dotted.key'), 'kept'));
  it('returns undefined for a missing step', () => assert.equal(readDataLayerPath(dataLayer, 'user.address.city'), undefined));
});

describe('readUrlPart', () => {
  const url = 'https://shop.example:8443/de/cart?step=2#pay';
  const cases: [string, string][] = [
    ['href', url], ['hash', '#pay'], ['host', 'shop.example:8443'], ['hostname', 'shop.example'], ['origin', 'https://shop.example:8443'],
    ['pathname', '/de/cart'], ['port', '8443'], ['protocol', 'https:'], ['search', '?step=2'],
  ];
  for (const [part, expected] of cases) it(`reads ${part}`, () => assert.equal(readUrlPart(url, part), expected));
  it('returns empty text for an unknown part', () => assert.equal(readUrlPart(url, 'username'), ''));
  it('returns empty text for an empty URL', () => assert.equal(readUrlPart('', 'href'), ''));
});

describe('isDownloadLink', () => {
  const cases: [string, boolean, boolean][] = [
    ['https://shop.example/files/Report.PDF', false, true],
    ['https://shop.example/files/archive.tar.gz?v=2', false, true],
    ['https://shop.example/docs.html', false, false],
    ['https://shop.example/pdf/overview', false, false],
    ['https://shop.example/v1.2/guide', false, false],
    ['https://shop.example/export', true, true],
  ];
  for (const [href, hasAttribute, expected] of cases) {
    it(`${href}${hasAttribute ? ' with download attribute' : ''} is ${expected}`, () => assert.equal(isDownloadLink(href, hasAttribute, DEFAULT_DOWNLOAD_EXTENSIONS), expected));
  }
});

describe('measureScroll', () => {
  it('measures from the viewport end', () => assert.deepEqual(measureScroll(500, 700, 2400), { pixels: 500, percentage: 50 }));
  it('caps the percentage at 100', () => assert.deepEqual(measureScroll(1800, 700, 2400), { pixels: 1800, percentage: 100 }));
  it('counts a short page as fully seen', () => assert.deepEqual(measureScroll(0, 700, 300), { pixels: 0, percentage: 100 }));
});

describe('decidePreview', () => {
  it('starts on the container id', () => assert.deepEqual(decidePreview('Ab12Cd34', 'Ab12Cd34', undefined), { preview: true, cookie: 'Ab12Cd34' }));
  it('keeps on through the cookie', () => assert.deepEqual(decidePreview('Ab12Cd34', null, 'Ab12Cd34'), { preview: true }));
  it('ends on another value', () => assert.deepEqual(decidePreview('Ab12Cd34', '0', 'Ab12Cd34'), { preview: false, cookie: '' }));
  it('leaves another container cookie', () => assert.deepEqual(decidePreview('Ab12Cd34', 'Zz99Yy88', 'Zz99Yy88'), { preview: false, cookie: undefined }));
  it('stays off without a request', () => assert.deepEqual(decidePreview('Ab12Cd34', null, undefined), { preview: false }));
});

describe('buildPreviewScriptUrl', () => {
  it('replaces the live file', () => {
    assert.equal(buildPreviewScriptUrl('https://stats.example/js/container_Ab12Cd34.js', 'Ab12Cd34'), 'https://stats.example/js/container_Ab12Cd34_preview.js');
  });
  it('replaces an environment file', () => {
    const staging = `https://stats.example/js/container_Ab12Cd34_staging_${'a'.repeat(24)}.js?v=3`;
    assert.equal(buildPreviewScriptUrl(staging, 'Ab12Cd34'), 'https://stats.example/js/container_Ab12Cd34_preview.js');
  });
  it('ignores another script', () => assert.equal(buildPreviewScriptUrl('https://stats.example/js/app.js', 'Ab12Cd34'), undefined));
});
