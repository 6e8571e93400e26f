import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../../../shared/disk/block/memory-source.ts';
import { openContainer } from '../../../../shared/disk/containers/detect.ts';
import type { OpenContainerOptions } from '../../../../shared/disk/containers/types.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';
import { fixtureRaw } from './fixture-source.ts';
import { fixture, memoryResolver, patched } from './fixtures.ts';

const v3 = fixture('base.qcow2');
const deflate = fixture('deflate.qcow2');
const sparse = fixture('sparse.vmdk');
const stream = fixture('stream.vmdk');
const overlay = fixture('overlay.qcow2');

/** Opens (and reads all of) an image, answering the error it fails with. */
async function failure(bytes: Uint8Array, options: OpenContainerOptions = {}): Promise<DiskFormatError> {
  try {
    const c = await openContainer(new MemorySource(bytes), options);
    await c.read(0, c.size);
  } catch (error) {
    expect(error).toBeInstanceOf(DiskFormatError);
    return error as DiskFormatError;
  }
  throw new Error('the image opened and read without error');
}

function expectError(e: DiskFormatError, layer: string, offset: number, message: RegExp) {
  expect({ layer: e.layer, offset: e.offset }).toEqual({ layer, offset });
  expect(e.message).toMatch(message);
  expect(e.message).toContain(`${layer} at offset ${offset}`);
}

/** First L2 table offset and the first allocated L2 entry of a qcow2 image. */
function qcow2Layout(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const l1 = Number(dv.getBigUint64(40));
  const l2 = Number(dv.getBigUint64(l1) & 0x00fffffffffffe00n);
  const clusterBits = dv.getUint32(20);
  let entry = 0;
  while (dv.getBigUint64(l2 + entry * 8) === 0n) entry++;
  return { l1, l2, entryAt: l2 + entry * 8, value: dv.getBigUint64(l2 + entry * 8), clusterBits };
}

