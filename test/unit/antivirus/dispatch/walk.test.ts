import { describe, expect, it } from 'vitest';
import { comparePaths } from '../../../../shared/antivirus/dispatch/paths.ts';
import { planScan } from '../../../../shared/antivirus/dispatch/plan.ts';
import { guestScanSource, type ScanWalkEntry } from '../../../../shared/antivirus/dispatch/walk.ts';
import { GuestView } from '../../../../shared/disk/guest/guest-view.ts';
import type { DirEntry, FileSystem, FsNode } from '../../../../shared/disk/types.ts';
import { MemFs, type MemTree } from '../../../support/mem-fs.ts';
import { allFiles, drain, ENVELOPE, settings } from './factories.ts';

/** A FileSystem wrapper that records directory reads and fails on chosen inodes. */
class ObservedFs implements FileSystem {
  readonly readdirs: number[] = [];
  readonly failReaddir = new Set<number>();
  readonly failGetNode = new Set<number>();
  private readonly inner: FileSystem;
  constructor(inner: FileSystem) {
    this.inner = inner;
  }
  get info() {
    return this.inner.info;
  }
  root() {
    return this.inner.root();
  }
  async getNode(ino: number): Promise<FsNode> {
    if (this.failGetNode.has(ino)) throw new Error(`bad inode ${ino}`);
    return this.inner.getNode(ino);
  }
  async readdir(dir: FsNode): Promise<DirEntry[]> {
    this.readdirs.push(dir.ino);
    if (this.failReaddir.has(dir.ino)) throw new Error('bad directory block');
    return this.inner.readdir(dir);
  }
  lookup(dir: FsNode, name: string) {
    return this.inner.lookup(dir, name);
  }
  read(file: FsNode, offset: number, length: number) {
    return this.inner.read(file, offset, length);
  }
  readlink(link: FsNode) {
    return this.inner.readlink(link);
  }
}

const ROOT: MemTree = {
  etc: { passwd: 'root:x:0:0', 'ld.so.conf.d': { 'a.conf': 'x' } },
  a: { b: 'ab' },
  'a-b': 'a-b',
  'a.b': 'a.b',
  'z 🦀': { é: 'e', e: 'plain', '\uffff': 'max' },
  home: { u: { '.cache': { 'big.iso': 'iso', 'x.txt': 'txt' }, 'notes.txt': 'n' } },
  bin: { sh: { symlink: '/usr/bin/dash' } },
};
const VAR: MemTree = { cache: { apt: { 'pkg.deb': 'deb' } }, log: { syslog: 'log' } };

function guest() {
  const root = new ObservedFs(new MemFs(ROOT));
  const varFs = new ObservedFs(new MemFs(VAR));
  const view = new GuestView([
    { mountPoint: '/', volumeId: 'disk0p1', fs: root },
    // No /var directory on the root filesystem: the mount point still shows up.
    { mountPoint: '/var', volumeId: 'disk0p2', fs: varFs },
  ]);
  return { view, root, varFs };
}

async function collect(source: AsyncIterable<ScanWalkEntry>) {
  const out: ScanWalkEntry[] = [];
  for await (const e of source) out.push(e);
  return out;
}

