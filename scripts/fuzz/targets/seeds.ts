/** Loading fuzz seeds from the committed test fixtures. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DISK_FIXTURES = join(import.meta.dirname, '../../../test/fixtures/disk');
export const SEED_FIXTURES = join(import.meta.dirname, '../../../test/fixtures/fuzz/seeds');

/** One fixture file, gunzipped when its name ends in .gz. */
export function fixture(path: string): Uint8Array {
  const bytes = readFileSync(path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(bytes) : bytes);
}

/** Every file of `dir` whose name `match` accepts, sorted by name, gunzipped where .gz. */
export function fixtures(dir: string, match: (name: string) => boolean): Uint8Array[] {
  return readdirSync(dir)
    .filter(match)
    .sort()
    .map((f) => fixture(join(dir, f)));
}

/** A deterministic 32-bit hash of an input (its length and a sample of its bytes), to pick read ranges. */
export function inputHash(input: Uint8Array): number {
  let h = (0x811c9dc5 ^ input.length) >>> 0;
  const step = Math.max(1, Math.floor(input.length / 4096));
  for (let i = 0; i < input.length; i += step) h = Math.imul(h ^ input[i]!, 0x01000193) >>> 0;
  return h;
}
