import { prng, randomBytes } from '../block/prng.ts';

/**
 * The raw disk the committed container fixtures were made from (scripts/fixtures/containers.sh runs this
 * to write it): 1 MiB + 12 KiB, so the last qcow2 cluster and VMDK grain are partial. Compressible
 * patterned data (every 512-byte sector starts with its own offset, so a misplaced sector shows), two
 * holes, and 8 KiB of incompressible random bytes.
 */
export const FIXTURE_SIZE = 1024 * 1024 + 12 * 1024;
const K = 1024;

export function fixtureRaw(): Uint8Array {
  const out = new Uint8Array(FIXTURE_SIZE);
  const fill = (from: number, to: number, seed: number) => {
    const random = prng(seed);
    for (let block = from; block < to; block += 4 * K) {
      const pattern = new Uint8Array(64).map(() => Math.floor(random() * 256));
      for (let at = block; at < Math.min(block + 4 * K, to); at += 64)
        out.set(pattern.subarray(0, to - at), at);
      for (let sector = block; sector < Math.min(block + 4 * K, to); sector += 512) {
        new DataView(out.buffer).setFloat64(sector, sector);
      }
    }
  };
  fill(0, 64 * K, 1);
  out.set(randomBytes(2, 8 * K), 192 * K);
  fill(200 * K, 512 * K, 3);
  fill(768 * K, FIXTURE_SIZE, 4);
  return out;
}

/** What the overlay fixture holds: the raw disk with the writes containers.sh makes through qemu-io. */
export function fixtureOverlay(): Uint8Array {
  const out = fixtureRaw();
  out.fill(0xab, 100 * K, 108 * K);
  out.fill(0, 256 * K, 320 * K);
  out.fill(0xcd, 1024 * K, 1032 * K);
  return out;
}
