/**
 * Reading and writing INI files in the dialect Matomo writes (`config.ini.php`).
 *
 * Written here rather than taken from the `ini` package because that package loses
 * comments and key order on write, and knows neither the PHP guard line nor Matomo's
 * entity-encoded values; operators edit these files by hand, so a write must keep
 * every line it does not change.
 */

/** A value: a scalar, a `key[] = v` list or a `key[name] = v` map. */
export type IniValue = string | string[] | Record<string, string>;

/** The keys of one section, in file order. */
export type IniSection = Record<string, IniValue>;

/** Every section of a file, in file order. */
export type IniData = Record<string, IniSection>;

/** The first line of every file Matomo writes; it makes the file inert if PHP ever serves it. */
export const INI_GUARD_LINE = '; <?php exit; ?> DO NOT REMOVE THIS LINE';

/** A syntax error, with the 1-based line where it was found. */
export class IniSyntaxError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.name = 'IniSyntaxError';
    this.line = line;
  }
}

type IniLine =
  | { kind: 'other'; text: string }
  | { kind: 'section'; text: string; section: string }
  | { kind: 'entry'; text: string; section: string; key: string; subkey: string | null; value: string };

const SECTION_PATTERN = /^\[([^\]]+)\]\s*(?:;.*)?$/;
const ENTRY_PATTERN = /^([A-Za-z0-9_.\-]+)(?:\[([^\]]*)\])?\s*=\s*(.*)$/;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the HTML entities Matomo writes for `& < > " '` and `$`. */
export function decodeIniEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return NAMED_ENTITIES[entity.toLowerCase()] ?? match;
  });
}

/** Encodes a value so that it survives a round trip through PHP's INI reader and Matomo's decoding. */
export function encodeIniEntities(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#039;')
    .replace(/\$/g, '&#36;');
}

function parseRawValue(raw: string, lineNumber: number): string {
  const trimmed = raw.trim();
  const quoteChar = trimmed[0];
  if (quoteChar === '"' || quoteChar === "'") {
    const end = trimmed.indexOf(quoteChar, 1);
    if (end < 0) throw new IniSyntaxError(`Missing closing quote ${quoteChar} in value ${trimmed}.`, lineNumber);
    const rest = trimmed.slice(end + 1).trim();
    if (rest !== '' && !rest.startsWith(';')) {
      throw new IniSyntaxError(`Unexpected text after the quoted value: ${rest}.`, lineNumber);
    }
    return decodeIniEntities(trimmed.slice(1, end));
  }
  const commentAt = trimmed.indexOf(';');
  const bare = commentAt >= 0 ? trimmed.slice(0, commentAt).trim() : trimmed;
  return decodeIniEntities(bare);
}

function renderValue(value: string): string {
  if (value === '') return '""';
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(value)) return value;
  return `"${encodeIniEntities(value)}"`;
}

function renderEntry(key: string, subkey: string | null, value: string): string {
  const name = subkey === null ? key : `${key}[${subkey}]`;
  return `${name} = ${renderValue(value)}`;
}

function parseLines(text: string): IniLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rawLines = body.split(/\r?\n/);
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();

  let section = '';
  return rawLines.map((text, index) => {
    const lineNumber = index + 1;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return { kind: 'other', text };

    const sectionMatch = SECTION_PATTERN.exec(trimmed);
    if (sectionMatch) {
      section = sectionMatch[1]!.trim();
      return { kind: 'section', text, section };
    }

    const entryMatch = ENTRY_PATTERN.exec(trimmed);
    if (!entryMatch) throw new IniSyntaxError(`Cannot read line '${trimmed}'. Expected [section], key = value or a ; comment.`, lineNumber);
    if (section === '') throw new IniSyntaxError(`Key '${entryMatch[1]}' appears before any [section].`, lineNumber);
    const subkey = entryMatch[2] === undefined ? null : entryMatch[2].trim();
    return { kind: 'entry', text, section, key: entryMatch[1]!, subkey, value: parseRawValue(entryMatch[3]!, lineNumber) };
  });
}

