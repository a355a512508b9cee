import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { ANY_BOT_PATTERN, DeviceDetection } from '../../src/tracking/device-detection.js';
import { Geolocator } from '../../src/tracking/geo/geolocator.js';
import { buildMmdb } from '../../src/tracking/geo/mmdb-writer.js';
import { ipMatchesRule, maskIpAddress } from '../../src/tracking/ip-address.js';
import { cleanPageUrl, readTrackedUrl, splitUrlPrefix } from '../../src/tracking/page-url.js';
import { detectReferrer } from '../../src/tracking/referrer-detection.js';
import { formatSiteDate, formatSiteDateTime } from '../../src/tracking/site-time.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';

/** node-device-detector's own detector, to compare with. It is CommonJS, and its typings declare a default export that does not exist. */
const DeviceDetector = createRequire(import.meta.url)('node-device-detector') as new (options: object) => { parseBot(userAgent: string): { name?: string } | null };

const CAMPAIGN_CONFIG = {
  campaignNameParameters: ['pk_campaign', 'mtm_campaign', 'utm_campaign'],
  campaignKeywordParameters: ['pk_kwd', 'mtm_kwd', 'utm_term'],
};
const SITE_HOSTS = new Set(['example.org']);

describe('mmdb writer', () => {
  test('city records read back through maxmind', () => {
    const database = buildMmdb([
      { cidr: '10.0.0.0/8', data: { country: { iso_code: 'NL' } } },
      { cidr: '10.1.2.0/24', data: { country: { iso_code: 'BE' }, city: { names: { en: 'Ghent' } }, location: { latitude: 51.05, longitude: 3.72 }, subdivisions: [{ iso_code: 'VOV' }] } },
    ], { databaseType: 'Test-City', description: 'test', buildEpochSeconds: 1 });
    const geolocator = new Geolocator(database);
    assert.deepEqual(geolocator.lookup('10.1.2.3'), { country: 'be', region: 'VOV', city: 'Ghent', latitude: 51.05, longitude: 3.72 });
    assert.deepEqual(geolocator.lookup('10.9.9.9'), { country: 'nl', region: null, city: null, latitude: null, longitude: null });
    assert.deepEqual(geolocator.lookup('11.0.0.1'), { country: null, region: null, city: null, latitude: null, longitude: null });
  });

  test('demo database covers documentation ranges', () => {
    const geolocator = Geolocator.open('');
    assert.equal(geolocator.lookup('192.0.2.200').country, 'fr');
    assert.equal(geolocator.lookup('198.51.100.1').country, 'jp');
    assert.equal(geolocator.lookup('203.0.113.9').country, 'de');
    assert.equal(geolocator.lookup('2001:db8::1').country, null);
  });
});

describe('ip address', () => {
  test('masks IPv4 bytes', () => {
    assert.equal(maskIpAddress('81.12.34.56', 0), '81.12.34.56');
    assert.equal(maskIpAddress('81.12.34.56', 1), '81.12.34.0');
    assert.equal(maskIpAddress('81.12.34.56', 2), '81.12.0.0');
    assert.equal(maskIpAddress('81.12.34.56', 3), '81.0.0.0');
    assert.equal(maskIpAddress('81.12.34.56', 4), '0.0.0.0');
    assert.equal(maskIpAddress('1.2.3.4', 1), '1.2.3.0');
    assert.equal(maskIpAddress('255.255.255.255', 2), '255.255.0.0');
    assert.equal(maskIpAddress('not-an-ip', 2), 'not-an-ip');
  });

  test('masks IPv6 to a prefix', () => {
    assert.equal(maskIpAddress('2001:db8:85a3:1:2:3:4:5', 2), '2001:db8:85a3:1::');
    assert.equal(maskIpAddress('2001:db8:85a3:1:2:3:4:5', 3), '2001:db8:85a3::');
  });

  test('matches exclusion rules', () => {
    assert.equal(ipMatchesRule('10.1.2.3', '10.1.2.3'), true);
    assert.equal(ipMatchesRule('10.1.2.3', '10.1.*.*'), true);
    assert.equal(ipMatchesRule('10.2.2.3', '10.1.*.*'), false);
    assert.equal(ipMatchesRule('10.1.2.3', '10.0.0.0/8'), true);
    assert.equal(ipMatchesRule('11.1.2.3', '10.0.0.0/8'), false);
    assert.equal(ipMatchesRule('10.1.2.30', '10.1.2.3'), false);
  });
});

