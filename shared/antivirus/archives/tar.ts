/**
 * Tar members (v7, ustar, GNU, pax): regular files only. GNU long names and pax `path`/`size` records
 * apply to the header after them; links, directories, devices and FIFOs hold no data and are passed
 * over; sparse files are reported as not scanned. Members are views of the tar's bytes, never copies.
 */
import { decodeName } from './bytes.ts';
import { ArchiveFormatError } from './errors.ts';
import type { Member } from './members.ts';
import { BLOCK, hasValidChecksum, isZeroBlock, parseHeader, parsePax } from './tar-header.ts';

/** Types that hold no data whatever their size field says (hard and symbolic links, devices, dirs, FIFOs). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
/** Types whose data is metadata or not file content, passed over quietly (GNU dumpdir, volume label…). */
const PASSED_OVER = new Set(['D', 'V', 'N', 'K']);
/** Long names, pax records and continuation data above this size are refused as corrupt. */
const MAX_METADATA = 1024 * 1024;

export async function* readTar(data: Uint8Array, path: string): AsyncGenerator<Member, void, undefined> {
  const fail = (message: string, offset: number) => new ArchiveFormatError('tar', path, message, offset);
  let at = 0;
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;
  while (at + BLOCK <= data.length) {
    const block = data.subarray(at, at + BLOCK);
    if (isZeroBlock(block)) return; // End of archive (one zero block is enough; some writers stop there).
    if (!hasValidChecksum(block)) throw fail('header checksum does not match', at);
    const header = parseHeader(block);
    if (typeof header === 'string') throw fail(header, at);
    let size = header.size;
    if (pax?.has('size')) {
      const paxSize = Number(pax.get('size'));
      if (!Number.isSafeInteger(paxSize) || paxSize < 0) throw fail('pax size record is not a size', at);
      size = paxSize;
    }
    const dataStart = at + BLOCK;
    const stored = HEADER_ONLY.has(header.type) ? 0 : size;
    const next = dataStart + Math.ceil(stored / BLOCK) * BLOCK;
    const type = header.type;

    if (type === 'L' || type === 'x' || type === 'g') {
      if (size > MAX_METADATA) throw fail(`${describeType(type)} of ${size} bytes is too large`, at);
      if (dataStart + size > data.length) throw fail(`${describeType(type)} runs past the end`, at);
      const body = data.subarray(dataStart, dataStart + size);
      if (type === 'L') longName = decodeName(body);
      else {
        const records = parsePax(body);
        if (typeof records === 'string') throw fail(records, dataStart);
        if (type === 'x') pax = records; // Global ('g') records set defaults no member here relies on.
      }
      at = next;
      continue;
    }

    const name = pax?.get('GNU.sparse.name') ?? pax?.get('path') ?? longName ?? header.name;
    const sparse = type === 'S' || [...(pax?.keys() ?? [])].some((k) => k.startsWith('GNU.sparse.'));
    longName = undefined;
    pax = undefined;
    if (sparse || type === 'M') {
      const detail =
        type === 'M'
          ? 'member continues from another volume of a multi-volume tar; only part of it is here'
          : 'member is a sparse file; sparse tar members are not supported';
      yield { kind: 'skip', name, reason: 'unreadable', detail };
      if (next > data.length) return;
      at = next;
      continue;
    }
    const regular =
      !HEADER_ONLY.has(type) && !PASSED_OVER.has(type) && !(type === '\0' && name.endsWith('/'));
    if (regular) {
      if (dataStart + size > data.length) {
        const detail = `member data (${size} bytes at offset ${dataStart}) runs past the end of the tar`;
        yield { kind: 'skip', name, reason: 'unreadable', detail };
        return;
      }
      const member = data.subarray(dataStart, dataStart + size);
      yield {
        kind: 'member',
        name,
        declaredSize: size,
        storedSize: size,
        read: async (cap) =>
          member.length > cap
            ? { kind: 'overflow', produced: member.length, consumed: member.length }
            : { kind: 'data', data: member },
      };
    }
    at = next;
  }
  if (at === 0) throw fail('shorter than one 512-byte header', 0);
}

function describeType(type: string): string {
  if (type === 'L') return 'GNU long name';
  return type === 'x' ? 'pax extended header' : 'pax global header';
}
