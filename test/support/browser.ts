/** Headless Chromium for tracker tests, driven by playwright-core, that can reach only 127.0.0.1. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Path of Debian's Chromium. */
export const CHROMIUM_PATH = process.env.FOOTFALL_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** A persistent Chromium context in a fresh profile folder, removed on close. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a temporary profile. Every host name resolves to 127.0.0.1, so
 * pages may use names such as `shop.test.example` and no request can leave the machine.
 */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'footfall-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * 127.0.0.1',
    ],
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 720 },
    screen: { width: 1280, height: 720 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
