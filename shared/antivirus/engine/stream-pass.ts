/**
 * One streaming pass of a compiled program over a byte stream (the raw file, or its normalised text):
 * bytes go through the Aho–Corasick automaton once; each anchor hit queues a verification of its part,
 * done as soon as the bytes the part can cover have arrived. Parts of a signature chain through their gaps:
 * a part counts only if the previous part ended within the gap before it (or, for the first part, if it
 * starts where the offset allows).
 *
 * Memory is bounded: the pass keeps the last `keep` bytes (longest part plus anchor), the ends of earlier
 * parts (for `*` and `{n-}` gaps only the earliest end, for `{n-m}` gaps those within `m` bytes) and the
 * last `tail` bytes for `EOF-n` signatures. An `EOF-n` signature whose `n` exceeds the tail limit can only
 * be matched when the stream's size is known up front (`sizeHint`).
 */
import { matchPartAt } from './part-match.ts';
import type { Program } from './program.ts';
import { matchWhole } from './whole-match.ts';

export interface PassMatch {
  sig: number;
  /** Where the first part starts. */
  start: number;
  /** Where the last part starts (ClamAV reports a multi-part signature when its last part is found). */
  lastStart: number;
  end: number;
}

interface Item {
  sig: number;
  part: number;
  sMin: number;
  sMax: number;
}

/** Earlier-part ends of one signature, per gap. */
interface ChainState {
  /** Unbounded gaps: earliest end seen and its chain start. */
  earliest: ([number, number] | undefined)[];
  /** Bounded gaps: recent [end, chainStart] pairs. */
  recent: [number, number][][];
}

export class StreamPass {
  private readonly program: Program;
  private readonly sizeHint: number | undefined;
  private win: Uint8Array;
  private winStart = 0;
  private winLen = 0;
  private state = 0;
  private dataEnd = 0;
  private queue: Item[] = [];
  private head = 0;
  private readonly pending: Int32Array;
  private readonly chains: (ChainState | undefined)[];
  private readonly found: (PassMatch | undefined)[];
  private tailChunks: Uint8Array[] = [];
  private tailBytes = 0;
  private finished = false;
  /** True when an `EOF-n` signature beyond the tail limit could not be checked (size unknown). */
  unverifiedEof = false;

  constructor(program: Program, sizeHint?: number) {
    this.program = program;
    this.sizeHint = sizeHint;
    this.win = new Uint8Array(Math.max(4096, program.keep * 2));
    this.pending = new Int32Array(program.signatures.length);
    this.chains = program.signatures.map((cs) =>
      cs.parts.length > 1
        ? {
            earliest: cs.sig.gaps.map(() => undefined),
            recent: cs.sig.gaps.map(() => []),
          }
        : undefined,
    );
    this.found = program.signatures.map(() => undefined);
  }

  /** Bytes seen so far. */
  get length(): number {
    return this.dataEnd;
  }

  push(chunk: Uint8Array): void {
    if (this.finished) throw new Error('StreamPass: push after finish');
    if (chunk.length === 0) return;
    if (this.program.tail > 0) this.keepTail(chunk);
    if (this.program.anchors.length === 0) {
      this.dataEnd += chunk.length;
      return;
    }
    this.append(chunk);
    const { next, firstOutput, outStart, outputs } = this.program.automaton;
    const win = this.win;
    const from = this.winLen - chunk.length;
    const to = this.winLen;
    const base = this.winStart;
    let s = this.state;
    for (let i = from; i < to; i++) {
      s = next[(s << 8) | win[i]!]!;
      if (s >= firstOutput) {
        const o1 = outStart[s + 1]!;
        for (let o = outStart[s]!; o < o1; o++) this.hit(outputs[o]!, base + i + 1);
      }
    }
    this.state = s;
    this.dataEnd += chunk.length;
    this.drain();
    this.trim();
  }

  /** Ends the stream; returns the first match of every signature that matched. */
  finish(): PassMatch[] {
    if (!this.finished) {
      this.finished = true;
      this.drain();
      this.checkEof();
    }
    return this.found.filter((m): m is PassMatch => m !== undefined);
  }

  private keepTail(chunk: Uint8Array): void {
    this.tailChunks.push(chunk.slice());
    this.tailBytes += chunk.length;
    while (this.tailChunks.length > 1 && this.tailBytes - this.tailChunks[0]!.length >= this.program.tail) {
      this.tailBytes -= this.tailChunks.shift()!.length;
    }
  }

  private append(chunk: Uint8Array): void {
    if (this.winLen + chunk.length > this.win.length) {
      const grown = new Uint8Array(Math.max(this.win.length * 2, this.winLen + chunk.length));
      grown.set(this.win.subarray(0, this.winLen));
      this.win = grown;
    }
    this.win.set(chunk, this.winLen);
    this.winLen += chunk.length;
  }

