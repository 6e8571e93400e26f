/**
 * Text handling as ClamAV does it, because it decides what clamscan matches:
 *
 * - text detection on the first 1,024 bytes (the `file(1)` ascmagic rules ClamAV uses): ASCII, UTF-8,
 *   UTF-16 (with or without a byte-order mark; without one, any buffer where no even-aligned pair is a
 *   0x00 followed by a control character counts, which takes in much binary data), else binary;
 * - normalisation of text files before their second scan: letters are lower-cased, runs of whitespace
 *   (`\t \n \v \f \r` and space) become one space, other control bytes and bytes ≥ 0x80 are dropped.
 *   Target-0 and target-7 body signatures are matched against this normalised stream as well.
 */

export type TextKind = 'ascii' | 'utf8' | 'utf16le' | 'utf16be' | 'binary';

/** How many leading bytes decide the file type. */
export const TYPE_SNIFF_BYTES = 1024;

/** 0 never in text, 1 plain ASCII text, 2 ISO-8859, 3 other extended ASCII. */
const TEXT_CHARS = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x20; c < 0x7f; c++) t[c] = 1;
  for (const c of [7, 8, 9, 10, 12, 13, 27]) t[c] = 1;
  for (let c = 0x80; c < 0xa0; c++) t[c] = 3;
  t[0x85] = 1;
  for (let c = 0xa0; c < 0x100; c++) t[c] = 2;
  return t;
})();

function isAscii(buf: Uint8Array): boolean {
  for (const b of buf) if (TEXT_CHARS[b] === 0) return false;
  return true;
}

function isUtf8(buf: Uint8Array): boolean {
  let gotOne = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if ((b & 0x80) === 0) {
      if (TEXT_CHARS[b] !== 1) return false;
      continue;
    }
    if ((b & 0x40) === 0) return false;
    let following: number;
    if ((b & 0x20) === 0) following = 1;
    else if ((b & 0x10) === 0) following = 2;
    else if ((b & 0x08) === 0) following = 3;
    else if ((b & 0x04) === 0) following = 4;
    else if ((b & 0x02) === 0) following = 5;
    else return false;
    for (let j = 0; j < following; j++) {
      if (++i >= buf.length) return gotOne;
      const c = buf[i]!;
      if ((c & 0x80) === 0 || (c & 0x40) !== 0) return false;
    }
    gotOne = true;
  }
  return gotOne;
}

function utf16(buf: Uint8Array): 'utf16le' | 'utf16be' | undefined {
  if (buf.length < 2) return undefined;
  let be = true;
  let noBom = false;
  if (buf[0] === 0xff && buf[1] === 0xfe) be = false;
  else if (!(buf[0] === 0xfe && buf[1] === 0xff)) noBom = true;
  let bad = 0;
  for (let i = 2; i + 1 < buf.length; i += 2) {
    const c = be ? buf[i + 1]! + 256 * buf[i]! : buf[i]! + 256 * buf[i + 1]!;
    if (c === 0xfffe) return undefined;
    if (c < 128 && TEXT_CHARS[c] !== 1) {
      if (noBom) return undefined;
      bad++;
    }
  }
  if (!noBom && bad >= buf.length / 2) return undefined;
  return be ? 'utf16be' : 'utf16le';
}

/** ClamAV's text type of a file's first bytes (pass at most `TYPE_SNIFF_BYTES`). */
export function textKind(head: Uint8Array): TextKind {
  if (isAscii(head)) return 'ascii';
  if (isUtf8(head)) return 'utf8';
  return utf16(head) ?? 'binary';
}

/** Per byte: the byte to emit (lower-cased), or DROP, or SPACE for whitespace. */
const DROP = -1;
const SPACE = -2;
const MAP = (() => {
  const m = new Int16Array(256).fill(DROP);
  for (let c = 0x20; c < 0x80; c++) m[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
  for (const c of [9, 10, 11, 12, 13, 32]) m[c] = SPACE;
  return m;
})();

/**
 * Streaming normaliser: feed raw chunks, get normalised chunks. The returned bytes live in a buffer the
 * next call reuses: consume them before normalising again.
 */
export class TextNormalizer {
  private spaceWritten = false;
  private out = new Uint8Array(0);

  normalize(chunk: Uint8Array): Uint8Array {
    if (this.out.length < chunk.length) this.out = new Uint8Array(Math.max(chunk.length, 65536));
    const out = this.out;
    let n = 0;
    let space = this.spaceWritten;
    for (let i = 0; i < chunk.length; i++) {
      const m = MAP[chunk[i]!]!;
      if (m >= 0) {
        out[n++] = m;
        space = false;
      } else if (m === SPACE && !space) {
        out[n++] = 0x20;
        space = true;
      }
    }
    this.spaceWritten = space;
    return out.subarray(0, n);
  }
}
