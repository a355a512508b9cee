import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { IniDocument } from '../../src/config/ini.js';
import { runCoreArchive } from '../../src/archiving/core-archive.js';
import { createSilentLogger } from '../../src/logging.js';
import { createReportFixture, FIXTURE_CLOCK, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('tenant settings of reports', () => {
  let fixture: ReportFixture;
  const visits = async (period: string, date: string) => {
    const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId}&period=${period}&date=${date}&showColumns=nb_visits`);
    return Array.isArray(result) ? 0 : result.nb_visits;
  };

  before(async () => {
    fixture = await createReportFixture();
    const tenant = fixture.root.registry.require(fixture.host);
    const config = IniDocument.parse(readFileSync(tenant.configFile, 'utf8'));
    config.set('General', 'enable_browser_archiving_triggering', '0');
    config.set('General', 'API_datatable_default_limit', '1');
    writeFileSync(tenant.configFile, config.toString());
  });

  after(async () => { await fixture.close(); });

  it('serves nothing for a day core:archive has not archived', async () => {
    assert.equal(await visits('day', '2024-05-01'), 0);
  });

  it('serves what core:archive archived', async () => {
    // The config change reloaded the tenant, so its database handle is taken afresh.
    const tenant = fixture.root.registry.require(fixture.host);
    await runCoreArchive({ db: tenant.db(), settings: tenant.settings, clock: FIXTURE_CLOCK, logger: createSilentLogger(), tenant: tenant.key }, { dateRange: ['2024-05-01', '2024-05-01'] });
    assert.equal(await visits('day', '2024-05-01'), 4);
    assert.equal(await visits('month', '2024-05-01'), 4);
  });

  it('limits rows to API_datatable_default_limit', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&idSite=${fixture.siteId}&period=day&date=2024-05-01&showColumns=nb_visits`));
    assert.deepEqual(rows, [{ label: 'France', nb_visits: 2 }]);
  });

  it('archives a range on request from the stored days', async () => {
    assert.equal(await visits('range', '2024-04-30,2024-05-02'), 4);
  });
});
