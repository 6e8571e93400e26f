/**
 * Damaged images: each problem is a DiskFormatError naming the ext4 layer and the offset of the bad
 * structure; nothing hangs or allocates without bound.
 */
import { describe, expect, it } from 'vitest';
import { GroupDescriptors } from '../../../../../shared/disk/fs/ext4/group-descriptors.ts';
import type { Inode } from '../../../../../shared/disk/fs/ext4/inode.ts';
import { readInode } from '../../../../../shared/disk/fs/ext4/inode.ts';
import { probeExt } from '../../../../../shared/disk/fs/ext4/probe.ts';
import { parseSuperblock } from '../../../../../shared/disk/fs/ext4/superblock.ts';
import { ExtVolume } from '../../../../../shared/disk/fs/ext4/volume.ts';
import type { FileSystem, FsNode } from '../../../../../shared/disk/types.ts';
import { DiskFormatError } from '../../../../../shared/disk/types.ts';
import { hashFile, loadFixture, memSource, walk } from './helpers.ts';

const le32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const set16 = (b: Uint8Array, o: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint16(o, v, true);
const set32 = (b: Uint8Array, o: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(o, v, true);

async function fsOf(image: Uint8Array): Promise<FileSystem> {
  const fs = await probeExt(memSource(image));
  if (!fs) throw new Error('not recognised');
  return fs;
}

/** The raw inode of `path` (its volume offset and i_block) in an image. */
async function rawInode(image: Uint8Array, path: string): Promise<{ inode: Inode; node: FsNode }> {
  const fs = await fsOf(image);
  const { node } = (await walk(fs)).get(path)!;
  const sb = parseSuperblock(image.subarray(1024, 2048));
  const vol = new ExtVolume(memSource(image), sb.blockSize, sb.blocksCount);
  return { inode: await readInode(sb, vol, new GroupDescriptors(sb, vol), node.ino), node };
}

async function expectFormatError(p: Promise<unknown>, offset?: number | ((o: number) => boolean)) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskFormatError);
  const e = err as DiskFormatError;
  expect(e.layer).toBe('ext4');
  expect(e.message).toMatch(/^ext4 at offset \d+: /);
  expect(e.offset).toBeTypeOf('number');
  if (typeof offset === 'number') expect(e.offset).toBe(offset);
  if (typeof offset === 'function') expect(offset(e.offset!)).toBe(true);
  return e;
}

/** A sparse file of the ext4 fixture whose extent tree has depth 1 (more than 4 extents). */
function deepSparse(manifest: Record<string, { dataRanges?: [number, number][] }>): string {
  return Object.entries(manifest).find(([, e]) => (e.dataRanges?.length ?? 0) > 4)![0];
}

describe('superblock damage', () => {
  it('answers undefined without the magic', async () => {
    const { image } = loadFixture('ext4');
    set16(image, 1024 + 0x38, 0x1234);
    expect(await probeExt(memSource(image))).toBeUndefined();
    expect(await probeExt(memSource(new Uint8Array(100)))).toBeUndefined();
  });

  it('refuses an absurd block size, zero inodes per group, zero blocks per group', async () => {
    for (const [field, value] of [
      [0x18, 20],
      [0x28, 0],
      [0x20, 0],
      [0x58, 100],
    ] as const) {
      const { image } = loadFixture('ext4');
      if (field === 0x58) set16(image, 1024 + field, value);
      else set32(image, 1024 + field, value);
      await expectFormatError(probeExt(memSource(image)), 1024 + field);
    }
  });

  it('refuses unknown incompatible features, compression and external journal devices', async () => {
    for (const bit of [0x1, 0x8, 0x80000000]) {
      const { image } = loadFixture('ext2');
      set32(image, 1024 + 0x60, le32(image, 1024 + 0x60) | bit);
      await expectFormatError(probeExt(memSource(image)), 1024 + 0x60);
    }
  });

  it('refuses a superblock cut short', async () => {
    const { image } = loadFixture('ext4');
    await expectFormatError(probeExt(memSource(image.slice(0, 1500))), 1024);
  });
});