describe('page url', () => {
  test('removes excluded parameters and fragment', () => {
    assert.equal(cleanPageUrl('https://example.org/a?x=1&SID=2&y=3#frag', new Set(['sid']), false), 'https://example.org/a?x=1&y=3');
    assert.equal(cleanPageUrl('https://example.org/a#frag', new Set(), true), 'https://example.org/a#frag');
  });

  test('parsed url matches unparsed cleaning', () => {
    const cases: [raw: string, excluded: string[], keepFragment: boolean][] = [
      ['https://example.org/a?x=1&SID=2&y=3#frag', ['sid'], false],
      ['https://example.org/a?x=1&SID=2&y=3#frag', ['sid'], true],
      ['https://example.org/a?x=a+b%20c#', [], false],
      ['https://example.org/a?x=a+b%20c', [], false],
      ['  https://example.org/padded?q=1  ', ['q'], false],
      ['https://example.org/nbsp\u00a0', [], false],
    ];
    for (const [raw, excluded, keepFragment] of cases) {
      const excludedSet = new Set(excluded);
      const expected = cleanPageUrl(raw, excludedSet, keepFragment);
      const parsed = new URL(raw);
      const hrefBefore = parsed.href;
      assert.equal(cleanPageUrl(raw, excludedSet, keepFragment, parsed), expected, raw);
      assert.equal(parsed.href, hrefBefore, `the parsed URL of ${raw} is unchanged`);
    }
    assert.equal(cleanPageUrl('not a url', new Set(), false, null), 'not a url');
  });

  test('tracked url trimmed before check', () => {
    // Matomo trims with PHP's character set and drops LF, CR and NUL before it checks the scheme.
    assert.equal(readTrackedUrl(' \t https://example.org/a \n'), 'https://example.org/a');
    assert.equal(readTrackedUrl('\u000bhttps://example.org/b\r\n'), 'https://example.org/b');
    assert.equal(readTrackedUrl('https://example.org/line\nbreak'), 'https://example.org/linebreak');
    assert.equal(readTrackedUrl(' javascript://example.org/%0Aalert(1)'), undefined);
    assert.equal(readTrackedUrl('   '), undefined);
  });

  test('tracked url keeps other spaces', () => {
    // PHP's trim() leaves a no-break space, so Matomo finds no scheme after a leading one.
    assert.equal(readTrackedUrl('\u00a0https://example.org/'), undefined);
    assert.equal(readTrackedUrl('https://example.org/\u00a0'), 'https://example.org/\u00a0');
  });

  test('splits the Matomo url prefix', () => {
    assert.deepEqual(splitUrlPrefix('https://www.example.org/'), { prefix: 3, rest: 'example.org/' });
    assert.deepEqual(splitUrlPrefix('http://example.org/'), { prefix: 0, rest: 'example.org/' });
    assert.deepEqual(splitUrlPrefix('ftp://example.org/'), { prefix: null, rest: 'ftp://example.org/' });
  });
});

describe('referrer detection', () => {
  const detect = (query: string, pageUrl = 'https://example.org/') =>
    detectReferrer(new URL(pageUrl), TrackingParams.fromQueryString(query), SITE_HOSTS, CAMPAIGN_CONFIG);

  test('no referrer is direct entry', () => {
    assert.deepEqual(detect(''), { type: 1, name: null, keyword: null, url: null, campaign: null });
  });

  test('own site referrer is direct entry', () => {
    assert.equal(detect(`urlref=${encodeURIComponent('https://www.example.org/other')}`).type, 1);
  });

  test('search engine country domain', () => {
    const referrer = detect(`urlref=${encodeURIComponent('https://www.google.co.uk/search?q=Blue+Hats')}`);
    assert.equal(referrer.type, 2);
    assert.equal(referrer.name, 'Google');
    assert.equal(referrer.keyword, 'blue hats');
  });

  test('social network', () => {
    const referrer = detect(`urlref=${encodeURIComponent('https://m.facebook.com/story')}`);
    assert.equal(referrer.type, 7);
    assert.equal(referrer.name, 'Facebook');
  });

  test('urlref after whitespace is ignored', () => {
    // Matomo checks urlref for a scheme before it trims it.
    const referrer = detect(`urlref=${encodeURIComponent(' https://www.bing.com/search?q=Hats')}`);
    assert.deepEqual(referrer, { type: 1, name: null, keyword: null, url: null, campaign: null });
    const withRef = detect(`urlref=${encodeURIComponent('\thttps://partner.example.net/')}&_ref=${encodeURIComponent('https://other.example.net/')}`);
    assert.equal(withRef.type, 1);
  });

  test('urlref trailing spaces are trimmed', () => {
    const referrer = detect(`urlref=${encodeURIComponent('https://partner.example.net/page \t')}`);
    assert.equal(referrer.type, 3);
    assert.equal(referrer.name, 'partner.example.net');
    assert.equal(referrer.url, 'https://partner.example.net/page');
    // Matomo's check ends at the end of the text and its dot matches no line feed, so a trailing LF fails it.
    assert.equal(detect(`urlref=${encodeURIComponent('https://partner.example.net/page\n')}`).type, 1);
  });

  test('campaign keeps no invalid urlref', () => {
    const campaign = detect(`urlref=${encodeURIComponent(' https://partner.example.net/')}`, 'https://example.org/?pk_campaign=Spring');
    assert.equal(campaign.type, 6);
    assert.equal(campaign.url, null);
    const trimmedUrlref = detect(`urlref=${encodeURIComponent('https://partner.example.net/ ')}`, 'https://example.org/?pk_campaign=Spring');
    assert.equal(trimmedUrlref.url, 'https://partner.example.net/');
  });

  test('campaign from _rcn and _rck', () => {
    const referrer = detect('_rcn=Winter&_rck=Boots');
    assert.equal(referrer.type, 6);
    assert.equal(referrer.name, 'winter');
    assert.equal(referrer.keyword, 'boots');
  });

  test('page url campaign wins over _rcn', () => {
    assert.equal(detect('_rcn=Winter', 'https://example.org/?PK_CAMPAIGN=Summer').name, 'summer');
  });

  test('campaign parameter order and blanks', () => {
    // The first configured name wins over a later one, wherever each is in the query.
    assert.equal(detect('', 'https://example.org/?utm_campaign=Late&pk_campaign=First').name, 'first');
    // A blank first occurrence of a name hides its later occurrences, and the next name is used.
    assert.equal(detect('', 'https://example.org/?pk_campaign=%20&Pk_Campaign=Hidden&mtm_campaign=Next').name, 'next');
    // The first occurrence of a name counts, whatever its case.
    assert.equal(detect('', 'https://example.org/?Utm_Campaign=One&utm_campaign=Two').name, 'one');
    assert.equal(detect('', 'https://example.org/?pk_campaign=%20').type, 1);
    const referrer = detect('', 'https://example.org/?utm_campaign=Sale&UTM_TERM=Red+Shoes&utm_source=News&utm_medium=Mail&utm_content=Top&utm_id=X1');
    assert.deepEqual(referrer.campaign, { name: 'sale', keyword: 'red shoes', source: 'news', medium: 'mail', content: 'top', id: 'X1' });
  });
});

