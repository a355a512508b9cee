/** Hashing and checking of user passwords with bcrypt. */
import bcrypt from 'bcryptjs';

/** Hashes a password with bcrypt at the given cost (`[General] password_hash_cost`). */
export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

/** Checks a password against a stored bcrypt hash; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}
