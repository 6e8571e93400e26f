/**
 * Anti-virus engine throughput: the built-in engine against `clamscan` with the same database (1,000 hash
 * and 1,000 body signatures, generated deterministically) on the same corpus (about 200 MB of binary and
 * text files, some with planted signatures), measured in the same run. clamscan's database load is timed
 * on its own (a scan of one empty file) and its throughput is reported both including and excluding that
 * load; so is the built-in engine's (load + compile). Both must report the same verdict for every file.
 *
 *   node bench/av-engine.ts            (AV_BENCH_MB=50 for a smaller corpus)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BuiltinEngine } from '../shared/antivirus/engine/builtin-engine.ts';

export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  notes: string;
}

const HASH_SIGS = 1000;
const BODY_SIGS = 1000;
const TARGET_MB = Number(process.env.AV_BENCH_MB) || 200;
const ROUNDS = 2;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the of and to in is was for on that with as by at from his her which or an be this are were had not but have one all they their said there been has more will would who its about out when into up them than some could time these only other new two may first any like over such'.split(
    ' ',
  );

interface Corpus {
  dbDir: string;
  fileDir: string;
  files: { path: string; size: number }[];
  bytes: number;
}

function randomBytes(n: number, random: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = Math.floor(random() * 4294967296);
    b[i] = v & 255;
    b[i + 1] = (v >>> 8) & 255;
    b[i + 2] = (v >>> 16) & 255;
    b[i + 3] = v >>> 24;
  }
  b.set([0, 1, 0, 2]); // typed as binary data by both engines
  return b;
}

function text(n: number, random: () => number): Uint8Array {
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = WORDS[Math.floor(random() * WORDS.length)] as string;
    const sep = random() < 0.1 ? '\n' : random() < 0.05 ? ',  ' : ' ';
    const word = random() < 0.05 ? w.toUpperCase() : w;
    parts.push(word, sep);
    len += word.length + sep.length;
  }
  return Buffer.from(parts.join('').slice(0, n), 'latin1');
}

/** Signatures and a corpus on disk; a tenth of the files carry a planted body signature or a known hash. */
function buildCorpus(root: string): Corpus {
  const random = rng(2024);
  const dbDir = join(root, 'db');
  const fileDir = join(root, 'files');
  mkdirSync(dbDir);
  mkdirSync(fileDir);
  const bodies: { line: string; sample: Uint8Array }[] = [];
  for (let i = 0; i < BODY_SIGS; i++) {
    const sample = randomBytes(24, random).subarray(4);
    const h = Buffer.from(sample).toString('hex');
    const shape = i % 5;
    const hex =
      shape === 0
        ? h
        : shape === 1
          ? `${h.slice(0, 16)}??${h.slice(18)}`
          : shape === 2
            ? `${h.slice(0, 14)}{1-8}${h.slice(16)}`
            : shape === 3
              ? `${h.slice(0, 12)}(${h.slice(12, 14)}|00|ff)${h.slice(14)}`
              : `${h.slice(0, 10)}*${h.slice(12)}`;
    bodies.push({ line: `Bench.Body.${i}:0:*:${hex}`, sample });
  }
  const files: { path: string; size: number }[] = [];
  const hashLines: string[] = [];
  let bytes = 0;
  let n = 0;
  while (bytes < TARGET_MB * 1e6) {
    const isText = n % 5 >= 3;
    const size = isText
      ? 500_000 + Math.floor(random() * 1_500_000)
      : 500_000 + Math.floor(random() * 3_500_000);
    const data = isText ? text(size, random) : randomBytes(size, random);
    if (n % 10 === 0 && !isText) {
      const sig = bodies[Math.floor(random() * bodies.length)] as { sample: Uint8Array };
      data.set(sig.sample, Math.floor(random() * (size - 100)) + 50);
    }
    if (n % 10 === 5) {
      hashLines.push(`${createHash('md5').update(data).digest('hex')}:${size}:Bench.Hash.File${n}`);
    }
    const path = join(fileDir, `file-${String(n).padStart(4, '0')}${isText ? '.txt' : '.bin'}`);
    writeFileSync(path, data);
    files.push({ path, size });
    bytes += size;
    n++;
  }
  while (hashLines.length < HASH_SIGS) {
    const fake = createHash('md5').update(`absent-${hashLines.length}`).digest('hex');
    hashLines.push(`${fake}:${1000 + hashLines.length}:Bench.Hash.Absent${hashLines.length}`);
  }
  writeFileSync(join(dbDir, 'bench.ndb'), `${bodies.map((b) => b.line).join('\n')}\n`);
  writeFileSync(join(dbDir, 'bench.hdb'), `${hashLines.join('\n')}\n`);
  writeFileSync(join(root, 'empty'), '');
  return { dbDir, fileDir, files, bytes };
}

