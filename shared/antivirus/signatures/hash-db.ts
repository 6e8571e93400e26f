/**
 * `.hdb` and `.hsb` hash databases: `Hash:Size:Name[:MinFlevel[:MaxFlevel]]`. The hash type follows the
 * hash's length (32 MD5, 40 SHA1, 64 SHA256) in both file kinds, as in ClamAV. `Size` is a decimal byte
 * count (1 … 2^32-2) or `*` for any size, which ClamAV accepts only with a minimum functionality level of
 * at least 73. A line whose level range excludes ClamAV 1.4 (level 216) is skipped before anything else
 * is checked, as clamscan does; an ignore-list entry for the name skips it too.
 */

import { applyClamName, type IgnoreMatcher } from './ign2.ts';
import { atoi, databaseLines } from './lines.ts';
import {
  CLAMAV_FLEVEL,
  type HashSignature,
  type HashType,
  type LoadError,
  type SkippedEntry,
} from './types.ts';

const HASH_TYPES: Record<number, HashType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

export interface HashDbResult {
  signatures: HashSignature[];
  skipped: SkippedEntry[];
  errors: LoadError[];
}

export function parseHashDatabase(text: string, file: string, ignore?: IgnoreMatcher): HashDbResult {
  const out: HashDbResult = { signatures: [], skipped: [], errors: [] };
  const { lines, count } = databaseLines(text);
  if (count === 0) out.errors.push({ file, reason: 'empty database file' });
  for (const { number, text: line } of lines) {
    const fail = (reason: string) => out.errors.push({ file, line: number, reason });
    const fields = line.split(':');
    if (fields.length < 3) {
      fail(`expected Hash:Size:Name, found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
      continue;
    }
    if (fields.length > 5) {
      fail(`too many fields (${fields.length}); expected at most Hash:Size:Name:MinFlevel:MaxFlevel`);
      continue;
    }
    const [hash, sizeText, name] = fields as [string, string, string];
    const minLevel = fields.length > 3 ? atoi(fields[3] as string) : 0;
    if (minLevel > CLAMAV_FLEVEL) {
      out.skipped.push({ file, line: number, reason: `${name}: needs functionality level ${minLevel}` });
      continue;
    }
    if (fields.length === 5 && atoi(fields[4] as string) < CLAMAV_FLEVEL) {
      out.skipped.push({
        file,
        line: number,
        reason: `${name}: only for functionality level ≤ ${fields[4]}`,
      });
      continue;
    }
    let size: number | undefined;
    if (sizeText === '*') {
      if (fields.length < 4 || minLevel < 73) {
        fail('a wildcard (*) size needs a minimum functionality level of at least 73');
        continue;
      }
    } else {
      const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(sizeText);
      const n = m ? Number(m[1]) : Number.NaN;
      if (!(n >= 1 && n < 0xffffffff)) {
        fail(`invalid size "${sizeText}"`);
        continue;
      }
      size = n;
    }
    if (ignore?.ignores(name, line)) {
      out.skipped.push({ file, line: number, reason: `${name}: on the ignore list` });
      continue;
    }
    if (name === '') {
      fail('empty signature name');
      continue;
    }
    const type = HASH_TYPES[hash.length];
    if (!type || !/^[0-9a-fA-F]+$/.test(hash)) {
      fail(`malformed hash "${hash}" (need 32, 40 or 64 hex digits)`);
      continue;
    }
    out.signatures.push({
      name: applyClamName(name),
      type,
      hash: hash.toLowerCase(),
      size,
      source: { file, line: number },
    });
  }
  return out;
}
