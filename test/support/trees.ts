/**
 * Deterministic random file trees for filesystem readers' tests: pack the tree with a real tool
 * (mke2fs -d, mkfs.xfs -p, mcopy…), read the image back, and compare with the returned manifest.
 *
 * A tree holds many files at many depths, 255-byte and UTF-8 names, hard links, fast (< 60 bytes)
 * and slow (≥ 60 bytes) symlinks, sparse files (holes made by truncating, then data written at
 * offsets), a few larger files and empty files. The same seed and options give the same tree.
 */
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, linkSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeOptions {
  seed: number;
  /** Ordinary regular files (the special files below come on top). */
  files: number;
  /** Deepest directory level below the root; one chain reaches it. */
  maxDepth: number;
  /** Directories besides the root; default `max(maxDepth, files / 8)`. */
  dirs?: number;
  /** Largest ordinary file; default 48 KiB. Sizes are skewed towards small (many under 60 bytes). */
  maxFileSize?: number;
  /** Larger files and their size range; default 2 files of 1–3 MiB. */
  largeFiles?: number;
  largeFileSize?: [min: number, max: number];
  /** Sparse files, each of apparent size `sparseSize` (default 3 files of 16 MiB, 1–4 data runs). */
  sparseFiles?: number;
  sparseSize?: number;
  /** Data runs per sparse file (default 1–4); more than 4 runs give ext4 extent trees of depth ≥ 1. */
  sparseRuns?: [min: number, max: number];
  /** One more sparse file of this apparent size (e.g. 4 GiB + a bit), data near the start, middle, end. */
  hugeSparseSize?: number;
  /** Extra names for existing files (default 4). */
  hardLinks?: number;
  /** Symlinks, alternating fast and slow targets (default 6); slow targets are 60–900 bytes (ext4 with 1 KiB blocks and XFS cap targets near 1 KiB). */
  symlinks?: number;
  /** Empty files (default 3). */
  emptyFiles?: number;
  /** A 255-byte ASCII name and a 255-byte UTF-8 name (default true). */
  longNames?: boolean;
  /** Names with accents, CJK, emoji, spaces (default true). */
  utf8Names?: boolean;
  /** One directory holding this many files (default 0), for hashed/b-tree directories. */
  bigDir?: number;
  /** `random` (default) or `compressible` (small gzip'd fixtures; every 1 KiB stamped with its offset). */
  content?: 'random' | 'compressible';
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  /** Bytes (files), target length in bytes (symlinks), 0 (directories). */
  size: number;
  /** Files: hex sha256 of the whole content (holes as zeros). */
  sha256?: string;
  /** Symlinks: the target as written. */
  linkTarget?: string;
  /** Hard links: every name of one inode has the same group (the first path made). */
  hardLinkGroup?: string;
  /** Sparse files: the byte ranges written; everything else reads as zeros. */
  dataRanges?: [offset: number, length: number][];
}

/** Relative POSIX paths (no leading slash) → entries. Includes directories, not the root itself. */
export type TreeManifest = Record<string, TreeEntry>;

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UTF8_NAMES = [
  'café',
  'naïve résumé',
  '日本語のファイル',
  'Ελληνικά',
  'emoji 🦀🚀',
  'Ünïcödé ßtraße',
  'тест',
];

