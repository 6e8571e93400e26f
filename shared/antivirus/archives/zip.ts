/**
 * Zip members: listed by the central directory when there is one (checked first for overlapping
 * members, the mark of a Fifield-style bomb), else found by walking local headers from the start,
 * data descriptors included. Stored and deflated members are read; encrypted members and other
 * methods are reported as not scanned.
 */
import { ByteReader, decodeName } from './bytes.ts';
import { ArchiveFormatError } from './errors.ts';
import { inflateBounded } from './inflate.ts';
import type { Member, MemberRead } from './members.ts';
import type { CentralEntry } from './zip-directory.ts';
import {
  findExtra,
  readCentralDirectory,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_END,
  SIG_LOCAL,
} from './zip-directory.ts';

const LOCAL_SIZE = 30;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const METHOD_AES = 99;

const METHOD_NAMES: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'lzma',
  93: 'zstd',
  95: 'xz',
  96: 'jpeg',
  97: 'wavpack',
  98: 'ppmd',
};

export async function* readZip(data: Uint8Array, path: string): AsyncGenerator<Member, void, undefined> {
  const r = new ByteReader(data);
  const directory = readCentralDirectory(r, path);
  if (directory === undefined) {
    yield* walkLocalHeaders(r, path);
    return;
  }
  const located = directory.entries.map((entry) => ({ entry, data: locateData(r, entry) }));
  const overlap = findOverlap(located);
  if (overlap !== undefined) {
    yield { kind: 'skip', name: undefined, reason: 'zip-bomb', detail: overlap, final: true };
    return;
  }
  for (const { entry, data: start } of located) {
    if (isDirectory(entry.name, entry.size)) continue;
    const refusal = refuse(entry.flags, entry.method);
    if (refusal !== undefined) {
      yield { kind: 'skip', name: entry.name, ...refusal };
    } else if (typeof start === 'string') {
      yield { kind: 'skip', name: entry.name, reason: 'unreadable', detail: start };
    } else {
      const stored = r.slice(start, entry.compressedSize);
      if (stored === undefined) {
        const detail = `member data (${entry.compressedSize} bytes at offset ${start}) runs past the end of the zip`;
        yield { kind: 'skip', name: entry.name, reason: 'unreadable', detail };
        continue;
      }
      yield {
        kind: 'member',
        name: entry.name,
        declaredSize: entry.size,
        storedSize: entry.compressedSize,
        read: (cap) => readStored(entry.method, stored, entry.size, cap),
      };
    }
  }
}

/** Where an entry's data starts (after its local header), or why its local header cannot be used. */
function locateData(r: ByteReader, entry: CentralEntry): number | string {
  const at = entry.localOffset;
  if (!r.has(at, LOCAL_SIZE)) return `local header at offset ${at} is past the end of the zip`;
  if (r.u32(at) !== SIG_LOCAL) return `no local header signature at offset ${at}`;
  return at + LOCAL_SIZE + r.u16(at + 26)! + r.u16(at + 28)!;
}

/**
 * Members whose bytes (local header to end of data) overlap: no zip tool writes them, and a bomb
 * shares one highly compressed kernel between thousands of members that way.
 */
function findOverlap(located: { entry: CentralEntry; data: number | string }[]): string | undefined {
  const spans = located
    .filter((l): l is { entry: CentralEntry; data: number } => typeof l.data === 'number')
    .map((l) => ({ index: l.entry.index, start: l.entry.localOffset, end: l.data + l.entry.compressedSize }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let previous: (typeof spans)[number] | undefined;
  for (const span of spans) {
    if (previous !== undefined && span.start < previous.end) {
      return (
        `members ${previous.index} and ${span.index} overlap (offsets ${previous.start}–${previous.end} and ` +
        `${span.start}–${span.end}): overlapping members are how a zip bomb reuses its data; nothing was inflated`
      );
    }
    if (previous === undefined || span.end > previous.end) previous = span;
  }
  return undefined;
}

function isDirectory(name: string, size: number): boolean {
  return size === 0 && (name.endsWith('/') || name.endsWith('\\'));
}

/** Why a member with these flags and method is not read, or undefined when it can be. */
function refuse(
  flags: number,
  method: number,
): { reason: 'encrypted' | 'unreadable'; detail: string } | undefined {
  if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || method === METHOD_AES) {
    return { reason: 'encrypted', detail: 'member is encrypted; its contents cannot be scanned' };
  }
  if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
    const known = METHOD_NAMES[method];
    const name =
      known === undefined ? `compression method ${method}` : `compression method ${method} (${known})`;
    return { reason: 'unreadable', detail: `${name} is not supported; only stored and deflate are read` };
  }
  return undefined;
}

async function readStored(
  method: number,
  stored: Uint8Array,
  size: number,
  cap: number,
): Promise<MemberRead> {
  if (method === METHOD_STORED) {
    if (stored.length !== size) {
      return { kind: 'corrupt', detail: `stored member is ${stored.length} bytes but declares ${size}` };
    }
    if (size > cap) return { kind: 'overflow', produced: size, consumed: size };
    return { kind: 'data', data: stored };
  }
  const inflated = await inflateBounded(stored, cap);
  return inflated.kind === 'data' ? { kind: 'data', data: inflated.data } : inflated;
}

