/**
 * The XFS reader against images packed by mkfs.xfs -p (scripts/fixtures/xfs.sh): every path, inode
 * number, type, mode, owner, link count, file size and sha256, and symlink target equals the manifest
 * (built from the source tree and xfs_db); lookup agrees with readdir; the fixtures really exercise
 * short-form, block, leaf and node directories, a depth-2 bmap btree, holes, unwritten extents, data
 * beyond 4 GiB, remote symlinks with and without v5 headers, hard links, 255-byte and UTF-8 names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExtents, readMapped } from '../../../../../shared/disk/fs/xfs/bmap.ts';
import { FORK_FORMAT } from '../../../../../shared/disk/fs/xfs/inode.ts';
import { probeXfs } from '../../../../../shared/disk/fs/xfs/probe.ts';
import { XfsFileSystem } from '../../../../../shared/disk/fs/xfs/xfs-fs.ts';
import type { FsNode } from '../../../../../shared/disk/types.ts';
import {
  BufferSource,
  type FixtureManifest,
  hashFile,
  loadFixture,
  type ManifestEntry,
  stampedContent,
  type Walked,
  walk,
} from './xfs-support.ts';

const LEAF_OFFSET = 32 * 2 ** 30;
const DA_MAGIC = { leaf1: 0x3df1, leafn: 0x3dff, node: 0x3ebe } as const;

for (const name of ['v5-4k', 'v5-1k'] as const) {
  describe(`XFS fixture ${name}`, () => {
    let fs: XfsFileSystem;
    let manifest: FixtureManifest;
    let source: BufferSource;
    let tree: Map<string, Walked>;
    const node = (p: string): FsNode => {
      const w = tree.get(p);
      if (!w) throw new Error(`no ${p}`);
      return w.node;
    };

    beforeAll(async () => {
      const f = loadFixture(name);
      manifest = f.manifest;
      source = new BufferSource(f.image);
      const probed = await probeXfs(source);
      if (!(probed instanceof XfsFileSystem)) throw new Error('not probed as XFS');
      fs = probed;
      tree = await walk(fs);
    });

    it('describes the filesystem', async () => {
      const g = manifest.geometry;
      expect(fs.info).toMatchObject({
        kind: 'xfs',
        uuid: `${g.uuid.slice(0, 8)}-${g.uuid.slice(8, 12)}-${g.uuid.slice(12, 16)}-${g.uuid.slice(16, 20)}-${g.uuid.slice(20)}`,
        label: name === 'v5-4k' ? 'outboard4k' : 'outboard1k',
        blockSize: g.blockSize,
        size: 32 * 1024 * 1024,
        needsRecovery: false,
      });
      expect(manifest.logState).toBe('CLEAN'); // xfs_logprint agrees
      expect(fs.info.notes.join('\n')).toMatch(/ftype/);
      expect(fs.info.notes.join('\n')).toMatch(
        name === 'v5-4k' ? /bigtime.*reflink|reflink.*bigtime|bigtime/ : /spinodes/,
      );
      expect(fs.info.notes.join('\n')).toMatch(/not verified/);
      expect((await fs.root()).ino).toBe(manifest.rootIno);
    });

    it('lists exactly the manifest paths with the inode numbers xfs_db reports', () => {
      expect([...tree.keys()].sort()).toEqual(Object.keys(manifest.entries).sort());
      for (const [path, m] of Object.entries(manifest.entries)) {
        const w = tree.get(path) as Walked;
        expect({ path, ino: w.entry.ino, type: w.entry.type }).toEqual({ path, ino: m.ino, type: m.type });
        expect(w.node.type).toBe(m.type);
        expect(w.node.mode & 0o7777).toBe(m.mode);
        expect([w.node.uid, w.node.gid]).toEqual([m.uid, m.gid]);
        if (m.nlink !== undefined) expect(w.node.nlink).toBe(m.nlink);
      }
    });

    it('reads every regular file with the manifest size and sha256', async () => {
      let files = 0;
      for (const [path, m] of Object.entries(manifest.entries)) {
        if (m.type !== 'file' || (m.size as number) > 2 ** 32) continue;
        const n = node(path);
        expect(n.size, path).toBe(m.size);
        expect(await hashFile(fs, n), path).toBe(m.sha256);
        files++;
      }
      expect(files).toBeGreaterThan(1000);
    });

    it('reads symlink targets: inline, remote with v5 headers, remote without (mkfs 6.1)', async () => {
      for (const [path, m] of Object.entries(manifest.entries)) {
        if (m.type !== 'symlink') continue;
        const n = node(path);
        expect(n.size).toBe(m.size);
        expect(await fs.readlink(n), path).toBe(m.linkTarget);
      }
      expect((await fs.readlink(node('links/max'))).length).toBe(1024);
    });

    it('finds every name by lookup, equal to its readdir entry; absent names are undefined', async () => {
      for (const [path, w] of tree) {
        const slash = path.lastIndexOf('/');
        const dir = slash < 0 ? await fs.root() : node(path.slice(0, slash));
        expect(await fs.lookup(dir, path.slice(slash + 1))).toEqual(w.entry);
      }
      const nodeDir = node('node');
      expect(await fs.lookup(nodeDir, 'node-00001-')).toBeUndefined();
      expect(await fs.lookup(nodeDir, 'N'.repeat(256))).toBeUndefined();
      expect(await fs.lookup(await fs.root(), '.')).toBeUndefined();
      expect(await fs.lookup(await fs.root(), 'sf/a')).toBeUndefined();
    });

    it('has 255-byte ASCII and UTF-8 names and a UTF-8 name in a short-form directory', () => {
      expect(tree.has(`node/${'N'.repeat(255)}`)).toBe(true);
      expect(tree.has(`node/${'日'.repeat(85)}`)).toBe(true);
      expect(tree.has('sf/ünïcødé-日本語-🦀')).toBe(true);
    });

    it('reports special files and their types from ftype', () => {
      expect(node('fifo').type).toBe('fifo');
      expect(node('null').type).toBe('chardev');
      expect(node('disk').type).toBe('blockdev');
      expect(node('suid').mode).toBe(0o104755);
      expect(node('sf/sub').mode).toBe(0o40700);
    });

    it('exercises every directory form', async () => {
      const form = async (p: string) => {
        const i = await fs.inode(p === '' ? manifest.rootIno : node(p).ino);
        if (i.format === FORK_FORMAT.local) return 'shortform';
        const ext = await loadExtents(fs.ctx, i);
        const leaf = ext.find((e) => e.startOff * manifest.geometry.blockSize === LEAF_OFFSET);
        if (!leaf) return 'block';
        const b = await readMapped(fs.ctx, ext, LEAF_OFFSET, 16);
        const magic = (b[8] as number) * 256 + (b[9] as number);
        return magic === DA_MAGIC.leaf1 ? 'leaf' : magic === DA_MAGIC.node ? 'node' : `magic ${magic}`;
      };
      expect(await form('')).toBe('shortform');
      expect(await form('sf')).toBe('shortform');
      expect(await form('block')).toBe('block');
      expect(await form('leaf')).toBe('leaf');
      expect(await form('node')).toBe('node');
      expect((await fs.readdir(node('node'))).length).toBeGreaterThan(1000);
    });

    it('keeps timestamps plausible (bigtime in 4k, classic in 1k) and reads partial ranges', async () => {
      const n = node('big.bin');
      for (const t of [n.mtime, n.ctime]) {
        expect(t).toBeGreaterThan(1.6e9);
        expect(t).toBeLessThan(4.1e9);
      }
      const expected = stampedContent('big', 1024 * 1024 + 333);
      for (const [off, len] of [
        [0, 1],
        [4095, 2],
        [1000, 70_000],
        [1024 * 1024, 1000],
        [1024 * 1024 + 333, 10],
        [5e9, 10],
      ] as const) {
        expect(await fs.read(n, off, len)).toEqual(expected.slice(off, off + len));
      }
      await expect(fs.read(n, -1, 1)).rejects.toThrow(RangeError);
      await expect(fs.read(node('sf'), 0, 1)).rejects.toThrow(TypeError);
    });
  });
}

describe('XFS fixture v5-4k: patched structures', () => {
  let fs: XfsFileSystem;
  let manifest: FixtureManifest;
  let tree: Map<string, Walked>;
  beforeAll(async () => {
    const f = loadFixture('v5-4k');
    manifest = f.manifest;
    fs = (await probeXfs(new BufferSource(f.image))) as XfsFileSystem;
    tree = await walk(fs);
  });
  const node = (p: string) => (tree.get(p) as Walked).node;

  it('reads a depth-2 bmap btree file with holes and unwritten extents, window by window', async () => {
    const n = node('frag.bin');
    const i = await fs.inode(n.ino);
    expect(i.format).toBe(FORK_FORMAT.btree);
    expect((i.dataFork[0] as number) * 256 + (i.dataFork[1] as number)).toBe(2);
    const ext = await loadExtents(fs.ctx, i);
    expect(ext.map(({ diskOffset: _, ...e }) => e)).toEqual(manifest.frag?.extents);
    expect(ext.some((e) => e.unwritten)).toBe(true);
    // Rebuild the content from the source the script used and the extent map xfs_db confirmed.
    const bs = 4096;
    const src = stampedContent('frag', 64 * bs);
    // The script mapped logical block 0 to the last of the 64 blocks mkfs had written.
    const base = (ext[0]?.startBlock as number) - 63;
    const expected = new Uint8Array(64 * bs);
    for (const e of ext) {
      if (e.unwritten) continue;
      const from = (e.startBlock - base) * bs;
      expected.set(src.subarray(from, from + e.count * bs), e.startOff * bs);
    }
    for (let off = 0; off < 64 * bs; off += 3001) {
      expect(await fs.read(n, off, 5000)).toEqual(expected.slice(off, off + 5000));
    }
    expect(await fs.read(n, 63 * bs, bs)).toEqual(new Uint8Array(bs)); // trailing hole
  });

  it('reads data beyond 4 GiB at the right place, holes as zeros', async () => {
    const n = node('huge.bin');
    const m = manifest.entries['huge.bin'] as ManifestEntry;
    expect(n.size).toBe(m.size);
    expect(n.size).toBeGreaterThan(5 * 2 ** 30);
    const src = stampedContent('huge', 8192);
    const [[a, alen], [b, blen]] = m.dataRanges as [[number, number], [number, number]];
    expect(await fs.read(n, a, alen)).toEqual(src.slice(0, alen));
    expect(await fs.read(n, b, blen + 100)).toEqual(src.slice(4096, 4096 + blen));
    expect(await fs.read(n, b - 10, 20)).toEqual(
      new Uint8Array([...new Uint8Array(10), ...src.slice(4096, 4106)]),
    );
    expect(await fs.read(n, 2 ** 32, 4096)).toEqual(new Uint8Array(4096));
    expect(await fs.read(n, n.size, 1)).toEqual(new Uint8Array(0));
  });

  it('gives both names of a hard link the same inode and link count 2', async () => {
    expect(node('links/hard').ino).toBe(node('small.txt').ino);
    expect(node('small.txt').nlink).toBe(2);
    expect(new TextDecoder().decode(await fs.read(node('links/hard'), 0, 100))).toBe('hello, xfs\n');
  });

  it('reads a real multi-level directory bmap (the node directory is in btree format)', async () => {
    const i = await fs.inode(node('node').ino);
    expect(i.format).toBe(FORK_FORMAT.btree);
    expect((await loadExtents(fs.ctx, i)).length).toBe(i.nextents);
  });
});
