import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

for (const adapter of ALL_ENGINES) {
  describe(`custom dimension extractions on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    const api = (query: string) => fixture.getJson(`idSite=${fixture.siteId}&${query}`);
    const configureStatus = async (query: string) => {
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&idSite=${fixture.siteId}&method=CustomDimensions.configureNewCustomDimension&name=X&active=1&${query}`,
      });
      return { statusCode: response.statusCode, code: response.json().code as string | undefined, message: String(response.json().message ?? '') };
    };
    const track = async (params: Record<string, string>) => {
      const query = new URLSearchParams({
        idsite: String(fixture.siteId), rec: '1', cid: 'a7a7a7a7a7a7a7a7', token_auth: fixture.token, send_image: '0', ...params,
      });
      const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host, 'user-agent': FIREFOX } });
      assert.equal(response.statusCode, 204, response.body);
    };
    const dimensionRows = async (idDimension: number) => {
      const rows = await api(`method=CustomDimensions.getCustomDimension&period=day&date=2024-05-06&idDimension=${idDimension}&showColumns=nb_hits`);
      return rows.map((row: any) => [row.label, row.nb_hits]).sort();
    };

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      // Dimension 1 takes the section from the URL path, else the `cat` parameter, ignoring case.
      const section = 'name=Section&scope=action&active=1&caseSensitive=0'
        + `&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent('/section/([^/]+)/')}`
        + '&extractions[1][dimension]=urlparam&extractions[1][pattern]=cat';
      assert.deepEqual(await api(`method=CustomDimensions.configureNewCustomDimension&${section}`), { value: 1 });
      // Dimension 2 takes the article name from the page title, with case.
      const article = `name=Article&scope=action&active=1&caseSensitive=1&extractions[0][dimension]=action_name&extractions[0][pattern]=${encodeURIComponent('^Article: (.+)$')}`;
      assert.deepEqual(await api(`method=CustomDimensions.configureNewCustomDimension&${article}`), { value: 2 });
      assert.deepEqual(await api('method=CustomDimensions.configureNewCustomDimension&name=Plan&scope=visit&active=1'), { value: 3 });

      await track({ cdt: '2024-05-06 09:00:00', url: 'https://example.org/SECTION/news/1?cat=x', action_name: 'Article: Rain' });
      await track({ cdt: '2024-05-06 09:01:00', url: 'https://example.org/shop?Cat=shoes%20red', action_name: 'article: Boots' });
      await track({ cdt: '2024-05-06 09:02:00', url: 'https://example.org/section/sport/2', dimension1: 'manual' });
      await track({ cdt: '2024-05-06 09:03:00', url: 'https://example.org/about?cat=', action_name: 'About' });
      await track({ cdt: '2024-05-06 09:04:00', url: 'https://example.org/section/a%20b/', e_c: 'Video', e_a: 'Play' });
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('extracts URL, parameter and sent values', { skip }, async () => {
      // The first hit matches the URL rule before the parameter rule, and the third sends dimension1 itself.
      assert.deepEqual(await dimensionRows(1), [['a b', 1], ['manual', 1], ['news', 1], ['shoes red', 1]]);
    });

    it('extracts from the title with case', { skip }, async () => {
      assert.deepEqual(await dimensionRows(2), [['Rain', 1]]);
    });

    it('rejects extractions on visit scope', { skip }, async () => {
      const extraction = 'extractions[0][dimension]=urlparam&extractions[0][pattern]=cat';
      const created = await configureStatus(`scope=visit&${extraction}`);
      assert.equal(created.statusCode, 400);
      assert.equal(created.code, 'CUSTOM_DIMENSION_INVALID');
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&idSite=${fixture.siteId}&method=CustomDimensions.configureExistingCustomDimension&idDimension=3&name=Plan&active=1&${extraction}`,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'CUSTOM_DIMENSION_INVALID');
    });

    it('applies changed extractions to new hits', { skip }, async () => {
      const renamed = 'idDimension=2&name=Article&active=1&caseSensitive=0'
        + `&extractions[0][dimension]=action_name&extractions[0][pattern]=${encodeURIComponent('^article: (.+)$')}`;
      assert.deepEqual(await api(`method=CustomDimensions.configureExistingCustomDimension&${renamed}`), { result: 'success', message: 'ok' });
      await track({ cdt: '2024-05-07 09:00:00', url: 'https://example.org/x', action_name: 'ARTICLE: Snow' });
      const rows = await api('method=CustomDimensions.getCustomDimension&period=day&date=2024-05-07&idDimension=2&showColumns=nb_hits');
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_hits]), [['Snow', 1]]);
    });

    it('sets a visit dimension sent by a later hit', { skip }, async () => {
      const visitor = { cid: 'b8b8b8b8b8b8b8b8' };
      await track({ ...visitor, cdt: '2024-05-08 10:00:00', url: 'https://example.org/' });
      await track({ ...visitor, cdt: '2024-05-08 10:01:00', url: 'https://example.org/plans', dimension3: 'pro' });
      await track({ ...visitor, cdt: '2024-05-08 10:02:00', url: 'https://example.org/thanks', dimension3: '' });
      const rows = await api('method=CustomDimensions.getCustomDimension&period=day&date=2024-05-08&idDimension=3&showColumns=nb_visits,nb_actions');
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits, row.nb_actions]), [['pro', 1, 3]]);
    });

    it('rejects patterns without one group', { skip }, async () => {
      for (const pattern of ['no-group', '(a)(b)', '(', '[z-a](x)']) {
        const result = await configureStatus(`scope=action&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent(pattern)}`);
        assert.equal(result.statusCode, 400, pattern);
        assert.equal(result.code, 'CUSTOM_DIMENSION_INVALID', pattern);
        assert.ok(result.message.includes(pattern), `${pattern}: ${result.message}`);
      }
    });

    it('accepts non-capturing groups and parameter names', { skip }, async () => {
      const grouped = await api(`method=CustomDimensions.configureNewCustomDimension&name=G&scope=action&active=0&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent('(?:a|b)/(\\d+)')}`);
      assert.deepEqual(grouped, { value: 4 });
      const parameter = await api('method=CustomDimensions.configureNewCustomDimension&name=P&scope=action&active=0&extractions[0][dimension]=urlparam&extractions[0][pattern]=utm_campaign');
      assert.deepEqual(parameter, { value: 5 });
    });
  });
}
