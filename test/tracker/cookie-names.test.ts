import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  buildCookieName, buildVisitorId, computeCookieHash, formatReferralCookie, formatVisitorCookie, isVisitorId,
  parseReferralCookie, parseVisitorCookie,
} from '../../tracker/cookie-names.js';
import { appendCrossDomainParameter, parseCrossDomainVisitor } from '../../tracker/cross-domain.js';
import { sha1Hex } from '../../tracker/sha1.js';

describe('sha1Hex', () => {
  const inputs = ['', 'abc', 'shop.example/', 'ünïcödé ✓', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(200)];
  for (const input of inputs) {
    it(`matches node:crypto for a ${input.length}-character input`, () => {
      assert.equal(sha1Hex(input), createHash('sha1').update(input, 'utf8').digest('hex'));
    });
  }
});

describe('cookie names', () => {
  it('hashes the cookie domain and path', () => {
    assert.equal(computeCookieHash('shop.example', '/'), createHash('sha1').update('shop.example/').digest('hex').slice(0, 4));
  });
  it('uses / when no cookie path is set', () => {
    assert.equal(computeCookieHash('shop.example', ''), computeCookieHash('shop.example', '/'));
  });
  it('builds Matomo cookie names', () => {
    const hash = computeCookieHash('shop.example', '/');
    assert.equal(buildCookieName('id', '7', hash), `_pk_id.7.${hash}`);
    assert.equal(buildCookieName('ses', '7', hash), `_pk_ses.7.${hash}`);
    assert.equal(buildCookieName('ref', '7', hash), `_pk_ref.7.${hash}`);
  });
});

describe('visitor ids', () => {
  it('builds 16 lower-case hex digits from 8 bytes', () => {
    assert.equal(buildVisitorId([0, 1, 15, 16, 127, 128, 254, 255]), '00010f107f80feff');
  });
  it('accepts only 16 lower-case hex digits', () => {
    assert.equal(isVisitorId('00010f107f80feff'), true);
    assert.equal(isVisitorId('00010F107F80FEFF'), false);
    assert.equal(isVisitorId('00010f107f80fef'), false);
    assert.equal(isVisitorId('00010f107f80feffa'), false);
    assert.equal(isVisitorId('00010f107f80fefg'), false);
  });
  it('round-trips the visitor cookie', () => {
    const value = formatVisitorCookie({ visitorId: '0123456789abcdef', createdTs: 1733300000 });
    assert.equal(value, '0123456789abcdef.1733300000');
    assert.deepEqual(parseVisitorCookie(value), { visitorId: '0123456789abcdef', createdTs: 1733300000 });
  });
  it('reads the cookie of older trackers with more fields', () => {
    assert.deepEqual(parseVisitorCookie('0123456789abcdef.1733300000.3.1733300500.1733300400.'), { visitorId: '0123456789abcdef', createdTs: 1733300000 });
  });
  it('rejects a malformed visitor cookie', () => {
    assert.equal(parseVisitorCookie('not-an-id.1733300000'), null);
  });
});

describe('referral cookie', () => {
  it('round-trips as a JSON array', () => {
    const value = formatReferralCookie({ campaignName: 'spring', campaignKeyword: 'shoes', ts: 1733300000, url: 'https://search.example/?q=shoes' });
    assert.equal(value, '["spring","shoes",1733300000,"https://search.example/?q=shoes"]');
    assert.deepEqual(parseReferralCookie(value), { campaignName: 'spring', campaignKeyword: 'shoes', ts: 1733300000, url: 'https://search.example/?q=shoes' });
  });
  it('rejects a value that is not an array of four', () => {
    assert.equal(parseReferralCookie('{"a":1}'), null);
    assert.equal(parseReferralCookie('[1,2]'), null);
    assert.equal(parseReferralCookie('not json'), null);
  });
});

describe('cross-domain linking', () => {
  const now = 1_733_300_000_000;
  it('appends pk_vid before the fragment', () => {
    assert.equal(appendCrossDomainParameter('https://b.example/p?x=1#top', '0123456789abcdef', now), 'https://b.example/p?x=1&pk_vid=0123456789abcdef.1733300000#top');
  });
  it('replaces an older pk_vid', () => {
    assert.equal(appendCrossDomainParameter('https://b.example/?pk_vid=fedcba9876543210.1', '0123456789abcdef', now), 'https://b.example/?pk_vid=0123456789abcdef.1733300000');
  });
  it('accepts a link made within 180 seconds', () => {
    assert.equal(parseCrossDomainVisitor('0123456789abcdef.1733299830', now), '0123456789abcdef');
  });
  it('rejects an older link', () => {
    assert.equal(parseCrossDomainVisitor('0123456789abcdef.1733299810', now), '');
  });
  it('rejects a malformed value', () => {
    assert.equal(parseCrossDomainVisitor('0123456789ABCDEF.1733300000', now), '');
    assert.equal(parseCrossDomainVisitor('0123456789abcdef', now), '');
  });
});
