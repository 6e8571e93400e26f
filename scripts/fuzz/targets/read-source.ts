/** Bounded reads of a whole ByteSource, checking the read contract (exact lengths, nothing past the end). */
import type { ByteSource } from '../../../shared/disk/types.ts';
import { Rng } from '../mutate.ts';

/** Reads [offset, offset + length) in `chunk`-byte pieces; a wrong length is a plain Error (a bug). */
export async function readRange(
  source: ByteSource,
  offset: number,
  length: number,
  chunk = 256 * 1024,
): Promise<void> {
  const end = Math.min(source.size, offset + length);
  for (let at = offset; at < end; at += chunk) {
    const want = Math.min(chunk, end - at);
    const got = await source.read(at, want);
    if (got.length !== want)
      throw new Error(`read of ${want} bytes at ${at} returned ${got.length} (size ${source.size})`);
  }
  const past = await source.read(source.size, 1);
  if (past.length !== 0) throw new Error(`read at the end returned ${past.length} bytes`);
}

/**
 * Reads the first and last `edge` bytes of a source and `samples` random ranges of `sample` bytes in
 * between (chosen from `seed`): a huge declared size costs no more than a small one.
 */
export async function readSampled(
  source: ByteSource,
  seed: number,
  options: { edge?: number; samples?: number; sample?: number } = {},
): Promise<void> {
  const edge = options.edge ?? 4 * 1024 * 1024;
  const sample = options.sample ?? 64 * 1024;
  const size = source.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad source size ${size}`);
  await readRange(source, 0, Math.min(size, edge));
  if (size > edge) await readRange(source, Math.max(edge, size - edge), edge);
  const rng = new Rng(seed);
  for (let i = 0; i < (options.samples ?? 4) && size > 2 * edge; i++) {
    await readRange(source, edge + rng.below(size - 2 * edge), sample);
  }
}
