import { describe, expect, it } from 'vitest';
import {
  decodeFileIndex,
  encodeFileIndex,
  type FileIndexEntry,
} from '../../../../shared/antivirus/dispatch/file-index.ts';
import { comparePaths } from '../../../../shared/antivirus/dispatch/paths.ts';
import { type PlanOptions, planScan } from '../../../../shared/antivirus/dispatch/plan.ts';
import { encodeScanTask } from '../../../../shared/antivirus/dispatch/tasks.ts';
import type { ScanWalkEntry } from '../../../../shared/antivirus/dispatch/walk.ts';
import { ScanTask, type SkippedFile } from '../../../../shared/contracts/antivirus.ts';
import {
  allFiles,
  dirEntry,
  drain,
  ENVELOPE,
  fileEntry,
  otherEntry,
  recordOf,
  settings,
} from './factories.ts';

const plan = (entries: ScanWalkEntry[], over: Partial<PlanOptions> = {}) =>
  planScan(entries, { policy: settings(), task: ENVELOPE, ...over });

describe('planScan: what is scanned and what is skipped', () => {
  it('excludes path prefixes, whatever the entry type, and not names that merely extend them', async () => {
    const p = plan(
      [
        dirEntry('/var'),
        dirEntry('/var/cache'),
        fileEntry('/var/cache/a', { size: 5 }),
        otherEntry('/var/cache/link', 'symlink'),
        fileEntry('/var/cache2', { size: 7 }),
      ],
      { policy: settings({ exclusions: { paths: ['/var/cache'] } }) },
    );
    expect(allFiles(await drain(p))).toEqual(['/var/cache2']);
    const s = p.summary();
    expect(s.skipped['excluded-path']).toEqual({
      entries: 2,
      directories: 0,
      bytes: 5,
      sample: ['/var/cache/a', '/var/cache/link'],
    });
    expect(s.skipped['not-regular'].entries).toBe(0);
  });

  it('excludes by glob, dot files included', async () => {
    const p = plan(
      [fileEntry('/a.iso', { size: 3 }), fileEntry('/home/u/.cache/b.iso'), fileEntry('/c.img')],
      {
        policy: settings({ exclusions: { globs: ['**/*.iso'] } }),
      },
    );
    expect(allFiles(await drain(p))).toEqual(['/c.img']);
    expect(p.summary().skipped['excluded-glob']).toMatchObject({ entries: 2, bytes: 13 });
  });

  it('skips files over maxFileBytes as too-large (and keeps one exactly at the limit)', async () => {
    const p = plan([fileEntry('/at', { size: 100 }), fileEntry('/over', { size: 101 })], {
      policy: settings({ exclusions: { maxFileBytes: 100 } }),
    });
    expect(allFiles(await drain(p))).toEqual(['/at']);
    expect(p.summary().skipped['too-large']).toEqual({
      entries: 1,
      directories: 0,
      bytes: 101,
      sample: ['/over'],
    });
  });

  it('scans regular files only; directories are walked, not counted', async () => {
    const p = plan([
      dirEntry('/'),
      dirEntry('/dev'),
      otherEntry('/dev/null', 'chardev'),
      otherEntry('/dev/sda', 'blockdev'),
      otherEntry('/run/fifo', 'fifo'),
      otherEntry('/run/sock', 'socket'),
      otherEntry('/usr/bin/sh', 'symlink'),
      fileEntry('/usr/bin/true'),
    ]);
    expect(allFiles(await drain(p))).toEqual(['/usr/bin/true']);
    const s = p.summary();
    expect(s.skipped['not-regular'].entries).toBe(5);
    expect(s.entries).toBe(8);
    expect(s.regularFiles).toBe(1);
  });

  it('reports what the walk could not read as unreadable, never as scanned', async () => {
    const p = plan([
      { path: '/broken-dir', error: 'directory not readable: bad block', type: 'dir' },
      { path: '/broken-inode', error: 'inode not readable: checksum' },
      { path: '/broken-link', error: 'inode not readable: checksum', type: 'symlink' },
      fileEntry('/weird', { mtime: Number.NaN }),
      fileEntry('/fine'),
    ]);
    expect(allFiles(await drain(p))).toEqual(['/fine']);
    const s = p.summary();
    expect(s.skipped.unreadable).toMatchObject({ entries: 3, directories: 1 });
    expect(s.skipped.unreadable.sample).toEqual(['/broken-dir', '/broken-inode', '/weird']);
    expect(s.skipped['not-regular'].entries).toBe(1);
  });

  it('keeps a bounded sample per reason but counts everything, and reports every skip to onSkipped', async () => {
    const seen: SkippedFile[] = [];
    const entries = Array.from({ length: 50 }, (_, i) =>
      fileEntry(`/x${String(i).padStart(2, '0')}.iso`, { size: 1 }),
    );
    const p = plan(entries, {
      policy: settings({ exclusions: { globs: ['*.iso'] } }),
      sampleSize: 3,
      onSkipped: (s) => seen.push(s),
    });
    expect(await drain(p)).toEqual([]);
    expect(p.summary().skipped['excluded-glob']).toEqual({
      entries: 50,
      directories: 0,
      bytes: 50,
      sample: ['/x00.iso', '/x01.iso', '/x02.iso'],
    });
    expect(seen).toHaveLength(50);
    expect(seen[49]).toEqual({ path: '/x49.iso', reason: 'excluded-glob', size: 1 });
  });
});

