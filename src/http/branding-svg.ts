/** The check of an SVG logo or favicon: well-formed XML that can neither run script nor load another resource. */
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { FootfallError, isFootfallError, quote } from '../errors.js';

/** Elements that run script, embed HTML, or load or change content, by lower-case local name. */
const UNSAFE_ELEMENTS: ReadonlyMap<string, string> = new Map([
  ['script', 'runs script'],
  ['foreignobject', 'embeds HTML'],
  ...['iframe', 'embed', 'object', 'use', 'image', 'feimage', 'animate', 'set', 'handler', 'listener'].map((name) => [name, 'loads or changes content'] as const),
]);

/** Namespaces whose elements a browser builds as HTML or MathML inside an SVG document. */
const UNSAFE_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['http://www.w3.org/1999/xhtml', 'XHTML'],
  ['http://www.w3.org/1998/Math/MathML', 'MathML'],
]);

/** Namespace that the root `<svg>` element needs for a browser to render the file as SVG. */
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/**
 * Maximum nesting depth of elements, counting the root as level 1. saxes 6.0.0 resolves each
 * element's namespace by walking up the open elements, so parsing time grows with the square
 * of the depth. 37,000 nested groups fit in 256 KB and took 10.7 s (one run, Node 20, 2 CPUs).
 */
const MAX_ELEMENT_DEPTH = 256;

/** The media type of a raster image in a data: URL, which cannot run script, with the `;` or `,` after it. */
const RASTER_IMAGE_TYPE = String.raw`image\/(?:png|gif|jpeg|webp)[;,]`;
/** A data: URL of a raster image. */
const RASTER_DATA_URL = new RegExp(`^data:${RASTER_IMAGE_TYPE}`, 'i');
/** A javascript: or vbscript: URL, or a data: URL of anything but a raster image, anywhere in a value. */
const SCRIPT_OR_DATA_URL = new RegExp(`(?:javascript|vbscript):|data:(?!${RASTER_IMAGE_TYPE})`, 'i');
/**
 * CSS that loads another resource: an @import, or a url() or image-set() whose argument is not a #fragment.
 * `(?=(\s*))\1` is an atomic group for the whitespace after the bracket. A plain `\s*` would retry
 * each shorter run of whitespace before the lookahead, in time quadratic in the run's length.
 */
