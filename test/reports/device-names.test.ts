import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROWSER_NAMES } from '../../src/reports/DevicesDetection/device-names.js';
import { browserName } from '../../src/reports/Live/device-names.js';

describe('DevicesDetection browser names', () => {
  it('names Headless Chrome by its full name', () => {
    assert.equal(BROWSER_NAMES.HC, 'Headless Chrome');
  });

  it('names each code as Live visit details do', () => {
    for (const code of ['CH', 'FF', 'MF', 'HC', 'FE', 'AW', 'MI', 'OV', 'HU']) {
      assert.equal(BROWSER_NAMES[code], browserName(code), `browser code ${code}`);
    }
  });
});