describe('truncated image', () => {
  it('fails reads past the end with the offset, never short data', async () => {
    const { image, manifest } = loadFixture('ext4');
    const cut = 1300 * 1024;
    const fs = await fsOf(image.slice(0, cut));
    expect(fs.info.notes.join('\n')).toMatch(/smaller than the filesystem/);
    const seen = await walk(await fsOf(image));
    let failures = 0;
    let whole = 0;
    for (const [path, want] of Object.entries(manifest)) {
      if (want.type !== 'file') continue;
      try {
        expect(await hashFile(fs, seen.get(path)!.node)).toBe(want.sha256);
        whole++;
      } catch (e) {
        await expectFormatError(Promise.reject(e), (o) => o >= cut);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(whole).toBeGreaterThan(0);
  });
});

describe('extent tree damage', () => {
  it('catches an index node pointing back at itself (a loop)', async () => {
    const { image, manifest } = loadFixture('ext4');
    const { inode, node } = await rawInode(image, deepSparse(manifest));
    expect(le32(inode.iblock, 4) >> 16).toBe(1); // eh_depth 1
    const leaf = le32(inode.iblock, 12 + 4);
    const leafOff = leaf * 1024;
    set16(image, leafOff + 6, 1); // the leaf claims depth 1…
    set32(image, leafOff + 12 + 4, leaf); // …and its first entry points to itself
    set16(image, leafOff + 12 + 8, 0);
    const fs = await fsOf(image);
    await expectFormatError(fs.read(node, 0, node.size), leafOff + 6);
  });

  it('refuses a tree deeper than 5', async () => {
    const { image, manifest } = loadFixture('ext4');
    const { inode, node } = await rawInode(image, deepSparse(manifest));
    set16(image, inode.offset + 0x28 + 6, 6);
    await expectFormatError((await fsOf(image)).read(node, 0, 10), inode.offset + 0x28 + 6);
  });

  it('refuses extents beyond the filesystem, naming the extent', async () => {
    const { image, manifest } = loadFixture('ext4');
    const { inode, node } = await rawInode(image, deepSparse(manifest));
    const leafOff = le32(inode.iblock, 16) * 1024;
    set16(image, leafOff + 12 + 6, 0x7fff); // ee_start_hi of the first extent
    await expectFormatError((await fsOf(image)).read(node, 0, node.size), leafOff + 12);
  });

  it('reads an uninitialized (unwritten) extent as zeros', async () => {
    const { image, manifest } = loadFixture('ext4');
    const path = deepSparse(manifest);
    const { inode, node } = await rawInode(image, path);
    const leafOff = le32(inode.iblock, 16) * 1024;
    const lblk = le32(image, leafOff + 12);
    const len = image[leafOff + 12 + 4]! | (image[leafOff + 12 + 5]! << 8);
    const before = await (await fsOf(image)).read(node, lblk * 1024, len * 1024);
    expect(before.some((b) => b !== 0)).toBe(true);
    set16(image, leafOff + 12 + 4, len + 32768);
    const after = await (await fsOf(image)).read(node, lblk * 1024, len * 1024);
    expect(after.length).toBe(len * 1024);
    expect(after.every((b) => b === 0)).toBe(true);
  });
});

describe('directory damage', () => {
  async function rootBlock(image: Uint8Array, name: string) {
    const { inode, node } = await rawInode(image, name);
    void node;
    return inode;
  }

  it('refuses a rec_len running past the end of the block', async () => {
    for (const fixture of ['ext4', 'ext2']) {
      const { image } = loadFixture(fixture);
      const dir = await rootBlock(image, 'deep0');
      const extents = fixture === 'ext4';
      const block = extents ? le32(dir.iblock, 12 + 8) : le32(dir.iblock, 0);
      const off = block * 1024;
      // "." then ".." (which spans the block in a small dir); point ".." past the end.
      const dotRec = image[off + 4]! | (image[off + 5]! << 8);
      set16(image, off + dotRec + 4, 2000);
      const fs = await fsOf(image);
      const node = await fs.getNode(dir.ino);
      await expectFormatError(fs.readdir(node), off + dotRec + 4);
      await expectFormatError(fs.lookup(node, 'x'), off + dotRec + 4);
    }
  });

  it('refuses entries naming inodes out of range, and getNode of such numbers', async () => {
    const { image } = loadFixture('ext4');
    const dir = await rootBlock(image, 'deep0');
    const off = le32(dir.iblock, 12 + 8) * 1024;
    const dotRec = image[off + 4]! | (image[off + 5]! << 8);
    set32(image, off + dotRec, 0x7fffffff);
    const fs = await fsOf(image);
    await expectFormatError(fs.readdir(await fs.getNode(dir.ino)), off + dotRec);
    await expectFormatError(fs.getNode(0));
    await expectFormatError(fs.getNode(1025));
    await expectFormatError(fs.getNode(2 ** 40));
  });

  it('keeps a directory with an absurd size bounded', async () => {
    const { image } = loadFixture('ext4');
    const dir = await rootBlock(image, 'deep0');
    set32(image, dir.offset + 0x6c, 0x100000); // i_size_high: 2^52 bytes
    const fs = await fsOf(image);
    const node = await fs.getNode(dir.ino);
    set32(image, dir.offset + 0x6c, 0x7fffff); // 2^55: beyond what a JS number holds exactly
    await expectFormatError((await fsOf(image)).getNode(dir.ino), dir.offset + 0x4);
    expect(node.size).toBeGreaterThan(2 ** 50);
    expect((await fs.readdir(node)).length).toBeGreaterThan(0);
  });

  it('reads a huge declared file size in bounded pieces (holes beyond the data)', async () => {
    const { image, manifest } = loadFixture('ext4');
    const path = Object.entries(manifest).find(
      ([, e]) => e.type === 'file' && e.size > 5000 && !e.dataRanges,
    )![0];
    const { inode } = await rawInode(image, path);
    set32(image, inode.offset + 0x6c, 0x100000); // 2^52 bytes
    const fs = await fsOf(image);
    const node = await fs.getNode(inode.ino);
    const far = await fs.read(node, 2 ** 51, 1 << 20);
    expect(far.length).toBe(1 << 20);
    expect(far.every((b) => b === 0)).toBe(true);
  });

  it('refuses encrypted inodes clearly', async () => {
    const { image, manifest } = loadFixture('ext4');
    const path = Object.entries(manifest).find(([, e]) => e.type === 'file' && e.size > 100)![0];
    const { inode, node } = await rawInode(image, path);
    set32(image, inode.offset + 0x20, inode.flags | 0x800);
    const e = await expectFormatError((await fsOf(image)).read(node, 0, 10), inode.offset + 0x20);
    expect(e.message).toMatch(/encrypted/);
  });
});

describe('journal', () => {
  it('reports needs_recovery and never replays', async () => {
    const { image, manifest } = loadFixture('ext3');
    set32(image, 1024 + 0x60, le32(image, 1024 + 0x60) | 0x4);
    const fs = await fsOf(image);
    expect(fs.info.kind).toBe('ext3');
    expect(fs.info.needsRecovery).toBe(true);
    expect(fs.info.notes.join('\n')).toMatch(/journal not replayed/);
    expect((await walk(fs)).size).toBe(Object.keys(manifest).length);
  });
});
