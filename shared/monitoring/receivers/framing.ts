/**
 * RFC 6587 framing of one syslog TCP (or TLS) connection, decoded incrementally: bytes may arrive
 * split anywhere, inside a length, a trailer or a UTF-8 character.
 *
 * The framing is detected once per connection from its first byte, as the common receivers do: `1`–`9`
 * means octet counting (`MSG-LEN SP MSG`, MSG-LEN in octets without a leading zero) for the rest of the
 * connection; anything else means non-transparent framing, each message ended by LF.
 *
 * Choices where the RFC leaves room:
 * - Trailers: a trailing run of CR and NUL before the LF is stripped (CRLF and NUL-LF senders exist);
 *   in octet-counted frames a trailing run of LF, CR and NUL is stripped too, since senders that count
 *   their newline exist and no parser wants it. LF, CR and NUL bytes between octet-counted frames are
 *   skipped. Messages that are empty once stripped are counted (`emptyFrames`), not emitted.
 * - Size: a message longer than `maxMessageBytes` keeps its first `maxMessageBytes` bytes (cut back to
 *   a whole UTF-8 character) and is flagged `truncated` with `originalBytes`; the rest of an oversized
 *   octet-counted frame is skipped and decoding resumes at the next frame; the rest of an oversized
 *   LF-framed message is discarded up to its LF. Nothing over the limit is held in memory.
 * - A malformed octet-count header (a non-digit, a leading zero, no SP after the digits, or a length
 *   over `maxFrameBytes`) means the sender is not, or no longer, counting octets. The stream is read
 *   as LF-framed from that byte for the rest of the connection: the bytes of the bad header start the
 *   next message, which is flagged `framing_error`. Nothing is dropped, and a sender misdetected as
 *   octet counting (a line starting with a digit) loses no data. Resynchronising on a later
 *   plausible header instead would guess, and a wrong guess silently swallows up to a whole length.
 * - The end of the stream inside a message: what arrived is emitted, flagged `incomplete_frame`
 *   (and, for an octet-counted frame, `truncated` against the announced length).
 */
import { asBuffer, frameFromBytes, MessageBytes } from './message-bytes.ts';
import { type Frame, type Framing, RECEIVER_FLAGS } from './types.ts';
import { isTrailerByte } from './utf8.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
/** Octet counts above this are taken as garbage, not as a frame to skip. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface FrameDecoderOptions {
  /** Longest message kept whole, in bytes (default 64 KiB); longer ones are truncated and flagged. */
  maxMessageBytes?: number;
  /** Largest octet count believed (default 16 MiB, never below maxMessageBytes); larger is malformed. */
  maxFrameBytes?: number;
}

