/**
 * ext2/3/4 images made by the real mke2fs from random trees (test/support/trees.ts), read back by the
 * product's reader: every file's type, size, sha256 and link target must match the tree, and
 * debugfs serves as an oracle for inode fields.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeExt } from '../../../shared/disk/fs/ext4/probe.ts';
import type { ByteSource, FileSystem } from '../../../shared/disk/types.ts';
import { requireTools, run } from '../../support/system-tools.ts';
import type { TreeManifest, TreeOptions } from '../../support/trees.ts';
import { generateTree } from '../../support/trees.ts';
import { hashFile, walk } from '../../unit/disk/fs/ext4/helpers.ts';

/** A read-only file as a byte source (the product's own file source lives elsewhere). */
async function fileSource(path: string): Promise<ByteSource & { handle: FileHandle }> {
  const handle = await open(path, 'r');
  const size = (await handle.stat()).size;
  return {
    handle,
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      for (let done = 0; done < n; ) {
        const { bytesRead } = await handle.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf;
    },
    close: () => handle.close(),
  };
}

/** A window [offset, offset + size) of another source: a partition. */
function windowSource(inner: ByteSource, offset: number, size: number): ByteSource {
  return {
    size,
    read: (o, l) => inner.read(offset + o, Math.max(0, Math.min(l, size - o))),
    close: async () => {},
  };
}

let work: string;
const sources: ByteSource[] = [];

beforeAll(() => {
  requireTools('mke2fs', 'debugfs', 'sfdisk', 'truncate');
  work = mkdtempSync(join(tmpdir(), 'ob-ext4-'));
});
afterAll(async () => {
  for (const s of sources) await s.close();
  rmSync(work, { recursive: true, force: true });
});

function makeTree(name: string, options: TreeOptions): { dir: string; manifest: TreeManifest } {
  const dir = join(work, `${name}-tree`);
  rmSync(dir, { recursive: true, force: true });
  run('mkdir', ['-p', dir]);
  return { dir, manifest: generateTree(dir, options) };
}

function mkfs(image: string, size: string, dir: string, args: string[]): void {
  rmSync(image, { force: true });
  expect(run('truncate', ['-s', size, image]).code).toBe(0);
  const r = run('mke2fs', ['-q', '-F', '-d', dir, ...args, image]);
  expect(r.code, r.stderr).toBe(0);
}

async function openImage(image: string): Promise<FileSystem> {
  const src = await fileSource(image);
  sources.push(src);
  const fs = await probeExt(src);
  if (!fs) throw new Error(`${image}: no ext filesystem found`);
  return fs;
}

/** Compares the whole filesystem with the tree; returns path → inode number. */
async function compare(fs: FileSystem, manifest: TreeManifest): Promise<Map<string, number>> {
  const seen = await walk(fs);
  expect([...seen.keys()].sort()).toEqual(Object.keys(manifest).sort());
  const inodes = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [path, want] of Object.entries(manifest)) {
    const { node, entry } = seen.get(path)!;
    inodes.set(path, node.ino);
    expect(node.type, path).toBe(want.type);
    expect(entry.type, path).toBe(want.type);
    if (want.type === 'file') {
      expect(node.size, path).toBe(want.size);
      expect(await hashFile(fs, node, 8 << 20), path).toBe(want.sha256);
    } else if (want.type === 'symlink') {
      expect(await fs.readlink(node), path).toBe(want.linkTarget);
    }
    if (want.hardLinkGroup) {
      const first = groups.get(want.hardLinkGroup) ?? node.ino;
      groups.set(want.hardLinkGroup, first);
      expect(node.ino, path).toBe(first);
    }
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const dir = parent ? seen.get(parent)!.node : await fs.root();
    expect((await fs.lookup(dir, entry.name))?.ino, path).toBe(node.ino);
  }
  return inodes;
}

/** debugfs as an oracle: size, link count, mode and type of a few inodes. */
async function checkWithDebugfs(image: string, fs: FileSystem, inodes: number[]): Promise<void> {
  for (const ino of inodes) {
    const r = run('debugfs', ['-R', `stat <${ino}>`, image]);
    expect(r.code).toBe(0);
    const node = await fs.getNode(ino);
    const size = /Size: (\d+)/.exec(r.stdout)?.[1];
    const links = /Links: (\d+)/.exec(r.stdout)?.[1];
    const mode = /Mode: +(0?\d+)/.exec(r.stdout)?.[1];
    expect(Number(size), `inode ${ino}`).toBe(node.size);
    expect(Number(links), `inode ${ino}`).toBe(node.nlink);
    expect(Number.parseInt(mode!, 8), `inode ${ino}`).toBe(node.mode & 0o7777);
  }
}

