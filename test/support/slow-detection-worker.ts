/**
 * Entry of a test detection thread. It replies as `device-detection-worker` does, but spins
 * on a user agent that contains `SLOW_USER_AGENT_MARKER`, as a backtracking pattern would.
 * When the environment variable `RECEIVED_USER_AGENTS_FILE_ENV` names a file, it appends
 * each user agent that it receives there as a JSON line before detecting it.
 */
import { appendFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { WARM_UP_USER_AGENTS, type DetectionAnswer, type DetectionRequest } from '../../src/tracking/detection-thread.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';

/** Text that makes this thread spin on a user agent. */
export const SLOW_USER_AGENT_MARKER = 'SlowDetectionProbe/1.0';

/**
 * Environment variable with the path of the file of received user agents. A worker copies the
 * environment of the main thread when it starts, so a test sets it before the thread starts.
 */
export const RECEIVED_USER_AGENTS_FILE_ENV = 'FOOTFALL_TEST_RECEIVED_USER_AGENTS_FILE';

/**
 * Maximum time that this thread spins on one user agent, in milliseconds. A thread that the
 * time limit fails to end then replies with the real result, so the test fails and stops.
 */
const MAX_SPIN_MS = 60_000;

/** Keeps the thread busy, without yielding, until `MAX_SPIN_MS` have passed. */
function spin(): void {
  const end = Date.now() + MAX_SPIN_MS;
  while (Date.now() < end) {
    // Busy wait on purpose.
  }
}

// The test imports this module for the marker, and there it has no parent port and does nothing.
const port = parentPort;
if (port !== null) {
  const detection = new DeviceDetection(1);
  const receivedFile = process.env[RECEIVED_USER_AGENTS_FILE_ENV];
  port.on('message', (request: DetectionRequest) => {
    if (request.id === undefined) {
      for (const userAgent of WARM_UP_USER_AGENTS) detection.detectUncached(userAgent);
      port.postMessage({ id: undefined } satisfies DetectionAnswer);
      return;
    }
    // Written before the spin, so a request that the thread ends mid-detection is recorded too.
    if (receivedFile !== undefined) appendFileSync(receivedFile, `${JSON.stringify(request.userAgent)}\n`);
    if (request.userAgent.includes(SLOW_USER_AGENT_MARKER)) spin();
    const answer: DetectionAnswer = { id: request.id, info: detection.detectUncached(request.userAgent, request.uadata) };
    port.postMessage(answer);
  });
}
