/**
 * A logical volume as a ByteSource: its segments laid end to end, each a linear run on one PV or a
 * stripe set across several (chunks of `stripeBytes` taken from each PV in turn).
 */
import { readableLength } from '../block/range.ts';
import type { ByteSource } from '../types.ts';
import { DiskFormatError } from '../types.ts';

export interface MappedSegment {
  /** Byte offset of the segment in the logical volume, and its length. */
  start: number;
  length: number;
  /** Chunk size for stripe sets (ignored with one stripe). */
  stripeBytes: number;
  /** Each stripe's PV and the byte offset of its area on that PV. */
  stripes: { source: ByteSource; offset: number }[];
}

interface Piece {
  source: ByteSource;
  offset: number;
  length: number;
  into: number;
}

export function mappedSource(segments: MappedSegment[], layer = 'lvm'): ByteSource {
  const size = segments.reduce((n, s) => n + s.length, 0);
  const find = (pos: number): MappedSegment => {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid]!.start <= pos) lo = mid;
      else hi = mid - 1;
    }
    return segments[lo]!;
  };
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const total = readableLength(offset, length, size);
      const out = new Uint8Array(total);
      const pieces: Piece[] = [];
      let done = 0;
      while (done < total) {
        const pos = offset + done;
        const seg = find(pos);
        const o = pos - seg.start;
        let n = Math.min(total - done, seg.length - o);
        let source: ByteSource;
        let at: number;
        if (seg.stripes.length === 1) {
          source = seg.stripes[0]!.source;
          at = seg.stripes[0]!.offset + o;
        } else {
          const chunk = Math.floor(o / seg.stripeBytes);
          const within = o % seg.stripeBytes;
          const stripe = seg.stripes[chunk % seg.stripes.length]!;
          source = stripe.source;
          at = stripe.offset + Math.floor(chunk / seg.stripes.length) * seg.stripeBytes + within;
          n = Math.min(n, seg.stripeBytes - within);
        }
        pieces.push({ source, offset: at, length: n, into: done });
        done += n;
      }
      // A stripe's chunks lie back to back on its PV: one read per PV run, scattered into place.
      const runs: Piece[][] = [];
      for (const p of pieces) {
        const run = runs.find(
          (r) => r[0]!.source === p.source && r.at(-1)!.offset + r.at(-1)!.length === p.offset,
        );
        if (run) run.push(p);
        else runs.push([p]);
      }
      await Promise.all(
        runs.map(async (run) => {
          const first = run[0]!;
          const last = run.at(-1)!;
          const want = last.offset + last.length - first.offset;
          const b = await first.source.read(first.offset, want);
          if (b.length !== want) {
            throw new DiskFormatError(
              layer,
              `short read from a physical volume (${b.length} of ${want} bytes)`,
              first.offset,
            );
          }
          for (const p of run)
            out.set(b.subarray(p.offset - first.offset, p.offset - first.offset + p.length), p.into);
        }),
      );
      return out;
    },
    async close(): Promise<void> {},
  };
}