describe('qcow2 rejections', () => {
  it('a truncated header', async () => {
    expectError(await failure(v3.subarray(0, 50), { format: 'qcow2' }), 'qcow2', 0, /truncated/);
    expectError(await failure(v3.subarray(0, 90), { format: 'qcow2' }), 'qcow2', 0, /truncated/);
  });

  it('bad magic and version', async () => {
    expectError(
      await failure(
        patched(v3, (dv) => dv.setUint32(0, 0x514649fa)),
        { format: 'qcow2' },
      ),
      'qcow2',
      0,
      /bad magic/,
    );
    expectError(await failure(patched(v3, (dv) => dv.setUint32(4, 4))), 'qcow2', 4, /unsupported version 4/);
    expectError(await failure(patched(v3, (dv) => dv.setUint32(4, 1))), 'qcow2', 4, /unsupported version 1/);
  });

  it('cluster_bits outside 9..21', async () => {
    for (const bits of [0, 8, 22, 63]) {
      expectError(await failure(patched(v3, (dv) => dv.setUint32(20, bits))), 'qcow2', 20, /cluster_bits/);
    }
  });

  it('an absurd or misplaced L1 table', async () => {
    expectError(
      await failure(patched(v3, (dv) => dv.setUint32(36, 0x10000000))),
      'qcow2',
      36,
      /absurdly large/,
    );
    expectError(await failure(patched(v3, (dv) => dv.setUint32(36, 500_000))), 'qcow2', 36, /does not fit/);
    expectError(await failure(patched(v3, (dv) => dv.setUint32(36, 0))), 'qcow2', 36, /needs 1/);
    expectError(
      await failure(patched(v3, (dv) => dv.setBigUint64(40, 1n << 40n))),
      'qcow2',
      36,
      /does not fit/,
    );
    expectError(
      await failure(patched(v3, (dv) => dv.setBigUint64(40, 512n))),
      'qcow2',
      40,
      /not cluster-aligned/,
    );
  });

  it('a virtual size beyond 2^53 bytes', async () => {
    expectError(await failure(patched(v3, (dv) => dv.setBigUint64(24, 1n << 60n))), 'qcow2', 24, /too large/);
  });

  it('an L1 entry pointing past the end of the file', async () => {
    const { l1 } = qcow2Layout(v3);
    const bad = patched(v3, (dv) => dv.setBigUint64(l1, 1n << 40n));
    expectError(await failure(bad), 'qcow2', l1, /past the end of the file/);
  });

  it('an L2 entry pointing past the end of the file', async () => {
    const { entryAt } = qcow2Layout(v3);
    const bad = patched(v3, (dv) => dv.setBigUint64(entryAt, (1n << 63n) | (1n << 40n)));
    expectError(await failure(bad), 'qcow2', entryAt, /past the end of the file/);
  });

  it('an L2 entry pointing at an unaligned cluster', async () => {
    const { entryAt, value } = qcow2Layout(v3);
    const bad = patched(v3, (dv) => dv.setBigUint64(entryAt, value + 512n));
    expectError(await failure(bad), 'qcow2', entryAt, /unaligned/);
  });

  it('a corrupt compressed cluster', async () => {
    const { entryAt, value, clusterBits } = qcow2Layout(deflate);
    expect(value & (1n << 62n)).not.toBe(0n);
    const host = Number(value & ((1n << BigInt(62 - (clusterBits - 8))) - 1n));
    const bad = patched(deflate, (_dv, bytes) => bytes.fill(0xff, host, host + 64));
    expectError(await failure(bad), 'qcow2', host, /corrupt compressed cluster/);
    const beyond = patched(deflate, (dv) =>
      dv.setBigUint64(entryAt, (1n << 62n) | BigInt(deflate.length + 4096)),
    );
    expectError(await failure(beyond), 'qcow2', entryAt, /past the end of the file/);
  });

  it('encryption, external data files, extended L2 entries and unknown features', async () => {
    expectError(await failure(patched(v3, (dv) => dv.setUint32(32, 1))), 'qcow2', 32, /encrypted/);
    expectError(await failure(patched(v3, (dv) => dv.setUint32(76, 1 << 2))), 'qcow2', 72, /external data/);
    expectError(await failure(patched(v3, (dv) => dv.setUint32(76, 1 << 4))), 'qcow2', 72, /extended L2/);
    expectError(
      await failure(patched(v3, (dv) => dv.setUint32(76, 1 << 9))),
      'qcow2',
      72,
      /unknown incompatible/,
    );
  });

  it('a backing file without a resolver', async () => {
    const at = Number(new DataView(overlay.buffer).getBigUint64(8));
    expectError(await failure(overlay), 'qcow2', at, /needs backing file "base.qcow2"/);
  });

  it('a backing chain that loops', async () => {
    const at = Number(new DataView(overlay.buffer).getBigUint64(8));
    const resolveBacking = memoryResolver({ 'base.qcow2': overlay });
    const e = await failure(overlay, { resolveBacking, path: 'base.qcow2' });
    expectError(e, 'qcow2', at, /backing file loop: base.qcow2 -> base.qcow2/);
  });

  it('a backing chain deeper than the limit', async () => {
    let n = 0;
    const resolveBacking = async () => ({ source: new MemorySource(overlay), path: `copy-${n++}` });
    const e = await failure(overlay, { resolveBacking, path: 'top' });
    expect(e.message).toMatch(/backing chain is deeper than 16/);
    expect(n).toBe(16);
    const shallow = await failure(overlay, { resolveBacking, path: 'top', maxBackingDepth: 2 });
    expect(shallow.message).toMatch(/deeper than 2/);
  });
});

/** Byte offset of the grain directory and its first grain table, from a sparse VMDK's header. */
function vmdkLayout(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const gd = Number(dv.getBigUint64(56, true)) * 512;
  const gt = dv.getUint32(gd, true) * 512;
  let entry = 0;
  while (dv.getUint32(gt + entry * 4, true) === 0) entry++;
  return { gd, gt, entryAt: gt + entry * 4, grainAt: dv.getUint32(gt + entry * 4, true) * 512 };
}

/**
 * The stream image rewritten the way VMware writes streamOptimized files: the header's GD offset says
 * "at the end" and a footer (marker, header copy with the real offset, end-of-stream marker) follows.
 */
