import { describe, expect, it } from 'vitest';
import { memorySource } from '../../../../../scripts/fuzz/memory-source.ts';
import { probeFat } from '../../../../../shared/disk/fs/fat/index.ts';
import { DiskFormatError } from '../../../../../shared/disk/types.ts';
import { fatEntry, firstCluster, geometry, image, open, resolve, setFatEntry } from './helpers.ts';

async function formatError(p: Promise<unknown>): Promise<DiskFormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskFormatError);
  const d = err as DiskFormatError;
  expect(d.layer).toBe('fat');
  expect(typeof d.offset).toBe('number');
  return d;
}

const probe = (bytes: Uint8Array) => probeFat(memorySource(bytes));

/** The FAT entry offset of cluster n (first FAT). */
const fatOffset = (bytes: Uint8Array, n: number) => {
  const g = geometry(bytes);
  return g.reservedSectors * g.bytesPerSector + Math.floor((n * g.fatType) / 8);
};

describe('FAT probe: what is not FAT', () => {
  it('answers undefined for zeros, tiny volumes, an MBR and an NTFS boot sector', async () => {
    expect(await probe(new Uint8Array(1 << 20))).toBeUndefined();
    expect(await probe(new Uint8Array(100))).toBeUndefined();
    const mbr = new Uint8Array(1 << 20);
    mbr.set([0xeb, 0x63, 0x90]);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    expect(await probe(mbr)).toBeUndefined();
    const ntfs = image('fat16.img.gz');
    ntfs.set(new TextEncoder().encode('NTFS    '), 3);
    expect(await probe(ntfs)).toBeUndefined();
    const noSig = image('fat16.img.gz');
    noSig[510] = 0;
    expect(await probe(noSig)).toBeUndefined();
  });
});

describe('FAT rejections: each a DiskFormatError with layer and offset', () => {
  it('a truncated image', async () => {
    const full = image('fat32.img.gz');
    const err = await formatError(probe(full.slice(0, 1 << 20)));
    expect(err.offset).toBe(1 << 20);
    expect(err.message).toMatch(/truncated/);
    await formatError(probe(full.slice(0, 600)));
  });

  it.each([
    ['bytes per sector 1000', 11, [0xe8, 0x03], 11, /bytes per sector 1000/],
    ['bytes per sector 256', 11, [0x00, 0x01], 11, /bytes per sector 256/],
    ['bytes per sector 8192', 11, [0x00, 0x20], 11, /bytes per sector 8192/],
    ['sectors per cluster 0', 13, [0], 13, /sectors per cluster 0/],
    ['sectors per cluster 3', 13, [3], 13, /sectors per cluster 3/],
    ['zero FATs', 16, [0], 16, /number of FATs is 0/],
    ['zero reserved sectors', 14, [0, 0], 14, /reserved sector count is 0/],
  ] as const)('bad BPB: %s', async (_name, at, bytes, offset, message) => {
    for (const file of ['fat12.img.gz', 'fat32.img.gz']) {
      const img = image(file);
      img.set(bytes, at);
      const err = await formatError(probe(img));
      expect(err.offset).toBe(offset);
      expect(err.message).toMatch(message);
    }
  });

  it('bad BPB: a FAT32-sized cluster count with a FAT16 root directory', async () => {
    const img = image('fat32.img.gz');
    img.set([0x00, 0x02], 17); // BPB_RootEntCnt = 512
    expect((await formatError(probe(img))).offset).toBe(17);
  });

  it.each(['fat12.img.gz', 'fat16.img.gz', 'fat32.img.gz'])('a FAT chain loop (%s)', async (file) => {
    const img = image(file);
    const g = geometry(img);
    const node = (await resolve(await open(img), 'EFI/BOOT/BOOTX64.EFI'))!;
    const first = firstCluster(img, node.ino, g);
    const second = fatEntry(img, g, first);
    const third = fatEntry(img, g, second);
    setFatEntry(img, g, third, first); // third → first: a loop
    const fs = await open(img);
    const err = await formatError(fs.read(await fs.getNode(node.ino), 0, node.size));
    expect(err.message).toMatch(/longer than|loops/);
    expect(err.offset).toBeGreaterThanOrEqual(fatOffset(img, 0));
  });

  it('a cluster number out of range, in a directory entry and in the FAT', async () => {
    const img = image('fat16.img.gz');
    const g = geometry(img);
    const node = (await resolve(await open(img), 'EFI/BOOT/BOOTX64.EFI'))!;
    const first = firstCluster(img, node.ino, g);
    const bad = img.slice();
    bad.set([0xf0, 0xff], node.ino + 26); // first cluster 0xFFF0, beyond the 8,096 the volume has
    let fs = await open(bad);
    let err = await formatError(fs.read(await fs.getNode(node.ino), 0, 1));
    expect(err.offset).toBe(node.ino);
    expect(err.message).toMatch(/outside/);
    setFatEntry(img, g, first, g.clusterCount + 2);
    fs = await open(img);
    err = await formatError(fs.read(await fs.getNode(node.ino), 0, node.size));
    expect(err.offset).toBe(fatOffset(img, first));
  });

  it('a chain that ends before the size, and a size the volume cannot hold', async () => {
    const img = image('fat32.img.gz');
    const g = geometry(img);
    const node = (await resolve(await open(img), 'EFI/BOOT/BOOTX64.EFI'))!;
    const first = firstCluster(img, node.ino, g);
    const short = img.slice();
    setFatEntry(short, g, fatEntry(img, g, first), 0x0fffffff);
    let fs = await open(short);
    expect((await formatError(fs.read(await fs.getNode(node.ino), 0, 1))).message).toMatch(/ends after 2 of/);
    img.set([0xff, 0xff, 0xff, 0x7f], node.ino + 28);
    fs = await open(img);
    expect((await formatError(fs.read(await fs.getNode(node.ino), 0, 1))).offset).toBe(node.ino);
  });

  it('a directory that never ends: its chain loops back', async () => {
    const img = image('fat12.img.gz');
    const g = geometry(img);
    const many = (await resolve(await open(img), 'many'))!;
    const first = firstCluster(img, many.ino, g);
    let last = first;
    while (fatEntry(img, g, last) < 0xff8) last = fatEntry(img, g, last);
    setFatEntry(img, g, last, first);
    const fs = await open(img);
    const err = await formatError(fs.readdir(await fs.getNode(many.ino)));
    expect(err.offset).toBe(fatOffset(img, last));
  });

  it('a directory that never ends: a chain past 65,536 entries', async () => {
    const img = image('fat16.img.gz');
    const g = geometry(img);
    const many = (await resolve(await open(img), 'many'))!;
    let last = firstCluster(img, many.ino, g);
    while (fatEntry(img, g, last) < 0xfff8) last = fatEntry(img, g, last);
    // link 5,000 free clusters at the end of the volume onto the directory: 2.5 MB of entries
    for (let c = g.clusterCount + 1 - 5000; c <= g.clusterCount + 1; c++) {
      setFatEntry(img, g, last, c);
      last = c;
    }
    setFatEntry(img, g, last, 0xffff);
    const fs = await open(img);
    const err = await formatError(fs.readdir(await fs.getNode(many.ino)));
    expect(err.message).toMatch(/never ends/);
  });

  it('a root directory cluster out of range (FAT32)', async () => {
    const img = image('fat32.img.gz');
    img.set([0xff, 0xff, 0xff, 0x0f], 44);
    expect((await formatError(probe(img))).offset).toBe(44);
  });
});