describe('planScan: task bounds', () => {
  it('closes a task before it would exceed the byte bound; a larger file is a task of its own', async () => {
    const sizes = [40, 40, 40, 250, 10, 60, 50];
    const entries = sizes.map((size, i) => fileEntry(`/f${i}`, { size }));
    const tasks = await drain(plan(entries, { maxTaskBytes: 100 }));
    expect(tasks.map((t) => t.files.map((f) => f.size))).toEqual([[40, 40], [40], [250], [10, 60], [50]]);
    expect(tasks.map((t) => t.taskIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('closes a task at the file count bound', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => fileEntry(`/f${i}`));
    const tasks = await drain(plan(entries, { maxTaskFiles: 3 }));
    expect(tasks.map((t) => t.files.length)).toEqual([3, 3, 3, 1]);
    expect(allFiles(tasks)).toEqual(entries.map((e) => e.path));
  });

  it('keeps every encoded task within the size bound, long unicode paths included, and fills tasks', async () => {
    const bound = 16 * 1024;
    const name = (i: number) =>
      `/${'日本語のファイル'.repeat(20 + (i % 7))}/${'🦀'.repeat(i % 50)}\uffff${'ü'.repeat(i % 13)}-${i}`;
    const entries = Array.from({ length: 400 }, (_, i) => fileEntry(name(i), { size: 1 }));
    const sorted = entries.sort((a, b) => comparePaths(a.path, b.path));
    const tasks = await drain(plan(sorted, { maxTaskEncodedBytes: bound, maxTaskFiles: 10_000 }));
    expect(allFiles(tasks)).toEqual(sorted.map((e) => e.path));
    for (let k = 0; k < tasks.length; k++) {
      const task = tasks[k]!;
      expect(ScanTask.safeParse(task).success).toBe(true);
      const bytes = Buffer.byteLength(encodeScanTask({ ...task, taskCount: tasks.length }));
      expect(bytes).toBeLessThanOrEqual(bound);
      const next = tasks[k + 1]?.files[0];
      if (next) {
        // Closed only because the next file would not fit.
        const grown = Buffer.byteLength(encodeScanTask({ ...task, files: [...task.files, next] }));
        expect(grown).toBeGreaterThan(bound - 40);
      }
    }
  });

  it('keeps the default bound under the SQS message size for 2,000 long paths', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) =>
      fileEntry(`/usr/share/${'doc/'.repeat(10)}package-${String(i).padStart(5, '0')}/${'é'.repeat(30)}.txt`),
    );
    const tasks = await drain(plan(entries));
    for (const t of tasks)
      expect(Buffer.byteLength(encodeScanTask(t))).toBeLessThanOrEqual(256 * 1024 - 8 * 1024);
    expect(tasks.length).toBeGreaterThan(2);
    expect(allFiles(tasks)).toHaveLength(3000);
  });

  it('skips a file whose path alone cannot fit in a task as path-too-long', async () => {
    const long = `/${'x/'.repeat(3000)}file`;
    const p = plan([fileEntry('/a'), fileEntry(long, { size: 9 }), fileEntry('/z')], {
      maxTaskEncodedBytes: 4096,
    });
    expect(allFiles(await drain(p))).toEqual(['/a', '/z']);
    expect(p.summary().skipped['path-too-long']).toMatchObject({ entries: 1, bytes: 9 });
  });

  it('yields the first task before the walk is over (nothing piles up)', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<ScanWalkEntry> {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield fileEntry(`/f${String(i).padStart(5, '0')}`);
      }
    }
    const p = planScan(source(), { policy: settings(), task: ENVELOPE, maxTaskFiles: 100 });
    const first = await p.tasks.next();
    expect(first.done).toBe(false);
    expect(pulled).toBeLessThanOrEqual(101);
    expect(p.summary().complete).toBe(false);
    await p.tasks.return(undefined as never);
  });

  it('returns the final summary from the generator and from summary()', async () => {
    const p = plan([fileEntry('/a', { size: 3 }), fileEntry('/b', { size: 4 })]);
    let result = await p.tasks.next();
    while (!result.done) result = await p.tasks.next();
    expect(result.value).toEqual(p.summary());
    expect(result.value).toMatchObject({
      mode: 'full',
      complete: true,
      tasks: 1,
      scheduledFiles: 2,
      scheduledBytes: 7,
      notes: [],
    });
  });
});

