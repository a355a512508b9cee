import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCondition, readDataLayerPath, renderTemplate } from '../../tracker/tag-manager/container-rules.js';

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
