import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

const require = createRequire(import.meta.url);
const MatomoTracker = require('matomo-tracker') as new (siteId: number, url: string) => {
  agent: unknown;
  track(options: Record<string, unknown>): void;
  trackBulk(events: Record<string, unknown>[], callback: (body: string) => void): void;
};
const piwik = require('piwik') as {
  setup(baseUrl: string, token?: string): unknown;
  track(vars: Record<string, unknown>, callback: (error: unknown, data: unknown) => void): void;
};

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/** An agent for matomo-tracker whose `get` resolves `done` when the server's response has ended. */
function answeringAgent(): { agent: unknown; done: Promise<number> } {
  let resolve!: (status: number) => void;
  const done = new Promise<number>((settle) => { resolve = settle; });
  const agent = {
    get(url: string, callback: (response: http.IncomingMessage) => void) {
      return http.get(url, (response) => {
        callback(response);
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
    },
    request: http.request,
  };
  return { agent, done };
}

describe('tracking with npm clients', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let baseUrl: string;
  let token: string;

  before(async () => {
    root = createTestRoot();
    const tenant = await createTestTenant(root, { host: '127.0.0.1', siteUrl: 'https://example.org' });
    token = tenant.tokenAuth;
    app = await buildTestServer(root);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  async function lastVisits(): Promise<Record<string, any>[]> {
    const response = await fetch(`${baseUrl}/index.php?module=API&method=Live.getLastVisitsDetails&idSite=1&format=json&filter_sort_order=asc&token_auth=${token}`);
    assert.equal(response.status, 200);
    return response.json() as Promise<Record<string, any>[]>;
  }

  test('stores hits of matomo-tracker, its trackBulk and piwik', async () => {
    const tracker = new MatomoTracker(1, `${baseUrl}/matomo.php`);
    const { agent, done } = answeringAgent();
    tracker.agent = agent;
    tracker.track({
      url: 'https://example.org/spring?utm_campaign=Spring-Sale&utm_term=Shoes', action_name: 'Spring sale', _id: 'a3a1e2f4c5d6b7a8',
      ua: FIREFOX, cip: '192.0.2.10', token_auth: token,
    });
    assert.equal(await done, 200);

    const bulkBody = await new Promise<string>((resolve) => tracker.trackBulk([
      { url: 'https://example.org/search-landing', action_name: 'Landing', _id: 'b000000000000001', ua: SAFARI_IPHONE, urlref: 'https://www.google.com/search?q=Running+Shoes' },
      { url: 'https://example.org/search-landing', e_c: 'Video', e_a: 'Play', e_n: 'Intro', _id: 'b000000000000001', ua: SAFARI_IPHONE, ca: 1 },
    ], resolve));
    assert.deepEqual(JSON.parse(bulkBody), { status: 'success', tracked: 2, invalid: 0 });

    piwik.setup(`${baseUrl}/`, token);
    const piwikAnswer = await new Promise<unknown>((resolve, reject) => piwik.track({
      idsite: 1, url: 'https://example.org/from-news', action_name: 'News reader', _id: 'c000000000000001', ua: CHROME_LINUX,
      urlref: 'https://news.example.com/story', cip: '198.51.100.7',
    }, (error, data) => (error ? reject(error) : resolve(data))));
    assert.deepEqual(piwikAnswer, { status: 'success', tracked: 1, invalid: 0, invalid_indices: [] });

    const visits = await lastVisits();
    assert.equal(visits.length, 3);
    const [campaign, search, website] = visits as [Record<string, any>, Record<string, any>, Record<string, any>];

    assert.equal(campaign.visitorId, 'a3a1e2f4c5d6b7a8');
    assert.equal(campaign.actionDetails[0].url, 'https://example.org/spring?utm_campaign=Spring-Sale&utm_term=Shoes');
    assert.equal(campaign.actionDetails[0].pageTitle, 'Spring sale');
    assert.equal(campaign.referrerType, 'campaign');
    assert.equal(campaign.referrerName, 'spring-sale');
    assert.equal(campaign.referrerKeyword, 'shoes');
    assert.equal(campaign.browserCode, 'FF');
    assert.equal(campaign.operatingSystemCode, 'WIN');
    assert.equal(campaign.countryCode, 'fr');
    assert.equal(campaign.country, 'France');
    assert.equal(campaign.visitIp, '192.0.0.0');

    assert.equal(search.visitorId, 'b000000000000001');
    assert.equal(search.referrerType, 'search');
    assert.equal(search.referrerName, 'Google');
    assert.equal(search.referrerKeyword, 'running shoes');
    assert.equal(search.browserCode, 'MF');
    assert.equal(search.deviceType, 'Smartphone');
    assert.equal(search.actions, 2);
    assert.deepEqual(search.actionDetails.map((action: Record<string, unknown>) => action.type), ['action', 'event']);
    assert.equal(search.actionDetails[0].pageTitle, 'Landing');
    assert.equal(search.actionDetails[1].eventCategory, 'Video');
    assert.equal(search.actionDetails[1].eventAction, 'Play');
    assert.equal(search.actionDetails[1].eventName, 'Intro');
    assert.equal(search.countryCode, 'xx');

    assert.equal(website.visitorId, 'c000000000000001');
    assert.equal(website.actionDetails[0].url, 'https://example.org/from-news');
    assert.equal(website.actionDetails[0].pageTitle, 'News reader');
    assert.equal(website.referrerType, 'website');
    assert.equal(website.referrerName, 'news.example.com');
    assert.equal(website.browserCode, 'CH');
    assert.equal(website.countryCode, 'jp');
  });

  test('counts the stored visits with Live.getCounters', async () => {
    const response = await fetch(`${baseUrl}/index.php?module=API&method=Live.getCounters&idSite=1&lastMinutes=30&format=json&token_auth=${token}`);
    assert.deepEqual(await response.json(), [{ visits: 3, actions: 4, visitors: 3, visitsConverted: 0 }]);
  });
});
