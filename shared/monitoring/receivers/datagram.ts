/**
 * One syslog message per UDP datagram (RFC 5426): trailing LF, CR and NUL stripped, longer than the
 * limit truncated and flagged. A datagram that starts with an RFC 6587 octet count matching exactly
 * the rest of the datagram (a TCP sender's framing leaking into UDP) loses the count and is flagged
 * `unexpected_framing`; any other leading digits are message text (`99999999999 a` is not framing).
 */
import { asBuffer, frameFromBytes } from './message-bytes.ts';
import { type Frame, RECEIVER_FLAGS } from './types.ts';
import { stripTrailers } from './utf8.ts';

/** Where the message starts after an exactly matching octet-count prefix, or 0. */
function framedStart(bytes: Buffer, end: number): number {
  let length = 0;
  let pos = 0;
  for (; pos < end && pos < 6; pos++) {
    const b = bytes[pos]!;
    if (b < 0x30 || b > 0x39 || (pos === 0 && b === 0x30)) break;
    length = length * 10 + (b - 0x30);
  }
  if (pos === 0 || bytes[pos] !== 0x20) return 0;
  const start = pos + 1;
  // The count may or may not include a trailer the sender appended after the frame.
  return end - start === length || stripTrailers(bytes, start, end) - start === length ? start : 0;
}

/** The frame of one datagram, or undefined when it holds nothing but trailer bytes. */
export function datagramFrame(datagram: Uint8Array, maxMessageBytes: number): Frame | undefined {
  const bytes = asBuffer(datagram);
  const start = framedStart(bytes, bytes.length);
  const frame = frameFromBytes(bytes, start, bytes.length, 'datagram', maxMessageBytes);
  if (frame && start > 0) frame.flags = [RECEIVER_FLAGS.unexpectedFraming];
  return frame;
}
