import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function randomBase36(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return out;
}

/**
 * A new id: prefix, 9 base-36 chars of milliseconds since the epoch (sortable until the year 5188),
 * then 16 random base-36 chars (~82 bits).
 */
export function newId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${now.getTime().toString(36).padStart(9, '0')}${randomBase36(16)}`;
}

/** A deterministic id from its parts, for work that must be recognised when it is requested again. */
export function derivedId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < 25; i++) out += ALPHABET[digest[i]! % 36];
  return `${prefix}_${out}`;
}

/** Swap an id's prefix, keeping its unique part: the restore point of job_X is rp_X. */
export function siblingId(id: string, prefix: string): string {
  const at = id.indexOf('_');
  if (at < 0) throw new Error(`ids: "${id}" has no prefix`);
  return `${prefix}${id.slice(at)}`;
}
