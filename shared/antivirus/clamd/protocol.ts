/**
 * The clamd protocol, as far as Outboard speaks it: NUL-terminated commands (`z` prefix), INSTREAM
 * chunks (4-byte big-endian length, then the bytes; a zero length ends the stream), and the replies to
 * PING, VERSION and INSTREAM. A reply that matches none of the known forms is refused, never guessed at.
 */
import { ClamdProtocolError } from './errors.ts';

/** `z<COMMAND>\0`: the NUL-terminated form, whose replies are NUL-terminated too. */
export function encodeCommand(command: 'PING' | 'VERSION' | 'INSTREAM'): Uint8Array {
  return new TextEncoder().encode(`z${command}\0`);
}

/** The 4-byte big-endian length that precedes each INSTREAM chunk (0 ends the stream). */
export function chunkHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`INSTREAM chunk length ${length} does not fit 32 bits`);
  }
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, length, false);
  return header;
}

export const END_OF_STREAM = chunkHeader(0);

/** Splits received bytes into NUL-terminated messages; `rest` is an unterminated tail, if any. */
export function splitReplies(bytes: Uint8Array): { messages: string[]; rest: Uint8Array } {
  const messages: string[] = [];
  const decoder = new TextDecoder('utf-8');
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      messages.push(decoder.decode(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  return { messages, rest: bytes.subarray(start) };
}

/** A reply shown safely in an error message: control characters escaped, long replies cut. */
export function printable(reply: string): string {
  const escaped = JSON.stringify(reply.length > 200 ? `${reply.slice(0, 200)}…` : reply);
  return escaped;
}

export function parsePong(reply: string): void {
  if (reply !== 'PONG')
    throw new ClamdProtocolError(`clamd answered PING with ${printable(reply)}, not PONG`, reply);
}

export interface ClamdVersion {
  /** The program, as reported: `ClamAV`. */
  program: string;
  /** `1.4.6`. */
  engineVersion: string;
  /** The daily database version (`27345`), or undefined when clamd runs without the official database. */
  signatureVersion: string | undefined;
  /** The database's build date as clamd prints it (`Mon Jul 29 08:34:12 2024`), if known. */
  signatureDate: string | undefined;
}

const VERSION = /^(ClamAV) (\d+\.\d+(?:\.\d+)?(?:[-+~][0-9A-Za-z.-]+)?)(?:\/(\d+)\/([^/\0]+))?$/;

/** `ClamAV 1.4.6/27345/Mon Jul 29 08:34:12 2024`, or `ClamAV 1.4.6` when no official database is loaded. */
export function parseVersion(reply: string): ClamdVersion {
  const match = VERSION.exec(reply);
  if (!match)
    throw new ClamdProtocolError(
      `clamd VERSION reply ${printable(reply)} is not "ClamAV x.y.z[/db/date]"`,
      reply,
    );
  return {
    program: match[1]!,
    engineVersion: match[2]!,
    signatureVersion: match[3],
    signatureDate: match[4],
  };
}

export type ScanReply =
  | { kind: 'clean' }
  /** Every signature clamd reported (more than one only with AllMatchScan). */
  | { kind: 'found'; signatures: string[] }
  /** The stream passed clamd's StreamMaxLength; clamd stopped reading it. */
  | { kind: 'size-limit'; message: string }
  /** clamd could not scan the stream (out of memory, a temporary file, a time limit…). */
  | { kind: 'error'; message: string };

const SIZE_LIMIT = 'INSTREAM size limit exceeded. ERROR';
/** A signature name: printable, no spaces; clamd may append `(hash:size)` (ExtendedDetectionInfo). */
const FOUND = /^stream: ([\x21-\x7e]+?)(?:\(([0-9a-f]{32,64}):(\d+)\))? FOUND$/;

/** Parses the replies clamd sent for one INSTREAM (one, or one per match with AllMatchScan). */
export function parseScanReplies(replies: string[]): ScanReply {
  if (replies.length === 0) throw new ClamdProtocolError('clamd sent no reply to INSTREAM', '');
  const signatures: string[] = [];
  for (const reply of replies) {
    const single = parseScanReply(reply);
    if (single.kind !== 'found') {
      if (replies.length > 1) {
        throw new ClamdProtocolError(
          `clamd sent ${printable(reply)} among ${replies.length} INSTREAM replies`,
          reply,
        );
      }
      return single;
    }
    signatures.push(...single.signatures);
  }
  return { kind: 'found', signatures };
}

export function parseScanReply(reply: string): ScanReply {
  if (reply === 'stream: OK') return { kind: 'clean' };
  if (reply === SIZE_LIMIT) return { kind: 'size-limit', message: reply };
  const found = FOUND.exec(reply);
  if (found) return { kind: 'found', signatures: [found[1]!] };
  if (reply.endsWith(' ERROR') && reply.length > ' ERROR'.length) {
    return { kind: 'error', message: reply.slice(0, -' ERROR'.length) };
  }
  throw new ClamdProtocolError(`clamd INSTREAM reply ${printable(reply)} is not OK, FOUND or ERROR`, reply);
}
