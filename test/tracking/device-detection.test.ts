import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { MAX_FAILED_THREAD_STARTS } from '../../src/tracking/detection-thread.js';
import { DeviceDetection, UNKNOWN_DEVICE } from '../../src/tracking/device-detection.js';
import { RECEIVED_USER_AGENTS_FILE_ENV, SLOW_USER_AGENT_MARKER } from '../support/slow-detection-worker.js';

const require = createRequire(import.meta.url);
const DETECTOR_OPTIONS = { clientIndexes: true, deviceIndexes: true, osIndexes: true, deviceAliasCode: false, maxUserAgentSize: 500 };

/** Entry of a detection thread that spins on user agents with `SLOW_USER_AGENT_MARKER`. */
const SLOW_WORKER_URL = new URL('../support/slow-detection-worker.js', import.meta.url);

/**
 * Time limit of a detection in the tests with the slow thread, in milliseconds. A warmed thread
 * detects an ordinary user agent in under 40 ms, so the limit ends only the spinning ones.
 */
const TEST_DETECTION_TIMEOUT_MS = 1_000;

/** Upper bound of a test with the slow thread, which ends a test whose thread is never ended. */
const SLOW_TEST_OPTIONS = { timeout: 120_000 };

/** Time limit of the slow thread in a test that ends the thread with `close` long before it, in milliseconds. */
const UNREACHED_DETECTION_TIMEOUT_MS = 60_000;

/** Warning of `DeviceDetection` when the thread ran past the time limit on a user agent. */
const TIMED_OUT_MESSAGE = 'device detection timed out, so this user agent is recorded as an unknown device';

/** Detected as Firefox on the main thread, but the slow thread spins on it. */
const SLOW_AGENT = `Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0 ${SLOW_USER_AGENT_MARKER}`;

interface LoggedLine {
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that records its warnings and errors, and lets a test await a message. */
interface LogRecording {
  logger: Logger;
  logged: LoggedLine[];
  /** Resolves once `count` lines with `message` were logged, counting those logged before the call. */
  untilLogged(message: string, count?: number): Promise<void>;
}

/** Creates a logger that records its warnings and errors. */
function recordingLogger(): LogRecording {
  const logged: LoggedLine[] = [];
  let pending: { message: string; count: number; resolve(): void }[] = [];
  const countOf = (message: string): number => logged.filter((line) => line.message === message).length;
  const record = (fields: Record<string, unknown>, message: string): void => {
    logged.push({ fields, message });
    const reached = pending.filter((awaited) => countOf(awaited.message) >= awaited.count);
    pending = pending.filter((awaited) => !reached.includes(awaited));
    for (const awaited of reached) awaited.resolve();
  };
  const untilLogged = (message: string, count = 1): Promise<void> => new Promise((resolve) => {
    if (countOf(message) >= count) resolve();
    else pending.push({ message, count, resolve });
  });
  return { logger: { warn: record, error: record } as unknown as Logger, logged, untilLogged };
}

/**
 * Makes the slow threads started from now on record the user agents that they receive.
 * `received` reads them in order, and `restore` stops the recording and deletes the file.
 */
function recordReceivedUserAgents(): { received(): string[]; restore(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'footfall-received-'));
  const file = join(folder, 'received.jsonl');
  process.env[RECEIVED_USER_AGENTS_FILE_ENV] = file;
  return {
    received: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as string) : []),
    restore: () => {
      delete process.env[RECEIVED_USER_AGENTS_FILE_ENV];
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Counts the timeouts that a recording logger has logged. */
function timeoutsIn(logged: readonly LoggedLine[]): number {
  return logged.filter((line) => line.message === TIMED_OUT_MESSAGE).length;
}

/** Browser families with `{v}` where a version number goes. */
const AGENT_TEMPLATES = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.{v}',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{v} Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{v} Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Safari/605.1.15',
  'Mozilla/5.0 (iPad; CPU OS 16_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 12; Redmi Note 1{v}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.{v}',
];

