/**
 * A seeded mutator for binary formats: the same (seed, input) always gives the same output, so any
 * input a fuzz run tried can be rebuilt from its seed and index.
 */

/** A small, fast PRNG (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    if (n <= 0) return 0;
    if (n <= 0x100000000) return Math.floor((this.u32() / 0x100000000) * n);
    return Math.floor(((this.u32() * 0x100000000 + this.u32()) / 2 ** 64) * n);
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

/** Mixes a run seed and an input index into the seed of that input's Rng. */
export function inputSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seed input with the 512-byte blocks that hold anything but zeros (where the structure is). */
export interface Corpus {
  bytes: Uint8Array;
  hotBlocks: Uint32Array;
}

export function corpus(bytes: Uint8Array): Corpus {
  const hot: number[] = [];
  for (let b = 0; b * 512 < bytes.length; b++) {
    const block = bytes.subarray(b * 512, b * 512 + 512);
    if (block.some((x) => x !== 0)) hot.push(b);
  }
  return { bytes, hotBlocks: Uint32Array.from(hot) };
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x2e, 0x0f, 0x10, 0x40, 0xe5] as const;
const INTERESTING_INTS = [
  0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0x200, 0x7fff, 0x8000, 0xfff7, 0xfff8, 0xffff, 0x10000,
  0x0ffffff7, 0x0ffffff8, 0x0fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
] as const;

/** An offset: uniform, log-uniform (favours headers), or inside a block of the seed that is not zeros. */
function offsetIn(rng: Rng, size: number, hot: Uint32Array): number {
  if (size === 0) return 0;
  const how = rng.below(4);
  if (how === 0) return rng.below(size);
  if (how === 1)
    return Math.min(size - 1, Math.floor(Math.exp((rng.below(1 << 20) / (1 << 20)) * Math.log(size))));
  if (hot.length === 0) return rng.below(Math.min(size, 4096));
  return Math.min(size - 1, hot[rng.below(hot.length)]! * 512 + rng.below(512));
}

function writeInt(out: Uint8Array, at: number, width: number, value: number, bigEndian: boolean): void {
  for (let i = 0; i < width && at + i < out.length; i++) {
    const byte = Math.floor(value / 2 ** (8 * i)) & 0xff;
    out[bigEndian ? at + width - 1 - i : at + i] = byte;
  }
}

function readInt(b: Uint8Array, at: number, width: number, bigEndian: boolean): number {
  let v = 0;
  for (let i = 0; i < width && at + i < b.length; i++)
    v += b[bigEndian ? at + width - 1 - i : at + i]! * 2 ** (8 * i);
  return v;
}

export type MutationKind =
  | 'bitflip'
  | 'byte'
  | 'interesting-byte'
  | 'int'
  | 'int-delta'
  | 'chunk-copy'
  | 'chunk-insert'
  | 'chunk-remove'
  | 'truncate';

/** Weighted: size changes (insert, remove, truncate) are rarer, most formats reject them early. */
const KINDS: readonly MutationKind[] = [
  ...Array<MutationKind>(3).fill('bitflip'),
  ...Array<MutationKind>(2).fill('byte'),
  ...Array<MutationKind>(3).fill('interesting-byte'),
  ...Array<MutationKind>(3).fill('int'),
  ...Array<MutationKind>(2).fill('int-delta'),
  ...Array<MutationKind>(2).fill('chunk-copy'),
  'chunk-insert',
  'chunk-remove',
  'truncate',
];

/**
 * The input being built: `buf` may be a view of a per-seed working copy (`shared`), whose edits are
 * logged in `dirty` so they can be undone instead of copying the whole seed for every input.
 */
interface Work {
  buf: Uint8Array;
  shared: boolean;
  dirty: number[];
}

function touch(w: Work, start: number, end: number): void {
  if (w.shared) w.dirty.push(start, end);
}

