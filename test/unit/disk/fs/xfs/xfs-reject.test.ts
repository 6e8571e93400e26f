/**
 * Damaged XFS volumes: every problem is a DiskFormatError naming layer "xfs" and the offset of the bad
 * structure (or of what points at it); nothing hangs; reads stay bounded. Each case patches a copy of
 * the v5-4k fixture in memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExtents, READ_CHUNK } from '../../../../../shared/disk/fs/xfs/bmap.ts';
import { probeXfs } from '../../../../../shared/disk/fs/xfs/probe.ts';
import type { XfsFileSystem } from '../../../../../shared/disk/fs/xfs/xfs-fs.ts';
import { DiskFormatError, type FileSystem } from '../../../../../shared/disk/types.ts';
import { BufferSource, type FixtureManifest, loadFixture, type Walked, walk } from './xfs-support.ts';

let pristine: Uint8Array;
let manifest: FixtureManifest;
let paths: Map<string, Walked>;
let agBlkLog: number;
const BS = 4096;
const ISIZE = 512;

const fsbOffset = (fsb: number) =>
  (Math.floor(fsb / 2 ** agBlkLog) * manifest.geometry.agBlocks + (fsb % 2 ** agBlkLog)) * BS;
const inodeOffset = (ino: number) => fsbOffset(Math.floor(ino / (BS / ISIZE))) + (ino % (BS / ISIZE)) * ISIZE;
const ino = (p: string) => (paths.get(p) as Walked).node.ino;

function patched(patch: (b: Buffer) => void): BufferSource {
  const b = Buffer.from(pristine);
  patch(b);
  return new BufferSource(new Uint8Array(b.buffer, b.byteOffset, b.length));
}

async function open(src: BufferSource): Promise<XfsFileSystem> {
  return (await probeXfs(src)) as XfsFileSystem;
}

/** Expects a DiskFormatError of layer xfs at `offset` (when given). */
async function rejects(p: Promise<unknown>, offset?: number, message?: RegExp): Promise<DiskFormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskFormatError);
  const e = err as DiskFormatError;
  expect(e.layer).toBe('xfs');
  expect(e.offset).toBeTypeOf('number');
  if (offset !== undefined) expect(e.offset).toBe(offset);
  if (message) expect(e.message).toMatch(message);
  return e;
}

beforeAll(async () => {
  const f = loadFixture('v5-4k');
  pristine = f.image;
  manifest = f.manifest;
  agBlkLog = pristine[124] as number;
  paths = await walk((await probeXfs(new BufferSource(pristine))) as FileSystem);
});

describe('XFS superblock checks', () => {
  it('answers undefined for volumes without the XFSB magic', async () => {
    expect(await probeXfs(patched((b) => b.write('XFSC', 0)))).toBeUndefined();
    expect(await probeXfs(new BufferSource(new Uint8Array(1 << 20)))).toBeUndefined();
    expect(await probeXfs(new BufferSource(new Uint8Array(100)))).toBeUndefined();
  });

  it('rejects a truncated image at the volume end', async () => {
    await rejects(probeXfs(new BufferSource(pristine.subarray(0, 16 << 20))), 16 << 20, /volume holds only/);
  });

  it('rejects a source that returns short reads', async () => {
    const src = new BufferSource(pristine);
    const short = {
      size: src.size,
      read: async (o: number, l: number) => (await src.read(o, l)).subarray(0, Math.min(l, 600)),
      close: async () => {},
    };
    await rejects(probeXfs(short), undefined, /returned 600 of/);
  });

  it.each([
    ['block size 3000', (b: Buffer) => b.writeUInt32BE(3000, 4), 4],
    ['block size 0', (b: Buffer) => b.writeUInt32BE(0, 4), 4],
    ['agcount 0', (b: Buffer) => b.writeUInt32BE(0, 88), 88],
    ['absurd agblocks', (b: Buffer) => b.writeUInt32BE(0xfffffff0, 84), 84],
    ['agblocks disagreeing with agblklog', (b: Buffer) => b.writeUInt32BE(100, 84), 124],
    ['dblocks beyond the AGs', (b: Buffer) => b.writeBigUInt64BE(1n << 40n, 8), 8],
    ['inode size 300', (b: Buffer) => b.writeUInt16BE(300, 104), 104],
    ['XFS v4', (b: Buffer) => b.writeUInt16BE((b.readUInt16BE(100) & ~0xf) | 4, 100), 100],
    ['unknown incompat feature', (b: Buffer) => b.writeUInt32BE(b.readUInt32BE(216) | 0x8000, 216), 216],
    ['root inode outside any AG', (b: Buffer) => b.writeBigUInt64BE(1n << 40n, 56), 56],
  ])('rejects %s', async (_name, patch, offset) => {
    await rejects(probeXfs(patched(patch)), offset);
  });

  it('notes a superblock CRC mismatch without failing', async () => {
    const fs = await open(patched((b) => b.write('changed\0', 108)));
    expect(fs.info.label).toBe('changed');
    expect(fs.info.notes.join('\n')).toMatch(/superblock CRC mismatch/);
  });
});

