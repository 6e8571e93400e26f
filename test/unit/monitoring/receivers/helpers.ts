/** Small helpers for the receiver unit tests: a seeded PRNG and running a decoder over split input. */
import { OctetFrameDecoder } from '../../../../shared/monitoring/receivers/framing.ts';
import type { Frame } from '../../../../shared/monitoring/receivers/types.ts';

/** mulberry32: deterministic, so a failing split can be replayed from its seed. */
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

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes `stream` cut at `cuts` (sorted offsets), then ends it. */
export function decodeSplit(stream: Uint8Array, cuts: number[], maxMessageBytes?: number): Frame[] {
  const decoder = new OctetFrameDecoder(maxMessageBytes === undefined ? {} : { maxMessageBytes });
  const out: Frame[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    // Copies, so the decoder cannot rely on a chunk staying unchanged after push returns.
    const chunk = stream.slice(from, cut);
    decoder.push(chunk, out);
    chunk.fill(0x58);
    from = cut;
  }
  return decoder.end(out);
}

export function decodeWhole(stream: Uint8Array | string, maxMessageBytes?: number): Frame[] {
  return decodeSplit(typeof stream === 'string' ? utf8(stream) : stream, [], maxMessageBytes);
}

/** `count` random cut offsets in (0, length). */
export function randomCuts(random: () => number, length: number, count: number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < count && length > 1; i++) cuts.add(1 + Math.floor(random() * (length - 1)));
  return [...cuts].sort((a, b) => a - b);
}
