import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { callTagManager } from '../support/api-client.js';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { buildTestServer, createTestRoot, createTestTenant, listenOnLoopback, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';

/** Opens a URL and returns the markers of the page view tags once `count` of them are on the page. */
async function openAndReadMarkers(page: Page, url: string, count: number): Promise<string[]> {
  await page.goto(url);
  await page.waitForFunction(`document.querySelectorAll('p.fired').length >= ${count}`, undefined, { timeout: 10_000 });
  return page.$$eval('p.fired', (elements) => elements.map((element) => element.textContent ?? ''));
}

describe('Tag Manager preview in Chromium', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let recorder: RecordingServer;
  let browser: TestBrowser;
  let footfallOrigin: string;
  let pageUrl: string;
  let containerId: string;

  before(async () => {
    await ensureTrackerBundle();
    root = createTestRoot();
    const tenant = await createTestTenant(root);
    app = await buildTestServer(root);
    footfallOrigin = `http://${tenant.host}:${await listenOnLoopback(app)}`;
    recorder = await startRecordingServer();

    const call = (method: string, body: string): Promise<any> => callTagManager(app, tenant.host, tenant.tokenAuth, method, body);
    containerId = (await call('addContainer', `idSite=${tenant.idSite}&name=Preview`)).value;
    const ids = `idSite=${tenant.idSite}&idContainer=${containerId}`;
    const draftId: number = (await call('getContainer', ids)).draft.idcontainerversion;
    const target = `${ids}&idContainerVersion=${draftId}`;
    const pageView: number = (await call('addContainerTrigger', `${target}&type=PageView&name=All+pages`)).value;
    const addMarkerTag = (name: string, marker: string): Promise<unknown> => call('addContainerTag', [
      `${target}&type=CustomHtml&name=${encodeURIComponent(name)}&fireTriggerIds[]=${pageView}`,
      `parameters[customHtml]=${encodeURIComponent(`<p class="fired">${marker}</p>`)}`,
    ].join('&'));
    await addMarkerTag('Live marker', '{{Environment}} live tag');
    const versionId: number = (await call('createContainerVersion', `${ids}&name=v1`)).value;
    await call('publishContainerVersion', `${ids}&idContainerVersion=${versionId}`);
    await addMarkerTag('Draft marker', '{{Environment}} draft tag');
    await call('enablePreviewMode', ids);

    // The page shares the tenant's host name, so the browser sends the Footfall session cookie with the container request.
    recorder.setPage('/landing.html', [
      '<!doctype html><html><head><title>Landing</title>',
      `<script async src="${footfallOrigin}/js/container_${containerId}.js"></script>`,
      '</head><body><p>Landing</p></body></html>',
    ].join('\n'));
    pageUrl = `http://${tenant.host}:${recorder.port}/landing.html`;
    browser = await launchTestBrowser();
  });
  after(async () => {
    await browser?.close();
    await recorder?.close();
    await app?.close();
    await root?.cleanup();
  });

  it('runs the draft for the user who enabled it', async () => {
    const page = await browser.context.newPage();
    // Sign in from a Footfall page, because only the browser maps test host names to 127.0.0.1.
    await page.goto(`${footfallOrigin}/session`);
    const signedIn = await page.evaluate(`fetch('/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: 'secret-password' }),
    }).then((response) => response.status)`);
    const logged: string[] = [];
    page.on('console', (message) => logged.push(message.text()));

    const previewed = await openAndReadMarkers(page, `${pageUrl}?mtmPreviewMode=${containerId}`, 2);
    const nextPage = await openAndReadMarkers(page, pageUrl, 2);
    const ended = await openAndReadMarkers(page, `${pageUrl}?mtmPreviewMode=0`, 1);
    const afterEnd = await openAndReadMarkers(page, pageUrl, 1);

    assert.equal(signedIn, 200);
    assert.deepEqual(previewed, ['preview live tag', 'preview draft tag']);
    assert.equal(logged.some((text) => text.includes('tag "Draft marker" (CustomHtml) fired by trigger "All pages" (PageView)')), true);
    assert.deepEqual(nextPage, ['preview live tag', 'preview draft tag']);
    assert.deepEqual(ended, ['live live tag']);
    assert.deepEqual(afterEnd, ['live live tag']);
    await page.close();
    await browser.context.clearCookies();
  });

  it('runs the live version without a session', async () => {
    const page = await browser.context.newPage();
    const markers = await openAndReadMarkers(page, `${pageUrl}?mtmPreviewMode=${containerId}`, 1);
    assert.deepEqual(markers, ['live live tag']);
    await page.close();
  });
});