describe('XFS structure checks', () => {
  const nodeBlockOffset = () => fsbOffset(manifest.frag?.btreeBlocks.node as number);
  const ptrOffset = (i: number) => nodeBlockOffset() + 72 + Math.floor((BS - 72) / 16) * 8 + i * 8;

  it('detects a bmap btree loop (a node pointing twice at one leaf)', async () => {
    const leaves = manifest.frag?.btreeBlocks.leaves as number[];
    const fs = await open(patched((b) => b.writeBigUInt64BE(BigInt(leaves[0] as number), ptrOffset(1))));
    const frag = await fs.getNode(ino('frag.bin'));
    await rejects(fs.read(frag, 0, 10), ptrOffset(1), /loops/);
  });

  it('rejects a btree block pointing at itself (wrong level) and a pointer outside the filesystem', async () => {
    const node = manifest.frag?.btreeBlocks.node as number;
    let fs = await open(patched((b) => b.writeBigUInt64BE(BigInt(node), ptrOffset(0))));
    await rejects(fs.read(await fs.getNode(ino('frag.bin')), 0, 1), undefined, /loops|level/);
    const beyond = manifest.geometry.agCount * 2 ** agBlkLog + 3;
    fs = await open(patched((b) => b.writeBigUInt64BE(BigInt(beyond), ptrOffset(2))));
    await rejects(fs.read(await fs.getNode(ino('frag.bin')), 0, 1), ptrOffset(2), /outside the filesystem/);
  });

  it('rejects a bmap btree deeper than 10 levels', async () => {
    const at = inodeOffset(ino('frag.bin')) + 176;
    const fs = await open(patched((b) => b.writeUInt16BE(11, at)));
    await rejects(fs.read(await fs.getNode(ino('frag.bin')), 0, 1), at, /depth 11/);
  });

  it('rejects an extent running past its AG', async () => {
    const at = inodeOffset(ino('block.bin')) + 176;
    const fs = await open(
      patched((b) => b.writeUInt32BE(((b.readUInt32BE(at + 12) & ~0x1fffff) | 0x1fffff) >>> 0, at + 12)),
    );
    await rejects(fs.read(await fs.getNode(ino('block.bin')), 0, 1), at, /outside AG/);
  });

  it('rejects a directory entry running past the block end', async () => {
    const fs0 = await open(new BufferSource(pristine));
    const dir = await fs0.inode(ino('block'));
    const [ext] = await loadExtents(fs0.ctx, dir);
    const blk = pristine.subarray(ext?.diskOffset, (ext?.diskOffset as number) + BS);
    // Find the last live entry in the data region (before the leaf array and tail).
    const end = BS - 8 - Buffer.from(blk).readUInt32BE(BS - 8) * 8;
    let p = 64;
    let last = -1;
    while (p < end) {
      const v = Buffer.from(blk);
      if (v.readUInt16BE(p) === 0xffff) {
        p += v.readUInt16BE(p + 2);
        continue;
      }
      last = p;
      p += (8 + 1 + (blk[p + 8] as number) + 1 + 2 + 7) & ~7;
    }
    const at = (ext?.diskOffset as number) + last;
    // Give the last name 255 bytes, and let the leaf array (block tail count) start right after its
    // first 8 bytes, so the entry certainly runs past the end of the data region.
    const tail = (ext?.diskOffset as number) + BS - 8;
    const fs = await open(
      patched((b) => {
        b.writeUInt8(255, at + 8);
        b.writeUInt32BE((BS - 8 - (last + 8)) / 8, tail);
      }),
    );
    await rejects(fs.readdir(await fs.getNode(ino('block'))), at, /past the block end/);
    await rejects(fs.lookup(await fs.getNode(ino('block')), 'no-such-name'), at);
  });

  it('rejects a short-form directory whose count overruns the inode', async () => {
    const at = inodeOffset(ino('sf')) + 176;
    const fs = await open(patched((b) => b.writeUInt8(200, at)));
    await rejects(fs.readdir(await fs.getNode(ino('sf'))), undefined, /runs past the fork/);
  });

  it('rejects an inode number outside any AG, from a directory entry or given directly', async () => {
    const sf = inodeOffset(ino('sf')) + 176;
    const bad = manifest.geometry.agCount * 2 ** (agBlkLog + 3) + 9;
    // First entry "a": header 6 bytes, then namelen 1, offset 2, "a", ftype → inode at +5.
    const fs = await open(patched((b) => b.writeUInt32BE(bad, sf + 6 + 5)));
    const entries = await fs.readdir(await fs.getNode(ino('sf')));
    expect(entries.find((e) => e.name === 'a')?.ino).toBe(bad);
    await rejects(fs.getNode(bad), undefined, /outside any AG/);
    await rejects(fs.getNode(2 ** 52), undefined, /outside any AG/);
    await rejects(fs.getNode(1), 512, /outside any AG/); // block 0 of AG 0 holds the superblock
  });

  it('rejects an inode with a bad magic or a mismatching self number', async () => {
    const at = inodeOffset(ino('odd.bin'));
    let fs = await open(patched((b) => b.writeUInt16BE(0, at)));
    await rejects(fs.getNode(ino('odd.bin')), at, /bad magic/);
    fs = await open(patched((b) => b.writeBigUInt64BE(12345n, at + 152)));
    await rejects(fs.getNode(ino('odd.bin')), at + 152, /records number/);
  });

  it('rejects a remote symlink block owned by another inode', async () => {
    const fs0 = await open(new BufferSource(pristine));
    const [ext] = await loadExtents(fs0.ctx, await fs0.inode(ino('links/remote')));
    const at = (ext?.diskOffset as number) + 32;
    const fs = await open(patched((b) => b.writeBigUInt64BE(7n, at)));
    await rejects(fs.readlink(await fs.getNode(ino('links/remote'))), at, /another inode/);
  });
});