const VARIANTS: {
  name: string;
  kind: string;
  seed: number;
  size: string;
  args: string[];
  tree?: Partial<TreeOptions>;
}[] = [
  { name: 'ext4-4k', kind: 'ext4', seed: 101, size: '96M', args: ['-t', 'ext4'] },
  {
    name: 'ext4-1k-64bit',
    kind: 'ext4',
    seed: 102,
    size: '96M',
    args: ['-t', 'ext4', '-b', '1024', '-O', '64bit'],
  },
  {
    name: 'ext4-no-extents',
    kind: 'ext4',
    seed: 103,
    size: '96M',
    args: ['-t', 'ext4', '-O', '^extent,^64bit'],
  },
  { name: 'ext2-1k', kind: 'ext2', seed: 104, size: '96M', args: ['-t', 'ext2', '-b', '1024'] },
  {
    name: 'ext2-4k-nofiletype',
    kind: 'ext2',
    seed: 105,
    size: '96M',
    args: ['-t', 'ext2', '-O', '^filetype'],
  },
  { name: 'ext3-4k', kind: 'ext3', seed: 106, size: '96M', args: ['-t', 'ext3'] },
  {
    name: 'ext4-metabg',
    kind: 'ext4',
    seed: 107,
    size: '96M',
    args: ['-t', 'ext4', '-b', '1024', '-g', '1024', '-O', 'meta_bg,^resize_inode'],
  },
  { name: 'ext4-sparse2', kind: 'ext4', seed: 108, size: '96M', args: ['-t', 'ext4', '-O', 'sparse_super2'] },
  {
    name: 'ext4-inline',
    kind: 'ext4',
    seed: 109,
    size: '96M',
    args: ['-t', 'ext4', '-O', 'inline_data'],
    // mke2fs 1.47.0 -d with inline_data cuts a file ending in a hole at its last data block.
    tree: { sparseFiles: 0, maxFileSize: 400 },
  },
  // 6000 names in one directory with 1 KiB blocks: an htree with two levels (indirect_levels 1).
  {
    name: 'ext4-bigdir',
    kind: 'ext4',
    seed: 110,
    size: '96M',
    args: ['-t', 'ext4', '-b', '1024'],
    tree: { bigDir: 6000, files: 50 },
  },
];

describe('ext2/3/4 images made by mke2fs -d', () => {
  it.each(VARIANTS)('$name: every file equals the tree', async ({ name, kind, seed, size, args, tree }) => {
    const { dir, manifest } = makeTree(name, {
      seed,
      files: 300,
      maxDepth: 14,
      sparseRuns: [1, 10],
      ...tree,
    });
    const image = join(work, `${name}.img`);
    mkfs(image, size, dir, args);
    const fs = await openImage(image);
    expect(fs.info.kind).toBe(kind);
    expect(fs.info.size).toBe(statSync(image).size);
    const inodes = await compare(fs, manifest);
    const all = [...inodes.values()];
    const step = Math.ceil(all.length / 20);
    await checkWithDebugfs(image, fs, [2, ...all.filter((_, i) => i % step === 0)]);
  });

  it.each([
    { name: 'huge-ext4', args: ['-t', 'ext4'] },
    { name: 'huge-ext3', args: ['-t', 'ext3'] },
  ])('$name: a sparse file over 4 GiB', async ({ name, args }) => {
    const hugeSize = 4 * 2 ** 30 + 12_345;
    const { dir, manifest } = makeTree(name, {
      seed: 200,
      files: 10,
      maxDepth: 3,
      largeFiles: 0,
      sparseFiles: 0,
      hugeSparseSize: hugeSize,
    });
    const image = join(work, `${name}.img`);
    mkfs(image, '64M', dir, args);
    const fs = await openImage(image);
    const node = await fs.getNode((await fs.lookup(await fs.root(), 'huge-sparse.bin'))!.ino);
    expect(node.size).toBe(hugeSize);
    const want = manifest['huge-sparse.bin']!;
    for (const [offset, length] of want.dataRanges!) {
      const data = await fs.read(node, offset, length);
      expect(data.length).toBe(length);
      expect(data.some((b) => b !== 0)).toBe(true);
      if (offset >= 1000) expect((await fs.read(node, offset - 1000, 1000)).every((b) => b === 0)).toBe(true);
    }
    expect(await hashFile(fs, node, 64 << 20)).toBe(want.sha256);
    await checkWithDebugfs(image, fs, [node.ino]);
  });

  it('reads a filesystem made with mke2fs -E offset inside a GPT partition', async () => {
    const { dir, manifest } = makeTree('gpt', { seed: 300, files: 150, maxDepth: 6 });
    const image = join(work, 'gpt.img');
    rmSync(image, { force: true });
    expect(run('truncate', ['-s', '80M', image]).code).toBe(0);
    const layout = 'label: gpt\nstart=2048, size=122880, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n';
    const { spawnSync } = await import('node:child_process');
    const sf = spawnSync('sfdisk', ['--no-reread', '--no-tell-kernel', image], {
      input: layout,
      encoding: 'utf8',
    });
    expect(sf.status, sf.stderr).toBe(0);
    const table = JSON.parse(run('sfdisk', ['--json', image]).stdout) as {
      partitiontable: { sectorsize?: number; partitions: { start: number; size: number }[] };
    };
    const part = table.partitiontable.partitions[0]!;
    const offset = part.start * 512;
    const bytes = part.size * 512;
    const r = run('mke2fs', [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-E',
      `offset=${offset}`,
      '-d',
      dir,
      image,
      `${bytes / 1024}k`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const disk = await fileSource(image);
    sources.push(disk);
    expect(await probeExt(disk)).toBeUndefined(); // the whole disk starts with the GPT, not ext4
    const fs = await probeExt(windowSource(disk, offset, bytes));
    expect(fs?.info.size).toBe(bytes);
    await compare(fs!, manifest);
  });
});
