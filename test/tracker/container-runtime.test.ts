import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { callTagManager } from '../support/api-client.js';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { buildTestServer, createTestRoot, createTestTenant, listenOnLoopback, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';

const PAGE_TITLE = 'Sign up';

describe('Tag Manager container in Chromium', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let recorder: RecordingServer;
  let browser: TestBrowser;
  let siteId: number;
  let pageUrl: string;

  before(async () => {
    await ensureTrackerBundle();
    root = createTestRoot();
    const tenant = await createTestTenant(root, { siteUrl: 'http://shop.test.example' });
    siteId = tenant.idSite;
    app = await buildTestServer(root);
    const footfallOrigin = `http://${tenant.host}:${await listenOnLoopback(app)}`;
    recorder = await startRecordingServer();
    const collectBase = `http://collect.test.example:${recorder.port}/`;

    const call = (method: string, body: string): Promise<any> => callTagManager(app, tenant.host, tenant.tokenAuth, method, body);
    const containerId: string = (await call('addContainer', `idSite=${siteId}&name=Main`)).value;
    const draftId: number = (await call('getContainer', `idSite=${siteId}&idContainer=${containerId}`)).draft.idcontainerversion;
    const target = `idSite=${siteId}&idContainer=${containerId}&idContainerVersion=${draftId}`;
    await call('addContainerVariable', `${target}&type=DataLayer&name=Plan&parameters[dataLayerName]=plan&defaultValue=free`);
    await call('addContainerVariable', `${target}&type=MatomoConfiguration&name=Config&parameters[matomoUrl]=${encodeURIComponent(collectBase)}&parameters[idSite]=${siteId}`);
    const pageView = (await call('addContainerTrigger', `${target}&type=PageView&name=All+pages`)).value;
    const signup = (await call('addContainerTrigger', `${target}&type=CustomEvent&name=Signup&parameters[eventName]=signup&conditions[0][actual]=PageUrl&conditions[0][comparison]=contains&conditions[0][expected]=signup`)).value;
    const configReference = encodeURIComponent('{{Config}}');
    await call('addContainerTag', `${target}&type=Matomo&name=Pageview&parameters[matomoConfig]=${configReference}&parameters[trackingType]=pageview&fireTriggerIds[]=${pageView}`);
    await call('addContainerTag', `${target}&type=Matomo&name=Signup+event&parameters[matomoConfig]=${configReference}&parameters[trackingType]=event&parameters[eventCategory]=Signup&parameters[eventAction]=${encodeURIComponent('{{Plan}}')}&fireTriggerIds[]=${signup}&fireLimit=once_page`);
    await call('addContainerTag', `${target}&type=CustomHtml&name=Thanks&parameters[customHtml]=${encodeURIComponent('<p class="thanks">Plan {{Plan}}</p>')}&fireTriggerIds[]=${signup}`);
    const versionId: number = (await call('createContainerVersion', `idSite=${siteId}&idContainer=${containerId}&name=v1`)).value;
    await call('publishContainerVersion', `idSite=${siteId}&idContainer=${containerId}&idContainerVersion=${versionId}`);
    const embedCode: string = (await call('getContainerEmbedCode', `idSite=${siteId}&idContainer=${containerId}`)).value;

    recorder.setPage('/signup.html', [
      `<!doctype html><html><head><title>${PAGE_TITLE}</title><script src="${footfallOrigin}/matomo.js"></script>`,
      embedCode.replace(`//${tenant.host}/`, `${footfallOrigin}/`), '</head><body><p>Form</p></body></html>',
    ].join('\n'));
    pageUrl = `http://shop.test.example:${recorder.port}/signup.html`;
    browser = await launchTestBrowser();
  });
  after(async () => {
    await browser?.close();
    await recorder?.close();
    await app?.close();
    await root?.cleanup();
  });

  it('fires page view and custom event tags', async () => {
    const page = await browser.context.newPage();
    await page.goto(pageUrl);
    const [pageViewHit] = await recorder.waitForHits(1);

    await page.evaluate('_mtm.push({ event: "signup", plan: "gold" })');
    const [, eventHit] = await recorder.waitForHits(2);
    await page.evaluate('_mtm.push({ event: "signup", plan: "silver" })');
    await page.evaluate(`Matomo.getTracker("http://collect.test.example:${recorder.port}/matomo.php", ${siteId}).trackEvent("Sentinel", "Sent")`);
    const hits = await recorder.waitForHits(3);
    const thanks = await page.$$eval('p.thanks', (elements) => elements.map((element) => element.textContent));

    assert.equal(pageViewHit!.params.action_name, PAGE_TITLE);
    assert.equal(pageViewHit!.params.idsite, String(siteId));
    assert.equal(pageViewHit!.params.url, pageUrl);
    assert.equal(eventHit!.params.e_c, 'Signup');
    assert.equal(eventHit!.params.e_a, 'gold');
    assert.equal(eventHit!.params.ca, '1');
    assert.deepEqual(hits.map((hit) => hit.params.e_c ?? 'pageview'), ['pageview', 'Signup', 'Sentinel']);
    assert.deepEqual(thanks, ['Plan gold', 'Plan silver']);
    await page.close();
  });
});
