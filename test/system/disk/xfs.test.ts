/**
 * The XFS reader against filesystems made by the real mkfs.xfs (-p protofile, no root, no mount):
 * random trees from test/support/trees.ts, a 3 TiB sparse filesystem whose inode numbers pass 2^32,
 * and a log made dirty by hand. Oracles: the tree's manifest (sizes, sha256, link targets), `xfs_db`
 * (inode numbers per directory, inode fields) and `xfs_logprint` (log state).
 *
 * mkfs.xfs 6.1 protofiles cannot hold names with whitespace or ':' nor hard links: such names are
 * left out of the packed tree (and of the comparison); hard links are packed as separate copies, so
 * only their content is compared.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeXfs } from '../../../shared/disk/fs/xfs/probe.ts';
import type { FileSystem } from '../../../shared/disk/types.ts';
import { requireTools, run } from '../../support/system-tools.ts';
import { generateTree, type TreeManifest } from '../../support/trees.ts';
import { protofile } from '../../support/xfs-proto.ts';
import { FileSource, hashFile, type Walked, walk } from '../../unit/disk/fs/xfs/xfs-support.ts';

const work = mkdtempSync(join(tmpdir(), 'ob-xfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mkfs(image: string, size: string, proto: string, args: string[] = []): void {
  const protoPath = `${image}.proto`;
  writeFileSync(protoPath, proto);
  rmSync(image, { force: true });
  closeSync(openSync(image, 'w'));
  truncateSync(image, parseSize(size));
  const r = run('mkfs.xfs', ['-q', '-f', '-K', ...args, '-p', protoPath, image]);
  if (r.code !== 0) throw new Error(`mkfs.xfs failed: ${r.stderr}`);
}

function parseSize(s: string): number {
  const units: Record<string, number> = { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  return Number(s.slice(0, -1)) * (units[s.slice(-1)] as number);
}

async function openImage(image: string): Promise<FileSystem> {
  const fs = await probeXfs(new FileSource(image, statSync(image).size));
  if (!fs) throw new Error('not recognised as XFS');
  return fs;
}

/** path → inode number for every entry, as `xfs_db ls` lists them. */
function xfsDbInodes(image: string, dirs: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const cmds = dirs.flatMap((d) => ['-c', `ls /${d}`]);
  const text = spawnSync('xfs_db', ['-r', ...cmds, image], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  let dir = '';
  for (const line of text.split('\n')) {
    const head = /^\/(.*):$/.exec(line);
    if (head) {
      dir = head[1] as string;
      continue;
    }
    const m = /^\s*\d+\s+(\d+)\s+\S+\s+0x[0-9a-f]+\s+(\d+) (.*) \((good|bad)\)$/.exec(line);
    if (!m) continue;
    const name = Buffer.from(m[3] as string)
      .subarray(0, Number(m[2]))
      .toString();
    if (name === '.' || name === '..') continue;
    out.set(dir ? `${dir}/${name}` : name, Number(m[1]));
  }
  return out;
}

/** Selected inode fields as `xfs_db inode N print` shows them. */
function xfsDbInode(image: string, ino: number): Record<string, string> {
  const text = run('xfs_db', ['-r', '-c', `inode ${ino}`, '-c', 'print', image]).stdout;
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.split(' = '))
      .filter((kv) => kv.length === 2) as [string, string][],
  );
}

async function compareWithTree(
  fs: FileSystem,
  image: string,
  expected: TreeManifest,
): Promise<Map<string, Walked>> {
  const tree = await walk(fs);
  expect([...tree.keys()].sort()).toEqual(Object.keys(expected).sort());
  for (const [path, e] of Object.entries(expected)) {
    const w = tree.get(path) as Walked;
    expect(w.node.type, path).toBe(e.type);
    if (e.type === 'file') {
      expect(w.node.size, path).toBe(e.size);
      expect(await hashFile(fs, w.node, 4 << 20), path).toBe(e.sha256);
    } else if (e.type === 'symlink') {
      expect(await fs.readlink(w.node), path).toBe(e.linkTarget);
    }
  }
  // Inode numbers, directory by directory, as xfs_db sees them.
  const dirs = ['', ...Object.keys(expected).filter((p) => expected[p]?.type === 'dir')];
  const oracle = xfsDbInodes(image, dirs);
  for (const [path, w] of tree) expect(w.entry.ino, path).toBe(oracle.get(path));
  return tree;
}

beforeAll(() => requireTools('mkfs.xfs', 'xfs_db', 'xfs_logprint'));

