/**
 * The committed fixtures (scripts/fixtures/ext4.sh: mke2fs -d from deterministic trees) read back
 * file by file and compared with their manifests.
 */
import { describe, expect, it } from 'vitest';
import { probeExt } from '../../../../../shared/disk/fs/ext4/probe.ts';
import type { FileSystem } from '../../../../../shared/disk/types.ts';
import { hashFile, loadFixture, memSource, walk } from './helpers.ts';

const FIXTURES = [
  {
    name: 'ext4',
    kind: 'ext4',
    blockSize: 1024,
    features: ['extents', 'bit64', 'flexBg', 'metadataCsum', 'hasJournal'],
  },
  { name: 'ext4-inline', kind: 'ext4', blockSize: 1024, features: ['inlineData', 'bit64'] },
  { name: 'ext2', kind: 'ext2', blockSize: 1024, features: ['sparseSuper'] },
  { name: 'ext3', kind: 'ext3', blockSize: 1024, features: ['hasJournal', 'filetype'] },
  { name: 'ext4-metabg', kind: 'ext4', blockSize: 1024, features: ['metaBg', 'bit64'] },
  { name: 'ext4-sparse2', kind: 'ext4', blockSize: 4096, features: ['sparseSuper2'] },
] as const;

async function open(name: string): Promise<FileSystem> {
  const fs = await probeExt(memSource(loadFixture(name).image));
  if (!fs) throw new Error('not recognised');
  return fs;
}

describe.each(FIXTURES)('fixture $name', ({ name, kind, blockSize, features }) => {
  it('reports kind, uuid, label, block size and features', async () => {
    const { image } = loadFixture(name);
    const fs = await open(name);
    expect(fs.info.kind).toBe(kind);
    expect(fs.info.blockSize).toBe(blockSize);
    expect(fs.info.label).toBe(name);
    expect(fs.info.uuid).toMatch(/^6f7574b0-0a2d-4e45-9a3b-0000000000\d\d$/);
    expect(fs.info.size).toBe(image.length);
    expect(fs.info.needsRecovery).toBe(false);
    for (const f of features) expect(fs.info.notes[0]).toContain(f);
  });

  it('lists every file of the manifest with its type, size, content and link target', async () => {
    const { manifest } = loadFixture(name);
    const fs = await open(name);
    const seen = await walk(fs);
    expect([...seen.keys()].sort()).toEqual(Object.keys(manifest).sort());
    for (const [path, want] of Object.entries(manifest)) {
      const { node, entry } = seen.get(path)!;
      expect(node.type, path).toBe(want.type);
      expect(entry.type, path).toBe(want.type);
      if (want.type === 'file') {
        expect(node.size, path).toBe(want.size);
        expect(await hashFile(fs, node, 100_000), path).toBe(want.sha256);
      } else if (want.type === 'symlink') {
        expect(node.size, path).toBe(want.size);
        expect(await fs.readlink(node), path).toBe(want.linkTarget);
      }
    }
  });

  it('gives hard links one inode, and link counts to match', async () => {
    const { manifest } = loadFixture(name);
    const fs = await open(name);
    const seen = await walk(fs);
    const groups = new Map<string, Set<number>>();
    for (const [path, want] of Object.entries(manifest)) {
      if (!want.hardLinkGroup) continue;
      const set = groups.get(want.hardLinkGroup) ?? new Set();
      set.add(seen.get(path)!.node.ino);
      groups.set(want.hardLinkGroup, set);
    }
    expect(groups.size).toBeGreaterThan(0);
    for (const [group, inos] of groups) {
      expect(inos.size, group).toBe(1);
      const names = Object.values(manifest).filter((e) => e.hardLinkGroup === group).length;
      expect(seen.get(group)!.node.nlink).toBe(names);
    }
  });

  it('looks up every name as readdir lists it, and misses absent names', async () => {
    const fs = await open(name);
    const root = await fs.root();
    const dirs = [root];
    const seen = await walk(fs);
    for (const { node } of seen.values()) if (node.type === 'dir') dirs.push(node);
    for (const dir of dirs) {
      for (const entry of await fs.readdir(dir)) expect(await fs.lookup(dir, entry.name)).toEqual(entry);
      expect(await fs.lookup(dir, 'no-such-name')).toBeUndefined();
      expect(await fs.lookup(dir, '.')).toBeUndefined();
    }
  });

  it('reads holes as zeros and data where it was written, at any offset', async () => {
    const { manifest } = loadFixture(name);
    const fs = await open(name);
    const seen = await walk(fs);
    const sparse = Object.entries(manifest).filter(([, e]) => e.dataRanges);
    // The inline_data fixture has none (see scripts/fixtures/ext4.sh).
    expect(sparse.length > 0 || name === 'ext4-inline').toBe(true);
    for (const [path, want] of sparse) {
      const { node } = seen.get(path)!;
      const ranges = want.dataRanges!;
      const [first] = ranges;
      // The byte before the first run is a hole; the run itself is not all zeros.
      if (first![0] > 0) expect(Array.from(await fs.read(node, first![0] - 1, 1))).toEqual([0]);
      const run = await fs.read(node, first![0], first![1]);
      expect(run.length).toBe(first![1]);
      expect(run.some((b) => b !== 0)).toBe(true);
      const gapStart = first![0] + first![1];
      const gap = await fs.read(node, gapStart, Math.min(5000, (ranges[1]?.[0] ?? node.size) - gapStart));
      expect(gap.every((b) => b === 0)).toBe(true);
      // Past the end: nothing; across the end: cut short.
      expect((await fs.read(node, node.size, 10)).length).toBe(0);
      expect((await fs.read(node, node.size - 3, 10)).length).toBe(3);
    }
  });
});

