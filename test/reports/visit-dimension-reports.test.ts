import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('DevicesDetection and UserCountry reports', () => {
  let fixture: ReportFixture;
  const day = () => `idSite=${fixture.siteId}&period=day&date=2024-05-01`;

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('getBrowsers names browsers by code with logo and segment', async () => {
    assert.deepEqual(await fixture.getJson(`method=DevicesDetection.getBrowsers&${day()}`), [
      { label: 'Firefox', nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 5, max_actions: 3, sum_visit_length: 330, bounce_count: 0, nb_visits_converted: 1, logo: 'plugins/Morpheus/icons/dist/browsers/FF.png', segment: 'browserCode==FF' },
      { label: 'Chrome', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, logo: 'plugins/Morpheus/icons/dist/browsers/CH.png', segment: 'browserCode==CH' },
      { label: 'Unknown', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, logo: 'plugins/Morpheus/icons/dist/browsers/UNK.png', segment: 'browserCode==UNK' },
    ]);
  });

  it('getType and getOsFamilies group by device type and OS family', async () => {
    const types = await fixture.getJson(`method=DevicesDetection.getType&${day()}&showColumns=nb_visits,segment`);
    assert.deepEqual(types, [
      { label: 'Desktop', nb_visits: 2, segment: 'deviceType==desktop', logo: 'plugins/Morpheus/icons/dist/devices/desktop.png' },
      { label: 'Smartphone', nb_visits: 1, segment: 'deviceType==smartphone', logo: 'plugins/Morpheus/icons/dist/devices/smartphone.png' },
      { label: 'Unknown', nb_visits: 1, segment: 'deviceType==', logo: 'plugins/Morpheus/icons/dist/devices/unknown.png' },
    ]);
    const families = withoutRowMetadata(await fixture.getJson(`method=DevicesDetection.getOsFamilies&${day()}&showColumns=nb_visits`));
    assert.deepEqual(families, [{ label: 'Windows', nb_visits: 2 }, { label: 'Android', nb_visits: 1 }, { label: 'Unknown', nb_visits: 1 }]);
  });

  it('getCountry returns code, flag and segment of each country', async () => {
    assert.deepEqual(await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_limit=1`), [
      { label: 'France', nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 5, max_actions: 3, sum_visit_length: 330, bounce_count: 0, nb_visits_converted: 1, code: 'fr', logo: 'plugins/Morpheus/icons/dist/flags/fr.png', segment: 'countryCode==fr', logoHeight: 16 },
    ]);
    const rest = await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_offset=1&showColumns=nb_visits,code`);
    assert.deepEqual(withoutRowMetadata(rest), [{ label: 'Germany', nb_visits: 1 }, { label: 'Unknown', nb_visits: 1 }]);
    assert.deepEqual(rest.map((row: any) => row.code), ['de', 'xx']);
  });

  it('sorts ascending by another column and filters by pattern', async () => {
    const sorted = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_sort_column=label&filter_sort_order=asc&showColumns=nb_visits`));
    assert.deepEqual(sorted.map((row: any) => row.label), ['France', 'Germany', 'Unknown']);
    const matching = await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_pattern=^G&hideColumns=segment,logo,logoHeight,code,nb_uniq_visitors,nb_actions,max_actions,sum_visit_length,bounce_count,nb_visits_converted`);
    assert.deepEqual(matching, [{ label: 'Germany', nb_visits: 1 }]);
  });

  it('limits rows with filter_limit, -1 meaning all', async () => {
    const limited = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_limit=2&showColumns=nb_visits`));
    assert.deepEqual(limited.map((row: any) => row.label), ['France', 'Germany']);
    const all = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_limit=-1&showColumns=nb_visits`));
    assert.deepEqual(all.map((row: any) => row.label), ['France', 'Germany', 'Unknown']);
  });

  it('picks rows by label', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&${day()}&label=Germany&showColumns=nb_visits`));
    assert.deepEqual(rows, [{ label: 'Germany', nb_visits: 1 }]);
  });

  it('renames unique visitors of rows in a week to sum_daily_nb_uniq_visitors', async () => {
    const rows = await fixture.getJson(`method=UserCountry.getCountry&idSite=${fixture.siteId}&period=week&date=2024-05-01&filter_limit=1`);
    assert.deepEqual(rows, [
      { label: 'France', sum_daily_nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 5, max_actions: 3, sum_visit_length: 330, bounce_count: 0, nb_visits_converted: 1, code: 'fr', logo: 'plugins/Morpheus/icons/dist/flags/fr.png', segment: 'countryCode==fr', logoHeight: 16 },
    ]);
  });
});
