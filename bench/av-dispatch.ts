/**
 * AV dispatch benchmark (issue 6): planning a 100,000-file snapshot into scan tasks, target < 10 s with
 * bounded memory. Each measurement runs in a fresh Node process, which reports its time, peak RSS and
 * peak heap (sampled at every task):
 *  1. a synthetic guest — a filesystem that computes its 100,000 files on demand (so it holds nothing
 *     itself) behind the real GuestView, walked by the pruning walker and planned, full and incremental
 *     (a stored 100,000-entry file index streamed from disk, 1 % of the files changed); the same at
 *     10,000 files shows whether memory grows with the estate;
 *  2. if `mke2fs` is installed: a real ext4 image of 100,000 files (made by `mke2fs -d`), opened
 *     through the disk reader and planned, against the same image walked bare by `GuestView.walk`
 *     (no planning) in the same run.
 *
 *   node bench/av-dispatch.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFileIndex, FileIndexWriter } from '../shared/antivirus/dispatch/file-index.ts';
import { planScan } from '../shared/antivirus/dispatch/plan.ts';
import { guestScanSource } from '../shared/antivirus/dispatch/walk.ts';
import { AntivirusScanSettings } from '../shared/contracts/antivirus.ts';
import { FileSource } from '../shared/disk/block/file-source.ts';
import { openContainer } from '../shared/disk/containers/index.ts';
import { GuestView } from '../shared/disk/guest/guest-view.ts';
import { openGuest } from '../shared/disk/guest/open-guest.ts';
import { FILESYSTEM_PROBES } from '../shared/disk/probes.ts';
import type { DirEntry, FileSystem, FsNode } from '../shared/disk/types.ts';
import { listVolumes } from '../shared/disk/volumes.ts';
import type { BenchResult } from './disk-read.ts';

const MiB = 1024 * 1024;
const FILES = 100_000;
const FILES_PER_DIR = 50;
const TARGET_MS = 10_000;

const ENVELOPE = {
  jobId: 'job_0000000000bench',
  tenantId: 'bench',
  guestId: 'gst_0000000000bench',
  snapshotRef: { connector: 'local', snapshotId: 'snap-bench', disks: [{ index: 0, sizeBytes: 1 << 30 }] },
};
/** A policy like a real one: a couple of excluded trees and globs. */
const POLICY = AntivirusScanSettings.parse({
  exclusions: { paths: ['/var/cache', '/proc'], globs: ['**/*.iso', '/home/*/.cache/**'] },
});

// ---------------------------------------------------------------------------------------------------------
// A filesystem computed on demand: /usr/share/pkg-NNNNN/file-NNN.txt, FILES_PER_DIR files per directory.

const ROOT_INO = 2;
const SHARE_INO = 3;
const USR_INO = 4;
const DIR_BASE = 10;
const FILE_BASE = 10_000_000;

class SyntheticFs implements FileSystem {
  readonly info = { kind: 'ext4' as const, blockSize: 4096, size: 1 << 30, needsRecovery: false, notes: [] };
  readonly dirs: number;
  readonly files: number;
  /** Generation 2 gives every 100th file a new mtime and ctime. */
  readonly generation: number;

  constructor(files: number, generation: number) {
    this.files = files;
    this.dirs = Math.ceil(files / FILES_PER_DIR);
    this.generation = generation;
  }

  private node(ino: number, type: FsNode['type'], size: number, time: number): FsNode {
    const mode = type === 'dir' ? 0o40755 : 0o100644;
    return { ino, type, size, mode, uid: 0, gid: 0, nlink: 1, mtime: time, ctime: time, atime: time };
  }

  async root() {
    return this.node(ROOT_INO, 'dir', 4096, 1_700_000_000);
  }

