import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseApiFormat, renderApiError, renderApiResult } from '../../src/api/api-response.js';
import { API_SUCCESS, KeyedResults, markArrayResult } from '../../src/api/api-value.js';

const XML_HEAD = '<?xml version="1.0" encoding="utf-8" ?>\n';
const ROWS = [{ label: 'Firefox', nb_visits: 2 }, { label: 'Chrome & co', nb_visits: 1 }];

describe('renderApiResult', () => {
  describe('xml', () => {
    test('renders rows as row elements', () => {
      assert.equal(renderApiResult(ROWS, 'xml').body, `${XML_HEAD}<result>\n\t<row>\n\t\t<label>Firefox</label>\n\t\t<nb_visits>2</nb_visits>\n\t</row>\n\t<row>\n\t\t<label>Chrome &amp; co</label>\n\t\t<nb_visits>1</nb_visits>\n\t</row>\n</result>`);
    });

    test('renders a simple object as child elements', () => {
      assert.equal(renderApiResult({ nb_visits: 2, bounce_rate: '50%' }, 'xml').body, `${XML_HEAD}<result>\n\t<nb_visits>2</nb_visits>\n\t<bounce_rate>50%</bounce_rate>\n</result>`);
    });

    test('renders a scalar as the result text', () => {
      assert.equal(renderApiResult('5.1.0', 'xml').body, `${XML_HEAD}<result>5.1.0</result>`);
    });

    test('renders a list of scalars as rows', () => {
      assert.equal(renderApiResult(['https://a.example', 'https://b.example'], 'xml').body, `${XML_HEAD}<result>\n\t<row>https://a.example</row>\n\t<row>https://b.example</row>\n</result>`);
    });

    test('renders an empty result as an empty element', () => {
      assert.equal(renderApiResult([], 'xml').body, `${XML_HEAD}<result />`);
    });

    test('renders success as a success element', () => {
      assert.equal(renderApiResult(API_SUCCESS, 'xml').body, `${XML_HEAD}<result>\n\t<success message="ok" />\n</result>`);
      assert.equal(renderApiResult(null, 'xml').body, `${XML_HEAD}<result>\n\t<success message="ok" />\n</result>`);
    });

    test('renders results by period as result elements with a date', () => {
      const value = new KeyedResults('date', [['2024-05-01', { nb_visits: 2 }], ['2024-05-02', []]]);
      assert.equal(renderApiResult(value, 'xml').body, `${XML_HEAD}<results>\n\t<result date="2024-05-01">\n\t\t<nb_visits>2</nb_visits>\n\t</result>\n\t<result date="2024-05-02" />\n</results>`);
    });

    test('renders empty values as empty elements and booleans as digits', () => {
      assert.equal(renderApiResult({ group: '', uses_2fa: false, enabled: true, none: null }, 'xml').body, `${XML_HEAD}<result>\n\t<group />\n\t<uses_2fa>0</uses_2fa>\n\t<enabled>1</enabled>\n\t<none />\n</result>`);
      assert.equal(renderApiResult(['a', ''], 'xml').body, `${XML_HEAD}<result>\n\t<row>a</row>\n\t<row/>\n</result>`);
      assert.equal(renderApiResult('', 'xml').body, `${XML_HEAD}<result />`);
    });

    test('keeps single quotes and escapes the rest', () => {
      assert.equal(renderApiResult("it's <b> & \"q\"", 'xml').body, `${XML_HEAD}<result>it's &lt;b&gt; &amp; &quot;q&quot;</result>`);
    });

    test('renders keys that are no element names as keyed rows', () => {
      assert.equal(renderApiResult({ 1: { name: 'A' }, 2: '' }, 'xml').body, `${XML_HEAD}<result>\n\t<row key="1">\n\t\t<name>A</name>\n\t</row>\n\t<row key="2"/>\n</result>`);
    });

    test('wraps a marked array result of scalars in one row', () => {
      assert.equal(renderApiResult(markArrayResult({ idsite: '1', name: 'A' }), 'xml').body, `${XML_HEAD}<result>\n\t<row>\n\t\t<idsite>1</idsite>\n\t\t<name>A</name>\n\t</row>\n</result>`);
      assert.equal(renderApiResult(markArrayResult({ value: 'one' }), 'xml').body, `${XML_HEAD}<result>\n\t<value>one</value>\n</result>`);
    });

    test('leaves the mark out of JSON', () => {
      assert.equal(renderApiResult(markArrayResult({ idsite: '1' }), 'json').body, '{"idsite":"1"}');
    });

    test('renders results by period inside a list as keyed rows', () => {
      const value = [new KeyedResults('date', [['2010-03-06', { nb_visits: 2 }], ['2010-03-07', []]])];
      assert.equal(renderApiResult(value, 'xml').body, `${XML_HEAD}<result>\n\t<row>\n\t\t<row key="2010-03-06">\n\t\t\t<nb_visits>2</nb_visits>\n\t\t</row>\n\t\t<row key="2010-03-07">\n\t\t</row>\n\t</row>\n</result>`);
    });

    test('sends the xml content type', () => {
      assert.equal(renderApiResult('x', 'xml').contentType, 'text/xml; charset=utf-8');
    });
  });

  describe('json', () => {
    test('renders rows as an array', () => {
      assert.equal(renderApiResult(ROWS, 'json').body, '[{"label":"Firefox","nb_visits":2},{"label":"Chrome & co","nb_visits":1}]');
    });

    test('renders a scalar as a value object', () => {
      assert.equal(renderApiResult('5.1.0', 'json').body, '{"value":"5.1.0"}');
      assert.equal(renderApiResult(3, 'json').body, '{"value":3}');
    });

    test('renders nothing as success', () => {
      assert.equal(renderApiResult(undefined, 'json').body, '{"result":"success","message":"ok"}');
    });

    test('renders an empty object as an empty array', () => {
      assert.equal(renderApiResult({}, 'json').body, '[]');
    });

    test('wraps the body in a JSONP callback', () => {
      const rendered = renderApiResult('5.1.0', 'json', 'jQuery.cb_1');
      assert.equal(rendered.body, 'jQuery.cb_1({"value":"5.1.0"})');
      assert.equal(rendered.contentType, 'application/javascript; charset=utf-8');
    });

    test('ignores a callback name with other characters', () => {
      const rendered = renderApiResult('5.1.0', 'json', 'alert(1)//');
      assert.equal(rendered.body, '{"value":"5.1.0"}');
      assert.equal(rendered.contentType, 'application/json; charset=utf-8');
    });
  });

  describe('csv and tsv', () => {
    test('renders rows with a header line', () => {
      assert.equal(renderApiResult(ROWS, 'csv').body, 'label,nb_visits\nFirefox,2\nChrome & co,1');
      assert.equal(renderApiResult(ROWS, 'tsv').body, 'label\tnb_visits\nFirefox\t2\nChrome & co\t1');
    });

    test('quotes a csv cell with a comma', () => {
      assert.equal(renderApiResult([{ label: 'a,b' }], 'csv').body, 'label\n"a,b"');
    });

    test('renders a scalar as a value column', () => {
      assert.equal(renderApiResult('5.1.0', 'csv').body, 'value\n5.1.0');
    });
  });
});

