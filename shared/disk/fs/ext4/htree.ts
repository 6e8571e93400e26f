import { DiskFormatError } from '../../types.ts';
import { LAYER } from './constants.ts';
import { u16, u32 } from './volume.ts';

/** dx_root / dx_node hash versions; +3 are the unsigned-char variants. */
export const HASH = {
  legacy: 0,
  halfMd4: 1,
  tea: 2,
  legacyUnsigned: 3,
  halfMd4Unsigned: 4,
  teaUnsigned: 5,
  siphash: 6,
} as const;

const add = (a: number, b: number) => (a + b) >>> 0;
const rol = (x: number, s: number) => ((x << s) | (x >>> (32 - s))) >>> 0;

function str2hashbuf(msg: Uint8Array, start: number, len: number, num: number, signed: boolean): number[] {
  const out: number[] = [];
  let pad = (len | (len << 8)) >>> 0;
  pad = (pad | (pad << 16)) >>> 0;
  let val = pad;
  const n = Math.min(len, num * 4);
  for (let i = 0; i < n; i++) {
    let c = msg[start + i]!;
    if (signed && c > 127) c -= 256;
    val = (c + ((val << 8) >>> 0)) >>> 0;
    if (i % 4 === 3) {
      out.push(val);
      val = pad;
    }
  }
  if (out.length < num) out.push(val);
  while (out.length < num) out.push(pad);
  return out;
}

function halfMd4(buf: number[], inp: number[]): void {
  let [a, b, c, d] = buf as [number, number, number, number];
  const F = (x: number, y: number, z: number) => (z ^ (x & (y ^ z))) >>> 0;
  const G = (x: number, y: number, z: number) => ((x & y) + ((x ^ y) & z)) >>> 0;
  const H = (x: number, y: number, z: number) => (x ^ y ^ z) >>> 0;
  const K2 = 0x5a827999;
  const K3 = 0x6ed9eba1;
  const r = (f: typeof F, w: number, x: number, y: number, z: number, k: number, s: number) =>
    rol(add(add(w, f(x, y, z)), k), s);
  const i = inp;
  a = r(F, a, b, c, d, i[0]!, 3);
  d = r(F, d, a, b, c, i[1]!, 7);
  c = r(F, c, d, a, b, i[2]!, 11);
  b = r(F, b, c, d, a, i[3]!, 19);
  a = r(F, a, b, c, d, i[4]!, 3);
  d = r(F, d, a, b, c, i[5]!, 7);
  c = r(F, c, d, a, b, i[6]!, 11);
  b = r(F, b, c, d, a, i[7]!, 19);
  a = r(G, a, b, c, d, add(i[1]!, K2), 3);
  d = r(G, d, a, b, c, add(i[3]!, K2), 5);
  c = r(G, c, d, a, b, add(i[5]!, K2), 9);
  b = r(G, b, c, d, a, add(i[7]!, K2), 13);
  a = r(G, a, b, c, d, add(i[0]!, K2), 3);
  d = r(G, d, a, b, c, add(i[2]!, K2), 5);
  c = r(G, c, d, a, b, add(i[4]!, K2), 9);
  b = r(G, b, c, d, a, add(i[6]!, K2), 13);
  a = r(H, a, b, c, d, add(i[3]!, K3), 3);
  d = r(H, d, a, b, c, add(i[7]!, K3), 9);
  c = r(H, c, d, a, b, add(i[2]!, K3), 11);
  b = r(H, b, c, d, a, add(i[6]!, K3), 15);
  a = r(H, a, b, c, d, add(i[1]!, K3), 3);
  d = r(H, d, a, b, c, add(i[5]!, K3), 9);
  c = r(H, c, d, a, b, add(i[0]!, K3), 11);
  b = r(H, b, c, d, a, add(i[4]!, K3), 15);
  buf[0] = add(buf[0]!, a);
  buf[1] = add(buf[1]!, b);
  buf[2] = add(buf[2]!, c);
  buf[3] = add(buf[3]!, d);
}

function tea(buf: number[], inp: number[]): void {
  let sum = 0;
  let b0 = buf[0]!;
  let b1 = buf[1]!;
  const [a, b, c, d] = inp as [number, number, number, number];
  for (let n = 0; n < 16; n++) {
    sum = add(sum, 0x9e3779b9);
    b0 = add(b0, (add((b1 << 4) >>> 0, a) ^ add(b1, sum) ^ add(b1 >>> 5, b)) >>> 0);
    b1 = add(b1, (add((b0 << 4) >>> 0, c) ^ add(b0, sum) ^ add(b0 >>> 5, d)) >>> 0);
  }
  buf[0] = add(buf[0]!, b0);
  buf[1] = add(buf[1]!, b1);
}

function legacy(name: Uint8Array, signed: boolean): number {
  let h0 = 0x12a3fe2d;
  let h1 = 0x37abe8f9;
  for (const byte of name) {
    const c = signed && byte > 127 ? byte - 256 : byte;
    let h = add(h1, (h0 ^ Math.imul(c, 7152373)) >>> 0);
    if (h & 0x80000000) h = (h - 0x7fffffff) >>> 0;
    h1 = h0;
    h0 = h;
  }
  return (h0 << 1) >>> 0;
}

