import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { callTagManager } from '../support/api-client.js';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { buildTestServer, createTestRoot, createTestTenant, listenOnLoopback, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';

/** Returns the text of every marker the container's tags appended, in order. */
function readMarkers(page: Page): Promise<string[]> {
  return page.$$eval('p.fired', (elements) => elements.map((element) => element.textContent ?? ''));
}

/** Waits until the tags appended `count` markers. */
async function waitForMarkers(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(`document.querySelectorAll('p.fired').length >= ${count}`, undefined, { timeout: 10_000 });
  return readMarkers(page);
}

const PAGE_BODY = [
  '<a id="docs" class="nav main" href="/docs.html">Read the docs</a>',
  '<a id="report" href="/files/Report.PDF">Annual report</a>',
  '<button id="plain">Plain button</button>',
  '<span id="price" data-amount="42">Price: 42 EUR</span>',
  '<h2 class="plan-name"> Gold </h2>',
  '<div style="height: 3000px">Long content</div>',
  '<div id="footer">Footer</div>',
  '<form id="signup" name="signup-form" class="wide" action="/thanks.html"><input name="email"></form>',
  '<script>window.shop = { cart: { total: 99 } };</script>',
  // Links must not leave the page, so the test can read what the tags wrote.
  '<script>document.addEventListener("click", function (event) { event.preventDefault(); });</script>',
  '<script>document.addEventListener("submit", function (event) { event.preventDefault(); });</script>',
].join('\n');

describe('Tag Manager triggers in Chromium', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let recorder: RecordingServer;
  let browser: TestBrowser;
  let pageUrl: string;

  before(async () => {
    await ensureTrackerBundle();
    root = createTestRoot();
    const tenant = await createTestTenant(root, { siteUrl: 'http://shop.test.example' });
    app = await buildTestServer(root);
    const footfallOrigin = `http://${tenant.host}:${await listenOnLoopback(app)}`;
    recorder = await startRecordingServer();

    const call = (method: string, body: string): Promise<any> => callTagManager(app, tenant.host, tenant.tokenAuth, method, body);
    const ids = `idSite=${tenant.idSite}&idContainer=${(await call('addContainer', `idSite=${tenant.idSite}&name=Triggers`)).value}`;
    const containerId = /idContainer=(\w+)/.exec(ids)![1]!;
    const draftId: number = (await call('getContainer', ids)).draft.idcontainerversion;
    const target = `${ids}&idContainerVersion=${draftId}`;
    const addTrigger = async (type: string, parameters = ''): Promise<number> => (await call('addContainerTrigger', `${target}&type=${type}&name=${type}&${parameters}`)).value;
    const addMarkerTag = (name: string, triggerId: number, marker: string): Promise<unknown> => call('addContainerTag', [
      `${target}&type=CustomHtml&name=${name}&fireTriggerIds[]=${triggerId}`,
      `parameters[customHtml]=${encodeURIComponent(`<p class="fired">${marker}</p>`)}`,
    ].join('&'));

    await call('addContainerVariable', `${target}&type=DomElement&name=Price&parameters[elementId]=price&parameters[attributeName]=data-amount`);
    await call('addContainerVariable', `${target}&type=DomElement&name=Plan&parameters[selectionMethod]=cssSelector&parameters[cssSelector]=.plan-name`);
    await call('addContainerVariable', `${target}&type=Url&name=Path&parameters[urlPart]=pathname`);
    await call('addContainerVariable', `${target}&type=DomElement&name=Missing&parameters[elementId]=nowhere&defaultValue=none`);
    await call('addContainerVariable', `${target}&type=JavaScript&name=Cart+total&parameters[variableName]=shop.cart.total`);
    const domReady = await addTrigger('DomReady');
    await addMarkerTag('Dom', domReady, 'dom {{Price}} {{Plan}} {{Path}} {{Missing}} {{Cart total}}');
    const pixelUrl = `http://collect.test.example:${recorder.port}/matomo.php?idsite=${tenant.idSite}&rec=1&action_name=pixel+{{PagePath}}`;
    await call('addContainerTag', `${target}&type=CustomImage&name=Pixel&fireTriggerIds[]=${domReady}&parameters[customImageSrc]=${encodeURIComponent(pixelUrl)}`);
    await addMarkerTag('Form', await addTrigger('FormSubmit'), 'form {{FormId}} {{FormName}} {{FormClasses}} {{FormDestination}}');
    await addMarkerTag('Error', await addTrigger('JavaScriptError'), 'error {{ErrorMessage}}');
    await addMarkerTag('Link', await addTrigger('AllLinksClick'), 'link {{ClickText}} {{ClickDestinationUrl}} {{ClickId}} {{ClickClasses}}');
    await addMarkerTag('Download', await addTrigger('AllDownloadsClick'), 'download {{ClickDestinationUrl}}');
    await addMarkerTag('History', await addTrigger('HistoryChange'), 'history {{HistorySource}} {{HistoryHashOldUrl}} {{HistoryHashNewUrl}} {{HistoryHashNew}}');
    await addMarkerTag('Footer', await addTrigger('ElementVisibility', 'parameters[elementId]=footer&parameters[minPercentVisible]=90'), 'visible {{VisibleElementId}} {{VisibleElementText}}');
    await addMarkerTag('Half', await addTrigger('ScrollReach', 'parameters[scrollType]=verticalpercentage&parameters[percentage]=50'), 'scroll {{ScrollVerticalPercentage}}');
    await addMarkerTag('Timer', await addTrigger('Timer', 'parameters[triggerInterval]=100&parameters[triggerLimit]=2'), 'timer {{TimerCount}}');
    const versionId: number = (await call('createContainerVersion', `${ids}&name=v1`)).value;
    await call('publishContainerVersion', `${target.replace(`idContainerVersion=${draftId}`, `idContainerVersion=${versionId}`)}`);

    recorder.setPage('/shop/index.html', [
      '<!doctype html><html><head><title>Shop</title>',
      `<script src="${footfallOrigin}/js/container_${containerId}.js"></script>`,
      `</head><body>${PAGE_BODY}</body></html>`,
    ].join('\n'));
    pageUrl = `http://shop.test.example:${recorder.port}/shop/index.html`;
    browser = await launchTestBrowser();
  });
  after(async () => {
    await browser?.close();
    await recorder?.close();
    await app?.close();
    await root?.cleanup();
  });

  /** Opens the page and waits for its DOM ready marker and both timer markers, so that later markers come after them. */
  async function openPage(): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(pageUrl);
    await waitForMarkers(page, 3);
    return page;
  }

  function without(markers: string[], prefixes: string[]): string[] {
    return markers.filter((marker) => !prefixes.some((prefix) => marker.startsWith(prefix)));
  }

  it('reads DOM element and URL variables', async () => {
    const page = await openPage();
    const markers = await readMarkers(page);
    assert.deepEqual(markers.filter((marker) => marker.startsWith('dom')), ['dom 42 Gold /shop/index.html none 99']);
    await page.close();
  });

  it('loads a custom image tag', async () => {
    recorder.reset();
    const page = await openPage();
    const [hit] = await recorder.waitForHits(1);
    assert.equal(hit!.params.action_name, 'pixel /shop/index.html');
    await page.close();
  });

  it('fires form submit and error triggers', async () => {
    const page = await openPage();
    await page.evaluate('document.getElementById("signup").requestSubmit()');
    await waitForMarkers(page, 4);
    await page.evaluate('setTimeout(function () { throw new Error("boom"); }, 0)');
    const markers = without(await waitForMarkers(page, 5), ['dom', 'timer']);

    assert.equal(markers.length, 2);
    assert.equal(markers[0], `form signup signup-form wide http://shop.test.example:${recorder.port}/thanks.html`);
    assert.match(markers[1]!, /^error .*boom/);
    await page.close();
  });

  it('stops a timer at its limit', async () => {
    const page = await openPage();
    // A third marker would come 100 ms after the second one; the link click shows that later events still arrive.
    await page.waitForTimeout(500);
    await page.click('#plain');
    const markers = await readMarkers(page);
    assert.deepEqual(markers.filter((marker) => marker.startsWith('timer')), ['timer 1', 'timer 2']);
    await page.close();
  });

  it('fires link and download clicks', async () => {
    const page = await openPage();
    await page.click('#plain');
    await page.click('#docs');
    await page.click('#report');
    const markers = without(await waitForMarkers(page, 6), ['dom', 'timer']);
    const origin = `http://shop.test.example:${recorder.port}`;

    assert.deepEqual(markers, [
      `link Read the docs ${origin}/docs.html docs nav main`,
      `link Annual report ${origin}/files/Report.PDF report `,
      `download ${origin}/files/Report.PDF`,
    ]);
    await page.close();
  });

  it('fires history changes with old and new URL', async () => {
    const page = await openPage();
    const origin = `http://shop.test.example:${recorder.port}`;
    await page.evaluate('history.pushState({}, "", "/shop/step2")');
    await page.evaluate('history.replaceState({}, "", "/shop/step2")');
    await page.evaluate('location.hash = "faq"');
    await waitForMarkers(page, 5);
    await page.evaluate('history.back()');
    const markers = without(await waitForMarkers(page, 6), ['dom', 'timer']);

    assert.deepEqual(markers, [
      `history pushState ${origin}/shop/index.html ${origin}/shop/step2 `,
      `history popstate ${origin}/shop/step2 ${origin}/shop/step2#faq faq`,
      `history popstate ${origin}/shop/step2#faq ${origin}/shop/step2 `,
    ]);
    await page.close();
  });

  it('fires scroll reach and element visibility once', async () => {
    const page = await openPage();
    const before = without(await readMarkers(page), ['dom', 'timer']);
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight / 2)');
    await waitForMarkers(page, 4);
    await page.evaluate('document.getElementById("footer").scrollIntoView()');
    await waitForMarkers(page, 5);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.evaluate('document.getElementById("footer").scrollIntoView()');
    // Observers report after a rendering frame; two frames later a second appearance would have fired.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.click('#docs');
    const markers = without(await waitForMarkers(page, 6), ['dom', 'timer', 'link']);

    assert.deepEqual(before, []);
    assert.equal(markers.length, 2);
    assert.match(markers[0]!, /^scroll (5[0-9]|[6-9][0-9])$/);
    assert.equal(markers[1], 'visible footer Footer');
    await page.close();
  });
});
