/** PHP's trim() with its default character list, for values Matomo trims before it stores or compares them. */

/** Returns whether a UTF-16 code unit is one PHP's `trim()` removes by default: space, tab, LF, CR, NUL or vertical tab. */
function isPhpTrimCharacter(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x00 || code === 0x0b;
}

/**
 * Removes the characters PHP's `trim()` removes by default from both ends of a text. It is a
 * loop because a regular expression anchored at the end backtracks quadratically over a long
 * run of spaces inside the text, and tracked values come from untrusted clients.
 */
export function trimAsPhp(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPhpTrimCharacter(text.charCodeAt(start))) start += 1;
  while (end > start && isPhpTrimCharacter(text.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