describe('renderApiError', () => {
  test('renders json with the stable code', () => {
    assert.equal(renderApiError("Invalid format 'x'.", 'API_FORMAT_INVALID', 'json').body, '{"result":"error","message":"Invalid format \'x\'.","code":"API_FORMAT_INVALID"}');
  });

  test('puts a multi-line message on one line in json', () => {
    assert.equal(renderApiError('Invalid settings:\n  a\r\n  b', 'CONFIG_INVALID', 'json').body, '{"result":"error","message":"Invalid settings:   a   b","code":"CONFIG_INVALID"}');
  });

  test('renders xml as an error element', () => {
    assert.equal(renderApiError('Bad <value> & "quotes"', 'PARAMETER_INVALID', 'xml').body, `${XML_HEAD}<result>\n\t<error message="Bad &lt;value&gt; &amp; &quot;quotes&quot;" code="PARAMETER_INVALID" />\n</result>`);
  });

  test('renders csv as an error line', () => {
    assert.equal(renderApiError('Bad value.', 'PARAMETER_INVALID', 'csv').body, 'Error: Bad value.');
  });

  test('wraps json in a JSONP callback', () => {
    assert.equal(renderApiError('Bad value.', 'PARAMETER_INVALID', 'json', 'cb').body, 'cb({"result":"error","message":"Bad value.","code":"PARAMETER_INVALID"})');
  });
});

describe('parseApiFormat', () => {
  for (const [raw, format] of [[undefined, 'xml'], ['', 'xml'], ['JSON', 'json'], ['Xml', 'xml'], ['csv', 'csv'], ['TSV', 'tsv'], ['original', 'original']] as const) {
    test(`reads ${String(raw)} as ${format}`, () => {
      assert.equal(parseApiFormat(raw), format);
    });
  }

  test('rejects an unknown format with API_FORMAT_INVALID', () => {
    assert.throws(() => parseApiFormat('yaml'), { code: 'API_FORMAT_INVALID' });
  });
});