describe('XFS reader against mkfs.xfs', () => {
  for (const seed of [11, 12, 13]) {
    it(`reads a random tree (seed ${seed}) packed by mkfs.xfs -p`, async () => {
      const src = join(work, `tree-${seed}`);
      mkdirSync(src);
      const manifest = generateTree(src, {
        seed,
        files: 120 + seed * 10,
        maxDepth: 5 + (seed % 3),
        bigDir: seed === 12 ? 1500 : seed === 13 ? 200 : 0,
        sparseFiles: 2,
        sparseSize: 8 << 20,
        sparseRuns: [1, 6],
      });
      const { proto, expected } = protofile(src, manifest);
      expect(Object.keys(expected).length).toBeGreaterThan(100);
      const image = join(work, `tree-${seed}.img`);
      const geometry = seed === 13 ? ['-b', 'size=1024', '-n', 'size=16384', '-m', 'bigtime=0'] : [];
      mkfs(image, '512M', proto, geometry);
      const fs = await openImage(image);
      expect(fs.info).toMatchObject({
        kind: 'xfs',
        needsRecovery: false,
        blockSize: seed === 13 ? 1024 : 4096,
      });
      const tree = await compareWithTree(fs, image, expected);

      // Inode fields against xfs_db for a sample of nodes.
      const sample = [...tree.values()].filter((_, i) => i % 17 === 0).slice(0, 25);
      for (const { node } of sample) {
        const f = xfsDbInode(image, node.ino);
        expect(Number.parseInt(f['core.mode'] as string, 8), `${node.ino}`).toBe(node.mode);
        expect(Number(f['core.size'])).toBe(node.size);
        expect(Number(f['core.nlinkv2'])).toBe(node.nlink);
        expect(Number(f['core.uid'])).toBe(node.uid);
        // A double holds epoch seconds to about 0.2 µs.
        const nsec = Number(f['core.mtime.nsec']);
        expect(Math.abs((node.mtime % 1) * 1e9 - nsec), `${node.ino} mtime`).toBeLessThan(1000);
      }
      await (fs as unknown as { ctx: { source: FileSource } }).ctx.source.close();
    });
  }

  it('reads a 3 TiB sparse filesystem whose inode numbers pass 2^32 (8-byte short-form entries)', async () => {
    const src = join(work, 'wide');
    mkdirSync(src);
    const manifest: TreeManifest = {};
    for (let d = 0; d < 8; d++) {
      mkdirSync(join(src, `d${d}`));
      manifest[`d${d}`] = { type: 'dir', size: 0 };
      for (let f = 0; f < 3; f++) {
        const p = `d${d}/f${f}`;
        const data = Buffer.from(`file ${p} `.repeat(100 * (f + 1)));
        writeFileSync(join(src, p), data);
        const { createHash } = await import('node:crypto');
        manifest[p] = {
          type: 'file',
          size: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
        };
      }
    }
    const { proto, expected } = protofile(src, manifest);
    const image = join(work, 'wide.img');
    mkfs(image, '3T', proto, ['-l', 'size=64m']);
    const fs = await openImage(image);
    expect(fs.info.size).toBe(3 * 2 ** 40);
    const tree = await compareWithTree(fs, image, expected);
    const wide = [...tree.values()].filter((w) => w.node.ino > 2 ** 32);
    expect(wide.length).toBeGreaterThan(0);
    const root = xfsDbInode(image, (await fs.root()).ino);
    expect(Number(root['u3.sfdir3.hdr.i8count'])).toBeGreaterThan(0);
  });

  it('says the log needs recovery exactly when xfs_logprint calls it dirty', async () => {
    const src = join(work, 'log');
    mkdirSync(src);
    writeFileSync(join(src, 'a'), 'a');
    const image = join(work, 'log.img');
    mkfs(image, '512M', protofile(src, { a: { type: 'file', size: 1, sha256: '' } }).proto);
    const state = () => /state: <(\w+)>/.exec(run('xfs_logprint', ['-t', image]).stdout)?.[1];
    expect(state()).toBe('CLEAN');
    expect((await openImage(image)).info.needsRecovery).toBe(false);

    // Clear XLOG_UNMOUNT_TRANS in the unmount record's op header (log block 1, byte 9).
    const logStart = Number(
      /logstart = (\d+)/.exec(
        run('xfs_db', ['-r', '-c', 'sb 0', '-c', 'p logstart agblocks agblklog', image]).stdout,
      )?.[1],
    );
    const sb = run('xfs_db', ['-r', '-c', 'sb 0', '-c', 'p agblocks agblklog blocksize', image]).stdout;
    const field = (n: string) => Number(new RegExp(`${n} = (\\d+)`).exec(sb)?.[1]);
    const agblklog = field('agblklog');
    const fsbByte =
      (Math.floor(logStart / 2 ** agblklog) * field('agblocks') + (logStart % 2 ** agblklog)) *
      field('blocksize');
    const fd = openSync(image, 'r+');
    writeSync(fd, new Uint8Array([0]), 0, 1, fsbByte + 512 + 9);
    closeSync(fd);
    expect(state()).toBe('DIRTY');
    const fs = await openImage(image);
    expect(fs.info.needsRecovery).toBe(true);
    expect(fs.info.notes.join('\n')).toMatch(/log dirty/);
  });
});
