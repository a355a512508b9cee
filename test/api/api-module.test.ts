import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callApi } from '../support/api-client.js';
import { createTenantServer } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const XML_HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n';

describe('API module over HTTP', () => {
  const suite = useTestRoot((root) => createTenantServer(root, { siteUrl: 'https://example.org' }));

  describe('formats', () => {
    test('answers XML when format is missing', async () => {
      const response = await suite.app.inject({ url: `/index.php?module=API&method=API.getMatomoVersion&token_auth=${suite.token}`, headers: { host: suite.host } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/xml; charset=utf-8');
      assert.equal(response.body, `${XML_HEAD}<result>5.1.0</result>`);
    });

    test('reads format in any letter case', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion', format: 'JsOn', token_auth: suite.token });
      assert.equal(response.body, '{"value":"5.1.0"}');
    });

    test('wraps JSON in the callback', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion', callback: 'handle_1', token_auth: suite.token });
      assert.equal(response.body, 'handle_1({"value":"5.1.0"})');
    });

    test('wraps JSON in the jsoncallback when callback is missing', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion', jsoncallback: 'jQuery123.done', token_auth: suite.token });
      assert.equal(response.body, 'jQuery123.done({"value":"5.1.0"})');
      assert.equal(response.contentType, 'application/javascript; charset=utf-8');
    });

    test('renders a success result as XML', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '1', group: 'G', format: 'xml', token_auth: suite.token });
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<success message="ok" />\n</result>`);
    });

    test('renders an error as XML with its status', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '9', format: 'XML', token_auth: suite.token });
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<error message="An unexpected website was found in the request: website id was set to '9'." code="SITE_NOT_FOUND" />\n</result>`);
    });

    test('renders an unknown format as an XML error', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion', format: 'yaml', token_auth: suite.token });
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<error message="Invalid format 'yaml'. Use xml, json, csv or tsv." code="API_FORMAT_INVALID" />\n</result>`);
    });

    test('renders a site as one row in XML', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '1', format: 'xml', token_auth: suite.token });
      const site = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '1', token_auth: suite.token })).json() as Record<string, string>;
      const lines = Object.entries(site).map(([name, value]) => (value === '' ? `\t\t<${name} />` : `\t\t<${name}>${value}</${name}>`));
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<row>\n${lines.join('\n')}\n\t</row>\n</result>`);
      assert.ok(lines.includes('\t\t<excluded_ips />'));
    });

    test('renders a site list as rows in XML', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', format: 'xml', token_auth: suite.token });
      const [site] = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', token_auth: suite.token })).json() as Array<Record<string, string>>;
      const lines = Object.entries(site!).map(([name, value]) => (value === '' ? `\t\t<${name} />` : `\t\t<${name}>${value}</${name}>`));
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<row>\n${lines.join('\n')}\n\t</row>\n</result>`);
      assert.equal(lines[0], '\t\t<idsite>1</idsite>');
    });

    test('renders site URLs as rows in XML', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: '1', format: 'xml', token_auth: suite.token });
      assert.equal(response.body, `${XML_HEAD}<result>\n\t<row>https://example.org</row>\n</result>`);
    });

    test('renders an empty list as an empty result in XML', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://nowhere.example', format: 'xml', token_auth: suite.token });
      assert.equal(response.body, `${XML_HEAD}<result />`);
    });

    test('reads parameters from a form body', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: '1', token_auth: suite.token }, { post: true });
      assert.deepEqual(response.json(), ['https://example.org']);
    });
  });

  describe('API.getBulkRequest', () => {
    test('runs each sub-query with the outer token and returns results in order', async () => {
      const response = await callApi(suite.app, suite.host, {
        method: 'API.getBulkRequest', token_auth: suite.token,
        'urls[0]': 'method=API.getMatomoVersion',
        'urls[1]': 'method=SitesManager.getSiteUrlsFromId&idSite=1',
        'urls[2]': 'method=SitesManager.getSiteFromId&idSite=42',
        'urls[3]': 'method=SitesManager.updateSite&idSite=1&group=Bulk',
        'urls[4]': 'method=No.such',
      });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), [
        { value: '5.1.0' },
        ['https://example.org'],
        { result: 'error', message: "An unexpected website was found in the request: website id was set to '42'.", code: 'SITE_NOT_FOUND' },
        { result: 'success', message: 'ok' },
        { result: 'error', message: "The method 'No.such' does not exist or is not available.", code: 'API_METHOD_NOT_FOUND' },
      ]);
    });

    test('ignores a token_auth inside a sub-query', async () => {
      const response = await callApi(suite.app, suite.host, {
        method: 'API.getBulkRequest',
        'urls[0]': `method=SitesManager.getSiteUrlsFromId&idSite=1&token_auth=${suite.token}`,
      });
      assert.deepEqual(response.json(), [{
        result: 'error', message: "You can't access this resource as it requires 'view' access for the website id = 1. Send a valid token_auth.", code: 'ACCESS_DENIED',
      }]);
    });

    test('refuses a nested bulk request inline', async () => {
      const response = await callApi(suite.app, suite.host, {
        method: 'API.getBulkRequest', token_auth: suite.token, 'urls[0]': 'method=API.getBulkRequest&urls[0]=method%3DAPI.getMatomoVersion',
      });
      assert.deepEqual(response.json(), [{ result: 'error', message: 'API.getBulkRequest cannot be nested in another API.getBulkRequest.', code: 'PARAMETER_INVALID' }]);
    });
  });
});
