/** Rendering of API results and errors in the formats Matomo serves: XML (default), JSON, CSV and TSV. */
import { FootfallError, quote, type ErrorCode } from '../errors.js';
import { isArrayResult, KeyedResults, type ApiObject, type ApiValue } from './api-value.js';

/** Output formats of the Reporting API. `original` is served as JSON. */
export const API_FORMATS = ['xml', 'json', 'csv', 'tsv', 'original'] as const;

/** One output format. */
export type ApiFormat = (typeof API_FORMATS)[number];

/** A rendered response body with its content type. */
export interface RenderedResponse {
  contentType: string;
  body: string;
}

const JSONP_CALLBACK_PATTERN = /^[0-9a-zA-Z_.]+$/;

/**
 * Parses the `format` parameter, in any letter case; missing means XML, as in Matomo.
 *
 * @throws FootfallError API_FORMAT_INVALID naming the value and the formats served.
 */
export function parseApiFormat(raw: string | undefined): ApiFormat {
  if (raw === undefined || raw === '') return 'xml';
  const format = raw.toLowerCase();
  if ((API_FORMATS as readonly string[]).includes(format)) return format as ApiFormat;
  throw new FootfallError('API_FORMAT_INVALID', `Invalid format ${quote(raw)}. Use xml, json, csv or tsv.`);
}

function isPlainObject(value: ApiValue): value is ApiObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof KeyedResults);
}

/** Escapes text for XML as Matomo does (PHP's htmlspecialchars with ENT_COMPAT), which leaves single quotes as they are. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Returns the XML text of a scalar: null is empty and booleans are 1 or 0, as in Matomo 5's `<uses_2fa>0</uses_2fa>`. */
function xmlText(value: ApiValue): string {
  return escapeXml(scalarText(value));
}

const XML_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;

