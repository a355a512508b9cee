import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyLink, DEFAULT_DOWNLOAD_EXTENSIONS, findQueryParameter, getHostName, getPathName, hasDownloadExtension,
  isSiteUrl, removeQueryParameters,
} from '../../tracker/url-matching.js';

describe('getHostName', () => {
  const cases: [string, string][] = [
    ['https://Shop.Example.com:8443/cart?x=1', 'shop.example.com'],
    ['http://user:secret@example.org/', 'example.org'],
    ['http://[::1]:8080/a', '[::1]'],
    ['ftp://files.example.net', 'files.example.net'],
    ['/relative/path', ''],
    ['mailto:someone@example.com', ''],
  ];
  for (const [url, expected] of cases) {
    it(`reads '${expected}' from ${url}`, () => assert.equal(getHostName(url), expected));
  }
});

describe('getPathName', () => {
  it('returns the path without query and fragment', () => assert.equal(getPathName('https://a.example/docs/x.pdf?v=2#p3'), '/docs/x.pdf'));
  it('returns a slash for a bare host', () => assert.equal(getPathName('https://a.example'), '/'));
});

describe('isSiteUrl', () => {
  const cases: [string, string, string[], boolean][] = [
    ['example.com', '/', ['example.com'], true],
    ['www.example.com', '/', ['example.com'], true],
    ['example.com', '/', ['www.example.com'], true],
    ['shop.example.com', '/', ['example.com'], false],
    ['shop.example.com', '/', ['*.example.com'], true],
    ['example.com', '/', ['*.example.com'], true],
    ['badexample.com', '/', ['*.example.com'], false],
    ['example.com', '/de/page', ['example.com/de'], true],
    ['example.com', '/de', ['example.com/de/'], true],
    ['example.com', '/den', ['example.com/de'], false],
    ['example.com', '/fr/page', ['example.com/de'], false],
    ['EXAMPLE.com', '/', ['example.COM'], true],
  ];
  for (const [host, path, domains, expected] of cases) {
    it(`${expected ? 'matches' : 'rejects'} ${host}${path} for ${domains.join(',')}`, () => assert.equal(isSiteUrl(host, path, domains), expected));
  }
});

describe('hasDownloadExtension', () => {
  it('matches a listed extension', () => assert.equal(hasDownloadExtension('https://a.example/files/report.PDF', DEFAULT_DOWNLOAD_EXTENSIONS), true));
  it('matches before a query string', () => assert.equal(hasDownloadExtension('https://a.example/setup.exe?mirror=2', DEFAULT_DOWNLOAD_EXTENSIONS), true));
  it('ignores a dot in a folder name', () => assert.equal(hasDownloadExtension('https://a.example/v1.zip/readme', DEFAULT_DOWNLOAD_EXTENSIONS), false));
  it('ignores an unlisted extension', () => assert.equal(hasDownloadExtension('https://a.example/page.html', DEFAULT_DOWNLOAD_EXTENSIONS), false));
});

describe('classifyLink', () => {
  const domains = ['shop.example', '*.cdn.shop.example'];
  const link = (href: string, classNames: string[] = [], hasDownloadAttribute = false) => ({ href, classNames, hasDownloadAttribute });
  const cases: [string, ReturnType<typeof link>, 'link' | 'download' | null][] = [
    ['outlink to another host', link('https://partner.example/offer'), 'link'],
    ['link within the site', link('https://shop.example/cart'), null],
    ['link to a subdomain alias', link('https://img.cdn.shop.example/a'), null],
    ['download by extension on the site', link('https://shop.example/catalog.pdf'), 'download'],
    ['download by extension elsewhere', link('https://partner.example/catalog.zip'), 'download'],
    ['download attribute', link('https://shop.example/export', [], true), 'download'],
    ['matomo_download class', link('https://shop.example/export', ['matomo_download']), 'download'],
    ['piwik_download class', link('https://shop.example/export', ['piwik_download']), 'download'],
    ['matomo_link class', link('https://shop.example/catalog.pdf', ['matomo_link']), 'link'],
    ['matomo_ignore class', link('https://partner.example/offer', ['matomo_ignore']), null],
    ['piwik_ignore class on a download', link('https://shop.example/catalog.pdf', ['piwik_ignore']), null],
    ['mailto link', link('mailto:sales@shop.example'), null],
    ['javascript link', link('javascript:void(0)'), null],
  ];
  for (const [name, facts, expected] of cases) {
    it(`returns ${String(expected)} for a ${name}`, () => assert.equal(classifyLink(facts, domains, DEFAULT_DOWNLOAD_EXTENSIONS), expected));
  }
});

describe('removeQueryParameters', () => {
  it('removes the named parameters only', () => {
    assert.equal(removeQueryParameters('https://a.example/p?sessionid=1&page=2&token=x#top', ['sessionid', 'token']), 'https://a.example/p?page=2#top');
  });
  it('drops the question mark when nothing is left', () => {
    assert.equal(removeQueryParameters('https://a.example/p?sessionid=1', ['sessionid']), 'https://a.example/p');
  });
  it('keeps a URL without a query', () => {
    assert.equal(removeQueryParameters('https://a.example/p#x', ['sessionid']), 'https://a.example/p#x');
  });
});

describe('findQueryParameter', () => {
  it('takes the first name in list order', () => {
    assert.equal(findQueryParameter('https://a.example/?utm_campaign=spring&pk_campaign=summer', ['pk_campaign', 'utm_campaign']), 'summer');
  });
  it('decodes the value and ignores case of the name', () => {
    assert.equal(findQueryParameter('https://a.example/?PK_CAMPAIGN=big%20sale+now#x', ['pk_campaign']), 'big sale now');
  });
  it('returns an empty string when no name is set', () => {
    assert.equal(findQueryParameter('https://a.example/?a=1', ['pk_campaign']), '');
  });
});