  async getNode(ino: number): Promise<FsNode> {
    if (ino === ROOT_INO || ino === USR_INO || ino === SHARE_INO)
      return this.node(ino, 'dir', 4096, 1_700_000_000);
    if (ino >= DIR_BASE && ino < DIR_BASE + this.dirs) return this.node(ino, 'dir', 4096, 1_700_000_000);
    const n = ino - FILE_BASE;
    if (n < 0 || n >= this.files) throw new Error(`synthetic fs: no inode ${ino}`);
    const changed = this.generation > 1 && n % 100 === 0;
    const time = 1_700_000_000 + n / 1000 + (changed ? 86_400 : 0);
    return this.node(ino, 'file', (n * 7919) % 65_536, time);
  }

  async readdir(dir: FsNode): Promise<DirEntry[]> {
    if (dir.ino === ROOT_INO) return [{ name: 'usr', ino: USR_INO, type: 'dir' }];
    if (dir.ino === USR_INO) return [{ name: 'share', ino: SHARE_INO, type: 'dir' }];
    if (dir.ino === SHARE_INO) {
      return Array.from({ length: this.dirs }, (_, d) => ({
        name: `pkg-${String(d).padStart(5, '0')}`,
        ino: DIR_BASE + d,
        type: 'dir' as const,
      }));
    }
    const d = dir.ino - DIR_BASE;
    const out: DirEntry[] = [];
    for (let f = 0; f < FILES_PER_DIR && d * FILES_PER_DIR + f < this.files; f++) {
      out.push({
        name: `file-${String(f).padStart(3, '0')}.txt`,
        ino: FILE_BASE + d * FILES_PER_DIR + f,
        type: 'file',
      });
    }
    return out;
  }

  async lookup(dir: FsNode, name: string) {
    return (await this.readdir(dir)).find((e) => e.name === name);
  }

  async read(): Promise<Uint8Array> {
    return new Uint8Array();
  }

  async readlink(): Promise<string> {
    throw new Error('synthetic fs: no symlinks');
  }
}

const syntheticView = (files: number, generation: number) =>
  new GuestView([{ mountPoint: '/', volumeId: 'synthetic', fs: new SyntheticFs(files, generation) }]);

/** The index a clean full scan of generation 1 would leave (built in the parent, not timed). */
async function writeSyntheticIndex(path: string, files: number): Promise<number> {
  const writer = new FileIndexWriter();
  for await (const e of guestScanSource(syntheticView(files, 1)).walk(() => false)) {
    if (e.node?.type !== 'file') continue;
    writer.add({
      path: e.path,
      ino: e.node.ino,
      size: e.node.size,
      mtime: e.node.mtime,
      ctime: e.node.ctime,
      sha256: createHash('sha256').update(String(e.node.ino)).digest('hex'),
      verdict: 'clean',
      scannedAt: '2026-11-01T00:00:00.000Z',
    });
  }
  const bytes = writer.finish();
  writeFileSync(path, bytes);
  return bytes.length;
}

// ---------------------------------------------------------------------------------------------------------
// Children

interface ChildResult {
  ms: number;
  files: number;
  tasks: number;
  scheduled: number;
  unchanged: number;
  carriedIndexBytes: number;
  peakHeapMiB: number;
  baseHeapMiB: number;
  maxRssMiB: number;
}

/**
 * Plans and measures. `live`: collect garbage before each heap sample, so the samples show what planning
 * keeps alive rather than what the collector has not yet reclaimed (slower; not used for timings).
 */
async function plan(
  view: GuestView,
  indexPath: string | undefined,
  live = false,
): Promise<Omit<ChildResult, 'maxRssMiB'>> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  const started = performance.now();
  const carried = new FileIndexWriter();
  const p = planScan(guestScanSource(view), {
    policy: POLICY,
    task: ENVELOPE,
    ...(indexPath ? { previousIndex: decodeFileIndex(createReadStream(indexPath)) } : {}),
    onUnchanged: (r) => carried.add(r),
  });
  let tasks = 0;
  let scheduled = 0;
  for await (const t of p.tasks) {
    tasks++;
    scheduled += t.files.length;
    if (live) gc();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const carriedBytes = carried.finish().length;
  const ms = performance.now() - started;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const s = p.summary();
  return {
    ms,
    files: s.regularFiles,
    tasks,
    scheduled,
    unchanged: s.skipped.unchanged.entries,
    carriedIndexBytes: carriedBytes,
    peakHeapMiB: (peakHeap - baseHeap) / MiB,
    baseHeapMiB: baseHeap / MiB,
  };
}

