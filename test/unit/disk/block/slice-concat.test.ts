import { describe, expect, it } from 'vitest';
import { ConcatSource } from '../../../../shared/disk/block/concat-source.ts';
import { MemorySource, ZeroSource } from '../../../../shared/disk/block/memory-source.ts';
import { SliceSource } from '../../../../shared/disk/block/slice-source.ts';
import { between, prng, randomBytes } from './prng.ts';

describe('SliceSource and ConcatSource', () => {
  const bytes = randomBytes(5, 100_000);

  it('a slice reads its window of the parent and nothing past it', async () => {
    const slice = new SliceSource(new MemorySource(bytes), 1000, 50_000);
    expect(slice.size).toBe(50_000);
    expect(Buffer.compare(await slice.read(0, 10), bytes.subarray(1000, 1010))).toBe(0);
    expect(Buffer.compare(await slice.read(49_990, 100), bytes.subarray(50_990, 51_000))).toBe(0);
    expect((await slice.read(50_000, 10)).length).toBe(0);
    await expect(slice.read(-1, 1)).rejects.toThrow(RangeError);
    expect(() => new SliceSource(new MemorySource(bytes), 90_000, 20_000)).toThrow(RangeError);
  });

  it('a concatenation reads across its parts', async () => {
    const parts = [
      new MemorySource(bytes.subarray(0, 30_000)),
      new ZeroSource(0),
      new SliceSource(new MemorySource(bytes), 30_000, 50_000),
      new ZeroSource(7_000),
      new MemorySource(bytes.subarray(80_000)),
    ];
    const whole = new Uint8Array(107_000);
    whole.set(bytes.subarray(0, 80_000));
    whole.set(bytes.subarray(80_000), 87_000);
    const c = new ConcatSource(parts);
    expect(c.size).toBe(whole.length);
    const random = prng(3);
    for (let i = 0; i < 300; i++) {
      const o = between(random, 0, whole.length + 10);
      const l = between(random, 0, 40_000);
      expect(Buffer.compare(await c.read(o, l), whole.subarray(o, o + l))).toBe(0);
    }
  });
});