describe('planScan: incremental', () => {
  const a = fileEntry('/etc/a', { size: 10 });
  const b = fileEntry('/etc/b', { size: 20 });
  const c = fileEntry('/etc/c', { size: 30 });

  it('skips files unchanged since their last clean scan and hands their records on', async () => {
    const carried: FileIndexEntry[] = [];
    const p = plan([a, b, c], {
      previousIndex: [recordOf(a), recordOf(c)],
      onUnchanged: (r) => carried.push(r),
    });
    expect(allFiles(await drain(p))).toEqual(['/etc/b']);
    expect(carried).toEqual([recordOf(a), recordOf(c)]);
    const s = p.summary();
    expect(s.mode).toBe('incremental');
    expect(s.skipped.unchanged).toMatchObject({ entries: 2, bytes: 40 });
  });

  it.each([
    ['size', { size: 11 }],
    ['mtime', { mtime: 1 }],
    ['ctime (a rewrite that put mtime back)', { ctime: 2 }],
    ['inode (replaced by a new file)', { ino: 5 }],
  ])('scans a file whose %s changed', async (_what, change) => {
    const p = plan([a], { previousIndex: [recordOf(a, change)] });
    expect(allFiles(await drain(p))).toEqual(['/etc/a']);
    expect(p.summary().skipped.unchanged.entries).toBe(0);
  });

  it('scans files whose last verdict was infected, or whose record has no usable hash', async () => {
    const p = plan([a, b], {
      previousIndex: [recordOf(a, { verdict: 'infected' }), recordOf(b, { sha256: '' })],
    });
    expect(allFiles(await drain(p))).toEqual(['/etc/a', '/etc/b']);
  });

  it('is a full scan when the policy says so or there is no previous index', async () => {
    const off = plan([a], { policy: settings({ incremental: false }), previousIndex: [recordOf(a)] });
    expect(allFiles(await drain(off))).toEqual(['/etc/a']);
    expect(off.summary().mode).toBe('full');
    const none = plan([a]);
    await drain(none);
    expect(none.summary().mode).toBe('full');
  });

  it('merge-joins across excluded subtrees and files missing from either side', async () => {
    const walk = [
      fileEntry('/a'),
      fileEntry('/a-b'), // after the /a subtree in walk order
      fileEntry('/b/x'),
      fileEntry('/c'),
      fileEntry('/d/new'),
      fileEntry('/e'),
    ];
    const index = [
      recordOf(fileEntry('/a')),
      recordOf(fileEntry('/a-b')),
      recordOf(fileEntry('/b/gone')),
      recordOf(fileEntry('/b/x')),
      recordOf(fileEntry('/c/deleted')),
      recordOf(fileEntry('/e')),
    ];
    const p = plan(walk, { previousIndex: index, policy: settings({ exclusions: { paths: ['/c'] } }) });
    expect(allFiles(await drain(p))).toEqual(['/d/new']);
    expect(p.summary().skipped.unchanged.entries).toBe(4);
  });

  it('reads a stored index as a stream', async () => {
    const bytes = await encodeFileIndex([recordOf(a), recordOf(b)]);
    const p = plan([a, b, c], { previousIndex: decodeFileIndex(bytes) });
    expect(allFiles(await drain(p))).toEqual(['/etc/c']);
  });

  it('never skips wrongly when the walk comes out of order; it says so', async () => {
    const p = plan([c, a, b], { previousIndex: [recordOf(a), recordOf(b), recordOf(c)] });
    const scheduled = allFiles(await drain(p));
    // /etc/c was looked up first, which moved the index past /etc/a and /etc/b.
    expect(scheduled).toEqual(['/etc/a', '/etc/b']);
    expect(p.summary().notes.join()).toMatch(/out of walk order/);
  });

  it('goes on without the index when it breaks while read', async () => {
    function* broken(): Generator<FileIndexEntry> {
      yield recordOf(a);
      throw new Error('gzip: unexpected end of file');
    }
    const p = plan([a, b, c], { previousIndex: broken() });
    expect(allFiles(await drain(p))).toEqual(['/etc/b', '/etc/c']);
    expect(p.summary().notes.join()).toMatch(/previous file index failed.*unexpected end of file/);
  });

  it('re-hashes small unchanged-looking files when asked, and scans them on any doubt', async () => {
    const small = fileEntry('/s', { size: 10 });
    const big = fileEntry('/t', { size: 1000 });
    const odd = fileEntry('/u', { size: 10 });
    const same = fileEntry('/v', { size: 10 });
    const hashes: Record<string, string> = { '/s': 'c'.repeat(64), '/v': 'a'.repeat(64) };
    const asked: string[] = [];
    const p = plan([small, big, odd, same], {
      previousIndex: [recordOf(small), recordOf(big), recordOf(odd), recordOf(same)],
      rehash: {
        maxBytes: 100,
        sha256: async (path) => {
          asked.push(path);
          const h = hashes[path];
          if (!h) throw new Error('read error');
          return h;
        },
      },
    });
    expect(allFiles(await drain(p))).toEqual(['/s', '/u']);
    expect(asked).toEqual(['/s', '/u', '/v']);
    expect(p.summary().notes.join('\n')).toMatch(
      /1 files looked unchanged but their content hash differs[\s\S]*1 files could not be re-hashed/,
    );
  });
});
