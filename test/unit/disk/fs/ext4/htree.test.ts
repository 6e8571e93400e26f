import { describe, expect, it } from 'vitest';
import { dirHash } from '../../../../../shared/disk/fs/ext4/htree.ts';
import { probeExt } from '../../../../../shared/disk/fs/ext4/probe.ts';
import { loadFixture, memSource } from './helpers.ts';

// Seed of the fixtures (mke2fs -E hash_seed=1c0ffee0-0000-4000-8000-00000000beef), as four
// little-endian words the way the superblock holds the UUID bytes.
const SEED_BYTES = Buffer.from('1c0ffee0000040008000' + '00000000beef', 'hex');
const SEED = [0, 4, 8, 12].map((o) => SEED_BYTES.readUInt32LE(o));
const enc = (s: string) => new TextEncoder().encode(s);

describe('directory hashes (expected values from debugfs dx_hash)', () => {
  it.each([
    [0, 'a', 0xe74b53e2],
    [0, 'entry-00042-xyz', 0x98466eaa],
    [0, 'é日本', 0xc60465c0],
    [3, 'é日本', 0xb15c9af2],
    [1, 'a', 0xc1c2c9b4],
    [1, 'hello', 0x23f0db02],
    [1, 'entry-00042-xyz', 0xaadb5bba],
    [1, 'é日本', 0xb056611a],
    [1, 'L'.repeat(100), 0x619f93b2],
    [4, 'é日本', 0x192fa87e],
    [2, 'a', 0xfcea2f4a],
    [2, 'entry-00042-xyz', 0x3653b310],
    [2, 'é日本', 0x4ec5092a],
    [2, 'L'.repeat(100), 0x155d84e0],
    [5, 'é日本', 0xb73520d6],
  ])('version %i of %s', (version, name, hash) => {
    expect(dirHash(enc(name), version, SEED)).toBe(hash);
  });

  it('uses the default seed when the superblock has none', () => {
    expect(dirHash(enc('hello'), 1, [0, 0, 0, 0])).toBe(0x1746da32);
  });
});

describe('htree lookup', () => {
  it('reads the index and one leaf, not the whole directory', async () => {
    const src = memSource(loadFixture('ext4').image);
    const fs = (await probeExt(src))!;
    const dir = await fs.getNode((await fs.lookup(await fs.root(), 'bigdir'))!.ino);
    const names = (await fs.readdir(dir)).map((e) => e.name);
    // A fresh reader, so nothing is cached: the lookup reads inode table, dx root and one leaf.
    const src2 = memSource(loadFixture('ext4').image);
    const fs2 = (await probeExt(src2))!;
    const before = src2.bytesRead;
    expect((await fs2.lookup(dir, names[137]!))?.name).toBe(names[137]);
    const read = src2.bytesRead - before;
    expect(read).toBeLessThan(dir.size);
    expect(read).toBeLessThanOrEqual(6 * 1024);
  });
});
