import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createConversion, createVisit, ensureLogAction } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

for (const adapter of ALL_ENGINES) {
  describe(`CustomDimensions on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    let otherSiteId: number;
    const api = (query: string) => fixture.getJson(`idSite=${fixture.siteId}&${query}`);
    const segmentedVisits = async (segment: string) => {
      const result = await api(`method=VisitsSummary.get&period=day&date=2024-05-04&segment=${encodeURIComponent(segment)}`);
      return Array.isArray(result) ? 0 : result.nb_visits;
    };
    const segmentStatus = async (segment: string) => {
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-04&segment=${encodeURIComponent(segment)}`,
      });
      return { statusCode: response.statusCode, code: response.json().code as string | undefined, message: String(response.json().message ?? '') };
    };
    const report = (extra: string) => api(`method=CustomDimensions.getCustomDimension&period=day&date=2024-05-04${extra}`);
    const status = async (query: string) => {
      const response = await fixture.app.inject({ method: 'GET', headers: { host: fixture.host }, url: `/index.php?module=API&format=json&token_auth=${fixture.token}&idSite=${fixture.siteId}&${query}` });
      return { statusCode: response.statusCode, code: response.json().code as string | undefined };
    };

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      const { db, siteId } = fixture;
      // Dimension 1 (visit slot 1), 2 (action slot 1) and 3 (visit slot 2, inactive).
      assert.deepEqual(await api('method=CustomDimensions.configureNewCustomDimension&name=Plan&scope=visit&active=1'), { value: 1 });
      assert.deepEqual(await api('method=CustomDimensions.configureNewCustomDimension&name=Section&scope=action&active=1'), { value: 2 });
      assert.deepEqual(await api('method=CustomDimensions.configureNewCustomDimension&name=Old&scope=visit&active=0&caseSensitive=0'), { value: 3 });

      // 2024-05-04. V1 (plan gold) reads two news pages and converts goal 1, and V2 (gold) bounces on a sport page.
      // V3 has an empty plan and an action without section, and V4 has no plan at all.
      const pageA = await ensureLogAction(db, 'http://example.org/a', 1);
      const pageB = await ensureLogAction(db, 'http://example.org/b', 1);
      const v1 = await createVisit(db, {
        idsite: siteId, idvisitor: 'a1a1a1a1a1a1a1a1', visit_last_action_time: '2024-05-04 10:01:00', visit_total_actions: 2, visit_goal_converted: 1,
        custom_dimension_1: 'gold', custom_dimension_2: 'legacy', visit_exit_idaction_url: pageB,
      });
      await createAction(db, { idsite: siteId, idvisit: v1, idvisitor: 'a1a1a1a1a1a1a1a1', server_time: '2024-05-04 10:00:00', url: 'http://example.org/a', time_spent: 30, custom_dimension_1: 'news' });
      await createAction(db, { idsite: siteId, idvisit: v1, idvisitor: 'a1a1a1a1a1a1a1a1', server_time: '2024-05-04 10:01:00', url: 'http://example.org/b', time_spent: 10, custom_dimension_1: 'news' });
      await createConversion(db, { idsite: siteId, idvisit: v1, idgoal: 1, server_time: '2024-05-04 10:01:00', revenue: 10 });
      const v2 = await createVisit(db, { idsite: siteId, idvisitor: 'b2b2b2b2b2b2b2b2', visit_last_action_time: '2024-05-04 11:00:00', custom_dimension_1: 'gold', visit_exit_idaction_url: pageA });
      await createAction(db, { idsite: siteId, idvisit: v2, idvisitor: 'b2b2b2b2b2b2b2b2', server_time: '2024-05-04 11:00:00', url: 'http://example.org/a', custom_dimension_1: 'sport' });
      const v3 = await createVisit(db, { idsite: siteId, idvisitor: 'c3c3c3c3c3c3c3c3', visit_last_action_time: '2024-05-04 12:00:00', custom_dimension_1: '' });
      await createAction(db, { idsite: siteId, idvisit: v3, idvisitor: 'c3c3c3c3c3c3c3c3', server_time: '2024-05-04 12:00:00', url: 'http://example.org/a' });
      await createVisit(db, { idsite: siteId, idvisitor: 'd4d4d4d4d4d4d4d4', visit_last_action_time: '2024-05-04 13:00:00' });

      // Site two's dimension 1 is action-scope in slot 1, so `dimension1` means another column there.
      // Its one visit has 'gold' only on its action and 'other' in the visit slot 1 it must not read.
      otherSiteId = (await fixture.getJson('method=SitesManager.addSite&siteName=Two&urls=https://two.example.org&timezone=UTC')).value;
      assert.deepEqual(await fixture.getJson(`method=CustomDimensions.configureNewCustomDimension&idSite=${otherSiteId}&name=Topic&scope=action&active=1`), { value: 1 });
      const t1 = await createVisit(db, { idsite: otherSiteId, idvisitor: 'e5e5e5e5e5e5e5e5', visit_last_action_time: '2024-05-04 09:00:00', custom_dimension_1: 'other' });
      await createAction(db, { idsite: otherSiteId, idvisit: t1, idvisitor: 'e5e5e5e5e5e5e5e5', server_time: '2024-05-04 09:00:00', url: 'https://two.example.org/', custom_dimension_1: 'gold' });
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('lists configured dimensions', { skip }, async () => {
      assert.deepEqual(await api('method=CustomDimensions.getConfiguredCustomDimensions'), [
        { idcustomdimension: '1', idsite: String(fixture.siteId), name: 'Plan', index: '1', scope: 'visit', active: true, extractions: [], case_sensitive: true },
        { idcustomdimension: '2', idsite: String(fixture.siteId), name: 'Section', index: '1', scope: 'action', active: true, extractions: [], case_sensitive: true },
        { idcustomdimension: '3', idsite: String(fixture.siteId), name: 'Old', index: '2', scope: 'visit', active: false, extractions: [], case_sensitive: false },
      ]);
    });

    it('groups visits by a visit-scope value', { skip }, async () => {
      assert.deepEqual(await report('&idDimension=1&showColumns=nb_visits,nb_conversions,revenue,goals'), [
        { label: 'gold', nb_visits: 2, goals: { 'idgoal=1': { nb_conversions: 1, nb_visits_converted: 1, revenue: 10 } }, nb_conversions: 1, revenue: 10, segment: 'dimension1==gold' },
        { label: 'Value not defined', nb_visits: 1, segment: 'dimension1==' },
      ]);
    });

    it('groups actions by an action-scope value', { skip }, async () => {
      assert.deepEqual(await report('&idDimension=2'), [
        {
          label: 'news', nb_uniq_visitors: 1, nb_visits: 1, nb_hits: 2, sum_time_spent: 40, bounce_count: 0, exit_nb_visits: 1,
          avg_time_on_dimension: 20, bounce_rate: '0%', exit_rate: '100%', segment: 'dimension2==news', idsubdatatable: 1,
        },
        {
          label: 'sport', nb_uniq_visitors: 1, nb_visits: 1, nb_hits: 1, sum_time_spent: 0, bounce_count: 1, exit_nb_visits: 1,
          avg_time_on_dimension: 0, bounce_rate: '100%', exit_rate: '100%', segment: 'dimension2==sport', idsubdatatable: 2,
        },
      ]);
    });

    it('lists the page URLs of an action value', { skip }, async () => {
      assert.deepEqual(await report('&idDimension=2&idSubtable=1&showColumns=nb_hits,sum_time_spent'), [
        { label: 'example.org/a', nb_hits: 1, sum_time_spent: 30 },
        { label: 'example.org/b', nb_hits: 1, sum_time_spent: 10 },
      ]);
    });

    it('sums a visit-scope table over a week', { skip }, async () => {
      assert.deepEqual(await api('method=CustomDimensions.getCustomDimension&period=week&date=2024-05-04&idDimension=1&showColumns=nb_visits'), [
        { label: 'gold', nb_visits: 2, segment: 'dimension1==gold' },
        { label: 'Value not defined', nb_visits: 1, segment: 'dimension1==' },
      ]);
    });

    it('returns no rows for an inactive dimension', { skip }, async () => {
      assert.deepEqual(await report('&idDimension=3'), []);
    });

    it('segments by a visit-scope dimension id', { skip }, async () => {
      assert.equal(await segmentedVisits('dimension1==gold'), 2);
      assert.equal(await segmentedVisits('dimension1=='), 2);
      assert.equal(await segmentedVisits('dimension1!=gold'), 2);
      assert.equal(await segmentedVisits('dimension1=@ol'), 2);
    });

    it('segments by a dimension in another slot', { skip }, async () => {
      // Dimension 3 is in visit slot 2. Only active dimensions have segments, as in Matomo.
      const inactive = await segmentStatus('dimension3==legacy');
      assert.equal(inactive.statusCode, 400);
      assert.match(inactive.message, /custom dimension 3 .* is inactive/);

      await api('method=CustomDimensions.configureExistingCustomDimension&idDimension=3&name=Old&active=1&caseSensitive=0');
      try {
        assert.equal(await segmentedVisits('dimension3==legacy'), 1);
      } finally {
        await api('method=CustomDimensions.configureExistingCustomDimension&idDimension=3&name=Old&active=0&caseSensitive=0');
      }
    });

    it('segments visits by an action-scope dimension', { skip }, async () => {
      // Dimension 2 is action-scope: a visit matches when one of its actions has the value.
      assert.equal(await segmentedVisits('dimension2==news'), 1);
      assert.equal(await segmentedVisits('dimension2==sport'), 1);
      assert.equal(await segmentedVisits('dimension2=^sp,dimension2==news'), 2);
      assert.equal(await segmentedVisits('dimension2==news;dimension1==gold'), 1);
      // V2 has a sport action and V3 an action without a section, and V4 has no action.
      assert.equal(await segmentedVisits('dimension2!=news'), 2);
      assert.equal(await segmentedVisits('dimension2=='), 1);
    });

    it('keeps matching actions for action-scope segments', { skip }, async () => {
      const pages = await api(`method=Actions.getPageUrls&period=day&date=2024-05-04&flat=1&showColumns=nb_hits&segment=${encodeURIComponent('dimension2==sport')}`);
      assert.deepEqual(pages.map((row: any) => [row.label, row.nb_hits]), [['/a', 1]]);
      const actions = await api(`method=Actions.get&period=day&date=2024-05-04&showColumns=nb_pageviews&segment=${encodeURIComponent('dimension2==news')}`);
      assert.deepEqual(actions, { nb_pageviews: 2 });
    });

    it('compiles dimension segments per site', { skip }, async () => {
      const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId},${otherSiteId}&period=day&date=2024-05-04&showColumns=nb_visits&segment=${encodeURIComponent('dimension1==gold')}`);
      assert.deepEqual(result, { [fixture.siteId]: { nb_visits: 2 }, [otherSiteId]: { nb_visits: 1 } });
    });

    it('rejects an unknown dimension id in a segment', { skip }, async () => {
      const unknown = await segmentStatus('dimension9==x');
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.code, 'SEGMENT_INVALID');
      assert.match(unknown.message, /custom dimension 9 .*dimension9.* site \d+/);

      // Site two has no dimension 2, so the segment is rejected for both sites together.
      const mixed = await fixture.app.inject({ method: 'GET', headers: { host: fixture.host }, url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=VisitsSummary.get&idSite=${fixture.siteId},${otherSiteId}&period=day&date=2024-05-04&segment=dimension2%3D%3Dnews` });
      assert.equal(mixed.statusCode, 400);
      assert.match(mixed.json().message, new RegExp(`custom dimension 2 .* site ${otherSiteId}\\.`));
    });

    it('ignores archives keyed by the plain definition', { skip }, async () => {
      // An archive stored under md5 of the definition alone, as releases reading visit slot <id> keyed it.
      const staleHash = createHash('md5').update('dimension2=@new').digest('hex');
      await fixture.db.insertInto('archive').values({
        idsite: fixture.siteId, period: 1, date1: '2024-05-04', date2: '2024-05-04', segment_hash: staleHash, status: 1, ts_archived: '2024-05-20 00:00:00',
      }).execute();
      const { idarchive } = await fixture.db.selectFrom('archive').select('idarchive').where('segment_hash', '=', staleHash).executeTakeFirstOrThrow();
      await fixture.db.insertInto('archive_numeric').values({ idarchive: Number(idarchive), name: 'nb_visits', value: 99 }).execute();
      assert.equal(await segmentedVisits('dimension2=@new'), 1);
    });

    it('segments Live visits by a dimension id', { skip }, async () => {
      const visits = await api(`method=Live.getLastVisitsDetails&period=day&date=2024-05-04&doNotFetchActions=1&segment=${encodeURIComponent('dimension2==sport')}`);
      assert.deepEqual(visits.map((visit: any) => visit.visitorId), ['b2b2b2b2b2b2b2b2']);
    });

    it('rejects an unknown idDimension', { skip }, async () => {
      assert.deepEqual(await status('method=CustomDimensions.getCustomDimension&period=day&date=2024-05-04&idDimension=9'), { statusCode: 400, code: 'CUSTOM_DIMENSION_NOT_FOUND' });
    });

    it('rejects a missing or malformed idDimension', { skip }, async () => {
      for (const extra of ['', '&idDimension=x', '&idDimension=0']) {
        const result = await status(`method=CustomDimensions.getCustomDimension&period=day&date=2024-05-04${extra}`);
        assert.equal(result.statusCode, 400, extra);
        assert.match(result.code ?? '', /^PARAMETER_(MISSING|INVALID)$/, extra);
      }
    });

    it('lists a report per active dimension', { skip }, async () => {
      const reports = await api('method=API.getReportMetadata&hideMetricsDoc=1');
      const listed = reports.filter((entry: any) => entry.module === 'CustomDimensions');
      assert.deepEqual(listed.map((entry: any) => [entry.category, entry.name, entry.parameters, entry.uniqueId]), [
        ['Visitors', 'Plan', { idDimension: '1' }, 'CustomDimensions_getCustomDimension_idDimension--1'],
        ['Actions', 'Section', { idDimension: '2' }, 'CustomDimensions_getCustomDimension_idDimension--2'],
      ]);
      assert.deepEqual(Object.keys(listed[1].metrics), ['nb_hits', 'nb_visits']);
    });

    it('renames a dimension and keeps its slot', { skip }, async () => {
      assert.deepEqual(await api('method=CustomDimensions.configureExistingCustomDimension&idDimension=3&name=Legacy&active=0'), { result: 'success', message: 'ok' });
      const dimensions = await api('method=CustomDimensions.getConfiguredCustomDimensions');
      assert.equal(dimensions[2].name, 'Legacy');
      assert.equal(dimensions[2].index, '2');
      assert.equal(dimensions[2].case_sensitive, false);
    });

    it('rejects a bad scope, name or id', { skip }, async () => {
      assert.deepEqual(await status('method=CustomDimensions.configureNewCustomDimension&name=X&scope=page&active=1'), { statusCode: 400, code: 'CUSTOM_DIMENSION_INVALID' });
      assert.deepEqual(await status('method=CustomDimensions.configureNewCustomDimension&name=%20&scope=visit&active=1'), { statusCode: 400, code: 'CUSTOM_DIMENSION_INVALID' });
      assert.deepEqual(await status('method=CustomDimensions.configureExistingCustomDimension&idDimension=42&name=X&active=1'), { statusCode: 400, code: 'CUSTOM_DIMENSION_NOT_FOUND' });
    });

    it('rejects a sixth dimension of a scope', { skip }, async () => {
      // The action scope has slot 1 used, so four more fit.
      for (const name of ['S2', 'S3', 'S4', 'S5']) await api(`method=CustomDimensions.configureNewCustomDimension&name=${name}&scope=action&active=0`);
      assert.deepEqual(await status('method=CustomDimensions.configureNewCustomDimension&name=S6&scope=action&active=1'), { statusCode: 400, code: 'CUSTOM_DIMENSION_INVALID' });
    });

    it('reports values tracked with dimensionN', { skip }, async () => {
      const query = new URLSearchParams({
        idsite: String(fixture.siteId), rec: '1', cid: 'f5f5f5f5f5f5f5f5', cdt: '2024-05-05 09:00:00', token_auth: fixture.token,
        url: 'https://example.org/tracked', send_image: '0', dimension1: 'silver', dimension2: 'blog',
      });
      const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host, 'user-agent': FIREFOX } });
      assert.equal(response.statusCode, 204);
      const day = (idDimension: number, columns: string) => api(`method=CustomDimensions.getCustomDimension&period=day&date=2024-05-05&idDimension=${idDimension}&showColumns=${columns}`);
      assert.deepEqual(await day(1, 'nb_visits'), [{ label: 'silver', nb_visits: 1, segment: 'dimension1==silver' }]);
      assert.deepEqual(await day(2, 'nb_hits'), [{ label: 'blog', nb_hits: 1, segment: 'dimension2==blog', idsubdatatable: 1 }]);
    });

    it('counts the last action as exit', { skip }, async () => {
      const track = async (visitor: string, cdt: string, params: Record<string, string>) => {
        const query = new URLSearchParams({
          idsite: String(fixture.siteId), rec: '1', cid: visitor, cdt, token_auth: fixture.token, url: 'https://example.org/docs', send_image: '0', ...params,
        });
        const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host, 'user-agent': FIREFOX } });
        assert.equal(response.statusCode, 204);
      };
      // One visit leaves through a download, whose page stays the exit page. Another keeps its
      // one page open with a heartbeat, which is no action.
      await track('f6f6f6f6f6f6f6f6', '2024-05-07 09:00:00', { action_name: 'Docs', dimension2: 'docs' });
      await track('f6f6f6f6f6f6f6f6', '2024-05-07 09:01:00', { download: 'https://example.org/guide.pdf', dimension2: 'files' });
      await track('f7f7f7f7f7f7f7f7', '2024-05-07 10:00:00', { action_name: 'Docs', dimension2: 'help' });
      await track('f7f7f7f7f7f7f7f7', '2024-05-07 10:00:30', { ping: '1' });
      const rows = await api('method=CustomDimensions.getCustomDimension&period=day&date=2024-05-07&idDimension=2&showColumns=nb_hits,exit_nb_visits');
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_hits, row.exit_nb_visits ?? 0]).sort(), [['docs', 1, 0], ['files', 1, 1], ['help', 1, 1]]);
    });
  });
}
