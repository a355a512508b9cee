import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAction, createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('Events reports', () => {
  let fixture: ReportFixture;
  const query = (method: string, extra = '') => `method=${method}&idSite=${fixture.siteId}&period=day&date=2024-05-02${extra}`;

  before(async () => {
    fixture = await createReportFixture();
    const { db, siteId } = fixture;
    const first = await createVisit(db, { idsite: siteId, idvisitor: 'eeeeeeeeeeeeeeee', visit_last_action_time: '2024-05-02 10:10:00', visit_total_actions: 3 });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-02 10:00:00', eventCategory: 'Movie', eventAction: 'Play', eventName: 'Trailer', custom_float: 9.5 });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-02 10:05:00', eventCategory: 'Movie', eventAction: 'Pause', eventName: 'Trailer' });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-02 10:10:00', url: 'http://example.org/movie', eventCategory: 'Movie', eventAction: 'Play', custom_float: 0.5 });
    const second = await createVisit(db, { idsite: siteId, idvisitor: 'ffffffffffffffff', visit_last_action_time: '2024-05-02 11:00:00' });
    await createAction(db, { idsite: siteId, idvisit: second, idvisitor: 'ffffffffffffffff', server_time: '2024-05-02 11:00:00', eventCategory: 'Music', eventAction: 'Play' });
  });

  after(async () => { await fixture.close(); });

  it('getCategory sums events, values and visits per category', async () => {
    assert.deepEqual(await fixture.getJson(query('Events.getCategory')), [
      {
        label: 'Movie', nb_uniq_visitors: 1, nb_visits: 1, nb_events: 3, nb_events_with_value: 2, sum_event_value: 10,
        min_event_value: 0.5, max_event_value: 9.5, avg_event_value: 5, segment: 'eventCategory==Movie', idsubdatatable: 1,
      },
      { label: 'Music', nb_uniq_visitors: 1, nb_visits: 1, nb_events: 1, nb_events_with_value: 0, sum_event_value: 0, avg_event_value: 0, segment: 'eventCategory==Music', idsubdatatable: 2 },
    ]);
  });

  it('getCategory serves the actions of a category as a subtable', async () => {
    const actions = await fixture.getJson(query('Events.getCategory', '&idSubtable=1&showColumns=nb_events,segment'));
    assert.deepEqual(actions, [{ label: 'Play', nb_events: 2, segment: 'eventAction==Play' }, { label: 'Pause', nb_events: 1, segment: 'eventAction==Pause' }]);
  });

  it('getCategory switches subtables with secondaryDimension', async () => {
    const rows = await fixture.getJson(query('Events.getCategory', '&secondaryDimension=eventName&expanded=1&showColumns=nb_events&filter_limit=1'));
    assert.deepEqual(rows.map((row: any) => [row.label, row.subtable.map((child: any) => [child.label, child.nb_events, child.segment])]), [
      ['Movie', [['Trailer', 2, 'eventName==Trailer'], ['Event name not defined', 1, 'eventName==']]],
    ]);
    const byIdSubtable = await fixture.getJson(query('Events.getCategory', '&secondaryDimension=eventName&idSubtable=1&showColumns=nb_events'));
    assert.deepEqual(byIdSubtable.map((row: any) => row.label), ['Trailer', 'Event name not defined']);
  });

  it('getCategory rejects its own dimension as secondaryDimension', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&${query('Events.getCategory', '&secondaryDimension=eventCategory')}`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'PARAMETER_INVALID');
    assert.equal(response.json().message, "Invalid secondaryDimension 'eventCategory' for Events.getCategory. Use eventAction or eventName.");
  });

  it('getName labels events without a name', async () => {
    const names = withoutRowMetadata(await fixture.getJson(query('Events.getName', '&showColumns=nb_events')));
    assert.deepEqual(names, [{ label: 'Event name not defined', nb_events: 2, idsubdatatable: 1 }, { label: 'Trailer', nb_events: 2, idsubdatatable: 2 }]);
  });

  it('does not count events as pageviews', async () => {
    const actions = await fixture.getJson(query('Actions.get'));
    assert.deepEqual(actions, []);
  });

  it('combines minimum values across days of a week', async () => {
    const week = withoutRowMetadata(await fixture.getJson(`method=Events.getCategory&idSite=${fixture.siteId}&period=week&date=2024-05-02&label=Movie&showColumns=min_event_value,max_event_value,sum_daily_nb_uniq_visitors`));
    assert.deepEqual(week, [{ label: 'Movie', sum_daily_nb_uniq_visitors: 1, min_event_value: 0.5, max_event_value: 9.5, idsubdatatable: 1 }]);
  });
});
