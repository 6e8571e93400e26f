/**
 * FAT against the real tools: random trees (seeded) packed with mkfs.vfat + mcopy, read back through
 * probeFat; every file's size and sha256, every directory, label and serial must match.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../scripts/fuzz/mutate.ts';
import { probeFat } from '../../../shared/disk/fs/fat/index.ts';
import type { ByteSource, FileSystem, FsNode } from '../../../shared/disk/types.ts';
import { requireTools } from '../../support/system-tools.ts';

requireTools('mkfs.vfat', 'mcopy', 'mlabel', 'minfo', 'fsck.vfat');

const work = mkdtempSync(join(tmpdir(), 'outboard-fat-'));
afterAll(() => (process.env.KEEP_FAT ? undefined : rmSync(work, { recursive: true, force: true })));

const ENV = { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' };

function sh(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: ENV, cwd, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.slice(0, 8).join(' ')} failed (${r.status}): ${r.stderr}\n${r.stdout.slice(0, 3000)}`,
    );
  }
  return r.stdout;
}

async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await openFile(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => fh.close(),
  };
}

// No '~': mtools 4.0.32 then writes short names whose long-name checksums fsck.vfat rejects.
const NAME_CHARS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-!#$%&'()@^{}+,;=[]éüßÅñ日本語ж";

interface Expected {
  type: 'file' | 'dir';
  size?: number;
  sha256?: string;
}

/** A random tree valid for FAT: unique names per directory (case-insensitively), deep paths, a crowded directory. */
function randomTree(root: string, seed: number, budgetBytes: number): Map<string, Expected> {
  const rng = new Rng(seed);
  const expected = new Map<string, Expected>();
  const used = new Map<string, Set<string>>();
  const name = (dir: string): string => {
    const taken = used.get(dir) ?? new Set<string>();
    used.set(dir, taken);
    for (;;) {
      const len = 1 + rng.below(rng.chance(0.3) ? 60 : 12);
      let n = '';
      for (let i = 0; i < len; i++) n += NAME_CHARS[rng.below(NAME_CHARS.length)]; // all in the BMP
      n = n.replace(/^[ ]+|[ .]+$/g, '');
      if (rng.chance(0.4)) n += rng.pick(['.txt', '.EFI', '.cfg', '.Conf', '.d']);
      // "-" is stdin to mcopy, which stores an empty file
      if (!n || n === '-' || n.startsWith('.') || taken.has(n.toUpperCase())) continue;
      taken.add(n.toUpperCase());
      return n;
    }
  };
  let bytes = 0;
  const addFile = (dir: string, size: number) => {
    const path = dir ? `${dir}/${name(dir)}` : name(dir);
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = rng.u32() & 0xff;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), data);
    expected.set(path, { type: 'file', size, sha256: createHash('sha256').update(data).digest('hex') });
    bytes += size;
  };
  const addDir = (parent: string): string => {
    const path = parent ? `${parent}/${name(parent)}` : name(parent);
    mkdirSync(join(root, path), { recursive: true });
    expected.set(path, { type: 'dir' });
    return path;
  };
  // deep path
  let deep = '';
  for (let d = 0; d < 10; d++) deep = addDir(deep);
  addFile(deep, 1234);
  // crowded directory: well over one cluster of entries
  const crowded = addDir('');
  for (let i = 0; i < 150; i++) addFile(crowded, rng.below(300));
  // random rest, with some multi-cluster files and empty files
  const dirs = [''];
  while (bytes < budgetBytes) {
    const parent = rng.pick(dirs);
    if (rng.chance(0.15)) dirs.push(addDir(parent));
    else addFile(parent, rng.chance(0.1) ? rng.below(200_000) : rng.chance(0.1) ? 0 : rng.below(5000));
  }
  return expected;
}

async function walk(fs: FileSystem): Promise<Map<string, Expected>> {
  const out = new Map<string, Expected>();
  const visit = async (dir: FsNode, prefix: string) => {
    for (const e of await fs.readdir(dir)) {
      const node = await fs.getNode(e.ino);
      const path = prefix + e.name;
      if (node.type === 'dir') {
        out.set(path, { type: 'dir' });
        await visit(node, `${path}/`);
      } else {
        const data = await fs.read(node, 0, node.size);
        out.set(path, {
          type: 'file',
          size: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
        });
      }
    }
  };
  await visit(await fs.root(), '');
  return out;
}

const CASES = [
  { fat: 12, kib: 4096, extra: [] as string[], budget: 600_000, fatType: 'FAT12' },
  { fat: 16, kib: 32768, extra: ['-s', '4'], budget: 3_000_000, fatType: 'FAT16' },
  { fat: 32, kib: 65536, extra: [], budget: 4_000_000, fatType: 'FAT32' },
  { fat: 32, kib: 300 * 1024, extra: ['-S', '4096', '-s', '1'], budget: 2_000_000, fatType: 'FAT32' },
] as const;

describe.each(CASES.map((c, i) => ({ ...c, seed: 1000 + i, name: `${c.fatType} ${c.extra.join(' ')}` })))(
  'FAT $name: random tree packed by mkfs.vfat + mcopy',
  ({ fat, kib, extra, budget, seed, fatType }) => {
    it('lists every file and directory with equal size and sha256; label and serial match mtools', async () => {
      const dir = join(work, `case-${seed}`);
      const tree = join(dir, 'tree');
      mkdirSync(tree, { recursive: true });
      const expected = randomTree(tree, seed, budget);
      const img = join(dir, 'fat.img');
      const serial = (0x1a2b0000 + seed).toString(16);
      sh('mkfs.vfat', ['-C', img, String(kib), '-F', String(fat), ...extra, '-n', `T${seed}`, '-i', serial]);
      const top = sh('ls', ['-A', tree])
        .split('\n')
        .filter(Boolean)
        .map((n) => `./${n}`);
      sh('mcopy', ['-s', '-i', img, ...top, '::/'], tree);
      sh('fsck.vfat', ['-n', img]);

      const source = await fileSource(img);
      try {
        const fs = await probeFat(source);
        expect(fs).toBeDefined();
        expect(fs!.info.notes[0]).toMatch(new RegExp(`^${fatType}:`));
        expect(fs!.info.label).toBe(`T${seed}`);
        expect(sh('mlabel', ['-s', '-i', img, '::'])).toContain(`Volume label is T${seed}`);
        const uuid = fs!.info.uuid!;
        expect(uuid).toBe(`${serial.slice(0, 4)}-${serial.slice(4)}`.toUpperCase());
        expect(sh('minfo', ['-i', img, '::']).toUpperCase()).toContain(
          `SERIAL NUMBER: ${uuid.replace('-', '')}`,
        );
        const got = await walk(fs!);
        const sort = (m: Map<string, Expected>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
        expect(sort(got)).toEqual(sort(expected));
        expect(got.size).toBeGreaterThan(200);
      } finally {
        await source.close();
      }
    });
  },
);