async function bareWalk(view: GuestView) {
  const started = performance.now();
  let files = 0;
  for await (const e of view.walk('/')) if (e.node.type === 'file') files++;
  return {
    ms: performance.now() - started,
    files,
    tasks: 0,
    scheduled: 0,
    unchanged: 0,
    carriedIndexBytes: 0,
  };
}

async function openImage(image: string) {
  const file = await FileSource.open(image);
  const container = await openContainer(file, { path: image });
  const guest = await openGuest([container], { listVolumes, probes: FILESYSTEM_PROBES });
  if (!guest.view) throw new Error(`${image}: no guest view (${guest.notes.join('; ')})`);
  return { view: guest.view, close: () => container.close() };
}

async function child(kind: string, args: string[]): Promise<Omit<ChildResult, 'maxRssMiB'>> {
  if (kind === 'synthetic' || kind === 'synthetic-live') {
    return plan(
      syntheticView(Number(args[0]), Number(args[1])),
      args[2] || undefined,
      kind === 'synthetic-live',
    );
  }
  const { view, close } = await openImage(args[0]!);
  try {
    if (kind === 'image-plan') return await plan(view, undefined);
    return { ...(await bareWalk(view)), peakHeapMiB: 0, baseHeapMiB: 0 };
  } finally {
    await close();
  }
}

function runChild(kind: string, ...args: string[]): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', new URL(import.meta.url).pathname, '--child', kind, ...args],
    { encoding: 'utf8', maxBuffer: 16 * MiB },
  );
  if (r.status !== 0) throw new Error(`bench child ${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

// ---------------------------------------------------------------------------------------------------------

function hasMke2fs(): boolean {
  return spawnSync('mke2fs', ['-V'], { encoding: 'utf8' }).status === 0;
}

function makeTree(root: string, files: number) {
  for (let d = 0; d * FILES_PER_DIR < files; d++) {
    const dir = join(root, 'usr/share', `pkg-${String(d).padStart(5, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR && d * FILES_PER_DIR + f < files; f++) {
      // Small files (contents do not matter to planning; a small image builds fast).
      writeFileSync(join(dir, `file-${String(f).padStart(3, '0')}.txt`), 'x'.repeat((d * 31 + f * 7) % 120));
    }
  }
}