describe('XFS log and bounded reads', () => {
  it('reports needsRecovery when the last log record is not an unmount record', async () => {
    const logStart = Number(Buffer.from(pristine).readBigUInt64BE(48));
    const opFlags = fsbOffset(logStart) + 512 + 9;
    expect(pristine[opFlags]! & 0x20).toBe(0x20);
    const fs = await open(patched((b) => b.writeUInt8(0, opFlags)));
    expect(fs.info.needsRecovery).toBe(true);
    expect(fs.info.notes.join('\n')).toMatch(/log dirty/);
  });

  it('reads large ranges in bounded chunks and refuses reads over 1 GiB per call', async () => {
    // Stretch huge.bin's second extent to 2000 blocks (8 MB) and read it at once.
    const at = inodeOffset(ino('huge.bin')) + 176 + 16;
    const src = patched((b) =>
      b.writeUInt32BE(((b.readUInt32BE(at + 12) & ~0x1fffff) | 2000) >>> 0, at + 12),
    );
    const fs = await open(src);
    const huge = await fs.getNode(ino('huge.bin'));
    const far = 5 * 2 ** 30;
    src.maxRead = 0;
    const data = await fs.read(huge, far, 8 << 20);
    expect(data.length).toBe(huge.size - far);
    expect(src.maxRead).toBeLessThanOrEqual(READ_CHUNK);
    await expect(fs.read(huge, 0, 2 ** 31)).rejects.toThrow(RangeError);
  });
});
