/**
 * Turning the bytes of one message into a `Frame`: trailers stripped, cut to the size limit on a
 * UTF-8 character boundary, and flagged as truncated with its full length when cut. `MessageBytes`
 * gathers a message that arrives in pieces while holding at most the limit in memory.
 */
import type { Frame, Framing } from './types.ts';
import { stripTrailers, utf8CutBefore } from './utf8.ts';

/** A Buffer view of the same memory (no copy) so `toString`/`indexOf` are the fast native ones. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function makeFrame(text: string, framing: Framing, originalBytes: number, maxBytes: number): Frame {
  const frame: Frame = { text, framing };
  if (originalBytes > maxBytes) {
    frame.truncated = true;
    frame.originalBytes = originalBytes;
  }
  return frame;
}

/**
 * The frame for `bytes[start, end)` (a whole message with its trailer), or undefined when nothing is
 * left once the trailer is stripped.
 */
export function frameFromBytes(
  bytes: Buffer,
  start: number,
  end: number,
  framing: Framing,
  maxBytes: number,
): Frame | undefined {
  const stop = stripTrailers(bytes, start, end);
  const length = stop - start;
  if (length === 0) return undefined;
  const cut = length > maxBytes ? utf8CutBefore(bytes, start, start + maxBytes) : stop;
  return makeFrame(bytes.toString('utf8', start, cut), framing, length, maxBytes);
}

/** One message arriving in pieces: keeps its first `maxBytes` bytes and counts the rest. */
export class MessageBytes {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #kept = 0;
  #seen = 0;
  /** Length of the run of trailer bytes (LF, CR, NUL) at the end of everything seen so far. */
  #trailing = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of the message seen so far, kept or not. */
  get seen(): number {
    return this.#seen;
  }

  /** Adds `bytes[start, end)`; copies only what stays within the limit. */
  append(bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    this.#seen += length;
    const keep = Math.min(length, this.#maxBytes - this.#kept);
    if (keep > 0) {
      const copy = Buffer.allocUnsafe(keep);
      bytes.copy(copy, 0, start, start + keep);
      this.#parts.push(copy);
      this.#kept += keep;
    }
    const run = end - stripTrailers(bytes, start, end);
    this.#trailing = run === length ? this.#trailing + run : run;
  }

  /** Adds ASCII text (a header re-read as message bytes). */
  appendAscii(text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    this.append(bytes, 0, bytes.length);
  }

  /** The complete message as a frame (undefined when empty once the trailer is stripped); resets. */
  finish(framing: Framing): Frame | undefined {
    const length = this.#seen - this.#trailing;
    const bytes = this.#joined();
    let frame: Frame | undefined;
    if (length > 0) {
      const cut = length > this.#maxBytes ? utf8CutBefore(bytes, 0, this.#kept) : length;
      frame = makeFrame(bytes.toString('utf8', 0, cut), framing, length, this.#maxBytes);
    }
    this.reset();
    return frame;
  }

  /**
   * What arrived of a message that will never complete (the stream ended inside it), flagged as
   * truncated against its announced length (or what was seen); resets.
   */
  finishIncomplete(framing: Framing, announcedBytes: number): Frame {
    const bytes = this.#joined();
    const text = bytes.toString('utf8', 0, utf8CutBefore(bytes, 0, this.#kept));
    const frame: Frame = {
      text,
      framing,
      truncated: true,
      originalBytes: Math.max(announcedBytes, this.#seen),
    };
    this.reset();
    return frame;
  }

  reset(): void {
    this.#parts = [];
    this.#kept = 0;
    this.#seen = 0;
    this.#trailing = 0;
  }

  #joined(): Buffer {
    return this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#kept);
  }
}
