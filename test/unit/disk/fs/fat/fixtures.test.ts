import { describe, expect, it } from 'vitest';
import { ROOT_INO } from '../../../../../shared/disk/fs/fat/index.ts';
import { image, manifest, open, resolve, walk } from './helpers.ts';

describe.each(manifest.images)('FAT fixture $file', (img) => {
  it('describes the volume: kind, type by cluster count, label and serial as set with mkfs.vfat', async () => {
    const fs = await open(image(img.file));
    expect(fs.info.kind).toBe('vfat');
    expect(fs.info.uuid).toBe(img.uuid);
    expect(fs.info.label).toBe(img.label);
    expect(fs.info.blockSize).toBe(img.clusterSize);
    expect(fs.info.needsRecovery).toBe(false);
    expect(fs.info.notes[0]).toMatch(new RegExp(`^FAT${img.fatType}: `));
    expect(fs.info.notes.join('\n')).toMatch(/read as UTC/);
  });

  it('lists every file and directory of the manifest with the same size and sha256, and nothing else', async () => {
    const fs = await open(image(img.file));
    const seen = await walk(fs);
    const got = [...seen.values()]
      .map(({ node: _node, ...rest }) => rest)
      .sort((a, b) => a.path.localeCompare(b.path));
    const want = [...manifest.entries].sort((a, b) => a.path.localeCompare(b.path));
    expect(got).toEqual(want);
    for (const w of seen.values()) expect(w.node.mtime).toBe(manifest.mtime);
  });

  it('readdir keeps the stored case; lookup ignores case and also finds the 8.3 alias', async () => {
    const fs = await open(image(img.file));
    const root = await fs.root();
    const names = (await fs.readdir(root)).map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['MixedCase.Txt', 'README.TXT', 'lower.txt', 'café', '日本語.txt']),
    );
    expect(names).not.toContain('.');
    expect((await fs.lookup(root, 'mixedcase.TXT'))?.name).toBe('MixedCase.Txt');
    expect((await fs.lookup(root, 'CAFÉ'))?.name).toBe('café');
    expect((await fs.lookup(root, 'THISIS~1.TXT'))?.name).toMatch(/^This is a very long/);
    expect(await fs.lookup(root, 'missing.txt')).toBeUndefined();
    const boot = await resolve(fs, 'efi/boot/bootx64.efi');
    expect(boot?.size).toBe(150000);
    expect((await resolve(fs, 'EFI/Debian/GRUB.CFG'))?.type).toBe('file');
  });

  it('getNode answers for every ino it handed out, and for the root', async () => {
    const fs = await open(image(img.file));
    expect((await fs.getNode(ROOT_INO)).type).toBe('dir');
    expect((await fs.root()).ino).toBe(ROOT_INO);
    for (const w of (await walk(fs)).values()) expect(await fs.getNode(w.node.ino)).toEqual(w.node);
    await expect(fs.getNode(7)).rejects.toMatchObject({ name: 'DiskFormatError', layer: 'fat' });
  });

  it('reads ranges across cluster boundaries, stops at the end of the file, reads empty files', async () => {
    const fs = await open(image(img.file));
    const node = (await resolve(fs, 'EFI/BOOT/BOOTX64.EFI'))!;
    const all = await fs.read(node, 0, node.size);
    const cs = fs.info.blockSize;
    for (const [off, len] of [
      [cs - 3, 7],
      [cs * 3 + 1, cs * 5],
      [0, 1],
      [node.size - 10, 100],
    ] as const) {
      expect(await fs.read(node, off, len)).toEqual(all.subarray(off, Math.min(node.size, off + len)));
    }
    expect((await fs.read(node, node.size, 10)).length).toBe(0);
    expect((await fs.read(node, 5, 0)).length).toBe(0);
    const empty = (await resolve(fs, 'empty.txt'))!;
    expect(empty.size).toBe(0);
    expect((await fs.read(empty, 0, 100)).length).toBe(0);
  });

  it('has no symlinks: readlink throws a clear error; directories and files are not confused', async () => {
    const fs = await open(image(img.file));
    const file = (await resolve(fs, 'lower.txt'))!;
    await expect(fs.readlink(file)).rejects.toThrow(/no symbolic links/);
    await expect(fs.read(await resolve(fs, 'EFI').then((n) => n!), 0, 1)).rejects.toThrow(/directory/);
    await expect(fs.readdir(file)).rejects.toThrow(/not a directory/);
    expect(file.mode).toBe(0o100755);
    expect((await fs.root()).mode).toBe(0o40755);
  });
});
