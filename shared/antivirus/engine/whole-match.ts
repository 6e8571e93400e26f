/**
 * Matches one signature against a whole buffer, part by part over position sets: the reference semantics
 * the streaming matcher must agree with. Used for `EOF-n` signatures on the tail buffer at the end of a
 * stream, and by the tests as an oracle.
 *
 * Semantics (ClamAV's): the first part starts where the offset allows; each next part starts at least
 * `gap.min` and at most `gap.max` bytes (no limit when undefined) after the previous part's end.
 */

import { matchPartAt } from './part-match.ts';
import type { CompiledSignature } from './program.ts';

export interface WholeMatch {
  /** Where the first part starts. */
  start: number;
  /** Where the last part starts and ends. */
  lastStart: number;
  end: number;
}

/**
 * The match whose last part starts earliest, with the first part starting in [startMin, startMax]
 * (buffer indexes), reading only `buf[0 .. limit)`.
 */
export function matchWhole(
  cs: CompiledSignature,
  buf: Uint8Array,
  startMin: number,
  startMax: number,
  limit: number = buf.length,
): WholeMatch | undefined {
  const lo = Math.max(0, startMin);
  const hi = Math.min(startMax, limit - 1);
  if (lo > hi) return undefined;
  // chainStart[p] = earliest first-part start of a chain whose previous part ends at p (-1: none).
  let ends = new Map<number, number>();
  const ends0: number[] = [];
  for (let s = lo; s <= hi; s++) {
    ends0.length = 0;
    matchPartAt(cs.parts[0]!, buf, s, limit, ends0);
    for (const e of ends0) if (!ends.has(e)) ends.set(e, s);
  }
  if (cs.parts.length === 1) {
    // Earliest start wins for a one-part signature.
    let best: WholeMatch | undefined;
    for (const [e, s] of ends) if (!best || s < best.start) best = { start: s, lastStart: s, end: e };
    return best;
  }
  for (let i = 1; i < cs.parts.length; i++) {
    if (ends.size === 0) return undefined;
    const gap = cs.sig.gaps[i - 1]!;
    // For each candidate start p, the earliest chain start among previous ends that allow p.
    const allowed = new Int32Array(limit + 1).fill(-1);
    const better = (p: number, s: number) => {
      if (allowed[p] === -1 || (allowed[p] as number) > s) allowed[p] = s;
    };
    if (gap.max === undefined) {
      // Unbounded: mark each earliest position, then carry the best chain start forward.
      for (const [e, s] of ends) if (e + gap.min <= limit) better(e + gap.min, s);
      for (let p = 1; p <= limit; p++) if (allowed[p - 1] !== -1) better(p, allowed[p - 1] as number);
    } else {
      for (const [e, s] of ends) {
        const to = Math.min(limit, e + gap.max);
        for (let p = e + gap.min; p <= to; p++) better(p, s);
      }
    }
    const next = new Map<number, number>();
    const out: number[] = [];
    const last = i === cs.parts.length - 1;
    for (let p = 0; p < limit; p++) {
      const s = allowed[p] as number;
      if (s < 0) continue;
      out.length = 0;
      matchPartAt(cs.parts[i]!, buf, p, limit, out);
      if (out.length === 0) continue;
      if (last) return { start: s, lastStart: p, end: Math.min(...out) };
      for (const e of out) {
        const prev = next.get(e);
        if (prev === undefined || prev > s) next.set(e, s);
      }
    }
    ends = next;
  }
  return undefined;
}