export async function runAvDispatchBench(): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'ob-bench-avd-'));
  try {
    const index = join(work, 'index.ndjson.gz');
    const indexBytes = await writeSyntheticIndex(index, FILES);
    const full = [0, 1, 2].map(() => runChild('synthetic', String(FILES), '1'));
    const incremental = [0, 1, 2].map(() => runChild('synthetic', String(FILES), '2', index));
    const small = runChild('synthetic', String(FILES / 10), '1');
    const liveBig = runChild('synthetic-live', String(FILES), '2', index);
    const liveSmall = runChild('synthetic-live', String(FILES / 10), '2', '');
    const fullMs = median(full.map((r) => r.ms));
    const incMs = median(incremental.map((r) => r.ms));
    const peakHeap = Math.max(...full.map((r) => r.peakHeapMiB), ...incremental.map((r) => r.peakHeapMiB));
    const results: BenchResult[] = [
      {
        name: 'AV dispatch: planning a 100,000-file synthetic guest into scan tasks',
        metrics: {
          files: full[0]!.files,
          'tasks (full scan)': full[0]!.tasks,
          'full plan, ms (median of 3)': Math.round(fullMs),
          'full plan, files/s': Math.round(FILES / (fullMs / 1000)),
          'incremental plan with a streamed 100,000-entry index, ms (median of 3)': Math.round(incMs),
          'incremental: files unchanged': incremental[0]!.unchanged,
          'incremental: files scheduled': incremental[0]!.scheduled,
          'stored file index, KiB (100,000 entries)': Math.round(indexBytes / 1024),
          'carried-over index written while planning, KiB': Math.round(
            incremental[0]!.carriedIndexBytes / 1024,
          ),
          'peak heap growth while planning, MiB (100,000 files, worst run)': round1(peakHeap),
          'peak heap growth while planning, MiB (10,000 files)': round1(small.peakHeapMiB),
          'live heap growth (after GC at each task), MiB, incremental, 100,000 files': round1(
            liveBig.peakHeapMiB,
          ),
          'live heap growth (after GC at each task), MiB, full, 10,000 files': round1(liveSmall.peakHeapMiB),
          'peak RSS MiB (worst run, whole process)': Math.round(
            Math.max(...full.map((r) => r.maxRssMiB), ...incremental.map((r) => r.maxRssMiB)),
          ),
          'target ms': TARGET_MS,
        },
        notes:
          'A filesystem that computes 2,000 directories × 50 files on demand (it stores nothing), behind the real GuestView, walked by the pruning walker and planned with a policy of 2 excluded paths and 2 globs, default task bounds (256 MiB, 2,000 files, 248 KiB encoded). Incremental: the stored index of a clean full scan, streamed from a file; 1 % of the files have a new mtime and ctime. Heap growth is sampled at every task, as is the live heap (after a forced GC) in separate runs; the same at 10,000 files shows whether memory grows with the estate. Each run is a fresh Node process.',
      },
    ];

    if (hasMke2fs()) {
      const tree = join(work, 'tree');
      makeTree(tree, FILES);
      const image = join(work, 'guest.img');
      execFileSync('mke2fs', [
        '-q',
        '-F',
        '-t',
        'ext4',
        '-N',
        String(FILES + 20_000),
        '-d',
        tree,
        image,
        '768M',
      ]);
      rmSync(tree, { recursive: true, force: true });
      const planned: ChildResult[] = [];
      const bare: ChildResult[] = [];
      for (let i = 0; i < 3; i++) {
        bare.push(runChild('image-walk', image));
        planned.push(runChild('image-plan', image));
      }
      const planMs = median(planned.map((r) => r.ms));
      const walkMs = median(bare.map((r) => r.ms));
      results.push({
        name: 'AV dispatch: planning a 100,000-file ext4 image into scan tasks',
        metrics: {
          files: planned[0]!.files,
          tasks: planned[0]!.tasks,
          'open + walk + plan, ms (median of 3)': Math.round(planMs),
          'baseline: bare GuestView.walk of the same image, ms (median of 3)': Math.round(walkMs),
          'plan time relative to the bare walk': Number((planMs / walkMs).toFixed(2)),
          'peak heap growth while planning, MiB (worst run)': round1(
            Math.max(...planned.map((r) => r.peakHeapMiB)),
          ),
          'peak RSS MiB, planning (worst run, whole process)': Math.round(
            Math.max(...planned.map((r) => r.maxRssMiB)),
          ),
          'peak RSS MiB, bare walk (worst run, whole process)': Math.round(
            Math.max(...bare.map((r) => r.maxRssMiB)),
          ),
          'target ms': TARGET_MS,
        },
        notes:
          "A 768 MiB ext4 image made by mke2fs -d from 2,000 directories × 50 small files, read through the disk reader (file source, container, volume, ext4) into the pruning walker and the planner, full scan, default task bounds; the baseline walks the same image with GuestView.walk and only counts files. Alternating runs, each a fresh Node process; peak RSS includes the disk reader's block caches.",
      });
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    const result = await child(process.argv[i + 1]!, process.argv.slice(i + 2));
    process.stdout.write(JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  } else {
    const results = await runAvDispatchBench();
    for (const r of results) {
      console.log(`# ${r.name}`);
      console.log(r.notes);
      for (const [k, v] of Object.entries(r.metrics)) console.log(`  ${k}: ${v.toLocaleString('en')}`);
      for (const [k, v] of Object.entries(r.metrics)) {
        if (k.includes('plan') && k.includes(', ms') && !k.startsWith('baseline') && v > TARGET_MS)
          process.exitCode = 1;
      }
    }
  }
}
