/** Checks of a tenant's branding upload: product name, accent colour, and logo or favicon images. */
import { FootfallError, quote } from '../errors.js';
import { ensureSafeSvg } from './branding-svg.js';

/** Largest logo or favicon accepted, in bytes, before base64 encoding. */
export const MAX_BRANDING_IMAGE_BYTES = 256 * 1024;
/** Maximum length of a product name, in characters, as `loadBranding` accepts it. */
export const MAX_PRODUCT_NAME_LENGTH = 60;

const HEX_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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
