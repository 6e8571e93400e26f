/**
 * Guest disk reader benchmarks (needs mke2fs, qemu-img, tar and sha256sum):
 *  1. targeted reads: /etc/os-release and a 2 MiB file from a 4 GiB sparse-populated ext4 image, raw
 *     and as qcow2: bytes fetched from the image file (target ≤ 16 MiB) and time from open (< 100 ms);
 *  2. a full walk hashing every file of a ~1 GiB filesystem, against `tar -cf - DIR | sha256sum` over
 *     the same tree on disk, measured in the same run (target ≥ 60 % of its speed);
 * each measured in a child process, whose peak RSS is reported (target < 256 MiB).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../shared/disk/block/file-source.ts';
import { openContainer } from '../shared/disk/containers/index.ts';
import { openGuest } from '../shared/disk/guest/open-guest.ts';
import { hashNode } from '../shared/disk/inspect.ts';
import { FILESYSTEM_PROBES } from '../shared/disk/probes.ts';
import { listVolumes } from '../shared/disk/volumes.ts';

export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  notes: string;
}

const MiB = 1024 * 1024;

async function childTargeted(image: string) {
  const started = performance.now();
  const file = await FileSource.open(image);
  const container = await openContainer(file, { path: image });
  const guest = await openGuest([container], { listVolumes, probes: FILESYSTEM_PROBES });
  const view = guest.view!;
  const osRelease = await view.readFile('/etc/os-release');
  const big = await view.readFile('/opt/app/data-2m.bin');
  const ms = performance.now() - started;
  const stats = file.stats();
  await container.close();
  return {
    ms,
    bytesFetched: stats.bytesFetched,
    requests: stats.requests,
    osRelease: osRelease.length,
    big: big.length,
  };
}

async function childWalk(image: string) {
  const started = performance.now();
  const file = await FileSource.open(image);
  const container = await openContainer(file, { path: image });
  const guest = await openGuest([container], { listVolumes, probes: FILESYSTEM_PROBES });
  let bytes = 0;
  let files = 0;
  const all = createHash('sha256');
  for await (const e of guest.view!.walk('/')) {
    if (e.node.type !== 'file') continue;
    all.update(await hashNode(e.mount.fs, e.node));
    bytes += e.node.size;
    files++;
  }
  const ms = performance.now() - started;
  await container.close();
  return { ms, bytes, files, bytesFetched: file.stats().bytesFetched };
}

interface ChildResult {
  ms: number;
  bytesFetched: number;
  requests: number;
  files: number;
  bytes: number;
  maxRssMiB: number;
}

function runChild(kind: 'targeted' | 'walk', image: string) {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', kind, image], {
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
  });
  if (r.status !== 0) throw new Error(`bench child ${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function makeTree(root: string, totalBytes: number) {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'opt/app'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), 'NAME="Bench Linux"\nID=bench\nVERSION_ID="1"\n');
  writeFileSync(join(root, 'opt/app/data-2m.bin'), randomBytes(2 * MiB));
  let written = 2 * MiB;
  for (let d = 0; written < totalBytes; d++) {
    const dir = join(root, 'usr/share', `pkg${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 40 && written < totalBytes; f++) {
      const size = f % 10 === 0 ? 4 * MiB : 16 * 1024 + ((f * 7919) % (256 * 1024));
      writeFileSync(join(dir, `file${f}.dat`), randomBytes(size));
      written += size;
    }
  }
  return written;
}

export async function runDiskBench(): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'ob-bench-disk-'));
  try {
    // 1. Targeted reads from a 4 GiB image holding ~300 MiB of files.
    const small = join(work, 'small-tree');
    makeTree(small, 300 * MiB);
    const img4g = join(work, 'four-gib.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', small, img4g, '4G']);
    const qcow = `${img4g}.qcow2`;
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', img4g, qcow]);
    const raw = [0, 1, 2, 3, 4].map(() => runChild('targeted', img4g));
    const q = [0, 1, 2, 3, 4].map(() => runChild('targeted', qcow));
    const targeted: BenchResult = {
      name: 'Guest disk reader: /etc/os-release and a 2 MiB file from a 4 GiB ext4 image',
      metrics: {
        'raw: ms from open to both files read (median of 5)': Math.round(median(raw.map((r) => r.ms))),
        'raw: MiB fetched from the image file': Number((raw[0]!.bytesFetched / MiB).toFixed(2)),
        'raw: read requests to the image file': raw[0]!.requests,
        'qcow2: ms from open to both files read (median of 5)': Math.round(median(q.map((r) => r.ms))),
        'qcow2: MiB fetched from the image file': Number((q[0]!.bytesFetched / MiB).toFixed(2)),
        'qcow2: read requests to the image file': q[0]!.requests,
        'peak RSS MiB (worst run, whole process)': Math.round(
          Math.max(...[...raw, ...q].map((r) => r.maxRssMiB ?? 0)),
        ),
      },
      notes:
        'A 4 GiB ext4 image made by mke2fs -d from ~300 MiB of files, and the same image converted to qcow2. Each run is a fresh Node process: open the image, find the volume and filesystem, read both files. Targets: ≤ 16 MiB fetched, < 100 ms, < 256 MiB peak memory.',
    };
    rmSync(img4g);
    rmSync(qcow);

    // 2. Full walk with hashing of ~1 GiB, against tar | sha256sum over the same tree.
    const big = join(work, 'big-tree');
    const total = makeTree(big, 1024 * MiB);
    const img = join(work, 'one-gib.img');
    execFileSync('mke2fs', [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-d',
      big,
      img,
      `${Math.ceil((total * 1.15) / MiB) + 64}M`,
    ]);
    const tarRuns: number[] = [];
    const walkRuns: ChildResult[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      execFileSync('sh', ['-c', `tar -cf - -C "${big}" . | sha256sum > /dev/null`]);
      tarRuns.push(performance.now() - t0);
      walkRuns.push(runChild('walk', img));
    }
    const tarMs = median(tarRuns);
    const walkMs = median(walkRuns.map((r) => r.ms));
    const walk: BenchResult = {
      name: 'Guest disk reader: full walk hashing every file of a 1 GiB ext4 filesystem',
      metrics: {
        'files hashed': walkRuns[0]!.files,
        'MiB hashed': Math.round(walkRuns[0]!.bytes / MiB),
        'outboard walk + sha256 per file, ms (median of 3)': Math.round(walkMs),
        'baseline tar -cf - DIR | sha256sum, ms (median of 3)': Math.round(tarMs),
        'speed relative to the baseline (target ≥ 0.60)': Number((tarMs / walkMs).toFixed(2)),
        'outboard MiB/s': Math.round(walkRuns[0]!.bytes / MiB / (walkMs / 1000)),
        'peak RSS MiB (worst run, whole process)': Math.round(
          Math.max(...walkRuns.map((r) => r.maxRssMiB ?? 0)),
        ),
      },
      notes:
        'The tree (random data, files of 16 KiB to 4 MiB) is packed by mke2fs -d; the baseline reads the same tree from the host filesystem with tar and hashes the stream with sha256sum. Both run with a warm page cache, alternating, in the same run.',
    };
    return [targeted, walk];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    const kind = process.argv[i + 1];
    const image = process.argv[i + 2]!;
    const result = kind === 'walk' ? await childWalk(image) : await childTargeted(image);
    process.stdout.write(JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  } else {
    for (const r of await runDiskBench()) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  }
}
