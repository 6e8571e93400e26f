/**
 * Container readers checked against qemu-img: raw disks with random, compressible and empty regions are
 * converted to every qcow2 and VMDK variant qemu-img makes, and each virtual disk must read back byte for
 * byte. Overlays written with qemu-io are checked against qemu-img's own raw conversion of them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openImageFile } from '../../../shared/disk/containers/image-file.ts';
import type { Container } from '../../../shared/disk/types.ts';
import { requireTools, run } from '../../support/system-tools.ts';
import { between, prng, randomBytes } from '../../unit/disk/block/prng.ts';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'ob-sys-containers-'));

function sh(cmd: string, ...args: string[]) {
  const r = run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** 24 MiB + 7 sectors: random and compressible stretches, holes, a partial last cluster. */
function makeRaw(): Uint8Array {
  const size = 24 * MiB + 7 * 512;
  const out = new Uint8Array(size);
  const random = prng(2024);
  for (let at = 0; at < size; at += 256 * 1024) {
    const kind = between(random, 0, 4);
    const len = Math.min(256 * 1024, size - at);
    if (kind === 0) out.set(randomBytes(at, len), at);
    else if (kind === 1) {
      const text = new TextEncoder().encode(
        `block at ${at} says hello ${'x'.repeat(between(random, 1, 40))}\n`,
      );
      for (let i = 0; i < len; i += text.length) out.set(text.subarray(0, len - i), at + i);
    } else if (kind === 2) out.set(randomBytes(at + 1, 4096), at + between(random, 0, len - 4096));
  }
  out.set(randomBytes(99, 7 * 512), 24 * MiB);
  return out;
}

async function expectBytes(c: Container, want: Uint8Array) {
  expect(c.size).toBe(want.length);
  for (let at = 0; at < want.length; at += 3 * MiB + 5) {
    const got = await c.read(at, 3 * MiB + 5);
    expect(Buffer.compare(got, want.subarray(at, at + 3 * MiB + 5))).toBe(0);
  }
  const random = prng(want.length);
  for (let i = 0; i < 300; i++) {
    const at = between(random, 0, want.length);
    const len = between(random, 1, 200_000);
    expect(Buffer.compare(await c.read(at, len), want.subarray(at, at + len))).toBe(0);
  }
}

async function check(image: string, want: Uint8Array, format: string) {
  const c = await openImageFile(join(dir, image));
  try {
    expect(c.info.format).toBe(format);
    await expectBytes(c, want);
  } finally {
    await c.close();
  }
}

/** qemu-img's own reading of an image, as raw bytes. */
function qemuRaw(image: string): Uint8Array {
  const out = join(dir, `${image}.qemu.raw`);
  sh('qemu-img', 'convert', '-O', 'raw', join(dir, image), out);
  return new Uint8Array(readFileSync(out));
}

