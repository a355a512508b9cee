/**
 * Entry of a test detection thread. It replies as `device-detection-worker` does, but spins
 * on a user agent that contains `SLOW_USER_AGENT_MARKER`, as a backtracking pattern would.
 */
import { parentPort } from 'node:worker_threads';
import { WARM_UP_USER_AGENTS, type DetectionAnswer, type DetectionRequest } from '../../src/tracking/detection-thread.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';

/** Text that makes this thread spin on a user agent. */
export const SLOW_USER_AGENT_MARKER = 'SlowDetectionProbe/1.0';

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
  port.on('message', (request: DetectionRequest) => {
    if (request.id === undefined) {
      for (const userAgent of WARM_UP_USER_AGENTS) detection.detectUncached(userAgent);
      port.postMessage({ id: undefined } satisfies DetectionAnswer);
      return;
    }
    if (request.userAgent.includes(SLOW_USER_AGENT_MARKER)) spin();
    const answer: DetectionAnswer = { id: request.id, info: detection.detectUncached(request.userAgent, request.uadata) };
    port.postMessage(answer);
  });
}
