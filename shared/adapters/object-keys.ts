import { InvalidObjectKeyError } from './errors.ts';

/** S3's key limit, which both object stores enforce so a key valid locally is valid on AWS. */
export const MAX_KEY_BYTES = 1024;

/** Refuses a key (or list prefix) that S3 would refuse or that cannot round-trip: empty, NUL, lone surrogates, too long. */
export function checkObjectKey(key: string, what: 'key' | 'prefix'): void {
  if (typeof key !== 'string') throw new InvalidObjectKeyError(String(key), `is not a string (${what})`);
  if (what === 'key' && key.length === 0) throw new InvalidObjectKeyError(key, 'is empty; nothing was done');
  if (key.includes('\0')) throw new InvalidObjectKeyError(key, 'contains NUL; nothing was done');
  if (!key.isWellFormed()) {
    throw new InvalidObjectKeyError(key, 'is not well-formed Unicode (lone surrogate); nothing was done');
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidObjectKeyError(
      key,
      `is ${bytes} UTF-8 bytes, more than ${MAX_KEY_BYTES}; nothing was done`,
    );
  }
}
