/** Creation and hashing of API tokens (`token_auth`). */
import { createHash, randomBytes } from 'node:crypto';

/** The algorithm name stored in `user_token_auth.hash_algo`, as Matomo stores it. */
export const TOKEN_HASH_ALGO = 'sha512';

const TOKEN_PATTERN = /^[0-9a-f]{32}$/i;

/** Returns a new random token: 32 hex characters, as Matomo's. */
export function createTokenValue(): string {
  return randomBytes(16).toString('hex');
}

/** Returns whether a value has the shape of a token, so malformed values are rejected before hashing. */
export function isTokenShaped(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** Hashes a token with the tenant's salt: SHA-512 of token then salt, so a token works on one tenant only. */
export function hashToken(token: string, salt: string): string {
  return createHash('sha512').update(token + salt).digest('hex');
}

/** Returns a new random secret of `bytes` bytes as hex, for salts and generated passwords. */
export function createSecret(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}
