/**
 * Raw deflate with a ceiling on the output: inflation stops as soon as the output passes `cap`, so a
 * member that lies about its size, or a bomb, costs at most `cap` bytes of work and memory.
 */
import { createInflateRaw, inflateRawSync } from 'node:zlib';

export type Inflated =
  /** The whole stream, and how many input bytes it took (anything after the stream's end is not read). */
  | { kind: 'data'; data: Uint8Array; consumed: number }
  /** The output passed `cap`; `produced` bytes had come out of `consumed` bytes when inflation stopped. */
  | { kind: 'overflow'; produced: number; consumed: number }
  /** Not a valid deflate stream, or it stops before its end. */
  | { kind: 'corrupt'; detail: string };

/** Inputs and caps this small are inflated synchronously: cheaper than a stream, and over in microseconds. */
const SYNC_INPUT = 64 * 1024;
const SYNC_CAP = 1024 * 1024;

export function inflateBounded(input: Uint8Array, cap: number): Promise<Inflated> {
  if (input.length <= SYNC_INPUT && cap <= SYNC_CAP) return Promise.resolve(inflateSmall(input, cap));
  return inflateStreaming(input, cap);
}

function inflateSmall(input: Uint8Array, cap: number): Inflated {
  try {
    // With `info`, the engine comes back too: its bytesWritten is the input the stream used.
    const { buffer, engine } = inflateRawSync(input, {
      maxOutputLength: Math.max(1, cap + 1),
      info: true,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    const data = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    // maxOutputLength allows cap + 1 bytes through, so that "exactly cap" and "more" can be told apart.
    if (data.length > cap) return { kind: 'overflow', produced: data.length, consumed: input.length };
    return { kind: 'data', data, consumed: engine.bytesWritten };
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      return { kind: 'overflow', produced: cap + 1, consumed: input.length };
    }
    return { kind: 'corrupt', detail: `deflate data is corrupt: ${(err as Error).message}` };
  }
}

function inflateStreaming(input: Uint8Array, cap: number): Promise<Inflated> {
  return new Promise((resolve) => {
    const stream = createInflateRaw({ chunkSize: 256 * 1024 });
    const chunks: Uint8Array[] = [];
    let produced = 0;
    let settled = false;
    const settle = (result: Inflated) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    stream.on('data', (chunk: Uint8Array) => {
      if (settled) return;
      produced += chunk.length;
      if (produced > cap) {
        settle({ kind: 'overflow', produced, consumed: stream.bytesWritten });
        stream.destroy();
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () =>
      settle({ kind: 'data', data: join(chunks, produced), consumed: stream.bytesWritten }),
    );
    stream.on('error', (err) =>
      settle({ kind: 'corrupt', detail: `deflate data is corrupt: ${err.message}` }),
    );
    stream.end(input);
  });
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