  private hit(anchorId: number, anchorEnd: number): void {
    const a = this.program.anchors[anchorId]!;
    if (this.found[a.sig]) return;
    const cs = this.program.signatures[a.sig]!;
    const first = anchorEnd - a.bytes.length;
    let sMin = first - a.prefixMax;
    let sMax = first - a.prefixMin;
    if (a.part === 0) {
      const off = cs.sig.offset;
      if (off.kind === 'absolute') {
        sMin = Math.max(sMin, off.offset);
        sMax = Math.min(sMax, off.offset + off.shift);
      } else if (off.kind === 'eof') {
        if (this.sizeHint === undefined) {
          this.unverifiedEof = true;
          return;
        }
        const at = this.sizeHint - off.back;
        sMin = Math.max(sMin, at);
        sMax = Math.min(sMax, at + off.shift);
      }
      sMin = Math.max(sMin, 0);
      if (sMin > sMax) return;
    } else if (this.pending[a.sig] === 0 && !this.hasEnds(a.sig, a.part - 1)) {
      return;
    }
    this.pending[a.sig]!++;
    this.queue.push({ sig: a.sig, part: a.part, sMin, sMax });
  }

  private hasEnds(sig: number, part: number): boolean {
    const chain = this.chains[sig]!;
    return chain.earliest[part] !== undefined || (chain.recent[part]?.length ?? 0) > 0;
  }

  /** The earliest chain start of a previous-part end that lets part `part` start at `s`, or -1. */
  private chainStart(sig: number, part: number, s: number): number {
    const chain = this.chains[sig]!;
    const gap = this.program.signatures[sig]!.sig.gaps[part - 1]!;
    if (gap.max === undefined) {
      const e = chain.earliest[part - 1];
      return e && e[0] + gap.min <= s ? e[1] : -1;
    }
    let best = -1;
    for (const [e, st] of chain.recent[part - 1]!) {
      if (e + gap.min <= s && s <= e + gap.max && (best < 0 || st < best)) best = st;
    }
    return best;
  }

  private recordEnd(sig: number, part: number, end: number, start: number): void {
    const chain = this.chains[sig]!;
    const gap = this.program.signatures[sig]!.sig.gaps[part]!;
    if (gap.max === undefined) {
      const e = chain.earliest[part];
      if (!e || end < e[0]) chain.earliest[part] = [end, start];
      return;
    }
    const list = chain.recent[part]!;
    list.push([end, start]);
    if (list.length > 64) {
      const horizon = this.horizon() - gap.max;
      chain.recent[part] = list.filter(([e]) => e >= horizon);
    }
  }

  /** No queued or future item can start before this position. */
  private horizon(): number {
    let h = this.dataEnd - this.program.keep;
    for (let i = this.head; i < this.queue.length; i++) h = Math.min(h, this.queue[i]!.sMin);
    return h;
  }

  private drain(): void {
    const ends: number[] = [];
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      const cs = this.program.signatures[item.sig]!;
      const cp = cs.parts[item.part]!;
      if (!this.finished && item.sMax + cp.part.maxLength > this.dataEnd) break;
      this.head++;
      this.pending[item.sig]!--;
      if (this.found[item.sig]) continue;
      const last = item.part === cs.parts.length - 1;
      const limit = this.dataEnd - this.winStart;
      for (let s = item.sMin; s <= item.sMax && !this.found[item.sig]; s++) {
        const start = item.part === 0 ? s : this.chainStart(item.sig, item.part, s);
        if (start < 0) continue;
        ends.length = 0;
        matchPartAt(cp, this.win, s - this.winStart, limit, ends);
        for (const rel of ends) {
          const end = rel + this.winStart;
          if (last) {
            this.found[item.sig] = { sig: item.sig, start, lastStart: s, end };
            break;
          }
          this.recordEnd(item.sig, item.part, end, start);
        }
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private trim(): void {
    const from = Math.max(this.winStart, this.horizon());
    const drop = from - this.winStart;
    if (drop <= 0 || drop < this.winLen / 2) return;
    this.win.copyWithin(0, drop, this.winLen);
    this.winLen -= drop;
    this.winStart = from;
  }

  private checkEof(): void {
    if (this.program.atEof.length === 0) return;
    const size = this.dataEnd;
    const tail = new Uint8Array(this.tailBytes);
    let at = 0;
    for (const c of this.tailChunks) {
      tail.set(c, at);
      at += c.length;
    }
    const base = size - tail.length;
    for (const index of this.program.atEof) {
      if (this.found[index]) continue;
      const cs = this.program.signatures[index]!;
      const off = cs.sig.offset;
      if (off.kind !== 'eof' || off.back > size) continue;
      const from = size - off.back;
      const m = matchWhole(cs, tail, from - base, from + off.shift - base);
      if (m)
        this.found[index] = {
          sig: index,
          start: m.start + base,
          lastStart: m.lastStart + base,
          end: m.end + base,
        };
    }
  }
}
