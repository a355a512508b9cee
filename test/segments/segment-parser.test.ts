import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFootfallError } from '../../src/errors.js';
import { parseSegment } from '../../src/segments/segment-parser.js';

function conditions(definition: string): string[][] {
  return parseSegment(definition).and.map((group) => group.or.map((condition) => `${condition.name}|${condition.operator}|${condition.value}`));
}

describe('parseSegment', () => {
  it('binds OR tighter than AND', () => {
    assert.deepEqual(conditions('referrerName==Google,referrerName==Bing;countryCode==in'), [
      ['referrerName|==|Google', 'referrerName|==|Bing'],
      ['countryCode|==|in'],
    ]);
  });

  it('reads each of the ten operators', () => {
    assert.deepEqual(conditions('a==1;b!=2;c<=3;d>=4;e=@5;f!@6;g=^7;h=$8;i<9;j>10').flat(), [
      'a|==|1', 'b|!=|2', 'c|<=|3', 'd|>=|4', 'e|=@|5', 'f|!@|6', 'g|=^|7', 'h|=$|8', 'i|<|9', 'j|>|10',
    ]);
  });

  it('takes the first operator after the name', () => {
    assert.deepEqual(conditions('pageTitle==a==b'), [['pageTitle|==|a==b']]);
    assert.deepEqual(conditions('visitDuration>=600'), [['visitDuration|>=|600']]);
  });

  it('keeps escaped delimiters as literal characters', () => {
    assert.deepEqual(conditions('pageTitle==a\\,b\\;c'), [['pageTitle|==|a,b;c']]);
  });

  it('keeps a trailing delimiter in the value', () => {
    assert.deepEqual(conditions('pageTitle=@x,'), [['pageTitle|=@|x,']]);
  });

  it('decodes the value once more, as double-encoded URLs arrive', () => {
    assert.deepEqual(conditions('pageUrl==http%3A%2F%2Fexample.org%2F'), [['pageUrl|==|http://example.org/']]);
    assert.deepEqual(conditions('referrerKeyword==a+b%2Cc'), [['referrerKeyword|==|a b,c']]);
  });

  it('accepts empty values with == and !=', () => {
    assert.deepEqual(conditions('referrerKeyword==;userId!='), [['referrerKeyword|==|'], ['userId|!=|']]);
  });

  it('rejects empty values with other operators', () => {
    assert.throws(() => parseSegment('visitCount>='), (error) => isFootfallError(error, 'SEGMENT_INVALID'));
  });

  it('rejects conditions without an operator and empty conditions', () => {
    for (const definition of ['browserCode', 'browserCode==FF;;countryCode==fr', '==FF', ',a==1']) {
      assert.throws(() => parseSegment(definition), (error) => isFootfallError(error, 'SEGMENT_INVALID'), definition);
    }
  });

  it('rejects a value that decodes to NUL', () => {
    assert.throws(() => parseSegment('pageUrl==a%00b'), (error) => isFootfallError(error, 'SEGMENT_INVALID') && /NUL character/.test(error.message));
  });
});