describe('guestScanSource', () => {
  it('walks in the same order as GuestView.walk, which is comparePaths order', async () => {
    const { view } = guest();
    const ours = (await collect(guestScanSource(view, { concurrency: 2 }).walk(() => false))).map(
      (e) => e.path,
    );
    const theirs: string[] = [];
    for await (const e of view.walk('/')) theirs.push(e.path);
    expect(ours).toEqual(theirs);
    expect(ours).toContain('/var/cache/apt/pkg.deb');
    expect([...ours].sort(comparePaths)).toEqual(ours);
    for (let i = 1; i < ours.length; i++) expect(comparePaths(ours[i - 1]!, ours[i]!)).toBeLessThan(0);
  });

  it('marks mount roots and never follows symlinks', async () => {
    const { view } = guest();
    const entries = await collect(guestScanSource(view).walk(() => false));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('/var')).toMatchObject({ isMountRoot: true, node: { type: 'dir' } });
    expect(byPath.get('/')).toMatchObject({ isMountRoot: true });
    expect(byPath.get('/etc')).toMatchObject({ isMountRoot: false });
    expect(byPath.get('/bin/sh')?.node?.type).toBe('symlink');
    expect([...byPath.keys()].some((p) => p.startsWith('/usr'))).toBe(false);
  });

  it('does not read a pruned directory', async () => {
    const { view, varFs } = guest();
    const pruned: string[] = [];
    const paths = (
      await collect(
        guestScanSource(view).walk((dir) => {
          if (dir === '/var/cache') {
            pruned.push(dir);
            return true;
          }
          return false;
        }),
      )
    ).map((e) => e.path);
    expect(pruned).toEqual(['/var/cache']);
    expect(paths).toContain('/var/cache');
    expect(paths.filter((p) => p.startsWith('/var/cache/'))).toEqual([]);
    const cacheIno = (await view.lstat('/var/cache')).ino;
    expect(varFs.readdirs).not.toContain(cacheIno);
  });

  it('reports unreadable directories and inodes and goes on', async () => {
    const { view, root } = guest();
    const badIno = (await view.lstat('/a-b')).ino;
    root.failReaddir.add((await view.lstat('/etc')).ino);
    root.failGetNode.add(badIno);
    const entries = await collect(guestScanSource(view).walk(() => false));
    expect(entries.filter((e) => e.node === undefined)).toEqual([
      { path: '/a-b', error: `inode not readable: bad inode ${badIno}`, type: 'file' },
      { path: '/etc', error: 'directory not readable: bad directory block', type: 'dir' },
    ]);
    expect(entries.map((e) => e.path)).toContain('/var/log/syslog');
  });

  it('reports a start path that does not resolve', async () => {
    const { view } = guest();
    const entries = await collect(guestScanSource(view, { root: '/nope' }).walk(() => false));
    expect(entries).toEqual([{ path: '/nope', error: expect.stringMatching(/ENOENT/) }]);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => guestScanSource(guest().view, { concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe('planScan over a guest view', () => {
  it('prunes excluded directories and counts each once, as a directory', async () => {
    const { view, varFs, root } = guest();
    const p = planScan(guestScanSource(view), {
      policy: settings({ exclusions: { paths: ['/var/cache'], globs: ['/home/*/.cache/**', '*.txt'] } }),
      task: ENVELOPE,
    });
    const files = allFiles(await drain(p));
    expect(files).toEqual([
      '/a/b',
      '/a-b',
      '/a.b',
      '/etc/ld.so.conf.d/a.conf',
      '/etc/passwd',
      '/var/log/syslog',
      '/z 🦀/e',
      '/z 🦀/é',
      '/z 🦀/\uffff',
    ]);
    const s = p.summary();
    expect(s.skipped['excluded-path']).toMatchObject({ entries: 1, directories: 1, sample: ['/var/cache'] });
    expect(s.skipped['excluded-glob']).toMatchObject({
      entries: 2,
      directories: 1,
      sample: ['/home/u/.cache', '/home/u/notes.txt'],
    });
    expect(s.skipped['not-regular']).toMatchObject({ entries: 1, sample: ['/bin/sh'] });
    expect(varFs.readdirs).not.toContain((await view.lstat('/var/cache')).ino);
    expect(root.readdirs).not.toContain((await view.lstat('/home/u/.cache')).ino);
  });

  it('plans the same files from GuestView.walk (no pruning), counting excluded files one by one', async () => {
    const { view } = guest();
    const policy = settings({ exclusions: { paths: ['/var/cache'], globs: ['/home/*/.cache/**', '*.txt'] } });
    const pruned = planScan(guestScanSource(view), { policy, task: ENVELOPE });
    const plain = planScan(view.walk('/'), { policy, task: ENVELOPE });
    expect(allFiles(await drain(plain))).toEqual(allFiles(await drain(pruned)));
    expect(plain.summary().skipped['excluded-path']).toMatchObject({
      entries: 1,
      directories: 0,
      sample: ['/var/cache/apt/pkg.deb'],
    });
    expect(plain.summary().skipped['excluded-glob']).toMatchObject({ entries: 3, directories: 0 });
  });
});
