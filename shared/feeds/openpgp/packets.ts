/**
 * OpenPGP (RFC 9580, formerly RFC 4880) armour and packet framing: what signature verification of a
 * repository's Release files needs, and nothing more. Anything this reader does not understand is an
 * OpenPgpError naming what and where, never skipped silently.
 */

export class OpenPgpError extends Error {
  override name = 'OpenPgpError';
}

export interface Packet {
  tag: number;
  body: Uint8Array;
}

const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;

function crc24(bytes: Uint8Array): number {
  let crc = CRC24_INIT;
  for (const b of bytes) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

/**
 * The bytes of every armoured block of `type` (`PUBLIC KEY BLOCK`, `SIGNATURE`) in `text`, each checked
 * against its CRC24 when it carries one. A block that is not closed, not base64 or fails its checksum
 * is an error.
 */
export function dearmorAll(text: string, type: string): Uint8Array[] {
  const rows = text.split('\n').map((r) => r.replace(/[ \t\r]+$/, ''));
  const begin = `-----BEGIN PGP ${type}-----`;
  const end = `-----END PGP ${type}-----`;
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (rows[i] !== begin) continue;
    let j = i + 1;
    // Armour headers (`Version: …`, `Comment: …`) up to the blank line.
    while (j < rows.length && rows[j] !== '' && /^[A-Za-z][A-Za-z0-9-]*: /.test(rows[j]!)) j++;
    if (rows[j] === '') j++;
    let base64 = '';
    let checksum: string | undefined;
    for (; j < rows.length && rows[j] !== end; j++) {
      const row = rows[j]!;
      if (row.startsWith('=') && row.length === 5) checksum = row.slice(1);
      else if (/^[A-Za-z0-9+/=]*$/.test(row)) base64 += row;
      else throw new OpenPgpError(`armoured ${type}: line ${j + 1} is not base64`);
    }
    if (j >= rows.length) throw new OpenPgpError(`armoured ${type} starting at line ${i + 1} is not closed`);
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    if (checksum !== undefined) {
      const want = Buffer.from(checksum, 'base64');
      if (want.length !== 3 || want.readUIntBE(0, 3) !== crc24(bytes))
        throw new OpenPgpError(`armoured ${type} starting at line ${i + 1} fails its CRC24 checksum`);
    }
    blocks.push(bytes);
    i = j;
  }
  return blocks;
}

/** The packets of `bytes` in order. Partial and indeterminate lengths (data streams) are refused. */
export function readPackets(bytes: Uint8Array): Packet[] {
  const packets: Packet[] = [];
  let at = 0;
  while (at < bytes.length) {
    const ctb = bytes[at]!;
    if ((ctb & 0x80) === 0) throw new OpenPgpError(`byte ${at}: not a packet header (0x${ctb.toString(16)})`);
    let tag: number;
    let length: number;
    let p = at + 1;
    const need = (n: number) => {
      if (p + n > bytes.length) throw new OpenPgpError(`byte ${at}: packet header cut short`);
    };
    if (ctb & 0x40) {
      tag = ctb & 0x3f;
      need(1);
      const o1 = bytes[p++]!;
      if (o1 < 192) length = o1;
      else if (o1 < 224) {
        need(1);
        length = ((o1 - 192) << 8) + bytes[p++]! + 192;
      } else if (o1 === 255) {
        need(4);
        length = Buffer.from(bytes.subarray(p, p + 4)).readUInt32BE(0);
        p += 4;
      } else throw new OpenPgpError(`byte ${at}: partial body lengths are not supported here`);
    } else {
      tag = (ctb >> 2) & 0x0f;
      const kind = ctb & 0x03;
      if (kind === 3) throw new OpenPgpError(`byte ${at}: indeterminate packet length`);
      const n = 1 << kind;
      need(n);
      length = Buffer.from(bytes.subarray(p, p + n)).readUIntBE(0, n);
      p += n;
    }
    if (p + length > bytes.length)
      throw new OpenPgpError(`byte ${at}: packet of ${length} bytes runs past the end (${bytes.length})`);
    packets.push({ tag, body: bytes.subarray(p, p + length) });
    at = p + length;
  }
  return packets;
}

/** A reader over a packet body, each read checked against its end. */
export class Cursor {
  at = 0;
  readonly bytes: Uint8Array;
  readonly #what: string;

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.#what = what;
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.bytes.length)
      throw new OpenPgpError(
        `${this.#what}: ${n} bytes wanted at ${this.at}, ${this.bytes.length - this.at} left`,
      );
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u16(): number {
    const b = this.take(2);
    return (b[0]! << 8) | b[1]!;
  }

  u32(): number {
    return Buffer.from(this.take(4)).readUInt32BE(0);
  }

  /** A multiprecision integer: a 16-bit bit count, then its bytes (big-endian). */
  mpi(): Uint8Array {
    const bits = this.u16();
    return this.take((bits + 7) >> 3);
  }

  get done(): boolean {
    return this.at === this.bytes.length;
  }
}
