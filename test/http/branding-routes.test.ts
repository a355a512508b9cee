import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createUser } from '../../src/auth/user-store.js';
import { MAX_BRANDING_IMAGE_BYTES } from '../../src/http/branding-upload.js';
import { signInForTest } from '../support/session-server.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** A 1×1 transparent PNG. */
const PNG_BYTES = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const SAFE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><defs><linearGradient id="g"/></defs><rect width="20" height="20" fill="url(#g)"/></svg>';

function image(type: string, bytes: Buffer | string): { type: string; data: string } {
  return { type, data: Buffer.from(bytes).toString('base64') };
}

const CHECK_WORKER_URL = new URL('../support/branding-check-worker.js', import.meta.url);

/**
 * Runs the upload's image check on a worker thread and returns the error code it throws, or
 * null when the image passes. The thread ends when `signal` aborts, so a test's timeout stops a
 * check that never returns. On the test's own thread, such a check would block that timeout too.
 */
function checkImageOnThread(value: unknown, signal: AbortSignal): Promise<string | null> {
  const worker = new Worker(CHECK_WORKER_URL, { workerData: value });
  const stop = (): void => {
    void worker.terminate();
  };
  signal.addEventListener('abort', stop, { once: true });
  const reply = new Promise<string | null>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (exitCode) => reject(new Error(`The check thread exited with code ${exitCode} before it replied.`)));
  });
  return reply.finally(() => signal.removeEventListener('abort', stop));
}

