/**
 * Entry of a test thread that runs the branding image check on `workerData`, an image field of
 * the upload, and posts the error code, or null when the image passes. Other errors end the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isFootfallError } from '../../src/errors.js';
import { parseBrandingImage } from '../../src/http/branding-upload.js';

try {
  parseBrandingImage('logo', workerData);
  parentPort?.postMessage(null);
} catch (error) {
  if (!isFootfallError(error)) throw error;
  parentPort?.postMessage(error.code);
}