function gdAtEnd(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 3 * 512);
  out.set(bytes);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(bytes.length, 1n, true);
  dv.setUint32(bytes.length + 12, 3, true);
  out.set(bytes.subarray(0, 512), bytes.length + 512);
  dv.setBigUint64(56, 0xffffffffffffffffn, true);
  return out;
}

describe('vmdk rejections', () => {
  it('a truncated header, bad version and bad grain size', async () => {
    expectError(await failure(sparse.subarray(0, 100)), 'vmdk', 0, /truncated/);
    expectError(await failure(patched(sparse, (dv) => dv.setUint32(4, 7, true))), 'vmdk', 4, /version 7/);
    expectError(
      await failure(patched(sparse, (dv) => dv.setBigUint64(20, 100n, true))),
      'vmdk',
      20,
      /grain size/,
    );
    expectError(
      await failure(patched(sparse, (dv) => dv.setUint32(44, 1 << 20, true))),
      'vmdk',
      44,
      /absurd/,
    );
    expectError(await failure(new Uint8Array(1024), { format: 'vmdk' }), 'vmdk', 0, /not a VMDK/);
  });

  it('a grain directory that does not fit', async () => {
    const bad = patched(sparse, (dv) => dv.setBigUint64(56, BigInt(sparse.length / 512), true));
    expectError(await failure(bad), 'vmdk', 56, /grain directory/);
  });

  it('a grain directory entry pointing past the end of the file', async () => {
    const { gd } = vmdkLayout(sparse);
    const bad = patched(sparse, (dv) => dv.setUint32(gd, 0x7fffffff, true));
    expectError(await failure(bad), 'vmdk', gd, /grain table sector .* past the end/);
  });

  it('a grain table entry pointing past the end of the file', async () => {
    const { entryAt } = vmdkLayout(sparse);
    const bad = patched(sparse, (dv) => dv.setUint32(entryAt, 0x7fffffff, true));
    expectError(await failure(bad), 'vmdk', entryAt, /grain table entry .* past the end/);
  });

  it('a streamOptimized image with the grain directory at the end needs its footer', async () => {
    const atEnd = gdAtEnd(stream);
    const c = await openContainer(new MemorySource(atEnd));
    expect(Buffer.compare(await c.read(0, c.size), fixtureRaw())).toBe(0);
    const e = await failure(atEnd.subarray(0, atEnd.length - 1024));
    expectError(e, 'vmdk', atEnd.length - 1024 - 1024, /bad magic/);
    const noFooterGd = patched(atEnd, (dv) =>
      dv.setBigUint64(atEnd.length - 1024 + 56, 0xffffffffffffffffn, true),
    );
    expectError(await failure(noFooterGd), 'vmdk', atEnd.length - 1024 + 56, /footer says/);
  });

  it('a corrupt compressed grain and a grain marker for the wrong place', async () => {
    const { grainAt } = vmdkLayout(stream);
    const corrupt = patched(stream, (_dv, bytes) => bytes.fill(0xff, grainAt + 12, grainAt + 40));
    expectError(await failure(corrupt), 'vmdk', grainAt + 12, /corrupt compressed grain/);
    const moved = patched(stream, (dv) => dv.setBigUint64(grainAt, 999_999n, true));
    expectError(await failure(moved), 'vmdk', grainAt, /grain marker says LBA 999999/);
    const huge = patched(stream, (dv) => dv.setUint32(grainAt + 8, 0x7fffffff, true));
    expectError(await failure(huge), 'vmdk', grainAt + 8, /absurd compressed size/);
  });

  it('a descriptor whose extent file is missing or too short', async () => {
    const descriptor = fixture('flat.vmdk');
    expectError(await failure(descriptor), 'vmdk', 0, /needs extent file/);
    const resolveBacking = memoryResolver({ 'flat-flat.vmdk': new Uint8Array(4096) });
    expectError(await failure(descriptor, { resolveBacking }), 'vmdk', 0, /shorter than the descriptor/);
  });

  it('formats it recognises but does not read', async () => {
    const vhdx = new TextEncoder().encode('vhdxfile'.padEnd(4096, '\0'));
    const e = await failure(vhdx);
    expect(e.layer).toBe('container');
    expect(e.message).toMatch(/VHDX/);
  });
});
