/**
 * Compiles body signatures into one matching program: every part of every signature gets an anchor (its
 * most selective run of fixed bytes, at most 4 long), all anchors go into one Aho–Corasick automaton, and
 * a hit on an anchor is verified against the whole part around it. Signatures anchored at the end of the
 * file (`EOF-n`) are kept apart: they are checked against a tail buffer when the stream ends.
 */
import type { BodySignature, PatternElement } from '../signatures/types.ts';
import { type Automaton, buildAutomaton } from './aho-corasick.ts';
import { type CompiledPart, compilePart } from './part-match.ts';

const MAX_ANCHOR = 4;
/** Bytes too common in files to make a good anchor on their own. */
const COMMON = new Set([0x00, 0xff, 0x20, 0x0a, 0x0d, 0x90, 0xcc, 0x30]);

/** ClamAV scans a file in 128 KiB buffers that overlap by the longest pattern (at least 32 bytes). */
export const CLAMAV_SCANBUFF = 131072;

export interface Anchor {
  sig: number;
  part: number;
  bytes: Uint8Array;
  /** Distance from the part's start to the anchor's start: a range when alternatives of uneven length precede it. */
  prefixMin: number;
  prefixMax: number;
}

export interface CompiledSignature {
  readonly sig: BodySignature;
  readonly parts: CompiledPart[];
  /**
   * Bytes from the last part's start to the end of the bytes ClamAV's trie is keyed on: where clamscan's
   * scan reaches the signature, which orders Aho-Corasick-class detections.
   */
  readonly clamReach: number;
}

/**
 * Where ClamAV's Aho-Corasick trie enters a part (its `ppos`/depth rule: the part's first three
 * elements when they are fixed and not all zero, else the first fixed run of three, else the last
 * longest run), as a byte distance from the part's start to the end of those trie bytes.
 */
export function clamTrieReach(elements: readonly PatternElement[]): number {
  const MIN = 2;
  const MAX = 3;
  const n = elements.length;
  const raw = (i: number): number => {
    const e = elements[i];
    return e && isStatic(e) ? (e as { value: number }).value : -1;
  };
  const wild = (i: number) => raw(i) < 0;
  const word = (i: number) => (raw(i) < 0 ? 0x100 : raw(i));
  let wprefix = false;
  let zprefix = true;
  for (let i = 0; i < Math.min(MAX, n); i++) {
    if (wild(i)) {
      wprefix = true;
      break;
    }
    if (zprefix && word(i) !== 0) zprefix = false;
  }
  let ppos = 0;
  if (wprefix || zprefix) {
    let plen = 0;
    let nzplen = 0;
    let nzpos = 0;
    const pend = n - MIN + 1;
    for (let i = 0; i < pend; i++) {
      for (let j = i; j < i + MAX && j < n; j++) {
        if (wild(j)) break;
        if (j - i + 1 >= plen) {
          plen = j - i + 1;
          ppos = i;
        }
        if (word(ppos) || word(ppos + 1)) {
          if (plen >= MAX) break;
          if (plen >= MIN && plen > nzplen) {
            nzplen = plen;
            nzpos = ppos;
          }
        }
      }
      if (plen >= MAX && (word(ppos) || word(ppos + 1))) break;
    }
    if (!word(ppos) && !word(ppos + 1) && nzplen) ppos = nzpos;
  }
  let depth = 0;
  while (depth < MAX && ppos + depth < n && !wild(ppos + depth)) depth++;
  let before = 0;
  for (let i = 0; i < ppos; i++) before += elementLengths(elements[i] as PatternElement)[0];
  return before + depth;
}

export interface Program {
  readonly signatures: CompiledSignature[];
  /** Anchor i is reported by the automaton as pattern id i. */
  readonly anchors: Anchor[];
  readonly automaton: Automaton;
  /** Signatures (indexes) matched through the automaton while streaming. */
  readonly streamed: number[];
  /** `EOF-n` signatures (indexes), checked on the tail at the end. */
  readonly atEof: number[];
  /** Bytes of history the stream keeps so that any part around an anchor hit can be verified. */
  readonly keep: number;
  /** Longest tail an `EOF-n` signature needs. */
  readonly tail: number;
  /** ClamAV's `maxpatlen` for its buffer overlap, used to reproduce which detection clamscan reports. */
  readonly maxPatternLength: number;
}

function isStatic(e: PatternElement): boolean {
  return e.kind === 'byte' && e.mask === 0xff;
}

function elementLengths(e: PatternElement): [number, number] {
  if (e.kind === 'byte') return [1, 1];
  const lens = e.options.map((o) => o.values.length);
  return [Math.min(...lens), Math.max(...lens)];
}

function score(bytes: readonly number[]): number {
  let s = 0;
  for (const b of bytes) s += COMMON.has(b) ? 1 : 4;
  return s;
}

/** Picks a part's anchor: the best-scoring window of up to 4 fixed bytes. */
export function chooseAnchor(elements: readonly PatternElement[]): Omit<Anchor, 'sig' | 'part'> {
  let best: Omit<Anchor, 'sig' | 'part'> | undefined;
  let bestScore = -1;
  let pmin = 0;
  let pmax = 0;
  let k = 0;
  while (k < elements.length) {
    const e = elements[k] as PatternElement;
    if (!isStatic(e)) {
      const [a, b] = elementLengths(e);
      pmin += a;
      pmax += b;
      k++;
      continue;
    }
    const run: number[] = [];
    const runMin = pmin;
    const runMax = pmax;
    while (k < elements.length && isStatic(elements[k] as PatternElement)) {
      run.push((elements[k] as { value: number }).value);
      k++;
    }
    for (let i = 0; i < run.length; i++) {
      const window = run.slice(i, i + MAX_ANCHOR);
      const s = score(window);
      if (s > bestScore) {
        bestScore = s;
        best = { bytes: Uint8Array.from(window), prefixMin: runMin + i, prefixMax: runMax + i };
      }
      if (i + MAX_ANCHOR >= run.length) break;
    }
    pmin += run.length;
    pmax += run.length;
  }
  if (!best) throw new Error('signature part has no fixed byte to anchor on');
  return best;
}

export function compileProgram(
  signatures: readonly BodySignature[],
  options: { tailLimit?: number } = {},
): Program {
  const tailLimit = options.tailLimit ?? 8 * 1024 * 1024;
  const compiled: CompiledSignature[] = [];
  const anchors: Anchor[] = [];
  const streamed: number[] = [];
  const atEof: number[] = [];
  let keep = 0;
  let tail = 0;
  let maxPatternLength = 32;
  signatures.forEach((sig, index) => {
    const parts = sig.parts.map(compilePart);
    const lastPart = sig.parts[sig.parts.length - 1] as BodySignature['parts'][number];
    compiled.push({ sig, parts, clamReach: clamTrieReach(lastPart.elements) });
    for (const p of sig.parts) maxPatternLength = Math.max(maxPatternLength, p.maxLength);
    if (sig.offset.kind === 'eof' && sig.offset.back <= tailLimit) {
      atEof.push(index);
      tail = Math.max(tail, sig.offset.back);
      return;
    }
    streamed.push(index);
    sig.parts.forEach((p, partIndex) => {
      const a = chooseAnchor(p.elements);
      anchors.push({ sig: index, part: partIndex, ...a });
      keep = Math.max(keep, p.maxLength + a.bytes.length);
    });
  });
  return {
    signatures: compiled,
    anchors,
    automaton: buildAutomaton(anchors.map((a) => a.bytes)),
    streamed,
    atEof,
    keep,
    tail,
    maxPatternLength,
  };
}
