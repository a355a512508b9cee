import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

/** Timings in milliseconds, in the order network, server, transfer, DOM processing, DOM completion, on load. */
type Timings = [number | null, number | null, number | null, number | null, number | null, number | null];

for (const adapter of ALL_ENGINES) {
  describe(`PagePerformance.get on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    const performance = (query: string) => fixture.getJson(`method=PagePerformance.get&idSite=${fixture.siteId}&${query}`);

    const addPageview = async (idvisit: number, time: string, url: string, timings: Timings | null) => {
      const [network, server, transfer, domProcessing, domCompletion, onLoad] = timings ?? [null, null, null, null, null, null];
      await createAction(fixture.db, {
        idsite: fixture.siteId, idvisit, server_time: time, url, title: 'Page',
        time_network: network, time_server: server, time_transfer: transfer, time_dom_processing: domProcessing, time_dom_completion: domCompletion, time_on_load: onLoad,
      });
    };

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      const { db, siteId } = fixture;
      // 2024-05-06: a pageview with every timing (1660 ms in all), one with two (200 ms) and one without any.
      const monday = await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-06 10:02:00', visit_total_actions: 3 });
      await addPageview(monday, '2024-05-06 10:00:00', 'http://example.org/fast', [120, 240, 310, 400, 530, 60]);
      await addPageview(monday, '2024-05-06 10:01:00', 'http://example.org/slow', [40, 160, null, null, null, null]);
      await addPageview(monday, '2024-05-06 10:02:00', 'http://example.org/slow', null);
      // 2024-05-07: one pageview with every timing (1628 ms in all).
      const tuesday = await createVisit(db, { idsite: siteId, idvisitor: 'eeeeeeeeeeeeeeee', visit_last_action_time: '2024-05-07 09:00:00' });
      await addPageview(tuesday, '2024-05-07 09:00:00', 'http://example.org/fast', [30, 70, 30, 1000, 490, 8]);
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('averages each timing over the pageviews that have it', { skip }, async () => {
      assert.deepEqual(await performance('period=day&date=2024-05-06'), {
        avg_time_network: 0.08, avg_time_server: 0.2, avg_time_transfer: 0.31, avg_time_dom_processing: 0.4,
        avg_time_dom_completion: 0.53, avg_time_on_load: 0.06, avg_page_load_time: 0.93,
      });
      assert.deepEqual(await performance('period=day&date=2024-05-07'), {
        avg_time_network: 0.03, avg_time_server: 0.07, avg_time_transfer: 0.03, avg_time_dom_processing: 1,
        avg_time_dom_completion: 0.49, avg_time_on_load: 0.01, avg_page_load_time: 1.63,
      });
    });

    it('sums days before averaging a week', { skip }, async () => {
      // Network 190 ms over 3 hits, transfer 340 ms over 2, page load 3488 ms over 3.
      assert.deepEqual(await performance('period=week&date=2024-05-06'), {
        avg_time_network: 0.06, avg_time_server: 0.16, avg_time_transfer: 0.17, avg_time_dom_processing: 0.7,
        avg_time_dom_completion: 0.51, avg_time_on_load: 0.03, avg_page_load_time: 1.16,
      });
    });

    it('returns zeros for visits without timings', { skip }, async () => {
      const day = await performance('period=day&date=2024-05-01');
      assert.equal(day.avg_page_load_time, 0);
      assert.equal(day.avg_time_network, 0);
    });

    it('returns no data for a day without visits', { skip }, async () => {
      assert.deepEqual(await performance('period=day&date=2024-05-02'), []);
    });

    it('counts only the pageviews a segment matches', { skip }, async () => {
      const result = await performance(`period=day&date=2024-05-06&segment=${encodeURIComponent('pageUrl=@slow')}&showColumns=avg_time_network,avg_time_transfer,avg_page_load_time`);
      assert.deepEqual(result, { avg_time_network: 0.04, avg_time_transfer: 0, avg_page_load_time: 0.2 });
    });
  });
}
