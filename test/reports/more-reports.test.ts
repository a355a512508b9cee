import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('device, location, resolution and time reports', () => {
  let fixture: ReportFixture;
  const rows = (method: string, extra = '&showColumns=nb_visits') => fixture.getJson(`method=${method}&idSite=${fixture.siteId}&period=day&date=2024-05-01${extra}`);

  before(async () => {
    fixture = await createReportFixture({ timezone: 'Asia/Kathmandu' });
    await createVisit(fixture.db, {
      idsite: fixture.siteId, idvisitor: '9999999999999999', visit_last_action_time: '2024-05-01 05:00:00', visitor_localtime: '07:30:00',
      config_device_brand: 'AP', config_device_model: 'iPhone', config_os: 'IOS', config_os_version: '17.4', config_browser_name: 'MF', config_browser_version: '17.4',
      config_browser_engine: 'WebKit', config_resolution: '390x844', location_country: 'fr', location_region: 'IDF', location_city: 'Paris',
    });
  });

  after(async () => { await fixture.close(); });

  it('getBrowserVersions labels browser and version', async () => {
    assert.deepEqual(await rows('DevicesDetection.getBrowserVersions', '&showColumns=nb_visits,logo'), [
      { label: 'Firefox 125.0', nb_visits: 2, logo: 'plugins/Morpheus/icons/dist/browsers/FF.png' },
      { label: 'Chrome 125.0', nb_visits: 1, logo: 'plugins/Morpheus/icons/dist/browsers/CH.png' },
      { label: 'Mobile Safari 17.4', nb_visits: 1, logo: 'plugins/Morpheus/icons/dist/browsers/MF.png' },
      { label: 'Unknown', nb_visits: 1, logo: 'plugins/Morpheus/icons/dist/browsers/UNK.png' },
    ]);
  });

  it('getOsVersions, getBrand, getModel and getBrowserEngines group devices', async () => {
    assert.deepEqual((await rows('DevicesDetection.getOsVersions')).map((row: any) => [row.label, row.nb_visits]), [['Windows 10', 2], ['Android 10', 1], ['iOS 17.4', 1], ['Unknown', 1]]);
    assert.deepEqual(await rows('DevicesDetection.getBrand'), [{ label: 'Unknown', nb_visits: 4 }, { label: 'AP', nb_visits: 1 }]);
    assert.deepEqual(await rows('DevicesDetection.getModel'), [{ label: 'Unknown', nb_visits: 4 }, { label: 'AP - iPhone', nb_visits: 1 }]);
    assert.deepEqual(await rows('DevicesDetection.getBrowserEngines'), [{ label: 'Gecko', nb_visits: 4 }, { label: 'WebKit', nb_visits: 1 }]);
  });

  it('getResolution groups screen sizes', async () => {
    assert.deepEqual(await rows('Resolution.getResolution'), [{ label: '1920x1080', nb_visits: 4 }, { label: '390x844', nb_visits: 1 }]);
  });

  it('getRegion and getCity name the place with its country', async () => {
    assert.deepEqual(await rows('UserCountry.getCity', `&label=${encodeURIComponent(encodeURIComponent('Paris, IDF, France'))}`), [
      { label: 'Paris, IDF, France', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, city: 'Paris', country: 'fr', logo: 'plugins/Morpheus/icons/dist/flags/fr.png', segment: 'city==Paris;countryCode==fr' },
    ]);
    assert.deepEqual(withoutRowMetadata(await rows('UserCountry.getRegion')), [{ label: 'Unknown', nb_visits: 4, region: '', country: 'xx' }, { label: 'IDF, France', nb_visits: 1, region: 'IDF', country: 'fr' }]);
  });

  it('getContinent groups countries by continent', async () => {
    assert.deepEqual(await rows('UserCountry.getContinent', '&showColumns=nb_visits,code,segment'), [
      { label: 'Europe', nb_visits: 4, code: 'eur', segment: 'continentCode==eur' },
      { label: 'Unknown', nb_visits: 1, code: 'unk', segment: 'continentCode==unk' },
    ]);
    const segmented = await rows('VisitsSummary.get', `&showColumns=nb_visits&segment=${encodeURIComponent('continentCode==eur')}`);
    assert.deepEqual(segmented, { nb_visits: 4 });
    const outside = await rows('VisitsSummary.get', `&showColumns=nb_visits&segment=${encodeURIComponent('continentCode!=eur')}`);
    assert.deepEqual(outside, { nb_visits: 1 });
    const unknown = await rows('VisitsSummary.get', `&showColumns=nb_visits&segment=${encodeURIComponent('continentCode==unk')}`);
    assert.deepEqual(unknown, { nb_visits: 1 });
  });

  it('getVisitInformationPerServerTime counts hours in the site time zone', async () => {
    // Kathmandu is UTC+5:45: 05:00 UTC is 10:45, and 10:05 to 13:00 UTC are 15:50 to 18:45.
    assert.deepEqual((await rows('VisitTime.getVisitInformationPerServerTime')).filter((row: any) => row.nb_visits > 0), [
      { label: '10h', nb_visits: 1 }, { label: '15h', nb_visits: 1 }, { label: '16h', nb_visits: 1 }, { label: '17h', nb_visits: 1 }, { label: '18h', nb_visits: 1 },
    ]);
  });

  it('getVisitInformationPerLocalTime counts the visitor local hour', async () => {
    assert.deepEqual((await rows('VisitTime.getVisitInformationPerLocalTime')).filter((row: any) => row.nb_visits > 0), [{ label: '7h', nb_visits: 1 }]);
  });

  it('keeps hours in clock order in a week', async () => {
    const week = withoutRowMetadata(await fixture.getJson(`method=VisitTime.getVisitInformationPerServerTime&idSite=${fixture.siteId}&period=week&date=2024-05-01&showColumns=nb_visits`));
    assert.deepEqual(week.filter((row: any) => row.nb_visits > 0).map((row: any) => row.label), ['10h', '15h', '16h', '17h', '18h']);
    assert.equal(week.length, 24);
  });
});
