/** Entry of the device detection thread: replies to each `DetectionRequest` in order, with the detected device, uncached. */
import { parentPort } from 'node:worker_threads';
import { WARM_UP_USER_AGENTS, type DetectionAnswer, type DetectionRequest } from './detection-thread.js';
import { DeviceDetection } from './device-detection.js';

// The main thread caches the replies, so this thread keeps none.
const detection = new DeviceDetection(1);

parentPort?.on('message', (request: DetectionRequest) => {
  if (request.id === undefined) {
    for (const userAgent of WARM_UP_USER_AGENTS) detection.detectUncached(userAgent);
    parentPort?.postMessage({ id: undefined } satisfies DetectionAnswer);
    return;
  }
  let answer: DetectionAnswer;
  try {
    answer = { id: request.id, info: detection.detectUncached(request.userAgent, request.uadata) };
  } catch (error) {
    answer = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
