import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../../../shared/disk/block/memory-source.ts';
import { detectContainer, openContainer } from '../../../../shared/disk/containers/detect.ts';
import { openImageFile } from '../../../../shared/disk/containers/image-file.ts';
import type { Container } from '../../../../shared/disk/types.ts';
import { between, prng } from '../block/prng.ts';
import { FIXTURE_SIZE, fixtureOverlay, fixtureRaw } from './fixture-source.ts';
import { FIXTURES, fixture, memoryResolver } from './fixtures.ts';

const raw = fixtureRaw();

async function expectSameBytes(c: Container, want: Uint8Array) {
  expect(c.size).toBe(want.length);
  expect(c.info.virtualSize).toBe(want.length);
  expect(Buffer.compare(await c.read(0, c.size), want)).toBe(0);
  const random = prng(c.size);
  for (let i = 0; i < 200; i++) {
    const offset = between(random, 0, want.length + 100);
    const length = between(random, 0, i % 10 === 0 ? 300_000 : 9_000);
    const got = await c.read(offset, length);
    expect(Buffer.compare(got, want.subarray(offset, offset + length))).toBe(0);
  }
}

describe('containers from committed fixtures', () => {
  it('the generator still makes the raw disk the fixtures were converted from', () => {
    const recorded = readFileSync(join(FIXTURES, 'source.raw.sha256'), 'utf8').trim();
    expect(createHash('sha256').update(raw).digest('hex')).toBe(recorded);
    expect(raw.length).toBe(FIXTURE_SIZE);
  });

  it.each([
    ['v2.qcow2', { version: 2, clusterSize: 65536, compression: 'deflate' }],
    ['v3-4k.qcow2', { version: 3, clusterSize: 4096 }],
    ['deflate.qcow2', { version: 3, clusterSize: 65536, compression: 'deflate' }],
    ['zstd.qcow2', { version: 3, clusterSize: 16384, compression: 'zstd' }],
    ['base.qcow2', { version: 3, dirty: false, corrupt: false }],
  ])('%s reads as the raw disk', async (name, details) => {
    const c = await openContainer(new MemorySource(fixture(name)));
    expect(c.info.format).toBe('qcow2');
    expect(c.info.details).toMatchObject(details);
    await expectSameBytes(c, raw);
    await c.close();
  });

  it.each([
    ['sparse.vmdk', { createType: 'monolithicSparse', compressed: false, grainSize: 65536 }],
    ['stream.vmdk', { createType: 'streamOptimized', compressed: true, version: 3 }],
  ])('%s reads as the raw disk', async (name, details) => {
    const c = await openContainer(new MemorySource(fixture(name)));
    expect(c.info.format).toBe('vmdk');
    expect(c.info.details).toMatchObject(details);
    await expectSameBytes(c, raw);
  });

  it('a monolithicFlat descriptor reads its flat extent', async () => {
    const asked: string[] = [];
    const resolveBacking = memoryResolver({ 'flat-flat.vmdk': fixture('flat-flat.vmdk') }, asked);
    const c = await openContainer(new MemorySource(fixture('flat.vmdk')), {
      resolveBacking,
      path: 'flat.vmdk',
    });
    expect(c.info).toMatchObject({ format: 'vmdk', details: { createType: 'monolithicFlat', extents: 1 } });
    expect(asked).toEqual(['flat-flat.vmdk']);
    await expectSameBytes(c, raw);
  });

  it('a qcow2 overlay reads its own clusters, zero clusters and the rest from its backing file', async () => {
    const asked: string[] = [];
    const resolveBacking = memoryResolver({ 'base.qcow2': fixture('base.qcow2') }, asked);
    const c = await openContainer(new MemorySource(fixture('overlay.qcow2')), {
      resolveBacking,
      path: 'overlay',
    });
    expect(c.info.details).toMatchObject({ backingFile: 'base.qcow2', backingFormat: 'qcow2' });
    expect(asked).toEqual(['base.qcow2']);
    await expectSameBytes(c, fixtureOverlay());
  });

  it('openImageFile opens files with backing files and extents relative to the image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-containers-'));
    for (const name of ['overlay.qcow2', 'base.qcow2', 'flat.vmdk', 'flat-flat.vmdk', 'stream.vmdk']) {
      writeFileSync(join(dir, name), fixture(name));
    }
    const overlay = await openImageFile(join(dir, 'overlay.qcow2'));
    await expectSameBytes(overlay, fixtureOverlay());
    await overlay.close();
    const flat = await openImageFile(join(dir, 'flat.vmdk'));
    await expectSameBytes(flat, raw);
    await flat.close();
    const stream = await openImageFile(join(dir, 'stream.vmdk'), { file: { cacheBytes: 128 * 1024 } });
    await expectSameBytes(stream, raw);
    await stream.close();
  });

  it('openImageFile refuses a backing chain that loops back to the image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-containers-loop-'));
    writeFileSync(join(dir, 'overlay.qcow2'), fixture('overlay.qcow2'));
    symlinkSync(join(dir, 'overlay.qcow2'), join(dir, 'base.qcow2'));
    await expect(openImageFile(join(dir, 'overlay.qcow2'))).rejects.toMatchObject({
      name: 'DiskFormatError',
      layer: 'qcow2',
      message: expect.stringMatching(/backing file loop/),
    });
  });

  it('raw images and unknown bytes open as raw', async () => {
    expect(await detectContainer(new MemorySource(raw))).toBe('raw');
    const c = await openContainer(new MemorySource(raw));
    expect(c.info).toEqual({ format: 'raw', virtualSize: raw.length, details: {} });
    await expectSameBytes(c, raw);
    expect((await openContainer(new MemorySource(new Uint8Array(0)))).size).toBe(0);
  });

  it('detects each format from its first bytes', async () => {
    expect(await detectContainer(new MemorySource(fixture('v2.qcow2')))).toBe('qcow2');
    expect(await detectContainer(new MemorySource(fixture('sparse.vmdk')))).toBe('vmdk-sparse');
    expect(await detectContainer(new MemorySource(fixture('stream.vmdk')))).toBe('vmdk-sparse');
    expect(await detectContainer(new MemorySource(fixture('flat.vmdk')))).toBe('vmdk-descriptor');
  });
});