/** Builds the tree under `dir` (which must exist and be empty) and returns its manifest. */
export function generateTree(dir: string, options: TreeOptions): TreeManifest {
  const rnd = prng(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const compressible = options.content === 'compressible';
  const manifest: TreeManifest = {};
  const names = new Map<string, Set<string>>([['', new Set()]]);
  let serial = 0;

  const fill = (buf: Uint8Array, fileOffset: number, tag: number) =>
    fillContent(buf, fileOffset, tag, compressible, rnd);
  const uniqueName = (parent: string, base: string) => {
    const taken = names.get(parent)!;
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}.${i}`;
    taken.add(name);
    return name;
  };
  const pathOf = (parent: string, name: string) => (parent ? `${parent}/${name}` : name);
  const plainName = (prefix: string) => `${prefix}${(serial++).toString(36)}${rnd() < 0.3 ? '.txt' : ''}`;

  // Directories: one chain to maxDepth, then random children of existing directories.
  const dirs: string[] = [''];
  const depth = (p: string) => (p ? p.split('/').length : 0);
  const addDir = (parent: string, base: string) => {
    const name = uniqueName(parent, base);
    const p = pathOf(parent, name);
    mkdirSync(join(dir, p));
    names.set(p, new Set());
    manifest[p] = { type: 'dir', size: 0 };
    dirs.push(p);
    return p;
  };
  let chain = '';
  for (let d = 0; d < options.maxDepth; d++) chain = addDir(chain, `deep${d}`);
  const dirCount = options.dirs ?? Math.max(options.maxDepth, Math.floor(options.files / 8));
  for (let i = dirs.length - 1; i < dirCount; i++) {
    const shallow = dirs.filter((p) => depth(p) < options.maxDepth);
    addDir(pick(shallow), plainName('d'));
  }

  const writeFile = (p: string, size: number) => {
    const buf = new Uint8Array(size);
    fill(buf, 0, serial++);
    const fd = openSync(join(dir, p), 'w');
    try {
      if (size) writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    manifest[p] = { type: 'file', size, sha256: createHash('sha256').update(buf).digest('hex') };
  };
  const writeSparse = (p: string, size: number, runs: [number, number][]) => {
    const tag = serial++;
    const fd = openSync(join(dir, p), 'w');
    const chunks: { offset: number; data: Uint8Array }[] = [];
    try {
      ftruncateSync(fd, size);
      for (const [offset, length] of runs) {
        const data = new Uint8Array(length);
        fill(data, offset, tag);
        writeSync(fd, data, 0, length, offset);
        chunks.push({ offset, data });
      }
    } finally {
      closeSync(fd);
    }
    manifest[p] = { type: 'file', size, sha256: hashSparse(size, chunks), dataRanges: runs };
  };
  const fileSize = () => {
    const max = options.maxFileSize ?? 48 * 1024;
    const r = rnd();
    if (r < 0.3) return int(1, 59); // fits in an inode (inline data, XFS local)
    if (r < 0.7) return int(60, Math.min(max, 4096));
    return int(1, max);
  };

  for (let i = 0; i < options.files; i++) {
    const parent = pick(dirs);
    writeFile(pathOf(parent, uniqueName(parent, plainName('f'))), fileSize());
  }
  // Files at the deepest level.
  writeFile(pathOf(chain, uniqueName(chain, 'bottom.bin')), int(1, 5000));

  if (options.bigDir) {
    const big = addDir('', 'bigdir');
    for (let i = 0; i < options.bigDir; i++) {
      writeFile(
        pathOf(big, uniqueName(big, `entry-${i.toString().padStart(5, '0')}-${plainName('')}`)),
        int(0, 80),
      );
    }
  }
  for (let i = 0; i < (options.emptyFiles ?? 3); i++) {
    const parent = pick(dirs);
    writeFile(pathOf(parent, uniqueName(parent, plainName('empty'))), 0);
  }
  const [lmin, lmax] = options.largeFileSize ?? [1 << 20, 3 << 20];
  for (let i = 0; i < (options.largeFiles ?? 2); i++) {
    const parent = pick(dirs);
    writeFile(pathOf(parent, uniqueName(parent, plainName('large'))), int(lmin, lmax));
  }
  const sparseSize = options.sparseSize ?? 16 << 20;
  for (let i = 0; i < (options.sparseFiles ?? 3); i++) {
    const parent = pick(dirs);
    const runs: [number, number][] = [];
    const n = int(...(options.sparseRuns ?? [1, 4]));
    for (let r = 0; r < n; r++) {
      // Runs in disjoint slots of the file; offsets deliberately unaligned.
      const slot = Math.floor(sparseSize / n);
      const length = int(1, Math.min(slot >> 1, 100_000));
      runs.push([r * slot + int(0, slot - length), length]);
    }
    writeSparse(pathOf(parent, uniqueName(parent, plainName('sparse'))), sparseSize, runs);
  }
  if (options.hugeSparseSize) {
    const size = options.hugeSparseSize;
    const mid = Math.floor(size / 2) + 4093;
    writeSparse(uniqueName('', 'huge-sparse.bin'), size, [
      [0, 5000],
      [mid, 70_000],
      [size - 3000, 3000],
    ]);
  }

  if (options.utf8Names ?? true) {
    for (const n of UTF8_NAMES) {
      const parent = pick(dirs);
      writeFile(pathOf(parent, uniqueName(parent, n)), int(0, 300));
    }
    addDir('', 'ディレクトリ');
  }
  if (options.longNames ?? true) {
    writeFile(uniqueName('', `${'L'.repeat(250)}.long`), int(1, 100));
    // 127 two-byte characters + 1 byte = 255 bytes.
    const parent = pick(dirs.filter((p) => Buffer.byteLength(p) < 1000));
    writeFile(pathOf(parent, uniqueName(parent, `${'é'.repeat(127)}x`)), int(1, 100));
    const longDir = addDir('', `${'D'.repeat(255)}`);
    writeFile(pathOf(longDir, uniqueName(longDir, `${'n'.repeat(255)}`)), int(1, 100));
  }

  const regular = Object.keys(manifest).filter((p) => manifest[p]!.type === 'file');
  for (let i = 0; i < (options.hardLinks ?? 4) && regular.length; i++) {
    const target = pick(regular);
    const parent = pick(dirs);
    const p = pathOf(parent, uniqueName(parent, plainName('hardlink')));
    linkSync(join(dir, target), join(dir, p));
    const entry = manifest[target]!;
    entry.hardLinkGroup ??= target;
    manifest[p] = { ...entry };
  }
  for (let i = 0; i < (options.symlinks ?? 6); i++) {
    const parent = pick(dirs);
    const p = pathOf(parent, uniqueName(parent, plainName('link')));
    let target: string;
    if (i % 2 === 0) {
      target = rnd() < 0.5 && regular.length ? `/${pick(regular)}`.slice(0, int(1, 59)) : `t${i}`;
      if (Buffer.byteLength(target) >= 60) target = `fast${i}`;
    } else {
      const len = i % 4 === 1 ? int(60, 200) : int(500, 900);
      target = `../slow-${i}/`;
      while (Buffer.byteLength(target) < len) target += pick(['a', 'b', 'dir/', 'x.y', 'ü']);
      if (Buffer.byteLength(target) < 60) target = target.padEnd(60, 'z');
    }
    symlinkSync(target, join(dir, p));
    manifest[p] = { type: 'symlink', size: Buffer.byteLength(target), linkTarget: target };
  }
  return manifest;
}

/** Fills `buf` (the file's bytes at `fileOffset`) with content: random, or compressible and stamped. */
function fillContent(
  buf: Uint8Array,
  fileOffset: number,
  tag: number,
  compressible: boolean,
  rnd: () => number,
) {
  if (!compressible) {
    const words = new Uint32Array(Math.ceil(buf.length / 4));
    let x = (rnd() * 0xffffffff) >>> 0 || 1;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    buf.set(new Uint8Array(words.buffer, 0, buf.length));
    return;
  }
  const enc = new TextEncoder();
  const pattern = enc.encode(`Outboard test content, tag ${tag}. `.repeat(40));
  for (let i = 0; i < buf.length; i++) buf[i] = pattern[((fileOffset + i) % 1024) % pattern.length]!;
  // Stamp each 1 KiB boundary with its file offset so misplaced blocks show.
  for (let pos = Math.ceil(fileOffset / 1024) * 1024; pos < fileOffset + buf.length; pos += 1024) {
    const stamp = enc.encode(`<${pos}>`);
    for (let j = 0; j < stamp.length && pos - fileOffset + j < buf.length; j++)
      buf[pos - fileOffset + j] = stamp[j]!;
  }
}

/** sha256 of a file of `size` bytes holding `chunks` and zeros elsewhere, hashed in bounded pieces. */
function hashSparse(size: number, chunks: { offset: number; data: Uint8Array }[]): string {
  const hash = createHash('sha256');
  const zeros = new Uint8Array(1 << 20);
  let pos = 0;
  const zeroTo = (end: number) => {
    while (pos < end) {
      const n = Math.min(zeros.length, end - pos);
      hash.update(zeros.subarray(0, n));
      pos += n;
    }
  };
  for (const { offset, data } of [...chunks].sort((a, b) => a.offset - b.offset)) {
    zeroTo(offset);
    hash.update(data);
    pos = offset + data.length;
  }
  zeroTo(size);
  return hash.digest('hex');
}