function clamscanRun(args: string[]): { ms: number; results: Map<string, string> } {
  const start = performance.now();
  const r = spawnSync('clamscan', ['--no-summary', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - start;
  if (r.status !== 0 && r.status !== 1) throw new Error(`clamscan failed (${r.status}): ${r.stderr}`);
  const results = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(.*): (.*?)(?: FOUND)?$/.exec(line);
    if (m) results.set(m[1] as string, m[2] as string);
  }
  return { ms, results };
}

async function builtinRun(
  corpus: Corpus,
): Promise<{ loadMs: number; scanMs: number; results: Map<string, string> }> {
  const t0 = performance.now();
  const engine = await BuiltinEngine.load([corpus.dbDir]);
  const t1 = performance.now();
  const results = new Map<string, string>();
  for (const f of corpus.files) {
    const verdict = await engine.scanStream(createReadStream(f.path, { highWaterMark: 256 * 1024 }), f);
    results.set(
      f.path,
      verdict.status === 'infected' ? verdict.signature : verdict.status === 'clean' ? 'OK' : 'ERROR',
    );
  }
  return { loadMs: t1 - t0, scanMs: performance.now() - t1, results };
}

export async function runAvEngineBench(): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'ob-bench-av-'));
  try {
    const corpus = buildCorpus(root);
    const mb = corpus.bytes / 1e6;
    let best = { loadMs: Infinity, scanMs: Infinity, results: new Map<string, string>() };
    let clamLoad = Infinity;
    let clamFull = Infinity;
    let clamResults = new Map<string, string>();
    clamscanRun(['-d', corpus.dbDir, join(root, 'empty')]); // warm the page cache and the binary
    for (let round = 0; round < ROUNDS; round++) {
      const ours = await builtinRun(corpus);
      if (ours.loadMs + ours.scanMs < best.loadMs + best.scanMs) best = ours;
      clamLoad = Math.min(clamLoad, clamscanRun(['-d', corpus.dbDir, join(root, 'empty')]).ms);
      const full = clamscanRun(['-d', corpus.dbDir, corpus.fileDir]);
      if (full.ms < clamFull) {
        clamFull = full.ms;
        clamResults = full.results;
      }
    }
    let disagreements = 0;
    let detections = 0;
    for (const f of corpus.files) {
      const a = best.results.get(f.path);
      if (a !== clamResults.get(f.path)) disagreements++;
      if (a !== 'OK') detections++;
    }
    const rate = (ms: number) => Math.round((mb / (ms / 1000)) * 10) / 10;
    const clamScanMs = Math.max(1, clamFull - clamLoad);
    const metrics = {
      corpusMB: Math.round(mb),
      files: corpus.files.length,
      hashSignatures: HASH_SIGS,
      bodySignatures: BODY_SIGS,
      builtinLoadMs: Math.round(best.loadMs),
      builtinMBpsExclLoad: rate(best.scanMs),
      builtinMBpsInclLoad: rate(best.scanMs + best.loadMs),
      clamscanLoadMs: Math.round(clamLoad),
      clamscanMBpsExclLoad: rate(clamScanMs),
      clamscanMBpsInclLoad: rate(clamFull),
      speedupExclLoad: Math.round((clamScanMs / best.scanMs) * 100) / 100,
      speedupInclLoad: Math.round((clamFull / (best.scanMs + best.loadMs)) * 100) / 100,
      detections,
      disagreements,
    };
    const notes =
      `${HASH_SIGS} MD5 hash + ${BODY_SIGS} body signatures (static, ??, {n-m}, alternatives, *), ` +
      `${corpus.files.length} files (${Math.round(mb)} MB: 60% random binary, 40% text, normalised by both), ` +
      `built-in engine streaming from disk vs clamscan ${clamscanVersion()} in one process per run, best of ${ROUNDS} rounds; ` +
      `clamscan load = a run on one empty file` +
      (disagreements > 0 ? `; WARNING: ${disagreements} files with different verdicts` : '');
    return { name: 'av-engine', metrics, notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function clamscanVersion(): string {
  const r = spawnSync('clamscan', ['--version'], { encoding: 'utf8' });
  return /ClamAV ([0-9.]+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

if (import.meta.main) {
  const result = await runAvEngineBench();
  console.log(`# ${result.name}`);
  console.log(result.notes);
  for (const [k, v] of Object.entries(result.metrics)) console.log(`${k}: ${v}`);
  if ((result.metrics.disagreements ?? 0) > 0 || (result.metrics.speedupInclLoad ?? 0) < 1)
    process.exitCode = 1;
}
