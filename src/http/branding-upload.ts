/** Checks of a tenant's branding upload: product name, accent colour, and logo or favicon images. */
import { FootfallError, quote } from '../errors.js';

/** Largest logo or favicon accepted, in bytes, before base64 encoding. */
export const MAX_BRANDING_IMAGE_BYTES = 256 * 1024;
/** Maximum length of a product name, in characters, as `loadBranding` accepts it. */
export const MAX_PRODUCT_NAME_LENGTH = 60;

const HEX_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * SVG content that can run script, load another resource or embed HTML. An SVG that has
 * any of it is rejected rather than rewritten, since a partial clean-up is easy to get wrong.
 */
const UNSAFE_SVG_PATTERNS: readonly [RegExp, string][] = [
  [/<\s*script/i, 'a <script> element'],
  [/<\s*foreignObject/i, 'a <foreignObject> element'],
  [/<\s*(iframe|embed|object|use|image|feImage|animate|set|handler|listener)\b/i, 'an element that loads or changes content'],
  [/\son[a-z]+\s*=/i, 'an event handler attribute'],
  [/\b(javascript|data|vbscript)\s*:/i, 'a script or data URL'],
  [/<!ENTITY|<!DOCTYPE/i, 'a DOCTYPE or entity declaration'],
  [/(href|src)\s*=\s*["']?\s*(https?:)?\/\//i, 'a link to another host'],
  [/@import|url\s*\(\s*(?!['"]?\s*#)/i, 'a stylesheet import or a url() that is not a #fragment'],
];

/** An image of the upload, with the file extension its content decides. */
export interface BrandingImage {
  extension: 'png' | 'svg';
  bytes: Buffer;
}

/** A checked branding upload; undefined fields keep what the tenant has. */
export interface BrandingUpload {
  productName?: string;
  accentColor?: string;
  logo?: BrandingImage;
  favicon?: BrandingImage;
  removeLogo: boolean;
  removeFavicon: boolean;
}

function invalid(message: string): FootfallError {
  return new FootfallError('BRANDING_INVALID', message);
}

/**
 * Reads an image sent as `{ "type": "image/png" | "image/svg+xml", "data": base64 }`. The
 * extension comes from the checked content, never from a name the client sent.
 *
 * @throws FootfallError BRANDING_INVALID when the type, encoding, size or content is wrong.
 */
export function parseBrandingImage(field: string, value: unknown): BrandingImage {
  if (typeof value !== 'object' || value === null) throw invalid(`Invalid ${field}: expected an object with type and data (base64).`);
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (type !== 'image/png' && type !== 'image/svg+xml') throw invalid(`Invalid ${field} type ${quote(type)}. Use image/png or image/svg+xml.`);
  if (typeof data !== 'string' || !BASE64_PATTERN.test(data)) throw invalid(`Invalid ${field} data: expected the file as base64.`);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) throw invalid(`Invalid ${field}: the file is empty.`);
  if (bytes.length > MAX_BRANDING_IMAGE_BYTES) {
    throw invalid(`The ${field} has ${bytes.length} bytes, more than the ${MAX_BRANDING_IMAGE_BYTES} allowed. Use a smaller image.`);
  }
  if (type === 'image/png') {
    if (!bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw invalid(`Invalid ${field}: the file is not a PNG image.`);
    return { extension: 'png', bytes };
  }
  ensureSafeSvg(field, bytes);
  return { extension: 'svg', bytes };
}

/**
 * Checks that an SVG is UTF-8 text with an `<svg>` root and nothing from UNSAFE_SVG_PATTERNS.
 *
 * @throws FootfallError BRANDING_INVALID naming what was found.
 */
export function ensureSafeSvg(field: string, bytes: Buffer): void {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') || !/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) {
    throw invalid(`Invalid ${field}: the file is not an SVG image. It must be UTF-8 text that starts with <svg.`);
  }
  for (const [pattern, description] of UNSAFE_SVG_PATTERNS) {
    if (pattern.test(text)) throw invalid(`Invalid ${field}: the SVG contains ${description}, which logos may not have. Export it as plain shapes or as PNG.`);
  }
}

/**
 * Reads the JSON body of `POST /ui/branding`.
 *
 * @example parseBrandingUpload({ productName: 'Acme Insights', accentColor: '#aa3300' })
 * @throws FootfallError BRANDING_INVALID on the first invalid field.
 */
export function parseBrandingUpload(body: unknown): BrandingUpload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('Invalid branding: expected a JSON object.');
  const fields = body as Record<string, unknown>;
  const upload: BrandingUpload = { removeLogo: fields.removeLogo === true, removeFavicon: fields.removeFavicon === true };

  if (fields.productName !== undefined) {
    const name = typeof fields.productName === 'string' ? fields.productName.trim() : '';
    if (name === '' || name.length > MAX_PRODUCT_NAME_LENGTH) {
      throw invalid(`Invalid product name ${quote(fields.productName)}. Use 1 to ${MAX_PRODUCT_NAME_LENGTH} characters.`);
    }
    upload.productName = name;
  }
  if (fields.accentColor !== undefined) {
    if (typeof fields.accentColor !== 'string' || !HEX_COLOR_PATTERN.test(fields.accentColor)) {
      throw invalid(`Invalid accent colour ${quote(fields.accentColor)}. Use a hex colour such as #1f6feb.`);
    }
    upload.accentColor = fields.accentColor.toLowerCase();
  }
  if (fields.logo !== undefined) upload.logo = parseBrandingImage('logo', fields.logo);
  if (fields.favicon !== undefined) upload.favicon = parseBrandingImage('favicon', fields.favicon);
  return upload;
}