const CSS_LOAD = /@import|(?:url|image-set)\s*\((?=(\s*))\1(?!['"]?\s*#)/i;
/** A CSS escape: a backslash and up to 6 hex digits with one optional whitespace, or a backslash and any other character. */
const CSS_ESCAPE = /\\(?:([0-9a-f]{1,6})[ \t\n\r\f]?|(.))/gis;
/** Whitespace and control characters, which a browser drops from a URL (tab, newline) or that hide a scheme from a plain test. */
const WHITESPACE_AND_CONTROLS = /[\s\p{Cc}]+/gu;

/** Returns CSS text with every escape replaced by the character it stands for, so `u\72l(` reads as `url(`. */
function decodeCssEscapes(css: string): string {
  return css.replace(CSS_ESCAPE, (_escape, hex: string | undefined, character: string | undefined) => {
    if (hex === undefined) return character ?? '';
    const codePoint = Number.parseInt(hex, 16);
    return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\uFFFD';
  });
}

/** Returns what makes an element unsafe, or undefined. Names match by local name, so a namespace prefix hides nothing. */
function findUnsafeElement(tag: SaxesTagNS): string | undefined {
  const effect = UNSAFE_ELEMENTS.get(tag.local.toLowerCase());
  if (effect !== undefined) return `the element <${tag.name}>, which ${effect}`;
  const namespace = UNSAFE_NAMESPACES.get(tag.uri);
  if (namespace !== undefined) return `the element <${tag.name}> in the ${namespace} namespace`;
  return undefined;
}

/**
 * Returns what makes an attribute unsafe, or undefined. The parser has already decoded
 * character references in the value, so `&#106;avascript:` arrives as `javascript:`.
 */
function findUnsafeAttribute(attribute: SaxesAttributeNS): string | undefined {
  const local = attribute.local.toLowerCase();
  const compact = attribute.value.replace(WHITESPACE_AND_CONTROLS, '');
  if (local.startsWith('on')) return `the event handler attribute ${attribute.name}`;
  if (SCRIPT_OR_DATA_URL.test(compact)) return `a script or data URL in the attribute ${attribute.name}`;
  // Only a #fragment stays inside the file. A denylist of hosts would miss forms such as `\\host`, which browsers read as `//host`.
  if ((local === 'href' || local === 'src') && compact !== '' && !compact.startsWith('#') && !RASTER_DATA_URL.test(compact)) {
    return `the link ${attribute.name}=${quote(attribute.value)}, which is not a #fragment`;
  }
  if (CSS_LOAD.test(decodeCssEscapes(attribute.value))) return `a stylesheet import or a url() that is not a #fragment in the attribute ${attribute.name}`;
  return undefined;
}

/** Throws BRANDING_INVALID unless the root element is `<svg>` in the SVG namespace. */
function ensureSvgRoot(field: string, root: SaxesTagNS): void {
  if (root.local === 'svg' && root.uri === SVG_NAMESPACE) return;
  const namespace = root.uri === '' ? 'without a namespace' : `in the namespace ${quote(root.uri)}`;
  throw new FootfallError(
    'BRANDING_INVALID',
    `Invalid ${field}: the root element is <${root.name}> ${namespace}, so the file is not an SVG image. Its root element must be <svg> with xmlns="${SVG_NAMESPACE}".`,
  );
}

/** Returns the error for an element nested one level deeper than `MAX_ELEMENT_DEPTH`. */
function tooDeepError(field: string, tag: SaxesTagNS, parser: SaxesParser): FootfallError {
  return new FootfallError(
    'BRANDING_INVALID',
    `Invalid ${field}: the SVG nests elements more than ${MAX_ELEMENT_DEPTH} levels deep (<${tag.name}> ending at line ${parser.line}, column ${parser.column} is level ${MAX_ELEMENT_DEPTH + 1}). ` +
      `Logos may nest at most ${MAX_ELEMENT_DEPTH} levels. Ungroup shapes in the editor, or export the logo as PNG.`,
  );
}

/**
 * Registers handlers that throw BRANDING_INVALID on a root other than `<svg>`, on nesting deeper
 * than `MAX_ELEMENT_DEPTH`, and on the first element, attribute, text or processing instruction
 * that could run script or load another resource. Each handler throws at once, so parsing stops there.
 */
function registerSvgChecks(parser: SaxesParser<{ xmlns: true; position: true }>, field: string): void {
  const reject = (description: string): never => {
    throw new FootfallError('BRANDING_INVALID', `Invalid ${field}: the SVG contains ${description}, which logos may not have. Export it as plain shapes or as PNG.`);
  };
  // The text and CDATA children of each open element, joined, innermost element last. A browser
  // joins the children of a <style> into one stylesheet, skipping comments and child elements,
  // so `@imp<!---->ort` is an @import. The joined text is tested when its element closes.
  const openElementTexts: string[] = [];
  const appendText = (content: string): void => {
    if (openElementTexts.length > 0) openElementTexts[openElementTexts.length - 1] += content;
  };

  parser.on('processinginstruction', (instruction) => reject(`the processing instruction <?${instruction.target}?>, which can load a stylesheet`));
  parser.on('opentag', (tag) => {
    if (openElementTexts.length === 0) ensureSvgRoot(field, tag);
    if (openElementTexts.length === MAX_ELEMENT_DEPTH) throw tooDeepError(field, tag, parser);
    const element = findUnsafeElement(tag);
    if (element !== undefined) reject(element);
    for (const attribute of Object.values(tag.attributes)) {
      const problem = findUnsafeAttribute(attribute);
      if (problem !== undefined) reject(problem);
    }
    openElementTexts.push('');
  });
  parser.on('text', appendText);
  parser.on('cdata', appendText);
  parser.on('closetag', (tag) => {
    const text = openElementTexts.pop() ?? '';
    if (CSS_LOAD.test(decodeCssEscapes(text))) reject(`a stylesheet import or a url() that is not a #fragment in the text of <${tag.name}>`);
  });
}

/**
 * Checks that an SVG is UTF-8 text with an `<svg>` root in the SVG namespace, is well-formed XML,
 * nests elements at most 256 levels deep, and has nothing that could run script or load another resource.
 *
 * The check rejects script, foreignObject and loading elements, XHTML and MathML elements,
 * event handler attributes, and javascript:, vbscript: and data: URLs (raster image data:
 * URLs excepted). It also rejects links other than a #fragment, CSS @import and url() to
 * another resource, a DOCTYPE and processing instructions. Such an SVG is rejected rather than
 * rewritten, since a partial clean-up is easy to get wrong.
 *
 * @throws FootfallError BRANDING_INVALID naming what was found.
 */
export function ensureSafeSvg(field: string, bytes: Buffer): void {
  const text = bytes.toString('utf8');
  // ENTITY declarations, which can expand to markup, live only in a DOCTYPE. The raw-text test
  // comes before parsing so that the message names the DOCTYPE.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new FootfallError('BRANDING_INVALID', `Invalid ${field}: the SVG contains a DOCTYPE or entity declaration, which logos may not have. Export it as plain SVG without a DOCTYPE, or as PNG.`);
  }
  if (text.includes('\uFFFD')) {
    throw new FootfallError('BRANDING_INVALID', `Invalid ${field}: the file is not an SVG image. It must be UTF-8 text whose root element is <svg>.`);
  }

  const parser = new SaxesParser({ xmlns: true, position: true });
  registerSvgChecks(parser, field);
  let sawElement = false;
  parser.on('opentagstart', () => {
    sawElement = true;
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (isFootfallError(error)) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    if (!sawElement) {
      throw new FootfallError('BRANDING_INVALID', `Invalid ${field}: the file is not an SVG image (${reason}). It must be UTF-8 XML text whose root element is <svg>.`);
    }
    throw new FootfallError('BRANDING_INVALID', `Invalid ${field}: the SVG is not well-formed XML (${reason}). Export it again as plain SVG, or as PNG.`);
  }
}