describe('fixture specifics', () => {
  it('has 255-byte and UTF-8 names', async () => {
    const fs = await open('ext4');
    const names = [...(await walk(fs)).keys()].flatMap((p) => p.split('/'));
    expect(names.some((n) => Buffer.byteLength(n) === 255 && /^é+x$/.test(n))).toBe(true);
    expect(names.some((n) => Buffer.byteLength(n) === 255 && /^D+$/.test(n))).toBe(true);
    expect(names).toContain('日本語のファイル');
    expect(names).toContain('emoji 🦀🚀');
  });

  it('reads fast (< 60 bytes) and slow (≥ 60 bytes) symlinks', async () => {
    for (const name of ['ext4', 'ext2', 'ext4-inline']) {
      const { manifest } = loadFixture(name);
      const fs = await open(name);
      const seen = await walk(fs);
      const links = Object.entries(manifest).filter(([, e]) => e.type === 'symlink');
      expect(links.some(([, e]) => e.size < 60)).toBe(true);
      expect(links.some(([, e]) => e.size >= 60)).toBe(true);
      expect(links.some(([, e]) => e.size > 500)).toBe(true);
      for (const [path, e] of links) expect(await fs.readlink(seen.get(path)!.node)).toBe(e.linkTarget);
    }
  });

  it('indexes the big directory (htree) and finds its 200 names by hash', async () => {
    const fs = await open('ext4');
    const big = await fs.lookup(await fs.root(), 'bigdir');
    const dir = await fs.getNode(big!.ino);
    const entries = await fs.readdir(dir);
    const { manifest } = loadFixture('ext4');
    expect(entries.length).toBe(Object.keys(manifest).filter((p) => /^bigdir\/[^/]+$/.test(p)).length);
    expect(entries.length).toBeGreaterThanOrEqual(200);
    expect(dir.size).toBeGreaterThan(4 * 1024);
    for (const e of entries) expect((await fs.lookup(dir, e.name))?.ino).toBe(e.ino);
  });
});