describe('FAT damage that is only noted', () => {
  it('a long name whose checksum does not match falls back to the 8.3 name, with a note', async () => {
    const img = image('fat32.img.gz');
    const fs0 = await open(img);
    const e = (await fs0.lookup(await fs0.root(), 'THISIS~1.TXT'))!;
    img[e.ino - 32 + 13]! ^= 0xff; // checksum of the last long-name entry before the short one
    const fs = await open(img);
    const names = (await fs.readdir(await fs.root())).map((x) => x.name);
    expect(names).toContain('THISIS~1.TXT');
    expect(names.some((n) => n.startsWith('This is a very long'))).toBe(false);
    expect(fs.info.notes.join('\n')).toMatch(/long name of "THISIS~1.TXT" .* broken/);
  });

  it('the dirty bit in FAT[1] is a note, not a recovery (FAT has no journal)', async () => {
    const img = image('fat32.img.gz');
    const g = geometry(img);
    setFatEntry(img, g, 1, fatEntry(img, g, 1) & ~0x08000000);
    const fs = await open(img);
    expect(fs.info.needsRecovery).toBe(false);
    expect(fs.info.notes.join('\n')).toMatch(/dirty bit set in FAT\[1\]/);
  });

  it('the label comes from the root label entry, else from the boot sector', async () => {
    const img = image('fat16.img.gz');
    img.set(new TextEncoder().encode('BPB LABEL  '), 43);
    expect((await open(img)).info.label).toBe('EFI16');
    const g = geometry(img);
    for (let p = g.rootDirOffset; p < g.rootDirOffset + 32 * g.rootEntries; p += 32) {
      if (img[p + 11] === 0x08) img[p] = 0xe5;
    }
    expect((await open(img)).info.label).toBe('BPB LABEL');
  });

  it('deleted entries are skipped', async () => {
    const img = image('fat12.img.gz');
    const fs0 = await open(img);
    const e = (await fs0.lookup(await fs0.root(), 'README.TXT'))!;
    img[e.ino] = 0xe5;
    const fs = await open(img);
    expect(await fs.lookup(await fs.root(), 'README.TXT')).toBeUndefined();
    expect(await fs.lookup(await fs.root(), 'lower.txt')).toBeDefined();
  });
});
