/** URL decoding as PHP's urldecode does it, for values Matomo clients encode for PHP. */

/**
 * Decodes `text` as PHP's urldecode does: `+` is a space, and when the text is not valid
 * percent-encoded UTF-8 each `%XX` escape becomes the character of that byte value, while a
 * `%` without two hex digits stays as it is.
 */
export function decodePhpUrlComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}