/** The major hash of a name (ext4fs_dirhash), or undefined for versions not implemented here. */
export function dirHash(name: Uint8Array, version: number, seed: readonly number[]): number | undefined {
  const buf = seed.some((x) => x !== 0) ? [...seed] : [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  let hash: number;
  const signed = version < 3;
  switch (version) {
    case HASH.legacy:
    case HASH.legacyUnsigned:
      hash = legacy(name, signed);
      break;
    case HASH.halfMd4:
    case HASH.halfMd4Unsigned:
      for (let p = 0; p < name.length; p += 32)
        halfMd4(buf, str2hashbuf(name, p, name.length - p, 8, signed));
      hash = buf[1]!;
      break;
    case HASH.tea:
    case HASH.teaUnsigned:
      for (let p = 0; p < name.length; p += 16) tea(buf, str2hashbuf(name, p, name.length - p, 4, signed));
      hash = buf[0]!;
      break;
    default:
      return undefined;
  }
  hash = (hash & ~1) >>> 0;
  if (hash === 0xfffffffe) hash = 0xfffffffc;
  return hash;
}

export interface DxRoot {
  hashVersion: number;
  levels: number;
}

/** Reads dx_root_info of block 0 of an indexed directory. */
export function parseDxRoot(block: Uint8Array, offset: number, largedir: boolean): DxRoot {
  const infoLen = block[0x1d]!;
  const levels = block[0x1e]!;
  if (u32(block, 0x18) !== 0 || infoLen !== 8)
    throw new DiskFormatError(LAYER, 'htree root: bad dx_root_info', offset + 0x18);
  if (levels >= (largedir ? 3 : 2))
    throw new DiskFormatError(LAYER, `htree root: ${levels + 1} levels`, offset + 0x1e);
  return { hashVersion: block[0x1c]!, levels };
}

export interface DxEntries {
  /** hashes[0] is 0 (the implicit lower bound). */
  hashes: number[];
  blocks: number[];
}

/** The dx_entry array at `at` (count/limit header, then {hash, block} pairs). */
export function parseDxEntries(block: Uint8Array, at: number, offset: number): DxEntries {
  const limit = u16(block, at);
  const count = u16(block, at + 2);
  if (count === 0 || count > limit || at + limit * 8 > block.length) {
    throw new DiskFormatError(
      LAYER,
      `htree node: count ${count}, limit ${limit} do not fit the block`,
      offset + at,
    );
  }
  const hashes: number[] = [];
  const blocks: number[] = [];
  for (let i = 0; i < count; i++) {
    hashes.push(i === 0 ? 0 : u32(block, at + i * 8));
    blocks.push(u32(block, at + i * 8 + 4) & 0x0fffffff);
  }
  return { hashes, blocks };
}

/** Index of the last entry whose hash ≤ `hash`. */
export function dxFind(e: DxEntries, hash: number): number {
  let lo = 1;
  let hi = e.hashes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (e.hashes[mid]! > hash) hi = mid - 1;
    else lo = mid + 1;
  }
  return lo - 1;
}

export interface DxLookup {
  root: Uint8Array;
  rootOffset: number;
  name: Uint8Array;
  seed: readonly number[];
  /** Superblock s_flags (0x2: unsigned char hashes). */
  sbFlags: number;
  largedir: boolean;
  /** Directory block by logical number; undefined for a hole. */
  readBlock: (lblk: number) => Promise<{ data: Uint8Array; offset: number } | undefined>;
}

/**
 * The logical leaf blocks that may hold `name`, in order: the leaf its hash selects, then following
 * leaves while their index hash continues a collision run (ext4_htree_next_block). Undefined when the
 * hash version is not implemented (the caller searches linearly).
 */
export async function htreeLeaves(q: DxLookup): Promise<AsyncGenerator<number> | undefined> {
  const info = parseDxRoot(q.root, q.rootOffset, q.largedir);
  let version = info.hashVersion;
  if (version <= HASH.tea && q.sbFlags & 0x2) version += 3;
  const hash = dirHash(q.name, version, q.seed);
  if (hash === undefined) return undefined;
  const descend = async (blockNo: number, ref: number) => {
    const node = await q.readBlock(blockNo);
    if (!node) throw new DiskFormatError(LAYER, `htree: index block ${blockNo} is a hole`, ref);
    return parseDxEntries(node.data, 8, node.offset);
  };
  return (async function* () {
    const frames: { e: DxEntries; i: number }[] = [];
    let e = parseDxEntries(q.root, 0x20, q.rootOffset);
    frames.push({ e, i: dxFind(e, hash) });
    for (let level = 0; level < info.levels; level++) {
      const f = frames.at(-1)!;
      e = await descend(f.e.blocks[f.i]!, q.rootOffset);
      frames.push({ e, i: dxFind(e, hash) });
    }
    for (;;) {
      const leaf = frames.at(-1)!;
      yield leaf.e.blocks[leaf.i]!;
      let k = frames.length - 1;
      while (k >= 0 && frames[k]!.i + 1 >= frames[k]!.e.hashes.length) k--;
      if (k < 0) return;
      const f = frames[k]!;
      f.i++;
      if ((f.e.hashes[f.i]! & ~1) >>> 0 !== hash) return;
      for (let j = k + 1; j < frames.length; j++) {
        const up = frames[j - 1]!;
        frames[j] = { e: await descend(up.e.blocks[up.i]!, q.rootOffset), i: 0 };
      }
    }
  })();
}
