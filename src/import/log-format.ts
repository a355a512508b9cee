/** The shape every access-log format implements: a parser factory and a detector. */
import type { ParsedLine } from './log-entry.js';

/** Settings that apply to every line of one import. */
export interface ParseOptions {
  /** Time zone of logged times that carry no offset: an IANA name or `UTC`. */
  timezone: string;
}

/** Parses the lines of one file in order; W3C parsers keep the `#Fields:` header they last read. */
export type LineParser = (line: string) => ParsedLine;

/** One access-log format. */
export interface LogFormat {
  /** The name `--log-format` takes, such as `ncsa_extended`. */
  readonly name: string;
  /** Returns a parser for one file. */
  createParser(options: ParseOptions): LineParser;
  /** Returns whether the first lines of a file (comments and headers included) are in this format. */
  detect(firstLines: readonly string[]): boolean;
}

/** Returns the first line that is neither blank nor a `#` comment, for formats without headers. */
export function firstRequestLine(lines: readonly string[]): string | undefined {
  return lines.find((line) => line.trim() !== '' && !line.startsWith('#'));
}