/**
 * A zip without an end record (cut short, or written for streaming): members are found one after the
 * other from the first local header. A member followed by a data descriptor has no size in its header;
 * a deflated one ends where its deflate stream does, a stored one cannot be delimited and ends the walk.
 */
async function* walkLocalHeaders(r: ByteReader, path: string): AsyncGenerator<Member, void, undefined> {
  let at = r.u32(0) === SIG_DESCRIPTOR ? 4 : 0;
  while (r.has(at, 4)) {
    const signature = r.u32(at)!;
    if (signature === SIG_CENTRAL || signature === SIG_END) return;
    if (signature !== SIG_LOCAL) {
      if (at === 0) throw new ArchiveFormatError('zip', path, 'no local header at the start of the zip', 0);
      return; // Bytes after the last member of a cut-short zip.
    }
    const header = readLocalHeader(r, at, path);
    const { name, flags, method, dataStart } = header;
    const refusal = refuse(flags, method);
    const deferred = (flags & FLAG_DESCRIPTOR) !== 0;
    if (refusal !== undefined || (deferred && method !== METHOD_DEFLATE)) {
      if (refusal !== undefined) yield { kind: 'skip', name, ...refusal };
      if (deferred) {
        const detail = `member "${name}" at offset ${at} has no size in its header and cannot be skipped without a central directory`;
        yield { kind: 'skip', name: undefined, reason: 'unreadable', detail, final: true };
        return;
      }
      at = dataStart + header.compressedSize;
      continue;
    }
    if (!deferred) {
      const stored = r.slice(dataStart, header.compressedSize);
      if (stored === undefined) {
        const detail = `member data (${header.compressedSize} bytes at offset ${dataStart}) runs past the end of the zip`;
        yield { kind: 'skip', name, reason: 'unreadable', detail, final: true };
        return;
      }
      if (!isDirectory(name, header.size)) {
        yield {
          kind: 'member',
          name,
          declaredSize: header.size,
          storedSize: header.compressedSize,
          read: (cap) => readStored(method, stored, header.size, cap),
        };
      }
      at = dataStart + header.compressedSize;
      continue;
    }
    // Deflated, sizes in a descriptor after the data: the deflate stream's own end tells where it stops.
    let consumed: number | undefined;
    const rest = r.bytes.subarray(dataStart);
    yield {
      kind: 'member',
      name,
      declaredSize: undefined,
      storedSize: rest.length,
      read: async (cap) => {
        const inflated = await inflateBounded(rest, cap);
        if (inflated.kind !== 'data') return inflated;
        consumed = inflated.consumed;
        return { kind: 'data', data: inflated.data };
      },
    };
    if (consumed === undefined) {
      const detail = `the zip has no central directory and the end of member "${name}" was not found; members after it were not read`;
      yield { kind: 'skip', name: undefined, reason: 'unreadable', detail, final: true };
      return;
    }
    at = skipDescriptor(r, dataStart + consumed, header.zip64);
  }
}

interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  dataStart: number;
  zip64: boolean;
}

function readLocalHeader(r: ByteReader, at: number, path: string): LocalHeader {
  if (!r.has(at, LOCAL_SIZE)) throw new ArchiveFormatError('zip', path, 'local header is cut short', at);
  const nameLength = r.u16(at + 26)!;
  const extraLength = r.u16(at + 28)!;
  const dataStart = at + LOCAL_SIZE + nameLength + extraLength;
  if (dataStart > r.length) {
    throw new ArchiveFormatError('zip', path, 'local header name or extra field runs past the end', at);
  }
  let compressedSize = r.u32(at + 18)!;
  let size = r.u32(at + 22)!;
  const extra = findExtra(r, at + LOCAL_SIZE + nameLength, extraLength, 0x0001);
  const zip64 = extra !== undefined;
  if (compressedSize === 0xffffffff || size === 0xffffffff) {
    if (extra === undefined || extra.length < 16) {
      throw new ArchiveFormatError('zip', path, 'local header says zip64 but has no zip64 sizes', at);
    }
    size = r.u64(extra.offset)!;
    compressedSize = r.u64(extra.offset + 8)!;
    if (size < 0 || compressedSize < 0) {
      throw new ArchiveFormatError('zip', path, 'zip64 sizes are impossibly large', at);
    }
  }
  return {
    name: decodeName(r.slice(at + LOCAL_SIZE, nameLength)!),
    flags: r.u16(at + 6)!,
    method: r.u16(at + 8)!,
    compressedSize,
    size,
    dataStart,
    zip64,
  };
}

/** The offset after a data descriptor: optional signature, CRC, then 4- or 8-byte sizes (zip64). */
function skipDescriptor(r: ByteReader, at: number, zip64: boolean): number {
  const signed = r.u32(at) === SIG_DESCRIPTOR ? 4 : 0;
  return at + signed + 4 + (zip64 ? 16 : 8);
}