describe('containers checked against qemu-img', () => {
  let raw: Uint8Array;
  beforeAll(() => {
    requireTools('qemu-img', 'qemu-io');
    raw = makeRaw();
    writeFileSync(join(dir, 'source.raw'), raw);
  });

  const convert = (out: string, ...opts: string[]) =>
    sh('qemu-img', 'convert', '-f', 'raw', ...opts, join(dir, 'source.raw'), join(dir, out));

  it.each([
    ['v2.qcow2', ['-O', 'qcow2', '-o', 'compat=0.10']],
    ['v2-compressed.qcow2', ['-c', '-O', 'qcow2', '-o', 'compat=0.10']],
    ['v3.qcow2', ['-O', 'qcow2']],
    ['v3-512.qcow2', ['-O', 'qcow2', '-o', 'cluster_size=512']],
    ['v3-4k-compressed.qcow2', ['-c', '-O', 'qcow2', '-o', 'cluster_size=4096']],
    ['v3-2m.qcow2', ['-O', 'qcow2', '-o', 'cluster_size=2M']],
    ['v3-2m-compressed.qcow2', ['-c', '-O', 'qcow2', '-o', 'cluster_size=2M']],
    ['v3-compressed.qcow2', ['-c', '-O', 'qcow2']],
    ['v3-zstd.qcow2', ['-c', '-O', 'qcow2', '-o', 'compression_type=zstd']],
    ['v3-prealloc.qcow2', ['-O', 'qcow2', '-o', 'preallocation=metadata']],
  ])('qcow2 %s', async (name, opts) => {
    convert(name, ...opts);
    await check(name, raw, 'qcow2');
  });

  it.each([
    ['sparse.vmdk', ['-O', 'vmdk']],
    ['stream.vmdk', ['-O', 'vmdk', '-o', 'subformat=streamOptimized']],
    ['flat.vmdk', ['-O', 'vmdk', '-o', 'subformat=monolithicFlat']],
    ['2gb-sparse.vmdk', ['-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse']],
    ['2gb-flat.vmdk', ['-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentFlat']],
    ['v6.vmdk', ['-O', 'vmdk', '-o', 'hwversion=6']],
    ['zeroed-grain.vmdk', ['-O', 'vmdk', '-o', 'zeroed_grain=on']],
  ])('vmdk %s', async (name, opts) => {
    convert(name, ...opts);
    await check(name, raw, 'vmdk');
  });

  it('a multi-extent twoGbMaxExtentSparse image over 2 GiB', async () => {
    sh(
      'qemu-img',
      'create',
      '-q',
      '-f',
      'vmdk',
      '-o',
      'subformat=twoGbMaxExtentSparse',
      join(dir, 'big.vmdk'),
      '5G',
    );
    sh('qemu-io', '-c', 'write -P 0x5a 2047M 2M', '-c', 'write -P 0x33 4095M 1M', join(dir, 'big.vmdk'));
    const c = await openImageFile(join(dir, 'big.vmdk'));
    expect(c.size).toBe(5 * 1024 * MiB);
    expect(c.info.details.extents).toBe(3);
    const edge = await c.read(2047 * MiB - 512, 2 * MiB + 1024);
    expect(edge.subarray(0, 512).every((b) => b === 0)).toBe(true);
    expect(edge.subarray(512, 512 + 2 * MiB).every((b) => b === 0x5a)).toBe(true);
    expect(edge.subarray(512 + 2 * MiB).every((b) => b === 0)).toBe(true);
    expect((await c.read(4095 * MiB, MiB)).every((b) => b === 0x33)).toBe(true);
    await c.close();
  });

  it('a qcow2 overlay written with qemu-io, over a chain of three', async () => {
    convert('chain-base.qcow2', '-O', 'qcow2', '-o', 'compat=0.10');
    sh(
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      'chain-base.qcow2',
      '-F',
      'qcow2',
      join(dir, 'chain-mid.qcow2'),
    );
    sh(
      'qemu-io',
      '-c',
      'write -P 0xab 1M 64k',
      '-c',
      'write -z 3M 1M',
      '-c',
      'write -P 0x11 5000k 3k',
      join(dir, 'chain-mid.qcow2'),
    );
    sh(
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      'chain-mid.qcow2',
      '-F',
      'qcow2',
      join(dir, 'chain-top.qcow2'),
    );
    sh(
      'qemu-io',
      '-c',
      'write -P 0xcd 1032k 64k',
      '-c',
      'write -z 0 8k',
      '-c',
      'write -c -P 0x77 8M 64k',
      join(dir, 'chain-top.qcow2'),
    );
    const want = qemuRaw('chain-top.qcow2');
    expect(want[1024 * 1024]).toBe(0xab);
    await check('chain-top.qcow2', want, 'qcow2');
    const c = await openImageFile(join(dir, 'chain-top.qcow2'));
    expect(c.info.details).toMatchObject({ backingFile: 'chain-mid.qcow2', backingFormat: 'qcow2' });
    await c.close();
  });

  it('a qcow2 overlay over a raw backing file, larger than its backing file', async () => {
    sh(
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      'source.raw',
      '-F',
      'raw',
      join(dir, 'over-raw.qcow2'),
      '40M',
    );
    sh('qemu-io', '-c', 'write -P 0x42 30M 1M', '-c', 'write -P 0x43 100k 1k', join(dir, 'over-raw.qcow2'));
    await check('over-raw.qcow2', qemuRaw('over-raw.qcow2'), 'qcow2');
  });

  it('a VMDK delta disk reads unallocated grains from its parent', async () => {
    convert('parent.vmdk', '-O', 'vmdk');
    sh('qemu-img', 'create', '-q', '-f', 'vmdk', '-b', 'parent.vmdk', '-F', 'vmdk', join(dir, 'child.vmdk'));
    sh('qemu-io', '-f', 'vmdk', '-c', 'write -P 0x99 2M 100k', join(dir, 'child.vmdk'));
    const want = qemuRaw('child.vmdk');
    await check('child.vmdk', want, 'vmdk');
  });
});
