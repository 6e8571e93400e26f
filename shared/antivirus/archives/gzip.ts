/**
 * Gzip (RFC 1952): one member holding the decompressed stream, which is every gzip member of the file
 * inflated in turn and joined (what `gzip -d` writes). Named after the stored file name, else after the
 * gzip's own name without its suffix (`x.tar.gz` → `x.tar`, `x.tgz` → `x.tar`). CRCs are not checked:
 * the bytes are scanned as they inflate, as clamd does.
 */
import { ByteReader, decodeName } from './bytes.ts';
import { ArchiveFormatError } from './errors.ts';
import { inflateBounded } from './inflate.ts';
import type { Member, MemberRead } from './members.ts';

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;
const TRAILER = 8;

interface GzipHeader {
  /** The stored original file name, if any. */
  name: string | undefined;
  /** Where the deflate stream starts. */
  dataStart: number;
}

export async function* readGzip(data: Uint8Array, path: string): AsyncGenerator<Member, void, undefined> {
  const r = new ByteReader(data);
  const first = readHeader(r, 0, path);
  yield {
    kind: 'member',
    name: memberName(first.name, path),
    declaredSize: undefined,
    storedSize: data.length,
    read: (cap) => inflateMembers(r, first, cap, path),
  };
}

/** Whether a gzip member starts at `at`. */
export function isGzipAt(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x1f && bytes[at + 1] === 0x8b && bytes[at + 2] === 8;
}

function readHeader(r: ByteReader, at: number, path: string): GzipHeader {
  const fail = (message: string, offset: number) => new ArchiveFormatError('gzip', path, message, offset);
  if (!r.has(at, 10)) throw fail('header is cut short', at);
  if (!isGzipAt(r.bytes, at)) throw fail('not a gzip member (magic 1f 8b 08 expected)', at);
  const flags = r.bytes[at + 3]!;
  if (flags & RESERVED)
    throw fail(`reserved header flag bits are set (flags 0x${flags.toString(16)})`, at + 3);
  let cursor = at + 10;
  if (flags & FEXTRA) {
    const length = r.u16(cursor);
    if (length === undefined || !r.has(cursor + 2, length))
      throw fail('extra field runs past the end', cursor);
    cursor += 2 + length;
  }
  let name: string | undefined;
  if (flags & FNAME) {
    const end = r.bytes.indexOf(0, cursor);
    if (end < 0) throw fail('file name has no terminating NUL', cursor);
    name = decodeName(r.bytes.subarray(cursor, end));
    cursor = end + 1;
  }
  if (flags & FCOMMENT) {
    const end = r.bytes.indexOf(0, cursor);
    if (end < 0) throw fail('comment has no terminating NUL', cursor);
    cursor = end + 1;
  }
  if (flags & FHCRC) cursor += 2;
  if (cursor > r.length) throw fail('header runs past the end', at);
  return { name, dataStart: cursor };
}

/** Every member inflated and joined, at most `cap` bytes in all. Trailing zeros or garbage are ignored. */
async function inflateMembers(
  r: ByteReader,
  first: GzipHeader,
  cap: number,
  path: string,
): Promise<MemberRead> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let header = first;
  for (let member = 1; ; member++) {
    const inflated = await inflateBounded(r.bytes.subarray(header.dataStart), cap - total);
    if (inflated.kind === 'overflow') {
      return {
        kind: 'overflow',
        produced: total + inflated.produced,
        consumed: header.dataStart + inflated.consumed,
      };
    }
    if (inflated.kind === 'corrupt') {
      return {
        kind: 'corrupt',
        detail: `member ${member} at offset ${header.dataStart}: ${inflated.detail}`,
      };
    }
    parts.push(inflated.data);
    total += inflated.data.length;
    const trailer = header.dataStart + inflated.consumed;
    if (!r.has(trailer, TRAILER)) {
      return {
        kind: 'corrupt',
        detail: `member ${member} is cut short: its CRC and size trailer is missing`,
      };
    }
    const next = trailer + TRAILER;
    if (!isGzipAt(r.bytes, next)) break;
    try {
      header = readHeader(r, next, path);
    } catch (err) {
      return { kind: 'corrupt', detail: (err as Error).message };
    }
  }
  return { kind: 'data', data: join(parts, total) };
}

/** The stored name's last path component, else the gzip's own name without its compression suffix. */
function memberName(stored: string | undefined, path: string): string {
  const base = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  const fromHeader = stored === undefined ? '' : base(stored);
  if (fromHeader !== '' && fromHeader !== '.' && fromHeader !== '..') return fromHeader;
  const own = base(path);
  const lower = own.toLowerCase();
  if (lower.endsWith('.tgz') || lower.endsWith('.taz')) return `${own.slice(0, -4)}.tar`;
  for (const suffix of ['.gz', '-gz', '.z', '_z']) {
    if (lower.endsWith(suffix) && own.length > suffix.length) return own.slice(0, -suffix.length);
  }
  return 'data';
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