const DETECT = 0;
const HEADER = 1;
const BODY = 2;
const LF = 3;
type Mode = typeof DETECT | typeof HEADER | typeof BODY | typeof LF;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`frame decoder: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export class OctetFrameDecoder {
  readonly #maxBytes: number;
  readonly #maxFrame: number;
  #mode: Mode = DETECT;
  /** Header: the digits so far, as a number (no leading zero, so `String(#length)` gives them back). */
  #length = 0;
  #digits = 0;
  /** Body: the announced length and how much of it has arrived. */
  #frameLength = 0;
  #frameSeen = 0;
  readonly #message: MessageBytes;
  /** Flags for the next LF-framed message (set by a malformed header). */
  #nextFlags: string[] | undefined;
  #emptyFrames = 0;
  #framingErrors = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxBytes = positiveInteger('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    this.#maxFrame = Math.max(
      this.#maxBytes,
      positiveInteger('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    );
    this.#message = new MessageBytes(this.#maxBytes);
  }

  /** The connection's framing once its first byte arrived (LF after a framing error). */
  get framing(): Framing | undefined {
    return this.#mode === DETECT ? undefined : this.#mode === LF ? 'lf' : 'octet-counting';
  }

  /** Messages that were empty once their trailer was stripped (not emitted). */
  get emptyFrames(): number {
    return this.#emptyFrames;
  }

  /** Malformed octet-count headers seen (at most one per connection: it switches to LF framing). */
  get framingErrors(): number {
    return this.#framingErrors;
  }

  /** Decodes the next bytes of the stream; appends the messages they complete to `out` and returns it. */
  push(chunk: Uint8Array, out: Frame[] = []): Frame[] {
    const bytes = asBuffer(chunk);
    const end = bytes.length;
    let pos = 0;
    while (pos < end) {
      switch (this.#mode) {
        case DETECT: {
          const b = bytes[pos]!;
          this.#mode = b >= 0x31 && b <= 0x39 ? HEADER : LF;
          break;
        }
        case HEADER:
          pos = this.#header(bytes, pos, end, out);
          break;
        case BODY:
          pos = this.#body(bytes, pos, end, out);
          break;
        case LF:
          pos = this.#lf(bytes, pos, end, out);
          break;
      }
    }
    return out;
  }

  /** The stream ended: emits what arrived of an unfinished message (flagged) and resets the decoder. */
  end(out: Frame[] = []): Frame[] {
    const incomplete = RECEIVER_FLAGS.incompleteFrame;
    if (this.#mode === HEADER && this.#digits > 0) {
      out.push({ text: String(this.#length), framing: 'octet-counting', flags: [incomplete] });
    } else if (this.#mode === BODY) {
      const frame = this.#message.finishIncomplete('octet-counting', this.#frameLength);
      frame.flags = [incomplete];
      out.push(frame);
    } else if (this.#mode === LF && this.#message.seen > 0) {
      const frame = this.#message.finish('lf');
      if (frame) {
        frame.flags = [...(this.#nextFlags ?? []), incomplete];
        out.push(frame);
      } else {
        this.#emptyFrames++;
      }
    }
    this.#mode = DETECT;
    this.#length = 0;
    this.#digits = 0;
    this.#nextFlags = undefined;
    this.#message.reset();
    return out;
  }

  #header(bytes: Buffer, pos: number, end: number, out: Frame[]): number {
    while (pos < end) {
      const b = bytes[pos]!;
      if (b >= 0x30 && b <= 0x39) {
        const length = this.#length * 10 + (b - 0x30);
        if ((b === 0x30 && this.#digits === 0) || length > this.#maxFrame) return this.#malformed(pos);
        this.#length = length;
        this.#digits++;
        pos++;
      } else if (b === 0x20 && this.#digits > 0) {
        this.#frameLength = this.#length;
        this.#frameSeen = 0;
        this.#length = 0;
        this.#digits = 0;
        this.#mode = BODY;
        return this.#body(bytes, pos + 1, end, out);
      } else if (this.#digits === 0 && isTrailerByte(b)) {
        pos++;
      } else {
        return this.#malformed(pos);
      }
    }
    return pos;
  }

  /** Switches the connection to LF framing; the header bytes seen start the next message. */
  #malformed(pos: number): number {
    this.#framingErrors++;
    if (this.#digits > 0) this.#message.appendAscii(String(this.#length));
    this.#length = 0;
    this.#digits = 0;
    this.#nextFlags = [RECEIVER_FLAGS.framingError];
    this.#mode = LF;
    return pos;
  }

  #body(bytes: Buffer, pos: number, end: number, out: Frame[]): number {
    const wanted = this.#frameLength - this.#frameSeen;
    const available = end - pos;
    if (this.#frameSeen === 0 && available >= wanted) {
      // The whole frame is in this chunk: decode it in place.
      const frame = frameFromBytes(bytes, pos, pos + wanted, 'octet-counting', this.#maxBytes);
      if (frame) out.push(frame);
      else this.#emptyFrames++;
      this.#mode = HEADER;
      return pos + wanted;
    }
    const take = Math.min(wanted, available);
    this.#message.append(bytes, pos, pos + take);
    this.#frameSeen += take;
    if (this.#frameSeen === this.#frameLength) {
      const frame = this.#message.finish('octet-counting');
      if (frame) out.push(frame);
      else this.#emptyFrames++;
      this.#mode = HEADER;
    }
    return pos + take;
  }

  #lf(bytes: Buffer, pos: number, end: number, out: Frame[]): number {
    while (pos < end) {
      const lf = bytes.indexOf(0x0a, pos);
      if (lf === -1) {
        this.#message.append(bytes, pos, end);
        return end;
      }
      let frame: Frame | undefined;
      if (this.#message.seen === 0) {
        frame = frameFromBytes(bytes, pos, lf, 'lf', this.#maxBytes);
      } else {
        this.#message.append(bytes, pos, lf);
        frame = this.#message.finish('lf');
      }
      if (frame) {
        if (this.#nextFlags) {
          frame.flags = this.#nextFlags;
          this.#nextFlags = undefined;
        }
        out.push(frame);
      } else {
        this.#emptyFrames++;
      }
      pos = lf + 1;
    }
    return pos;
  }
}