/** User agents of the shared logs, several browser families, and devices that need the full brand scan. */
function sampleUserAgents(): string[] {
  const agents = new Set<string>([
    ...AGENT_TEMPLATES.flatMap((template) => Array.from({ length: 5 }, (_, version) => template.replace('{v}', String(version)))),
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30',
    'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  ]);
  const logs = fileURLToPath(new URL('../../../../shared/data/access-logs/', import.meta.url));
  for (const name of readdirSync(logs).filter((file) => file.endsWith('.log'))) {
    for (const match of readFileSync(`${logs}${name}`, 'utf8').matchAll(/"((?:Mozilla|Opera)\/[^"]{10,})"/g)) agents.add(match[1]!);
  }
  return [...agents];
}

describe('device detection', () => {
  test('cached patterns match the library', () => {
    const agents = sampleUserAgents();
    assert.ok(agents.length >= 40, `only ${agents.length} user agents to compare`);
    // A child process loads the library without this project's module, so its parsers build every pattern anew.
    const script = `const D = require('node-device-detector'); const d = new D(${JSON.stringify(DETECTOR_OPTIONS)});`
      + `const agents = JSON.parse(require('fs').readFileSync(0, 'utf8'));`
      + `process.stdout.write(JSON.stringify(agents.map((agent) => d.detect(agent))));`;
    const child = spawnSync(process.execPath, ['-e', script], { input: JSON.stringify(agents), encoding: 'utf8', cwd: fileURLToPath(new URL('../../..', import.meta.url)) });
    assert.equal(child.status, 0, child.stderr);
    const unchanged = JSON.parse(child.stdout) as unknown[];

    // Importing device-detection.js above replaced the parsers' pattern builder in this process.
    const Detector = require('node-device-detector') as new (options: object) => { detect(agent: string): unknown };
    const detector = new Detector(DETECTOR_OPTIONS);
    agents.forEach((agent, index) => assert.deepEqual(JSON.parse(JSON.stringify(detector.detect(agent))), unchanged[index], agent));
  });

  test('thread detects a new agent', async () => {
    const agent = 'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.1 Mobile Safari/537.36';
    const uadata = JSON.stringify({ fullVersionList: [{ brand: 'Google Chrome', version: '120.0.0.1' }], mobile: true, model: 'SM-S918B', platform: 'Android', platformVersion: '13.0.0' });
    const threaded = new DeviceDetection(10, { offThread: true });
    try {
      // The start and warm-up of the thread count against the wait of a hit, so they end first.
      await threaded.warmUp();
      const first = threaded.prepare(agent, uadata);
      assert.ok(first, 'a new user agent returns a promise');
      assert.equal(threaded.prepare(agent, uadata), first, 'a second hit with the same agent waits for the same detection');
      await first;
      assert.equal(threaded.prepare(agent, uadata), undefined, 'a cached agent needs no wait');
      assert.deepEqual(threaded.detect(agent, uadata), new DeviceDetection(10).detect(agent, uadata));
      assert.equal(threaded.detect(agent, uadata).deviceModel, 'Galaxy S23 Ultra');
    } finally {
      await threaded.close();
    }
  });

  test('no thread means no wait', () => {
    assert.equal(new DeviceDetection(10).prepare('Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0'), undefined);
  });

  test('closed thread starts again', async () => {
    const threaded = new DeviceDetection(10, { offThread: true });
    try {
      await threaded.prepare('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0');
      await threaded.close();
      const agent = 'Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0';
      const restarting = threaded.prepare(agent);
      assert.ok(restarting, 'a new user agent after close returns a promise');
      await restarting;
      // The first wait may reach the limit while the new thread warms up, and then this call sends the agent again.
      await threaded.warmUp();
      await threaded.prepare(agent);
      assert.equal(threaded.prepare(agent), undefined, 'the new thread answered and its answer is cached');
      assert.equal(threaded.detect(agent).browserName, 'FF');
    } finally {
      await threaded.close();
    }
  });

  test('ended thread still settles waits', async () => {
    const threaded = new DeviceDetection(10, { offThread: true });
    const agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';
    try {
      // The thread still warms up when `close` ends it, so the request never reaches it.
      const waiting = threaded.prepare(agent);
      await threaded.close();
      await waiting;
      assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, 'the main thread detected an agent that close cut off');

      await threaded.warmUp();
      const again = threaded.prepare(agent);
      assert.ok(again, 'a cut-off agent is sent to the new thread');
      await again;
      assert.equal(threaded.prepare(agent), undefined, 'the new thread replied and its result is cached');
      assert.equal(threaded.detect(agent).browserName, 'FF');
    } finally {
      await threaded.close();
    }
  });

  test('closing with waits logs no failure', async () => {
    const logged: string[] = [];
    const logger = { warn: (_fields: object, message: string) => logged.push(message), error: (_fields: object, message: string) => logged.push(message) };
    const threaded = new DeviceDetection(100, { offThread: true, logger: logger as unknown as Logger });
    const agents = Array.from({ length: 20 }, (_, version) => `Mozilla/5.0 (X11; Linux x86_64; rv:${200 + version}.0) Gecko/20100101 Firefox/${200 + version}.0`);
    const waits = agents.map((agent) => threaded.prepare(agent));
    await threaded.close();
    await Promise.all(waits);
    assert.deepEqual(logged, []);
    for (const agent of agents) assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, agent);
  });

  test('pool detects past busy thread', SLOW_TEST_OPTIONS, async () => {
    // With one thread, the second agent would wait behind the spinning one until the (unreached) limit.
    const pooled = new DeviceDetection(10, {
      offThread: true, threads: 2, unlimitedWait: true, timeoutMs: UNREACHED_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL,
    });
    const slow = `Mozilla/5.0 (X11; Linux x86_64) ${SLOW_USER_AGENT_MARKER}`;
    const agent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    try {
      const spinning = pooled.prepare(slow);
      assert.ok(spinning, 'the slow agent is sent to a thread');
      await pooled.prepare(agent);
      assert.equal(pooled.detect(agent).browserName, 'FF');
      await pooled.close();
      await spinning;
      assert.deepEqual(pooled.detect(slow), UNKNOWN_DEVICE, 'close cut off the spinning detection');
    } finally {
      await pooled.close();
    }
  });

  test('pool rejects invalid thread count', () => {
    for (const threads of [0, -1, 1.5]) {
      assert.throws(() => new DeviceDetection(10, { offThread: true, threads }), /Invalid detection thread count/, String(threads));
    }
  });

  test('warmed thread detects new agents', async () => {
    const threaded = new DeviceDetection(10, { offThread: true });
    try {
      await threaded.warmUp();
      const agent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
      await threaded.prepare(agent);
      assert.equal(threaded.prepare(agent), undefined, 'the answer is cached');
      assert.deepEqual(threaded.detect(agent), new DeviceDetection(10).detect(agent));
    } finally {
      await threaded.close();
    }
  });

  test('warm-up without a thread does nothing', () => {
    const detection = new DeviceDetection(10);
    void detection.warmUp();
    assert.equal(detection.prepare('Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0'), undefined);
  });

  test('warming thread lets the process exit', () => {
    const module = new URL('../../src/tracking/device-detection.js', import.meta.url).href;
    const script = `const { DeviceDetection } = await import(${JSON.stringify(module)});`
      + `void new DeviceDetection(10, { offThread: true }).warmUp(); console.log('started');`;
    // The thread keeps the process running until it has warmed up, and the time limit only ends
    // a child that would never exit. The assertion is on how it ended.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, null, 'the process had to be killed: the warmed thread kept it running');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'started');
  });

  test('thread that cannot start is given up', () => {
    // A copy of the module in a folder without the thread's entry file: every thread it starts fails to load.
    const folder = mkdtempSync(fileURLToPath(new URL('./missing-entry-', import.meta.url)));
    try {
      for (const file of ['device-detection.js', 'detection-thread.js']) copyFileSync(new URL(`../../src/tracking/${file}`, import.meta.url), `${folder}/${file}`);
      const script = `const { DeviceDetection } = await import(${JSON.stringify(`${folder}/device-detection.js`)});`
        + 'const logged = []; const logger = { warn: (fields, message) => logged.push(message), error: (fields, message) => logged.push(message) };'
        + 'const d = new DeviceDetection(100, { offThread: true, logger }); const browsers = [];'
        + 'for (let v = 100; v < 110; v += 1) { const agent = `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;'
        + ' await d.prepare(agent); browsers.push(d.detect(agent).browserName); }'
        + 'console.log(JSON.stringify({ browsers: [...new Set(browsers)], logged: logged.length }));';
      // The time limit only ends a child that would never exit; the assertions are on its output.
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(child.status, 0, child.stderr);
      const output = JSON.parse(child.stdout) as { browsers: string[]; logged: number };
      assert.deepEqual(output.browsers, ['FF']);
      // The first two failed starts log a warning each, and the third logs once that the thread is given up.
      assert.equal(output.logged, 3);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('idle thread lets the process exit', () => {
    const module = new URL('../../src/tracking/device-detection.js', import.meta.url).href;
    const script = `const { DeviceDetection } = await import(${JSON.stringify(module)});`
      + `const d = new DeviceDetection(10, { offThread: true }); await d.warmUp(); await d.prepare('Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0');`
      + `console.log(d.detect('Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0').browserName);`;
    // The time limit only ends a child that would never exit; the assertion is on how it ended.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, null, 'the process had to be killed: the idle thread kept it running');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'FF');
  });

  test('unknown device matches empty agent', () => {
    assert.deepEqual(UNKNOWN_DEVICE, new DeviceDetection(1).detectUncached(''));
  });

  test('invalid time limit is rejected', () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      assert.throws(() => new DeviceDetection(10, { offThread: true, timeoutMs }), RangeError, String(timeoutMs));
    }
  });

  test('slow agent times out as unknown', SLOW_TEST_OPTIONS, async () => {
    const { logger, logged, untilLogged } = recordingLogger();
    const threaded = new DeviceDetection(10, { offThread: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    // Detected as Firefox on the main thread.
    const slow = `Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0 ${'x'.repeat(200)} ${SLOW_USER_AGENT_MARKER}`;
    const queued = [
      'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0',
      'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.2 Mobile Safari/537.36',
    ];
    try {
      await threaded.warmUp();
      const settled: string[] = [];
      const waits = [slow, ...queued].map((agent) => {
        const wait = threaded.prepare(agent);
        assert.ok(wait, `a new user agent returns a promise: ${agent}`);
        return wait.then(() => settled.push(agent));
      });
      await Promise.all(waits);
      assert.deepEqual(settled, [slow, ...queued], 'the slow agent settles first, then the ones queued behind it');
      await untilLogged(TIMED_OUT_MESSAGE);

      assert.equal(threaded.prepare(slow), undefined, 'the timed-out agent is cached');
      assert.deepEqual(threaded.detect(slow), UNKNOWN_DEVICE);
      for (const agent of queued) {
        assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, `an agent that waited a full limit is unknown: ${agent}`);
      }

      assert.equal(logged.length, 1, JSON.stringify(logged));
      assert.equal(logged[0]!.message, TIMED_OUT_MESSAGE);
      assert.equal(logged[0]!.fields.userAgent, undefined, 'the user agent itself is never logged');
      assert.equal(logged[0]!.fields.userAgentSha256, createHash('sha256').update(slow).digest('hex').slice(0, 16));
      assert.equal(logged[0]!.fields.userAgentLength, slow.length);
      assert.equal(logged[0]!.fields.timeoutMs, TEST_DETECTION_TIMEOUT_MS);

      await threaded.warmUp();
      const mainThread = new DeviceDetection(10);
      for (const agent of queued) {
        const again = threaded.prepare(agent);
        assert.ok(again, `an agent that waited a full limit is sent again: ${agent}`);
        await again;
        assert.equal(threaded.prepare(agent), undefined, `a new thread replied and its result is cached: ${agent}`);
        assert.deepEqual(threaded.detect(agent), mainThread.detect(agent), agent);
      }
      assert.equal(threaded.detect(queued[0]!).browserName, 'FF');
      assert.equal(threaded.detect(queued[1]!).deviceModel, 'Galaxy S23 Ultra');
    } finally {
      await threaded.close();
    }
  });

  test('repeated timeouts keep thread working', SLOW_TEST_OPTIONS, async () => {
    const { logger, logged, untilLogged } = recordingLogger();
    const threaded = new DeviceDetection(10, { offThread: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    // Each slow agent ends one worker, as many in a row as the failed starts that give the thread up.
    const slowAgents = Array.from({ length: MAX_FAILED_THREAD_STARTS }, (_, index) => `Mozilla/5.0 (X11; Linux x86_64; rv:14${index}.0) Gecko/20100101 Firefox/14${index}.0 ${SLOW_USER_AGENT_MARKER}`);
    const ordinary = 'Mozilla/5.0 (X11; Linux x86_64; rv:150.0) Gecko/20100101 Firefox/150.0';
    try {
      for (const [index, agent] of slowAgents.entries()) {
        // A new worker warms up first, so that the slow agent reaches it before its wait ends.
        await threaded.warmUp();
        await threaded.prepare(agent);
        await untilLogged(TIMED_OUT_MESSAGE, index + 1);
      }
      await threaded.warmUp();
      await threaded.prepare(ordinary);
      for (const agent of slowAgents) assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, agent);
      assert.equal(threaded.prepare(ordinary), undefined, 'the thread replied and its result is cached');
      assert.equal(threaded.detect(ordinary).browserName, 'FF');
      assert.deepEqual(logged.map(({ message }) => message), slowAgents.map(() => TIMED_OUT_MESSAGE));

      const later = 'Mozilla/5.0 (X11; Linux x86_64; rv:151.0) Gecko/20100101 Firefox/151.0';
      assert.ok(threaded.prepare(later), 'the thread was not given up');
    } finally {
      await threaded.close();
    }
  });

  test('timeout covers other client hints', SLOW_TEST_OPTIONS, async () => {
    const { logger, logged, untilLogged } = recordingLogger();
    const recording = recordReceivedUserAgents();
    const threaded = new DeviceDetection(10, { offThread: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    // Malformed client hints, which detection ignores, and well-formed ones.
    const variants = ['x1', '{"brands":', JSON.stringify({ brands: [{ brand: 'Firefox', version: '125' }], mobile: false, platform: 'Linux' })];
    try {
      await threaded.warmUp();
      const first = threaded.prepare(SLOW_AGENT);
      // Queued behind the first, until the timeout takes it off the queue or its wait ends.
      const queuedVariant = threaded.prepare(SLOW_AGENT, 'queued');
      assert.ok(first);
      assert.ok(queuedVariant);
      await Promise.all([first, queuedVariant]);
      await untilLogged(TIMED_OUT_MESSAGE);
      assert.deepEqual(threaded.detect(SLOW_AGENT), UNKNOWN_DEVICE);
      assert.deepEqual(threaded.detect(SLOW_AGENT, 'queued'), UNKNOWN_DEVICE);

      for (const uadata of variants) {
        assert.equal(threaded.prepare(SLOW_AGENT, uadata), undefined, `client hints ${uadata} are not sent to the thread`);
        assert.deepEqual(threaded.detect(SLOW_AGENT, uadata), UNKNOWN_DEVICE, uadata);
      }
      assert.equal(timeoutsIn(logged), 1, 'the slow agent held the thread for a full limit more than once');
      await threaded.close();
      assert.deepEqual(recording.received(), [SLOW_AGENT], 'only the first request reached the worker');
    } finally {
      await threaded.close();
      recording.restore();
    }
  });

  test('ordinary agent waits one limit', SLOW_TEST_OPTIONS, async () => {
    const { logger, logged, untilLogged } = recordingLogger();
    const recording = recordReceivedUserAgents();
    const threaded = new DeviceDetection(10, { offThread: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    const slowAgents = Array.from({ length: 6 }, (_, index) => `Mozilla/5.0 (X11; Linux x86_64; rv:16${index}.0) Gecko/20100101 Firefox/16${index}.0 ${SLOW_USER_AGENT_MARKER}`);
    const ordinary = 'Mozilla/5.0 (X11; Linux x86_64; rv:170.0) Gecko/20100101 Firefox/170.0';
    try {
      await threaded.warmUp();
      const slowWaits = slowAgents.map((agent) => threaded.prepare(agent));
      const ordinaryWait = threaded.prepare(ordinary);
      assert.ok(ordinaryWait);
      await ordinaryWait;
      // The first slow agent may time out just before, and each slow agent behind it would add one more.
      const timeoutsBeforeOrdinary = timeoutsIn(logged);
      assert.ok(timeoutsBeforeOrdinary <= 1, `the ordinary agent waited for ${timeoutsBeforeOrdinary} full time limits`);
      assert.deepEqual(threaded.detect(ordinary), UNKNOWN_DEVICE, 'an agent that waited a full limit is unknown');

      await Promise.all(slowWaits);
      await untilLogged(TIMED_OUT_MESSAGE);
      for (const agent of slowAgents) assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, agent);

      await threaded.warmUp();
      const again = threaded.prepare(ordinary);
      assert.ok(again, 'the ordinary agent is sent again on a later call');
      await again;
      assert.equal(threaded.prepare(ordinary), undefined, 'the thread replied and its result is cached');
      assert.equal(threaded.detect(ordinary).browserName, 'FF');
      assert.equal(timeoutsIn(logged), 1, 'a slow agent that no hit waited for still reached the worker');
      await threaded.close();
      assert.deepEqual(recording.received(), [slowAgents[0], ordinary]);
    } finally {
      await threaded.close();
      recording.restore();
    }
  });

  test('abandoned requests never reach worker', SLOW_TEST_OPTIONS, async () => {
    const { logger, untilLogged } = recordingLogger();
    const recording = recordReceivedUserAgents();
    const threaded = new DeviceDetection(10, { offThread: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    const abandoned = Array.from({ length: 3 }, (_, index) => `Mozilla/5.0 (X11; Linux x86_64; rv:18${index}.0) Gecko/20100101 Firefox/18${index}.0`);
    const later = 'Mozilla/5.0 (X11; Linux x86_64; rv:190.0) Gecko/20100101 Firefox/190.0';
    try {
      await threaded.warmUp();
      await Promise.all([SLOW_AGENT, ...abandoned].map((agent) => threaded.prepare(agent)));
      await untilLogged(TIMED_OUT_MESSAGE);
      for (const agent of abandoned) assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, agent);

      await threaded.warmUp();
      await threaded.prepare(later);
      assert.equal(threaded.detect(later).browserName, 'FF');
      await threaded.close();
      assert.deepEqual(recording.received(), [SLOW_AGENT, later]);
    } finally {
      await threaded.close();
      recording.restore();
    }
  });

  test('burst without timeouts waits fully', SLOW_TEST_OPTIONS, async () => {
    // 1,000 new agents take longer than the 200 ms limit in all, though each takes far less.
    const threaded = new DeviceDetection(1_200, { offThread: true, timeoutMs: 200 });
    const agents = Array.from({ length: 1_000 }, (_, index) => `Mozilla/5.0 (X11; Linux x86_64; rv:${300 + index}.0) Gecko/20100101 Firefox/${300 + index}.0`);
    try {
      await threaded.warmUp();
      await Promise.all(agents.map((agent) => threaded.prepare(agent)));
      for (const agent of agents) assert.equal(threaded.detect(agent).browserName, 'FF', agent);
    } finally {
      await threaded.close();
    }
  });

  test('unlimited wait outlasts slow agents', SLOW_TEST_OPTIONS, async () => {
    const { logger, logged } = recordingLogger();
    const threaded = new DeviceDetection(10, { offThread: true, unlimitedWait: true, logger, timeoutMs: TEST_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    const slowAgents = Array.from({ length: 2 }, (_, index) => `Mozilla/5.0 (X11; Linux x86_64; rv:20${index}.0) Gecko/20100101 Firefox/20${index}.0 ${SLOW_USER_AGENT_MARKER}`);
    const ordinary = 'Mozilla/5.0 (X11; Linux x86_64; rv:210.0) Gecko/20100101 Firefox/210.0';
    try {
      await threaded.warmUp();
      const slowWaits = slowAgents.map((agent) => threaded.prepare(agent));
      await threaded.prepare(ordinary);
      // The ordinary agent settles only after both slow agents ran past the limit, each on its own worker.
      assert.equal(timeoutsIn(logged), slowAgents.length);
      assert.equal(threaded.detect(ordinary).browserName, 'FF');
      await Promise.all(slowWaits);
      for (const agent of slowAgents) assert.deepEqual(threaded.detect(agent), UNKNOWN_DEVICE, agent);
    } finally {
      await threaded.close();
    }
  });

  test('close leaves waiting agent unknown', SLOW_TEST_OPTIONS, async () => {
    const threaded = new DeviceDetection(10, { offThread: true, timeoutMs: UNREACHED_DETECTION_TIMEOUT_MS, workerUrl: SLOW_WORKER_URL });
    try {
      await threaded.warmUp();
      // The worker spins on this agent, so `close` ends it mid-detection.
      const wait = threaded.prepare(SLOW_AGENT);
      assert.ok(wait);
      await threaded.close();
      await wait;
      assert.deepEqual(threaded.detect(SLOW_AGENT), UNKNOWN_DEVICE, 'the agent was detected on the main thread after close');
    } finally {
      await threaded.close();
    }
  });
});