function scalarText(value: ApiValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

function xmlElement(name: string, value: ApiValue, indent: string, listItem = false): string {
  const open = XML_NAME_PATTERN.test(name) ? `<${name}` : `<row key="${escapeXml(name)}"`;
  const close = XML_NAME_PATTERN.test(name) ? `</${name}>` : '</row>';
  if (value instanceof KeyedResults) return xmlNestedKeyedResults(value, `${indent}${open}>`, `${indent}${close}`, indent);
  if (Array.isArray(value) || isPlainObject(value)) {
    const inner = xmlChildren(value, `${indent}\t`);
    return inner === '' ? `${indent}${open} />` : `${indent}${open}>\n${inner}\n${indent}${close}`;
  }
  const text = xmlText(value);
  if (text !== '') return `${indent}${open}>${text}${close}`;
  // Matomo writes an empty list item or keyed row without the space before the slash.
  return listItem || !XML_NAME_PATTERN.test(name) ? `${indent}${open}/>` : `${indent}${open} />`;
}

/**
 * Renders results by period or site inside another value (an API.getBulkRequest entry) as
 * Matomo 5 does there: `<row key="2010-03-06">` elements, an empty one as an open and a close tag.
 */
function xmlNestedKeyedResults(value: KeyedResults, openLine: string, closeLine: string, indent: string): string {
  const entries = value.entries.map(([key, entry]) => {
    const childIndent = `${indent}\t`;
    const open = `${childIndent}<row key="${escapeXml(key)}">`;
    if (Array.isArray(entry) || isPlainObject(entry) || entry instanceof KeyedResults) {
      const inner = entry instanceof KeyedResults ? xmlNestedKeyedResults(entry, '', '', childIndent) : xmlChildren(entry, `${childIndent}\t`);
      return inner === '' ? `${open}\n${childIndent}</row>` : `${open}\n${inner}\n${childIndent}</row>`;
    }
    const text = xmlText(entry);
    return text === '' ? `${childIndent}<row key="${escapeXml(key)}"/>` : `${open}${text}</row>`;
  });
  if (openLine === '') return entries.join('\n');
  return `${openLine}\n${entries.join('\n')}\n${closeLine}`;
}

function xmlChildren(value: ApiValue, indent: string): string {
  if (value instanceof KeyedResults) {
    return value.entries.map(([key, entry]) => xmlKeyedResult(value.keyName, key, entry, indent)).join('\n');
  }
  if (Array.isArray(value)) return value.map((item) => xmlElement('row', item, indent, true)).join('\n');
  if (isPlainObject(value)) return Object.entries(value).map(([key, item]) => xmlElement(key, item, indent)).join('\n');
  return `${indent}${xmlText(value)}`;
}

function xmlKeyedResult(keyName: string, key: string, value: ApiValue, indent: string): string {
  const open = `<result ${keyName}="${escapeXml(key)}"`;
  if (Array.isArray(value) || isPlainObject(value) || value instanceof KeyedResults) {
    const inner = xmlChildren(value, `${indent}\t`);
    return inner === '' ? `${indent}${open} />` : `${indent}${open}>\n${inner}\n${indent}</result>`;
  }
  const text = xmlText(value);
  return text === '' ? `${indent}${open} />` : `${indent}${open}>${text}</result>`;
}

function renderXml(value: ApiValue): string {
  const head = '<?xml version="1.0" encoding="utf-8" ?>\n';
  if (value instanceof KeyedResults) return `${head}<results>\n${xmlChildren(value, '\t')}\n</results>`;
  if (isSuccess(value)) return `${head}<result>\n\t<success message="ok" />\n</result>`;
  if (isPlainObject(value) && isArrayResultOfScalars(value)) return `${head}<result>\n${xmlElement('row', value, '\t')}\n</result>`;
  if (Array.isArray(value) || isPlainObject(value)) {
    const inner = xmlChildren(value, '\t');
    return inner === '' ? `${head}<result />` : `${head}<result>\n${inner}\n</result>`;
  }
  const text = xmlText(value);
  return text === '' ? `${head}<result />` : `${head}<result>${text}</result>`;
}

/** Returns whether Matomo wraps a plain array in one row: it does unless the array is empty, contains one scalar, or contains a nested array. */
function isArrayResultOfScalars(value: ApiObject): boolean {
  const items = Object.values(value);
  if (!isArrayResult(value) || items.length < 2) return false;
  return items.every((item) => item === null || typeof item !== 'object');
}

function isSuccess(value: ApiValue): boolean {
  return isPlainObject(value) && value.result === 'success' && value.message === 'ok' && Object.keys(value).length === 2;
}

function toRows(value: ApiValue): ApiObject[] {
  if (value instanceof KeyedResults) {
    return value.entries.flatMap(([key, entry]) => toRows(entry).map((row) => ({ [value.keyName]: key, ...row })));
  }
  if (Array.isArray(value)) return value.map((item) => (isPlainObject(item) ? item : { value: item }));
  if (isPlainObject(value)) return Object.keys(value).length === 0 ? [] : [value];
  return [{ value }];
}

function delimitedCell(value: ApiValue, separator: string): string {
  const text = isPlainObject(value) || Array.isArray(value) ? JSON.stringify(value) : scalarText(value);
  if (separator === '\t') return text.replace(/[\t\r\n]/g, ' ');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function renderDelimited(value: ApiValue, separator: string): string {
  const rows = toRows(value);
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns.join(separator), ...rows.map((row) => columns.map((column) => delimitedCell(row[column], separator)).join(separator))];
  return lines.join('\n');
}

function wrapJsonp(json: string, callback: string | undefined): RenderedResponse {
  if (callback && JSONP_CALLBACK_PATTERN.test(callback)) return { contentType: 'application/javascript; charset=utf-8', body: `${callback}(${json})` };
  return { contentType: 'application/json; charset=utf-8', body: json };
}

/** Returns the JSON value Matomo sends for a result: `{"value": x}` for scalars, `[]` for empty results. */
export function toJsonValue(value: ApiValue): unknown {
  if (value === null || value === undefined) return { result: 'success', message: 'ok' };
  if (typeof value !== 'object') return { value };
  if (isPlainObject(value) && Object.keys(value).length === 0) return [];
  return value;
}

/** Renders a method's result in a format. */
export function renderApiResult(value: ApiValue, format: ApiFormat, callback?: string): RenderedResponse {
  switch (format) {
    case 'json':
    case 'original':
      return wrapJsonp(JSON.stringify(toJsonValue(value)), callback);
    case 'xml':
      return { contentType: 'text/xml; charset=utf-8', body: renderXml(value ?? { result: 'success', message: 'ok' }) };
    case 'csv':
      return { contentType: 'text/csv; charset=utf-8', body: renderDelimited(value ?? { result: 'success', message: 'ok' }, ',') };
    case 'tsv':
      return { contentType: 'text/tab-separated-values; charset=utf-8', body: renderDelimited(value ?? { result: 'success', message: 'ok' }, '\t') };
  }
}

/** Renders an error in Matomo's shape (`{"result":"error","message":...}`) plus Footfall's stable `code`. */
export function renderApiError(message: string, code: ErrorCode, format: ApiFormat, callback?: string): RenderedResponse {
  switch (format) {
    case 'json':
    case 'original':
      // Matomo puts a multi-line message on one line in JSON.
      return wrapJsonp(JSON.stringify({ result: 'error', message: message.replace(/\r?\n/g, ' '), code }), callback);
    case 'xml':
      return { contentType: 'text/xml; charset=utf-8', body: `<?xml version="1.0" encoding="utf-8" ?>\n<result>\n\t<error message="${escapeXml(message)}" code="${code}" />\n</result>` };
    case 'csv':
    case 'tsv':
      return { contentType: 'text/plain; charset=utf-8', body: `Error: ${message}` };
  }
}
