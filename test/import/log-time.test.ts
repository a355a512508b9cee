import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isFootfallError } from '../../src/errors.js';
import { APACHE_DATE_FORMAT, createApacheTimeReader, ensureLogTimezone, parseIsoLogTime, parseLogTime } from '../../src/import/log-time.js';

describe('parseLogTime', () => {
  test('applies the offset of the line', () => {
    assert.equal(parseLogTime('10/Feb/2012:16:42:07 -0500', APACHE_DATE_FORMAT, 'UTC')?.toISOString(), '2012-02-10T21:42:07.000Z');
  });

  test('offset of the line wins over the log zone', () => {
    assert.equal(parseLogTime('10/Feb/2012:16:42:07 +0100', APACHE_DATE_FORMAT, 'America/New_York')?.toISOString(), '2012-02-10T15:42:07.000Z');
  });

  test('reads full month names and literals', () => {
    assert.equal(parseLogTime('February - 10, 2012:16:42:07', '%B - %d, %Y:%H:%M:%S', 'UTC')?.toISOString(), '2012-02-10T16:42:07.000Z');
  });

  test('reads fractions of a second', () => {
    assert.equal(parseLogTime('25/Sep/2018:06:05:27.584', '%d/%b/%Y:%H:%M:%S.%f', 'UTC')?.toISOString(), '2018-09-25T06:05:27.584Z');
  });

  test('reads times without offset in the log zone', () => {
    // Paris is on UTC+1 in winter and UTC+2 in summer.
    assert.equal(parseLogTime('10/Feb/2012:16:42:07', '%d/%b/%Y:%H:%M:%S', 'Europe/Paris')?.toISOString(), '2012-02-10T15:42:07.000Z');
    assert.equal(parseLogTime('10/Jul/2012:16:42:07', '%d/%b/%Y:%H:%M:%S', 'Europe/Paris')?.toISOString(), '2012-07-10T14:42:07.000Z');
  });

  test('rejects impossible dates', () => {
    assert.equal(parseLogTime('31/Feb/2012:16:42:07 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
    assert.equal(parseLogTime('10/Foo/2012:16:42:07 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
  });

  test('rejects offsets beyond 14 hours', () => {
    for (const offset of ['+9999', '+1401', '-1401', '+0560', '-05:60', '+15:00']) {
      assert.equal(parseLogTime(`10/Feb/2012:16:42:07 ${offset}`, APACHE_DATE_FORMAT, 'UTC'), undefined, offset);
      assert.equal(createApacheTimeReader()(`10/Feb/2012:16:42:07 ${offset}`, 'UTC'), undefined, offset);
    }
    assert.equal(parseLogTime('10/Feb/2012:16:42:07 +1400', APACHE_DATE_FORMAT, 'UTC')?.toISOString(), '2012-02-10T02:42:07.000Z');
    assert.equal(parseLogTime('10/Feb/2012:16:42:07 -14:00', APACHE_DATE_FORMAT, 'UTC')?.toISOString(), '2012-02-11T06:42:07.000Z');
  });

  test('rejects minutes and seconds out of range', () => {
    assert.equal(parseLogTime('10/Feb/2012:16:30:99 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
    assert.equal(parseLogTime('10/Feb/2012:16:60:00 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
    assert.equal(parseLogTime('10/Feb/2012:24:00:00 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
    assert.equal(parseLogTime('00/Feb/2012:16:00:00 +0000', APACHE_DATE_FORMAT, 'UTC'), undefined);
  });

  test('reads a leap second as the next', () => {
    assert.equal(parseLogTime('30/Jun/2012:23:59:60 +0000', APACHE_DATE_FORMAT, 'UTC')?.toISOString(), '2012-07-01T00:00:00.000Z');
  });

  test('rejects unsupported directives', () => {
    assert.throws(() => parseLogTime('x', '%Q', 'UTC'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
  });
});

describe('createApacheTimeReader', () => {
  test('matches parseLogTime line by line', () => {
    const texts = [
      '10/Feb/2012:16:42:07 -0500', '10/Feb/2012:16:42:08 -0500', '10/Feb/2012:16:42:59 -0500', '10/Feb/2012:16:42:60 -0500',
      '10/Feb/2012:16:42:09 -0500', '10/Feb/2012:16:42:09 +0100', '10/Feb/2012:16:42:10 +0100', '10/Feb/2012:16:42:7 +0100',
      '10/Feb/2012:16:43:00 +0100', '10/Feb/2012:16:43:0x +0100', '  10/Feb/2012:16:43:01 +0100 ', '10/Feb/2012:23:59:59 Z',
      '31/Feb/2012:16:42:07 +0000', '31/Feb/2012:16:42:08 +0000', '28/Feb/2012:16:59:60 +0000', '28/Feb/2012:16:59:59 +0000',
      '28/Feb/2012:16:59:58 +00:00', '01/Mar/2012:00:00:01 -0930', '01/Mar/2012:00:00:02 -0930',
    ];
    const read = createApacheTimeReader();
    for (const text of texts) {
      assert.equal(read(text, 'Europe/Paris')?.toISOString(), parseLogTime(text, APACHE_DATE_FORMAT, 'Europe/Paris')?.toISOString(), text);
    }
  });
});

describe('parseIsoLogTime', () => {
  test('reads offsets, Z and nanoseconds', () => {
    assert.equal(parseIsoLogTime('2013-10-10T16:52:00+02:00', 'UTC')?.toISOString(), '2013-10-10T14:52:00.000Z');
    assert.equal(parseIsoLogTime('2023-08-11T11:39:21.773360139Z', 'UTC')?.toISOString(), '2023-08-11T11:39:21.773Z');
  });

  test('rejects offsets and months out of range', () => {
    assert.equal(parseIsoLogTime('2013-10-10T16:52:00+15:00', 'UTC'), undefined);
    assert.equal(parseIsoLogTime('2013-10-10T16:52:00-0960', 'UTC'), undefined);
    assert.equal(parseIsoLogTime('2012-13-01 00:00:00', 'UTC'), undefined);
    assert.equal(parseIsoLogTime('2012-00-10 00:00:00', 'UTC'), undefined);
    assert.equal(parseIsoLogTime('2012-02-10 16:52:61', 'UTC'), undefined);
    assert.equal(parseIsoLogTime('2013-10-10T16:52:00+14:00', 'UTC')?.toISOString(), '2013-10-10T02:52:00.000Z');
  });

  test('reads a space-separated time in the log zone', () => {
    assert.equal(parseIsoLogTime('2012-04-01 00:00:13', 'Europe/Paris')?.toISOString(), '2012-03-31T22:00:13.000Z');
  });
});

describe('ensureLogTimezone', () => {
  test('rejects unknown zones', () => {
    assert.throws(() => ensureLogTimezone('Mars/Olympus'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
    assert.doesNotThrow(() => ensureLogTimezone('Europe/Paris'));
  });
});