describe('device detection', () => {
  const detection = new DeviceDetection(10);

  test('client hints give the real device', () => {
    const device = detection.detect(
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
      JSON.stringify({ fullVersionList: [{ brand: 'Google Chrome', version: '124.0.6367.82' }], mobile: true, model: 'Pixel 7', platform: 'Android', platformVersion: '14.0.0' }),
    );
    assert.equal(device.deviceType, 1);
    assert.equal(device.deviceBrand, 'Google');
    assert.equal(device.deviceModel, 'Pixel 7');
    assert.equal(device.os, 'AND');
    assert.equal(device.osVersion, '14.0.0');
    assert.equal(device.browserName, 'CM');
  });

  test('bot user agent is a bot', () => {
    const device = detection.detect('Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)');
    assert.equal(device.isBot, true);
    assert.equal(device.os, 'BOT');
  });

  test('same agent alternating client hints', () => {
    const userAgent = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
    const hints = JSON.stringify({ fullVersionList: [{ brand: 'Google Chrome', version: '124.0.6367.82' }], mobile: true, model: 'Pixel 7', platform: 'Android', platformVersion: '14.0.0' });
    // The importer detects each agent twice in a row, so repeated and alternating calls must each keep their hints.
    assert.equal(detection.detect(userAgent).deviceModel, null);
    assert.equal(detection.detect(userAgent, hints).deviceModel, 'Pixel 7');
    assert.equal(detection.detect(userAgent, hints).deviceModel, 'Pixel 7');
    assert.equal(detection.detect(userAgent).osVersion, '10');
    assert.equal(detection.detect(userAgent, hints).osVersion, '14.0.0');
  });

  test('malformed client hints are ignored', () => {
    assert.equal(detection.detect('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', '{not json').browserName, 'FF');
  });
});

describe('ANY_BOT_PATTERN', () => {
  const detector = new DeviceDetector({});
  const userAgents = [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  ];
  for (const userAgent of userAgents) {
    test(`agrees with the bot parser on ${userAgent.slice(0, 40)}`, () => {
      assert.equal(ANY_BOT_PATTERN.test(userAgent), Boolean(detector.parseBot(userAgent)?.name));
    });
  }

  test('matches crawlers but not libraries or browsers', () => {
    // node-device-detector counts curl and python-requests as library clients, not bots.
    assert.deepEqual(userAgents.map((userAgent) => ANY_BOT_PATTERN.test(userAgent)), [true, true, true, true, true, false, false, true, false, false, false, false]);
  });
});

describe('site time', () => {
  test('IANA zone and UTC offset forms', () => {
    const time = new Date('2026-05-01T23:30:00Z');
    assert.equal(formatSiteDateTime(time, 'Europe/Paris'), '2026-05-02 01:30:00');
    assert.equal(formatSiteDate(time, 'America/New_York'), '2026-05-01');
    assert.equal(formatSiteDateTime(time, 'UTC+5.5'), '2026-05-02 05:00:00');
    assert.equal(formatSiteDateTime(time, 'UTC-3'), '2026-05-01 20:30:00');
  });
});