describe('POST /ui/branding', () => {
  const suite = useTestRoot(async (root) => {
    const host = (await createTestTenant(root)).host;
    const otherHost = (await createTestTenant(root)).host;
    await createUser(root.registry.require(host).db(), { login: 'viewer', password: 'viewer-password', email: 'viewer@example.org', superuser: false, passwordHashCost: 4 });
    const app = await buildTestServer(root);
    const session = await signInForTest(app, host);
    return { host, otherHost, app, session };
  });

  function upload(payload: unknown, options: { cookie?: string; token?: string | null; origin?: string; onHost?: string } = {}) {
    const headers: Record<string, string> = { host: options.onHost ?? suite.host, 'content-type': 'application/json' };
    const token = options.token === undefined ? suite.session.token : options.token;
    if (token !== null) headers['x-footfall-token'] = token;
    if (options.origin) headers.origin = options.origin;
    return suite.app.inject({ method: 'POST', url: '/ui/branding', headers, cookies: { footfall_session: options.cookie ?? suite.session.cookie }, payload: JSON.stringify(payload) });
  }

  function filesOf(tenantHost: string): string[] {
    return readdirSync(suite.root.registry.require(tenantHost).paths.filesDir).filter((name) => /^(logo|favicon|branding)/.test(name)).sort();
  }

  it('stores name, colour and a PNG logo', async () => {
    const response = await upload({ productName: ' Acme Insights ', accentColor: '#AA3300', logo: image('image/png', PNG_BYTES), filename: '../../escape.png' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { productName: 'Acme Insights', accentColor: '#aa3300', logoUrl: '/ui/logo.png', faviconUrl: null });
    assert.deepEqual(filesOf(suite.host), ['branding.json', 'logo.png']);
    assert.equal(existsSync(resolve(suite.root.registry.require(suite.host).paths.filesDir, '..', '..', 'escape.png')), false);

    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.png', headers: { host: suite.host } });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.deepEqual(logo.rawPayload, PNG_BYTES);
  });

  it('shows the logo on its own tenant only', async () => {
    const other = await suite.app.inject({ method: 'GET', url: '/ui/logo.png', headers: { host: suite.otherHost } });
    assert.equal(other.statusCode, 404);
    const branding = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.otherHost } });
    assert.equal(branding.json().logoUrl, null);
    assert.equal(branding.json().productName, 'Footfall');
  });

  it('serves an SVG logo that cannot script', async () => {
    const response = await upload({ logo: image('image/svg+xml', SAFE_SVG), favicon: image('image/svg+xml', SAFE_SVG) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().logoUrl, '/ui/logo.svg');
    assert.equal(response.json().faviconUrl, '/ui/favicon.svg');
    assert.equal(response.json().productName, 'Acme Insights');
    assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);

    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.host } });
    assert.equal(logo.headers['content-type'], 'image/svg+xml');
    assert.equal(logo.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert.equal(logo.headers['content-disposition'], 'attachment; filename="logo.svg"');
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
    assert.equal(logo.body, SAFE_SVG);
  });

  const unsafeSvgs: [string, string][] = [
    ['script element', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['javascript link', '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>'],
    ['foreignObject', '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>'],
    ['entity', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['remote image', '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>'],
    ['quoted url()', `<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url('https://x.example/a')"/></svg>`],
    ['not svg', '<html><body>hello</body></html>'],
  ];
  for (const [name, svg] of unsafeSvgs) {
    it(`rejects an SVG with ${name}`, async () => {
      const response = await upload({ logo: image('image/svg+xml', svg) });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'BRANDING_INVALID');
      assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);
    });
  }

  /** Wraps SVG markup in an `<svg>` root of the SVG namespace. */
  function svgWith(inner: string, rootAttributes = ''): string {
    return `<svg xmlns="http://www.w3.org/2000/svg"${rootAttributes}>${inner}</svg>`;
  }

  /** SVGs that hide script, a script URL or a remote load from a plain text search, with the part of the message each gets. */
  const svgBypasses: [string, string, RegExp][] = [
    ['prefixed script element', svgWith('<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script>'), /the element <x:script>, which runs script/],
    ['upper-case script element', svgWith('<SCRIPT>alert(1)</SCRIPT>'), /the element <SCRIPT>, which runs script/],
    ['prefixed foreignObject', svgWith('<s:foreignObject xmlns:s="http://www.w3.org/2000/svg"><div/></s:foreignObject>'), /<s:foreignObject>, which embeds HTML/],
    ['XHTML element', svgWith('<h:div xmlns:h="http://www.w3.org/1999/xhtml">hi</h:div>'), /<h:div> in the XHTML namespace/],
    ['decimal reference in javascript', svgWith('<a href="&#106;avascript:alert(1)"><rect/></a>'), /a script or data URL in the attribute href/],
    ['hex reference in javascript', svgWith('<a href="&#x6A;avascript:alert(1)"><rect/></a>'), /a script or data URL in the attribute href/],
    ['tab reference inside javascript', svgWith('<a href="java&#x09;script:alert(1)"><rect/></a>'), /a script or data URL in the attribute href/],
    ['newline inside javascript', svgWith('<a href="java\nscript:alert(1)"><rect/></a>'), /a script or data URL in the attribute href/],
    ['leading newline reference', svgWith('<a href=" &#10;javascript:alert(1)"><rect/></a>'), /a script or data URL in the attribute href/],
    ['named reference for the colon', svgWith('<a href="javascript&colon;alert(1)"><rect/></a>'), /not well-formed XML \(1:\d+: undefined entity\)/],
    ['control character reference', svgWith('<a href="&#1;javascript:alert(1)"><rect/></a>'), /not well-formed XML/],
    ['xlink href with another prefix', svgWith('<a l:href="javascript:alert(1)" xmlns:l="http://www.w3.org/1999/xlink"><rect/></a>'), /script or data URL in the attribute l:href/],
    ['vbscript link', svgWith('<a href="vbscript:msgbox(1)"><rect/></a>'), /script or data URL in the attribute href/],
    ['HTML data link', svgWith('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><rect/></a>'), /script or data URL in the attribute href/],
    ['prefixed event handler', svgWith('<rect e:onclick="alert(1)"/>', ' xmlns:e="http://example.org/e"'), /the event handler attribute e:onclick/],
    ['upper-case event handler', svgWith('<rect/>', ' ONLOAD="alert(1)"'), /the event handler attribute ONLOAD/],
    ['backslash host link', svgWith('<a href="\\\\evil.example/x"><rect/></a>'), /the link href='\\\\evil\.example\/x', which is not a #fragment/],
    ['protocol-relative link', svgWith('<a href="//evil.example/x"><rect/></a>'), /which is not a #fragment/],
    ['DOCTYPE without entity', `<!DOCTYPE svg>${svgWith('<rect/>')}`, /a DOCTYPE or entity declaration/],
    ['stylesheet instruction', svgWith('<?xml-stylesheet type="text/css" href="https://x.example/a.css"?><rect/>'), /the processing instruction <\?xml-stylesheet\?>/],
    ['CSS escape in @import', svgWith('<style>@\\69mport "https://x.example/a.css";</style>'), /a stylesheet import or a url\(\) that is not a #fragment/],
    ['CSS escape in url()', svgWith('<rect style="fill:u\\72l(https://x.example/a)"/>'), /url\(\) that is not a #fragment in the attribute style/],
    ['image-set in CDATA', svgWith('<style><![CDATA[rect{background:image-set("https://x.example/a.png" 1x)}]]></style>'), /url\(\) that is not a #fragment/],
    ['unclosed element', '<svg xmlns="http://www.w3.org/2000/svg"><rect>', /not well-formed XML \(1:\d+: unclosed tag: rect\)/],
    ['comment-split @import', svgWith('<style>@imp<!---->ort "https://x.example/a.css";</style>'), /a stylesheet import or a url\(\) that is not a #fragment in the text of <style>/],
    ['CDATA-split url()', svgWith('<style>rect{fill:ur<![CDATA[l(https://x.example/a)]]>}</style>'), /a stylesheet import or a url\(\) that is not a #fragment in the text of <style>/],
    ['CDATA-split escape', svgWith('<style>@\\<![CDATA[69mport "https://x.example/a.css";]]></style>'), /a stylesheet import or a url\(\) that is not a #fragment in the text of <style>/],
    ['element-split @import', svgWith('<style>@imp<g>x</g>ort "https://x.example/a.css";</style>'), /a stylesheet import or a url\(\) that is not a #fragment in the text of <style>/],
    ['namespace-less root', '<svg><rect/></svg>', /the root element is <svg> without a namespace, so the file is not an SVG image/],
    ['leading text', 'logo', /the file is not an SVG image \(1:\d+: text data outside of root node\)/],
  ];
  for (const [name, svg, message] of svgBypasses) {
    it(`rejects an SVG with ${name}`, async () => {
      const response = await upload({ logo: image('image/svg+xml', svg) });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'BRANDING_INVALID');
      assert.match(response.json().message, message);
      assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);
    });
  }

  // A regular expression for the root with a repeated comment group backtracks, so 22 comments took
  // 0.37 s and each further one about doubled that. The check runs on a thread first so that the timeout can stop it.
  for (const count of [40, 5_000]) {
    it(`rejects ${count} comments before the root`, { timeout: 30_000 }, async (t) => {
      const logo = image('image/svg+xml', `${'<!---->'.repeat(count)}<x/>`);
      assert.equal(await checkImageOnThread(logo, t.signal), 'BRANDING_INVALID');

      const response = await upload({ logo });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'BRANDING_INVALID');
      assert.match(response.json().message, /the root element is <x> without a namespace, so the file is not an SVG image/);
      assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);
    });
  }

  /** Returns an SVG whose elements nest `depth` levels deep, the root being level 1. */
  function nestedGroups(depth: number): string {
    return svgWith(`${'<g>'.repeat(depth - 1)}${'</g>'.repeat(depth - 1)}`);
  }

  // saxes 6.0.0 parses nested elements in time quadratic in the depth, and 37,000 levels fit in the size limit.
  for (const depth of [257, 37_000]) {
    it(`rejects ${depth} nested elements`, async () => {
      const svg = nestedGroups(depth);
      assert.ok(svg.length <= MAX_BRANDING_IMAGE_BYTES, `${svg.length} bytes exceed the size limit`);

      const response = await upload({ logo: image('image/svg+xml', svg) });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'BRANDING_INVALID');
      assert.match(response.json().message, /the SVG nests elements more than 256 levels deep \(<g> ending at line 1, column \d+ is level 257\)\. Logos may nest at most 256 levels\./);
      assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);
    });
  }

  it('accepts 256 nested elements', async () => {
    const svg = nestedGroups(256);
    const response = await upload({ logo: image('image/svg+xml', svg) });
    assert.equal(response.statusCode, 200, response.body);
    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.host } });
    assert.equal(logo.body, svg);
  });

  it('accepts a typical editor export', async () => {
    const exported = [
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
      '<!-- Created with a vector editor -->',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"',
      '  xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
      '  inkscape:export-filename="C:\\Users\\me\\logo.png" width="40" height="40" viewBox="0 0 40 40">',
      '  <metadata><rdf:RDF><rdf:Description about="Acme &amp; Sons"/></rdf:RDF></metadata>',
      '  <style><![CDATA[ .mark { fill: url(#g1); } ]]></style>',
      '  <defs><linearGradient id="g0"><stop offset="0" stop-color="#a30"/></linearGradient>',
      '    <linearGradient id="g1" xlink:href="#g0" x2="1"/></defs>',
      '  <a href="#mark"><circle id="mark" class="mark" cx="20" cy="20" r="18" style="fill:url(\'#g1\')"/></a>',
      '  <text x="4" y="36">Acme &lt;data: 2024&gt;</text>',
      '</svg>',
    ].join('\n');
    const response = await upload({ logo: image('image/svg+xml', exported) });
    assert.equal(response.statusCode, 200, response.body);
    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.host } });
    assert.equal(logo.body, exported);
  });

  it('rejects a PNG type with other content', async () => {
    const response = await upload({ logo: image('image/png', SAFE_SVG) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'BRANDING_INVALID');
    assert.equal(response.json().message, 'Invalid logo: the file is not a PNG image.');
  });

  it('rejects a logo over the size limit', async () => {
    const large = Buffer.concat([PNG_BYTES, Buffer.alloc(MAX_BRANDING_IMAGE_BYTES)]);
    const response = await upload({ logo: image('image/png', large) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().message, `The logo has ${large.length} bytes, more than the ${MAX_BRANDING_IMAGE_BYTES} allowed. Use a smaller image.`);
  });

  it('rejects a bad colour and a long name', async () => {
    const colour = await upload({ accentColor: 'red' });
    assert.equal(colour.statusCode, 400);
    assert.equal(colour.json().message, "Invalid accent colour 'red'. Use a hex colour such as #1f6feb.");
    const name = await upload({ productName: 'x'.repeat(61) });
    assert.equal(name.statusCode, 400);
    assert.equal(name.json().code, 'BRANDING_INVALID');
  });

  it('rejects a request without the session token', async () => {
    const response = await upload({ productName: 'Forged' }, { token: null });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
  });

  it('rejects a request from another origin', async () => {
    const response = await upload({ productName: 'Forged' }, { origin: 'https://evil.example' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
  });

  it('rejects a user who is not a superuser', async () => {
    const viewer = await signInForTest(suite.app, suite.host, 'viewer', 'viewer-password');
    const response = await upload({ productName: 'Forged' }, { cookie: viewer.cookie, token: viewer.token });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'ACCESS_DENIED');
  });

  it('rejects a session of another tenant', async () => {
    const response = await upload({ productName: 'Forged' }, { onHost: suite.otherHost });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
    const branding = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.host } });
    assert.equal(branding.json().productName, 'Acme Insights');
  });

  it('removes the logo and favicon on request', async () => {
    const response = await upload({ removeLogo: true, removeFavicon: true });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().logoUrl, null);
    assert.deepEqual(filesOf(suite.host), ['branding.json']);
  });
});
