/** Little-endian field reads over an archive's bytes, bounds-checked, and text decoding of names. */

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** A view of archive bytes; each read returns undefined when the field runs past the end. */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  has(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.bytes.length;
  }

  u16(offset: number): number | undefined {
    return this.has(offset, 2) ? this.view.getUint16(offset, true) : undefined;
  }

  u32(offset: number): number | undefined {
    return this.has(offset, 4) ? this.view.getUint32(offset, true) : undefined;
  }

  /** A 64-bit field, or -1 when it does not fit a safe JS integer (no real archive is that large). */
  u64(offset: number): number | undefined {
    if (!this.has(offset, 8)) return undefined;
    const value = this.view.getBigUint64(offset, true);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value);
  }

  slice(offset: number, length: number): Uint8Array | undefined {
    return this.has(offset, length) ? this.bytes.subarray(offset, offset + length) : undefined;
  }
}

/** Decodes a name stored as UTF-8 (or as Latin-1 when it is not valid UTF-8), stopping at a NUL. */
export function decodeName(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  const field = nul < 0 ? bytes : bytes.subarray(0, nul);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(field);
  } catch {
    return latin1.decode(field);
  }
}

/** Decodes text known to be UTF-8 (pax records), replacing invalid sequences. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** `parent/name` with the member name's leading `./` and `/` dropped (a display path, never opened). */
export function memberPath(parent: string, name: string): string {
  let clean = name;
  for (;;) {
    if (clean.startsWith('./')) clean = clean.slice(2);
    else if (clean.startsWith('/')) clean = clean.slice(1);
    else break;
  }
  return `${parent}/${clean}`;
}
