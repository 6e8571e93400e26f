import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSource } from '../../../../shared/disk/block/file-source.ts';
import { between, prng, randomBytes } from './prng.ts';

const dir = mkdtempSync(join(tmpdir(), 'ob-file-source-'));
const SIZE = 3 * 1024 * 1024 + 777;
const data = randomBytes(42, SIZE);
const path = join(dir, 'disk.img');
writeFileSync(path, data);

const open: FileSource[] = [];
async function source(options: Parameters<typeof FileSource.open>[1] = {}) {
  const s = await FileSource.open(path, options);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('FileSource', () => {
  it.each([
    { blockSize: 4096, cacheBytes: 64 * 1024, readAheadBytes: 32 * 1024 },
    { blockSize: 64 * 1024, cacheBytes: 256 * 1024, readAheadBytes: 1024 * 1024 },
    { blockSize: 64 * 1024, cacheBytes: 0, readAheadBytes: 0 },
  ])('random reads equal the file bytes (%o)', async (options) => {
    const s = await source(options);
    expect(s.size).toBe(SIZE);
    const random = prng(7);
    for (let i = 0; i < 400; i++) {
      const offset = i % 5 === 0 ? between(random, SIZE - 70_000, SIZE + 100) : between(random, 0, SIZE);
      const length = i % 7 === 0 ? between(random, 0, 600_000) : between(random, 0, 70_000);
      const got = await s.read(offset, length);
      const want = data.subarray(Math.min(offset, SIZE), Math.min(offset + length, SIZE));
      expect(got.length).toBe(want.length);
      expect(Buffer.compare(got, want)).toBe(0);
    }
    expect(s.cachedBytes()).toBeLessThanOrEqual(options.cacheBytes);
  });

  it('answers concurrent reads of the same blocks correctly', async () => {
    const s = await source({ blockSize: 4096, cacheBytes: 32 * 1024 });
    const random = prng(9);
    const reads = Array.from(
      { length: 64 },
      () => [between(random, 0, 200_000), between(random, 1, 20_000)] as const,
    );
    const results = await Promise.all(reads.map(([o, l]) => s.read(o, l)));
    results.forEach((got, i) => {
      const [o, l] = reads[i]!;
      expect(Buffer.compare(got, data.subarray(o, o + l))).toBe(0);
    });
  });

  it('never hands out a buffer a later read could change', async () => {
    const s = await source();
    const first = await s.read(1000, 5000);
    const copy = first.slice();
    first.fill(0xee);
    const again = await s.read(1000, 5000);
    expect(Buffer.compare(again, copy)).toBe(0);
    await s.read(0, 200_000);
    again.fill(1);
    expect(Buffer.compare(await s.read(1000, 5000), copy)).toBe(0);
  });

  it('keeps the cache within its bound', async () => {
    const s = await source({ blockSize: 64 * 1024, cacheBytes: 200 * 1024 });
    for (let o = 0; o < SIZE; o += 100_000) await s.read(o, 10_000);
    expect(s.cachedBytes()).toBeLessThanOrEqual(200 * 1024);
    expect(s.cachedBytes()).toBeGreaterThan(0);
  });

  it('counts fetches, merges sequential reads with read-ahead and serves repeats from the cache', async () => {
    const s = await source({
      blockSize: 64 * 1024,
      cacheBytes: 8 * 1024 * 1024,
      readAheadBytes: 1024 * 1024,
    });
    const chunk = 16 * 1024;
    for (let o = 0; o < SIZE; o += chunk) await s.read(o, chunk);
    const after = s.stats();
    const reads = Math.ceil(SIZE / chunk);
    expect(after.bytesFetched).toBe(SIZE);
    expect(after.blocksFetched).toBe(Math.ceil(SIZE / (64 * 1024)));
    expect(after.requests).toBeLessThan(reads / 8);
    expect(after.cacheHits).toBeGreaterThan(reads / 2);
    await s.read(0, 64 * 1024);
    expect(s.stats().requests).toBe(after.requests);
    expect(s.stats().cacheHits).toBe(after.cacheHits + 1);
  });

  it('checks its arguments and the end of the file', async () => {
    const s = await source();
    await expect(s.read(-1, 10)).rejects.toThrow(RangeError);
    await expect(s.read(0.5, 10)).rejects.toThrow(RangeError);
    await expect(s.read(0, -3)).rejects.toThrow(RangeError);
    expect((await s.read(SIZE, 10)).length).toBe(0);
    expect((await s.read(SIZE + 5000, 10)).length).toBe(0);
    expect((await s.read(SIZE - 3, 10)).length).toBe(3);
    expect((await s.read(5, 0)).length).toBe(0);
    await s.close();
    await expect(s.read(0, 1)).rejects.toThrow(/closed/);
  });
});