function collectData(lines: IniLine[]): IniData {
  const data: IniData = {};
  for (const line of lines) {
    if (line.kind === 'section') data[line.section] ??= {};
    if (line.kind !== 'entry') continue;

    const section = (data[line.section] ??= {});
    if (line.subkey === null) {
      section[line.key] = line.value;
    } else if (line.subkey === '') {
      const current = section[line.key];
      section[line.key] = Array.isArray(current) ? [...current, line.value] : [line.value];
    } else {
      const current = section[line.key];
      const map = typeof current === 'object' && !Array.isArray(current) ? current : {};
      section[line.key] = { ...map, [line.subkey]: line.value };
    }
  }
  return data;
}

/**
 * Parses INI text into sections. Accepts a UTF-8 BOM, CRLF line ends, `;` and `#` comments,
 * quoted and bare values, `key[] = v` lists and `key[name] = v` maps.
 *
 * @throws IniSyntaxError on a line that is none of those.
 */
export function parseIni(text: string): IniData {
  return collectData(parseLines(text));
}

/**
 * An INI file held as its lines, so that a change rewrites only the lines of the keys it
 * touches and keeps comments, order and the operator's other keys.
 *
 * @example
 * const doc = IniDocument.parse(readFileSync(file, 'utf8'));
 * doc.set('General', 'salt', 'abc');
 * writeFileSync(file, doc.toString());
 */
export class IniDocument {
  #lines: IniLine[];
  #eol: string;

  private constructor(lines: IniLine[], eol: string) {
    this.#lines = lines;
    this.#eol = eol;
  }

  /** Parses `text`; an empty text gives a document with only the guard line. */
  static parse(text: string): IniDocument {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    return new IniDocument(parseLines(text), eol);
  }

  /** Returns a new document holding only the guard line and a note that Footfall wrote it. */
  static create(): IniDocument {
    return IniDocument.parse(`${INI_GUARD_LINE}\n; Written by Footfall. Keys set here replace the defaults of global.ini.php and common.config.ini.php.\n`);
  }

  /** Returns the values of every section. */
  get data(): IniData {
    return collectData(this.#lines);
  }

  /** Returns one value, or undefined when the key is not in the file. */
  get(section: string, key: string): IniValue | undefined {
    return this.data[section]?.[key];
  }

  /** Sets a scalar, list or map value; it replaces every line the key had in that section. */
  set(section: string, key: string, value: IniValue): void {
    const rendered = this.#renderValueLines(section, key, value);
    const existing = this.#indexesOf(section, key);
    if (existing.length > 0) {
      const first = existing[0]!;
      this.#lines = this.#lines.filter((_, index) => !existing.includes(index));
      this.#lines.splice(first, 0, ...rendered);
      return;
    }
    const sectionEnd = this.#sectionEnd(section);
    if (sectionEnd < 0) {
      this.#lines.push({ kind: 'section', text: `[${section}]`, section }, ...rendered);
      return;
    }
    this.#lines.splice(sectionEnd, 0, ...rendered);
  }

  /** Removes a key from a section; returns whether it was there. */
  delete(section: string, key: string): boolean {
    const existing = this.#indexesOf(section, key);
    this.#lines = this.#lines.filter((_, index) => !existing.includes(index));
    return existing.length > 0;
  }

  /** Returns the file text, starting with the guard line and using the file's own line ends. */
  toString(): string {
    const texts = this.#lines.map((line) => line.text);
    if (texts[0]?.trim() !== INI_GUARD_LINE) texts.unshift(INI_GUARD_LINE);
    return texts.join(this.#eol) + this.#eol;
  }

  #renderValueLines(section: string, key: string, value: IniValue): IniLine[] {
    const entry = (subkey: string | null, item: string): IniLine => ({
      kind: 'entry', text: renderEntry(key, subkey, item), section, key, subkey, value: item,
    });
    if (typeof value === 'string') return [entry(null, value)];
    if (Array.isArray(value)) return value.map((item) => entry('', item));
    return Object.entries(value).map(([subkey, item]) => entry(subkey, item));
  }

  #indexesOf(section: string, key: string): number[] {
    const indexes: number[] = [];
    this.#lines.forEach((line, index) => {
      if (line.kind === 'entry' && line.section === section && line.key === key) indexes.push(index);
    });
    return indexes;
  }

  /** Index just after the last entry of `section`, or -1 when the file has no such section. */
  #sectionEnd(section: string): number {
    let end = -1;
    this.#lines.forEach((line, index) => {
      if (line.kind === 'section' && line.section === section) end = index + 1;
      if (line.kind === 'entry' && line.section === section) end = index + 1;
    });
    return end;
  }
}
