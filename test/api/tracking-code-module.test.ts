import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJavascriptTag } from '../../src/tracker/tracking-code.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** Reverses the HTML escaping Matomo applies to the returned code. */
function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#039;/g, "'").replace(/&amp;/g, '&');
}

describe('SitesManager tracking code', () => {
  const suite = useTestRoot(async (root) => {
    const tenant = await createTestTenant(root, { siteUrl: 'https://www.shop.example/de' });
    const otherTenant = await createTestTenant(root);
    const app = await buildTestServer(root);
    return { tenant, otherTenant, app };
  });

  async function callApi(query: string, options: { host?: string; token?: string } = {}): Promise<{ statusCode: number; json: Record<string, string> }> {
    const token = options.token ?? suite.tenant.tokenAuth;
    const response = await suite.app.inject({
      method: 'POST', url: `/index.php?module=API&format=json&${query}`, headers: { host: options.host ?? suite.tenant.host, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token_auth=${token}`,
    });
    return { statusCode: response.statusCode, json: response.json() };
  }

  it('returns the default tag HTML-escaped', async () => {
    const result = await callApi(`method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}`);

    assert.equal(result.statusCode, 200);
    assert.equal(result.json.value, [
      '&lt;!-- Footfall tracking code --&gt;',
      '&lt;script&gt;',
      '  var _paq = window._paq = window._paq || [];',
      '  _paq.push([&quot;trackPageView&quot;]);',
      '  _paq.push([&quot;enableLinkTracking&quot;]);',
      '  (function () {',
      `    var base = &quot;//${suite.tenant.host}/&quot;;`,
      '    _paq.push([&quot;setTrackerUrl&quot;, base + &quot;matomo.php&quot;]);',
      `    _paq.push([&quot;setSiteId&quot;, &quot;${suite.tenant.idSite}&quot;]);`,
      '    var script = document.createElement(&quot;script&quot;);',
      '    script.async = true;',
      '    script.src = base + &quot;matomo.js&quot;;',
      '    document.head.appendChild(script);',
      '  })();',
      '&lt;/script&gt;',
      '&lt;!-- End Footfall tracking code --&gt;',
      '',
    ].join('\n'));
  });

  it('adds a line for each option', async () => {
    const query = [
      `method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}&piwikUrl=https://stats.example.net/footfall`,
      'mergeSubdomains=1&groupPageTitlesByDomain=1&mergeAliasUrls=1&crossDomain=1',
      'visitorCustomVariables[0][]=Type&visitorCustomVariables[0][]=Member&pageCustomVariables[0][0]=Lang&pageCustomVariables[0][1]=de',
      'customCampaignNameQueryParam=camp&customCampaignKeywordParam=kw&doNotTrack=1&disableCookies=1&trackNoScript=1',
      'excludedQueryParams=sessionid,token',
    ].join('&');
    const result = await callApi(query);
    const lines = unescapeHtml(result.json.value!).split('\n');

    assert.deepEqual(lines.slice(2, 14), [
      '  var _paq = window._paq = window._paq || [];',
      '  _paq.push(["setDocumentTitle", document.domain + "/" + document.title]);',
      '  _paq.push(["setCookieDomain", "*.shop.example"]);',
      '  _paq.push(["setDomains", ["*.shop.example/de"]]);',
      '  _paq.push(["enableCrossDomainLinking"]);',
      '  _paq.push(["setCustomVariable", 1, "Type", "Member", "visit"]);',
      '  _paq.push(["setCustomVariable", 1, "Lang", "de", "page"]);',
      '  _paq.push(["setCampaignNameKey", "camp"]);',
      '  _paq.push(["setCampaignKeywordKey", "kw"]);',
      '  _paq.push(["setExcludedQueryParams", ["sessionid","token"]]);',
      '  _paq.push(["setDoNotTrack", true]);',
      '  _paq.push(["disableCookies"]);',
    ]);
    assert.equal(lines[17], '    var base = "//stats.example.net/footfall/";');
    assert.equal(lines[26], `<noscript><p><img referrerpolicy="no-referrer-when-downgrade" src="//stats.example.net/footfall/matomo.php?idsite=${suite.tenant.idSite}&amp;rec=1" style="border:0;" alt="" /></p></noscript>`);
  });

  it('keeps a script-closing value inside its string', () => {
    const tag = buildJavascriptTag({ siteId: 1, baseUrl: '//a.example/', siteUrls: [], customCampaignNameQueryParam: '</script><script>alert(1)</script>' });
    assert.equal(tag.includes('</script><script>'), false);
    assert.equal(tag.includes('_paq.push(["setCampaignNameKey", "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"]);'), true);
  });

  it('returns the image tracker HTML-escaped', async () => {
    const result = await callApi(`method=SitesManager.getImageTrackingCode&idSite=${suite.tenant.idSite}&piwikUrl=https://stats.example.net/&actionName=Thank you&idGoal=3&revenue=9.5`);

    assert.equal(result.statusCode, 200);
    assert.equal(unescapeHtml(result.json.value!), [
      '<!-- Footfall image tracker -->',
      `<img referrerpolicy="no-referrer-when-downgrade" src="https://stats.example.net/matomo.php?idsite=${suite.tenant.idSite}&amp;rec=1&amp;action_name=Thank%20you&amp;idgoal=3&amp;revenue=9.5" style="border:0" alt="" />`,
      '<!-- End Footfall image tracker -->',
    ].join('\n'));
    assert.equal(result.json.value!.startsWith('&lt;!-- Footfall image tracker --&gt;\n&lt;img referrerpolicy=&quot;'), true);
  });

  it('rejects a request without view access', async () => {
    const result = await callApi(`method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}`, { token: '' });
    assert.equal(result.statusCode, 401);
    assert.equal(result.json.code, 'ACCESS_DENIED');
  });

  it('rejects a token of another tenant', async () => {
    const result = await callApi(`method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}`, { token: suite.otherTenant.tokenAuth });
    assert.equal(result.statusCode, 401);
    assert.equal(result.json.code, 'TOKEN_INVALID');
  });

  it('rejects an unknown site', async () => {
    const result = await callApi('method=SitesManager.getJavascriptTag&idSite=99');
    assert.equal(result.statusCode, 400);
    assert.equal(result.json.code, 'SITE_NOT_FOUND');
  });

  it('rejects a malformed piwikUrl', async () => {
    const result = await callApi(`method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}&piwikUrl=${encodeURIComponent('javascript:alert(1)')}`);
    assert.equal(result.statusCode, 400);
    assert.equal(result.json.code, 'PARAMETER_INVALID');
  });

  it('rejects a revenue that is not a number', async () => {
    const result = await callApi(`method=SitesManager.getImageTrackingCode&idSite=${suite.tenant.idSite}&idGoal=1&revenue=lots`);
    assert.equal(result.statusCode, 400);
    assert.equal(result.json.code, 'PARAMETER_INVALID');
  });

  it('rejects more than five custom variables', async () => {
    const pairs = [1, 2, 3, 4, 5, 6].map((index) => `visitorCustomVariables[${index}][]=n${index}&visitorCustomVariables[${index}][]=v`).join('&');
    const result = await callApi(`method=SitesManager.getJavascriptTag&idSite=${suite.tenant.idSite}&${pairs}`);
    assert.equal(result.statusCode, 400);
    assert.equal(result.json.code, 'PARAMETER_INVALID');
  });
});
