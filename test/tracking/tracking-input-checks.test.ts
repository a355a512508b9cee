import assert from 'node:assert/strict';
import { maxHeaderSize } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { useTestRoot } from '../support/suite-root.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const PAGE = 'https://example.org/';

for (const adapter of ALL_ENGINES) {
  describe(`tracking input checks on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot(async (root) => {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC', siteUrl: 'https://example.org' });
      const app = await buildTestServer(root);
      return { app, host: tenant.host, token: tenant.tokenAuth, db: tenantDb(root, tenant.host) };
    }, { deleteTenants: true });
    let visitorSequence = 0;

    function newVisitorId(): string {
      visitorSequence += 1;
      return visitorSequence.toString(16).padStart(16, '0');
    }

    async function track(params: Record<string, string>) {
      const query = new URLSearchParams({ idsite: '1', rec: '1', url: PAGE, ...params });
      return suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host, 'user-agent': FIREFOX } });
    }

    async function postBulk(requests: (string | Record<string, unknown>)[]) {
      return suite.app.inject({ method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload: JSON.stringify({ requests, token_auth: suite.token }) });
    }

    async function visitOf(idvisitor: string) {
      return suite.db.selectFrom('log_visit').selectAll().where('idvisitor', '=', idvisitor).executeTakeFirst();
    }

    async function actionOf(idvisitor: string) {
      return suite.db.selectFrom('log_link_visit_action').selectAll().where('idvisitor', '=', idvisitor).executeTakeFirst();
    }

    for (const name of ['action_name', 'e_c', 'uid', 'search', 'lang', 'url']) {
      test(`NUL in ${name} is rejected`, async () => {
        const before = await countRows(suite.db, 'log_link_visit_action');
        const params: Record<string, string> = { cid: newVisitorId(), [name]: 'a\u0000b' };
        if (name === 'e_c') params.e_a = 'click';
        const response = await track(params);
        assert.equal(response.statusCode, 400);
        const error = String(response.headers['x-footfall-error']);
        assert.match(error, /^TRACKING_PARAMETER_INVALID: /);
        assert.ok(error.includes(`for '${name}'`), error);
        assert.ok(error.includes('NUL character'), error);
        assert.equal(await countRows(suite.db, 'log_link_visit_action'), before);
      });
    }

    test('NUL escaped in JSON parameters is rejected', async () => {
      const cases: Record<string, string>[] = [
        { _cvar: '{"1":["name","a\\u0000b"]}' },
        { cvar: '{"1":["name","a\\u0000b"]}' },
        { idgoal: '0', ec_id: 'order-nul', revenue: '5', ec_items: '[["sku\\u0000","name","cat",5,1]]' },
      ];
      for (const params of cases) {
        const response = await track({ cid: newVisitorId(), ...params });
        const name = Object.keys(params).at(-1)!;
        assert.equal(response.statusCode, 400, name);
        assert.ok(String(response.headers['x-footfall-error']).includes(`for '${name}'`), String(response.headers['x-footfall-error']));
      }
    });

    test('malformed custom variables are ignored', async () => {
      for (const value of ['{bad', '5', '"text"', 'null']) {
        const visitor = newVisitorId();
        const response = await track({ cid: visitor, new_visit: '1', _cvar: value, cvar: value });
        assert.equal(response.statusCode, 200, `${value}: ${String(response.headers['x-footfall-error'])}`);
        const visit = await visitOf(visitor);
        assert.ok(visit, value);
        assert.equal(visit.custom_var_k1, null, value);
        const action = await actionOf(visitor);
        assert.ok(action, value);
        assert.equal(action.custom_var_k1, null, value);
      }
    });

    test('custom variable slots as Matomo', async () => {
      const visitor = newVisitorId();
      const slots = { 0: ['zero', 'z'], 1: [' Name\t', '  Value '], 2: ['a', 'b', 'c'], 3: ['flag', true], 4: ['price', 12.5], 6: ['six', 'x'] };
      const response = await track({ cid: visitor, new_visit: '1', _cvar: JSON.stringify(slots) });
      assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
      const visit = await visitOf(visitor);
      assert.ok(visit);
      assert.equal(visit.custom_var_k1, 'Name');
      assert.equal(visit.custom_var_v1, 'Value');
      assert.equal(visit.custom_var_k2, null);
      assert.equal(visit.custom_var_k3, null);
      assert.equal(visit.custom_var_k4, 'price');
      assert.equal(visit.custom_var_v4, '12.5');
      assert.equal(visit.custom_var_k5, null);
    });

    test('malformed res is stored cut', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, res: 'abc' })).statusCode, 200);
      assert.equal((await visitOf(visitor))?.config_resolution, 'abc');
      const long = newVisitorId();
      assert.equal((await track({ cid: long, res: '1920x1080x32' })).statusCode, 200);
      assert.equal((await visitOf(long))?.config_resolution, '1920x1080');
    });

    test('local time out of range becomes 0', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, h: '99', m: '5', s: '9' })).statusCode, 200);
      assert.equal((await visitOf(visitor))?.visitor_localtime, '00:05:09');
      const negative = newVisitorId();
      assert.equal((await track({ cid: negative, h: '7', m: '-2', s: '61' })).statusCode, 200);
      assert.equal((await visitOf(negative))?.visitor_localtime, '07:00:00');
    });

    test('negative gt_ms is ignored', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, gt_ms: '-5' })).statusCode, 200);
      assert.equal((await actionOf(visitor))?.time_server, null);
    });

    test('negative page timing is rejected', async () => {
      const rejected = await track({ cid: newVisitorId(), pf_net: '-3' });
      assert.equal(rejected.statusCode, 400);
      assert.ok(String(rejected.headers['x-footfall-error']).includes("for 'pf_net'"), String(rejected.headers['x-footfall-error']));

      const none = newVisitorId();
      assert.equal((await track({ cid: none, pf_net: '-1', pf_srv: 'abc', pf_tfr: '16777216', pf_onl: '40' })).statusCode, 200);
      const action = await actionOf(none);
      assert.equal(action?.time_network, null);
      assert.equal(action?.time_server, null);
      assert.equal(action?.time_transfer, null);
      assert.equal(action?.time_on_load, 40);
    });

    test('malformed revenue is ignored', async () => {
      const visitor = newVisitorId();
      const response = await track({ cid: visitor, idgoal: '0', ec_id: `order-${visitor}`, revenue: 'abc', ec_st: '0x10', ec_tx: '12,5' });
      assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
      const [order] = await suite.db.selectFrom('log_conversion').select(['revenue', 'revenue_subtotal', 'revenue_tax']).where('idvisitor', '=', visitor).execute();
      assert.ok(order);
      assert.equal(Number(order.revenue), 0);
      assert.equal(order.revenue_subtotal, null);
      // Matomo 5 checks '12,5' as 12.5, but PHP's float cast of the text stops at the comma.
      assert.equal(Number(order.revenue_tax), 12);
    });

    test('malformed _id is ignored', async () => {
      for (const id of ['zz', '0123456789abcde', '0123456789abcdeg', 'x0123456789abcdef', '550e8400-e29b-41d4-a716-446655440000']) {
        const before = await countRows(suite.db, 'log_visit');
        assert.equal((await track({ _id: id, new_visit: '1' })).statusCode, 200, id);
        assert.equal(await countRows(suite.db, 'log_visit'), before + 1, id);
        const stored = await suite.db.selectFrom('log_visit').select('idvisitor').orderBy('idvisit', 'desc').executeTakeFirst();
        assert.notEqual(stored?.idvisitor, id.slice(0, 16).toLowerCase(), id);
        assert.match(stored?.idvisitor ?? '', /^[0-9a-f]{16}$/, id);
      }
    });

    test('malformed cid is rejected', async () => {
      const before = await countRows(suite.db, 'log_visit');
      const cases: Record<string, string>[] = [
        { cid: 'zz' },
        { cid: '0123456789abcdef0' },
        { _id: newVisitorId(), cid: 'zz' },
      ];
      for (const params of cases) {
        const [name, value] = Object.entries(params).at(-1)!;
        const response = await track({ ...params, new_visit: '1' });
        const error = String(response.headers['x-footfall-error']);
        assert.equal(response.statusCode, 400, `${name}=${value}`);
        assert.match(error, /^TRACKING_PARAMETER_INVALID: /);
        assert.ok(error.includes(`Invalid value '${value}' for '${name}'`), error);
        assert.ok(error.includes('16 hexadecimal characters'), error);
      }
      assert.equal(await countRows(suite.db, 'log_visit'), before);
    });

    test('long _id keeps 16 characters', async () => {
      assert.equal((await track({ _id: '0123456789ABCDEFtail', new_visit: '1' })).statusCode, 200);
      const truncated = await suite.db.selectFrom('log_visit').select('idvisitor').orderBy('idvisit', 'desc').executeTakeFirst();
      assert.equal(truncated?.idvisitor, '0123456789abcdef');
    });

    test('bulk malformed cid counts invalid', async () => {
      const good = newVisitorId();
      const response = await postBulk([
        `?idsite=1&rec=1&cid=zz&url=${encodeURIComponent(PAGE)}`,
        `?idsite=1&rec=1&_id=${good}&url=${encodeURIComponent(PAGE)}`,
      ]);
      assert.equal(response.statusCode, 200);
      const body = response.json() as { tracked: number; invalid: number; invalid_indices: number[] };
      assert.equal(body.tracked, 1);
      assert.equal(body.invalid, 1);
      assert.deepEqual(body.invalid_indices, [0]);
      assert.ok(await visitOf(good));
    });

    test('javascript URL is not stored', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, url: 'javascript:alert(1)', action_name: 'Script page' })).statusCode, 200);
      const action = await actionOf(visitor);
      assert.ok(action);
      assert.equal(action.idaction_url, null);
      const scripts = await suite.db.selectFrom('log_action').select('idaction').where('name', 'like', '%alert(1)%').execute();
      assert.equal(scripts.length, 0);
    });

    const SCRIPT_URLS = ['javascript:alert(1)', 'JavaScript://example.org/%0Aalert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'data://text/html;base64,PHNjcmlwdD4='];

    for (const [name, type] of [['link', 2], ['download', 3]] as const) {
      test(`script URL in ${name} is ignored`, async () => {
        for (const value of SCRIPT_URLS) {
          const visitor = newVisitorId();
          assert.equal((await track({ cid: visitor, [name]: value })).statusCode, 200, value);
          const action = await actionOf(visitor);
          assert.ok(action, value);
          assert.equal(action.idaction_url, null, value);
        }
        const stored = await suite.db.selectFrom('log_action').select('name').where('type', '=', type).execute();
        for (const row of stored) assert.doesNotMatch(row.name, /script|alert|msgbox/i, row.name);

        const safeVisitor = newVisitorId();
        assert.equal((await track({ cid: safeVisitor, [name]: `https://files.example.net/${name}.pdf` })).statusCode, 200);
        const safeAction = await actionOf(safeVisitor);
        assert.ok(safeAction?.idaction_url);
        const safeActionRow = await suite.db.selectFrom('log_action').select(['name', 'type']).where('idaction', '=', safeAction.idaction_url).executeTakeFirst();
        assert.equal(safeActionRow?.name, `files.example.net/${name}.pdf`);
        assert.equal(Number(safeActionRow?.type), type);
      });
    }

    async function urlActionOf(idvisitor: string) {
      const action = await actionOf(idvisitor);
      assert.ok(action, idvisitor);
      if (action.idaction_url === null) return null;
      return suite.db.selectFrom('log_action').select(['name', 'type']).where('idaction', '=', action.idaction_url).executeTakeFirst();
    }

    test('padded URLs are stored trimmed', async () => {
      const cases: [params: Record<string, string>, name: string, type: number][] = [
        [{ url: '  https://example.org/padded \n' }, 'example.org/padded', 1],
        [{ link: ' https://partner.example.net/out\t' }, 'partner.example.net/out', 2],
        [{ download: '\thttps://files.example.net/a.pdf\r\n' }, 'files.example.net/a.pdf', 3],
        [{ link: 'https://partner.example.net/line\nbreak' }, 'partner.example.net/linebreak', 2],
      ];
      for (const [params, name, type] of cases) {
        const visitor = newVisitorId();
        assert.equal((await track({ cid: visitor, ...params })).statusCode, 200, name);
        const stored = await urlActionOf(visitor);
        assert.equal(stored?.name, name);
        assert.equal(Number(stored?.type), type, name);
      }
    });

    test('no-break space before URL ignored', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, url: '\u00a0https://example.org/nbsp' })).statusCode, 200);
      assert.equal(await urlActionOf(visitor), null);
    });

    test('blank link is an outlink', async () => {
      for (const name of ['link', 'download']) {
        const visitor = newVisitorId();
        assert.equal((await track({ cid: visitor, [name]: '   ' })).statusCode, 200, name);
        const action = await actionOf(visitor);
        assert.equal(action?.idaction_url, null, name);
        assert.equal(action?.pageview_position, null, name);
        assert.equal(Number((await visitOf(visitor))?.visit_total_actions), 1, name);
      }
    });

    test('link of 0 is ignored', async () => {
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, link: '0' })).statusCode, 200);
      const action = await actionOf(visitor);
      assert.equal(action?.pageview_position, 1);
      assert.equal((await urlActionOf(visitor))?.name, 'example.org/');
    });

    test('urlref after a space is ignored', async () => {
      const ignored = newVisitorId();
      assert.equal((await track({ cid: ignored, urlref: ' https://www.bing.com/search?q=hats' })).statusCode, 200);
      const direct = await visitOf(ignored);
      assert.equal(Number(direct?.referer_type), 1);
      assert.equal(direct?.referer_url, null);

      const trimmed = newVisitorId();
      assert.equal((await track({ cid: trimmed, urlref: 'https://www.bing.com/search?q=hats ' })).statusCode, 200);
      const search = await visitOf(trimmed);
      assert.equal(Number(search?.referer_type), 2);
      assert.equal(search?.referer_url, 'https://www.bing.com/search?q=hats');
    });

    async function callApi(query: string) {
      return suite.app.inject({ method: 'GET', url: `/index.php?module=API&format=json&token_auth=${suite.token}&idSite=1&${query}`, headers: { host: suite.host } });
    }

    test('extraction pattern outside RE2 is rejected', async () => {
      for (const pattern of ['^/(a+)\\1$', '^/(?=x)(.*)$', '(?<=/)(\\w+)']) {
        const response = await callApi(`method=CustomDimensions.configureNewCustomDimension&name=Lookaround&scope=action&active=1&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent(pattern)}`);
        assert.equal(response.statusCode, 400, pattern);
        const body = response.json() as { message: string };
        assert.match(body.message, /RE2 syntax/, pattern);
        assert.ok(body.message.includes(pattern), body.message);
      }
    });

    test('nested quantifier extraction is accepted', async () => {
      const response = await callApi(`method=CustomDimensions.configureNewCustomDimension&name=Nested&scope=action&active=0&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent('^/((?:a+)+)$')}`);
      assert.equal(response.statusCode, 200, response.body);
    });

    test('safe extraction runs on cut input', async () => {
      const configured = await callApi(`method=CustomDimensions.configureNewCustomDimension&name=Section&scope=action&active=1&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent('[?&]section=([a-z]+)')}`);
      assert.equal(configured.statusCode, 200, configured.body);
      const idDimension = (configured.json() as { value: number }).value;
      const near = newVisitorId();
      assert.equal((await track({ cid: near, url: `${PAGE}?section=news` })).statusCode, 200);
      const far = newVisitorId();
      assert.equal((await track({ cid: far, url: `${PAGE}?pad=${'x'.repeat(2100)}&section=late` })).statusCode, 200);
      const dimensionColumn = `custom_dimension_${idDimension}` as 'custom_dimension_1';
      assert.equal((await actionOf(near))?.[dimensionColumn], 'news');
      assert.equal((await actionOf(far))?.[dimensionColumn], null);
    });

    test('script link extracts no dimension', async () => {
      const configured = await callApi(`method=CustomDimensions.configureNewCustomDimension&name=Partner&scope=action&active=1&extractions[0][dimension]=url&extractions[0][pattern]=${encodeURIComponent('[?&]ref=([a-z]+)')}`);
      assert.equal(configured.statusCode, 200, configured.body);
      const dimensionColumn = `custom_dimension_${(configured.json() as { value: number }).value}` as 'custom_dimension_1';

      const partner = newVisitorId();
      assert.equal((await track({ cid: partner, link: 'https://partner.example.net/?ref=partner' })).statusCode, 200);
      assert.equal((await actionOf(partner))?.[dimensionColumn], 'partner');
      const script = newVisitorId();
      assert.equal((await track({ cid: script, link: 'javascript://partner.example.net/?ref=script' })).statusCode, 200);
      assert.equal((await actionOf(script))?.[dimensionColumn], null);
    });

    test('goal pattern outside RE2 is rejected', async () => {
      const response = await callApi(`method=Goals.addGoal&name=Backreference&matchAttribute=url&patternType=regex&pattern=${encodeURIComponent('(x+)\\1y')}`);
      assert.equal(response.statusCode, 400);
      const body = response.json() as { message: string };
      assert.match(body.message, /RE2 syntax/);
      assert.ok(body.message.includes('(x+)\\1y'), body.message);

      const safe = await callApi(`method=Goals.addGoal&name=Thanks&matchAttribute=url&patternType=regex&pattern=${encodeURIComponent('/thanks-[0-9]+$')}`);
      assert.equal(safe.statusCode, 200, safe.body);
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, url: 'https://example.org/thanks-42' })).statusCode, 200);
      const conversions = await suite.db.selectFrom('log_conversion').select('idgoal').where('idvisitor', '=', visitor).execute();
      assert.equal(conversions.length, 1);
    });

    test('goal pattern with JavaScript escape converts', async () => {
      // Patterns saved before tenant patterns ran on RE2 may use JavaScript's \u escape.
      const added = await callApi(`method=Goals.addGoal&name=Cafe&matchAttribute=title&patternType=regex&pattern=${encodeURIComponent('^caf\\u00e9 menu$')}`);
      assert.equal(added.statusCode, 200, added.body);
      const idGoal = Number((added.json() as { value: number }).value);
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, url: `${PAGE}?cafe=1`, action_name: 'Café menu' })).statusCode, 200);
      const conversions = await suite.db.selectFrom('log_conversion').select('idgoal').where('idvisitor', '=', visitor).execute();
      assert.deepEqual(conversions.map((row) => Number(row.idgoal)), [idGoal]);
    });

    test('overlapping goal pattern runs in linear time', async () => {
      // JavaScript RegExp backtracks exponentially on ^(a|a)*$ when the text ends in another character.
      const added = await callApi(`method=Goals.addGoal&name=Overlap&matchAttribute=title&patternType=regex&pattern=${encodeURIComponent('^(a|a)*$')}`);
      assert.equal(added.statusCode, 200, added.body);
      const idGoal = Number((added.json() as { value: number }).value);

      const matching = newVisitorId();
      assert.equal((await track({ cid: matching, url: `${PAGE}?overlap=1`, action_name: 'a'.repeat(2048) })).statusCode, 200);
      const failing = newVisitorId();
      assert.equal((await track({ cid: failing, url: `${PAGE}?overlap=2`, action_name: `${'a'.repeat(2047)}c` })).statusCode, 200);

      const matched = await suite.db.selectFrom('log_conversion').select('idgoal').where('idvisitor', '=', matching).execute();
      assert.deepEqual(matched.map((row) => Number(row.idgoal)), [idGoal]);
      const failed = await suite.db.selectFrom('log_conversion').select('idgoal').where('idvisitor', '=', failing).execute();
      assert.equal(failed.length, 0);
      assert.equal((await callApi(`method=Goals.deleteGoal&idGoal=${idGoal}`)).statusCode, 200);
    });

    test('filter_pattern outside RE2 is rejected', async () => {
      const response = await callApi(`method=UserCountry.getCountry&period=day&date=today&filter_pattern=${encodeURIComponent('^(?!fr)')}`);
      assert.equal(response.statusCode, 400);
      const body = response.json() as { message: string };
      assert.match(body.message, /filter_pattern/);
      assert.match(body.message, /RE2 syntax/);
      assert.ok(body.message.includes('^(?!fr)'), body.message);
    });

    test('adjacent quantifier filter_pattern is accepted', async () => {
      for (const pattern of ['a*a*a*b', '^(a|a)*$']) {
        const response = await callApi(`method=UserCountry.getCountry&period=day&date=today&filter_pattern=${encodeURIComponent(pattern)}`);
        assert.equal(response.statusCode, 200, `${pattern}: ${response.body}`);
      }
    });

    /** Sends a raw GET over TCP, because inject() skips Node's HTTP parser and its header limit. */
    async function sendRawGet(port: number, path: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        socket.setTimeout(10_000, () => socket.destroy(new Error('raw GET timed out')));
        socket.on('data', (chunk) => { received += chunk.toString(); });
        socket.on('error', reject);
        socket.on('close', () => resolve(received));
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${suite.host}\r\n\r\n`);
      });
    }

    test('URL over header limit gets 431 text', async () => {
      const server = await buildTestServer(suite.root);
      try {
        await server.listen({ port: 0, host: '127.0.0.1' });
        const address = server.server.address();
        assert.ok(typeof address === 'object' && address !== null);
        const response = await sendRawGet(address.port, `/matomo.php?idsite=1&rec=1&pad=${'x'.repeat(maxHeaderSize + 1000)}`);
        const [head = '', body = ''] = response.split('\r\n\r\n');
        assert.match(head, /^HTTP\/1\.1 431 /);
        assert.match(head, /content-type: text\/plain/i);
        assert.ok(body.includes(`${maxHeaderSize} bytes`), body);
      } finally {
        await server.close();
      }
    });

    test('bulk entry with NUL counts invalid', async () => {
      const good = newVisitorId();
      const response = await postBulk([
        `?idsite=1&rec=1&cid=${newVisitorId()}&url=${encodeURIComponent(PAGE)}&action_name=a%00b`,
        `?idsite=1&rec=1&cid=${good}&url=${encodeURIComponent(PAGE)}&action_name=ok`,
      ]);
      assert.equal(response.statusCode, 200);
      const body = response.json() as { status: string; tracked: number; invalid: number; invalid_indices: number[] };
      assert.equal(body.status, 'success');
      assert.equal(body.tracked, 1);
      assert.equal(body.invalid, 1);
      assert.deepEqual(body.invalid_indices, [0]);
      assert.ok(await visitOf(good));
    });

    test('amounts beyond bound are rejected', async () => {
      const before = await countRows(suite.db, 'log_conversion');
      const cases: [Record<string, string>, string][] = [
        [{ revenue: '1e308' }, "for 'revenue'"],
        [{ idgoal: '0', ec_id: 'order-huge-tax', revenue: '5', ec_tx: '2e15' }, "for 'ec_tx'"],
        [{ e_c: 'video', e_a: 'play', e_v: '-1e16' }, "for 'e_v'"],
        [{ idgoal: '0', ec_id: 'order-huge-price', revenue: '5', ec_items: '[["sku","name","cat",1e300,1]]' }, "price '1e+300' of item 1"],
        [{ idgoal: '0', ec_id: 'order-huge-quantity', revenue: '5', ec_items: '[["a","n","c",5,1],["sku","name","cat",5,2147483648]]' }, "quantity '2147483648' of item 2"],
        [{ idgoal: '0', ec_id: 'order-huge-sum', revenue: '5', ec_items: '[["a","n","c",1,2147483647],["b","n","c",1,2147483647]]' }, 'add up to 4294967294'],
        [{ idgoal: '1', e_v: '1e308' }, "for 'e_v'"],
      ];
      for (const [params, expected] of cases) {
        const response = await track({ cid: newVisitorId(), ...params });
        const error = String(response.headers['x-footfall-error']);
        assert.equal(response.statusCode, 400, error);
        assert.match(error, /^TRACKING_PARAMETER_INVALID: /);
        assert.ok(error.includes(expected), error);
      }
      assert.equal(await countRows(suite.db, 'log_conversion'), before);
    });

    test('largest item quantity is stored', async () => {
      const visitor = newVisitorId();
      const response = await track({ cid: visitor, idgoal: '0', ec_id: `order-${visitor}`, revenue: '5', ec_items: '[["sku","name","cat",5,2147483647]]' });
      assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
      const items = await suite.db.selectFrom('log_conversion_item').select('quantity').where('idorder', '=', `order-${visitor}`).execute();
      assert.deepEqual(items.map((item) => Number(item.quantity)), [2147483647]);
    });

    test('bulk counts huge quantity invalid', async () => {
      const visitor = newVisitorId();
      const huge = new URLSearchParams({ idsite: '1', rec: '1', url: PAGE, cid: newVisitorId(), idgoal: '0', ec_id: 'order-bulk-huge', revenue: '5', ec_items: '[["sku","name","cat",5,1e12]]' });
      const good = new URLSearchParams({ idsite: '1', rec: '1', url: PAGE, cid: visitor });
      const response = await postBulk([`?${good}`, `?${huge}`]);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(JSON.parse(response.body), { status: 'success', tracked: 1, invalid: 1, invalid_indices: [1] });
      assert.ok(await visitOf(visitor));
    });

    test('bulk with token first is tracked', async () => {
      const visitor = newVisitorId();
      const payload = JSON.stringify({ token_auth: suite.token, requests: [`?idsite=1&rec=1&cid=${visitor}&url=${encodeURIComponent(PAGE)}`] });
      const response = await suite.app.inject({ method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 0, invalid_indices: [] });
      assert.ok(await visitOf(visitor));
    });

    test('empty JSON body reads the query', async () => {
      const visitor = newVisitorId();
      const query = new URLSearchParams({ idsite: '1', rec: '1', cid: visitor, url: PAGE });
      const response = await suite.app.inject({ method: 'POST', url: `/matomo.php?${query}`, headers: { host: suite.host, 'content-type': 'application/json' }, payload: '' });
      assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
      assert.ok(await visitOf(visitor));
    });

    test('bulk object with array is invalid', async () => {
      const before = newVisitorId();
      const after = newVisitorId();
      const response = await postBulk([
        `?idsite=1&rec=1&cid=${before}&url=${encodeURIComponent(`${PAGE}before`)}`,
        { idsite: [1], rec: 1 },
        { idsite: 1, rec: 1, url: PAGE, _id: [newVisitorId()] },
        { idsite: 1, rec: 1, url: PAGE, cdt: { seconds: 1 } },
        { idsite: 1, rec: [], url: PAGE },
        `?idsite=1&rec=1&cid=${after}&url=${encodeURIComponent(`${PAGE}after`)}`,
      ]);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 2, invalid: 4, invalid_indices: [1, 2, 3, 4] });
      assert.ok(await visitOf(before));
      assert.ok(await visitOf(after));
    });

    test('bulk object values cast as PHP', async () => {
      const recorded = newVisitorId();
      const dropped = newVisitorId();
      const response = await postBulk([
        { idsite: 1, rec: true, cid: recorded, url: PAGE, res: 1e20, urlref: null },
        { idsite: 1, rec: 1, url: PAGE, new_visit: 1, uid: 90210 },
        { idsite: 1, rec: false, cid: dropped, url: PAGE },
      ]);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 3, invalid: 0, invalid_indices: [] });
      const visit = await visitOf(recorded);
      assert.equal(visit?.config_resolution, '1.0E+20');
      assert.equal(visit?.referer_url, null);
      const userVisits = await suite.db.selectFrom('log_visit').select('idvisit').where('user_id', '=', '90210').execute();
      assert.equal(userVisits.length, 1);
      // rec=false becomes rec='', so the hit is dropped as one without rec=1.
      assert.equal(await visitOf(dropped), undefined);
    });

    test('cip must be an address', async () => {
      for (const cip of ['1.2.3.4:80', '1:2:3', 'fe80::1%eth0', '::ffff:1.2.3.4.5', '01.2.3.4']) {
        const response = await track({ cid: newVisitorId(), cip, token_auth: suite.token });
        const error = String(response.headers['x-footfall-error']);
        assert.equal(response.statusCode, 400, cip);
        assert.ok(error.includes("for 'cip'"), error);
      }
      for (const cip of ['203.0.113.9', '2001:db8::7', '::ffff:203.0.113.10']) {
        const response = await track({ cid: newVisitorId(), cip, token_auth: suite.token });
        assert.equal(response.statusCode, 200, `${cip}: ${String(response.headers['x-footfall-error'])}`);
      }
    });

    test('URL with line separator is kept', async () => {
      // PCRE's dot, which Matomo's URL check uses, matches U+2028, where JavaScript's does not.
      const visitor = newVisitorId();
      assert.equal((await track({ cid: visitor, url: 'https://example.org/a\u2028b' })).statusCode, 200);
      const action = await actionOf(visitor);
      assert.ok(action);
      assert.notEqual(action.idaction_url, null);
    });
  });
}