/** Applies one mutation to `w.buf`, in place or by replacing it (size changes). */
function mutateOnce(w: Work, rng: Rng, hot: Uint32Array): void {
  const kind = rng.pick(KINDS);
  const b = w.buf;
  const size = b.length;
  if (size === 0) {
    w.buf = Uint8Array.of(rng.below(256));
    w.shared = false;
    return;
  }
  const at = offsetIn(rng, size, hot);
  switch (kind) {
    case 'bitflip':
      touch(w, at, at + 1);
      b[at]! ^= 1 << rng.below(8);
      return;
    case 'byte':
      touch(w, at, at + 1);
      b[at] = rng.below(256);
      return;
    case 'interesting-byte':
      touch(w, at, at + 1);
      b[at] = rng.pick(INTERESTING_BYTES);
      return;
    case 'int':
    case 'int-delta': {
      const width = rng.pick([2, 4, 8] as const);
      const aligned = at - (at % width);
      const be = rng.chance(0.15);
      let v: number;
      if (kind === 'int') {
        v = rng.chance(0.1) ? size : rng.pick(INTERESTING_INTS);
      } else {
        const delta = rng.below(33) - 16 || 1;
        v = readInt(b, aligned, Math.min(width, 4), be) + delta;
        v = ((v % 2 ** 32) + 2 ** 32) % 2 ** 32;
      }
      touch(w, aligned, aligned + width);
      writeInt(b, aligned, Math.min(width, 4), v, be);
      if (width === 8) writeInt(b, aligned + 4, 4, kind === 'int' && rng.chance(0.5) ? 0xffffffff : 0, be);
      return;
    }
    case 'chunk-copy': {
      const len = 1 + rng.below(Math.min(4096, size));
      const from = offsetIn(rng, size, hot);
      touch(w, at, at + len);
      b.copyWithin(at, from, Math.min(size, from + len));
      return;
    }
    case 'chunk-insert': {
      const len = 1 + rng.below(Math.min(4096, size));
      const from = offsetIn(rng, size, hot);
      const chunk = b.slice(from, Math.min(size, from + len));
      const out = new Uint8Array(size + chunk.length);
      out.set(b.subarray(0, at));
      out.set(chunk, at);
      out.set(b.subarray(at), at + chunk.length);
      w.buf = out;
      w.shared = false;
      return;
    }
    case 'chunk-remove': {
      const len = 1 + rng.below(Math.min(4096, size - at));
      const out = new Uint8Array(size - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      w.buf = out;
      w.shared = false;
      return;
    }
    case 'truncate':
      w.buf = b.subarray(0, at);
      return;
  }
}

function mutateWork(w: Work, seed: Corpus, rng: Rng): Uint8Array {
  let n = 1;
  while (n < 8 && rng.chance(0.4)) n++;
  for (let i = 0; i < n; i++) mutateOnce(w, rng, seed.hotBlocks);
  return w.buf;
}

/** A mutated copy of `seed.bytes`: 1 to 8 mutations (most often 1–2). Never changes the seed. */
export function mutate(seed: Corpus, rng: Rng): Uint8Array {
  return mutateWork({ buf: seed.bytes.slice(), shared: false, dirty: [] }, seed, rng);
}

/** The input number `index` of a run with `seed` over `corpora`: rebuilt identically on demand. */
export function fuzzInput(corpora: readonly Corpus[], seed: number, index: number): Uint8Array {
  const rng = new Rng(inputSeed(seed, index));
  return mutate(rng.pick(corpora), rng);
}

/**
 * Builds the same inputs as `fuzzInput`, fast: each seed has one working copy whose edits are undone
 * before the next input. An input returned is valid only until the next call; copy it to keep it.
 */
export class InputStream {
  readonly #corpora: readonly Corpus[];
  readonly #seed: number;
  readonly #copies = new Map<Corpus, { copy: Uint8Array; dirty: number[] }>();

  constructor(corpora: readonly Corpus[], seed: number) {
    this.#corpora = corpora;
    this.#seed = seed;
  }

  input(index: number): Uint8Array {
    const rng = new Rng(inputSeed(this.#seed, index));
    const c = rng.pick(this.#corpora);
    let state = this.#copies.get(c);
    if (!state) {
      state = { copy: c.bytes.slice(), dirty: [] };
      this.#copies.set(c, state);
    }
    const { copy, dirty } = state;
    for (let i = 0; i < dirty.length; i += 2) {
      const start = Math.min(copy.length, dirty[i]!);
      const end = Math.min(copy.length, dirty[i + 1]!);
      copy.set(c.bytes.subarray(start, end), start);
    }
    dirty.length = 0;
    return mutateWork({ buf: copy, shared: true, dirty }, c, rng);
  }
}
