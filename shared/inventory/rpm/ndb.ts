/**
 * rpm's own "ndb" package database (`Packages.db`, SUSE since SLES 15 / openSUSE), as rpm's
 * lib/backend/ndb/rpmpkg.c lays it out, all integers little-endian:
 *
 *   header (32 bytes): 'RpmP' magic, version 0, generation, slot page count, next package index
 *   slot pages (4096 bytes each, the first one after the header): 16-byte slots
 *     { 'Slot' magic, pkgidx, blkoff, blkcnt } — blkoff 0 is a free slot
 *   blobs at blkoff × 16, blkcnt × 16 bytes each:
 *     head { 'BlbS' magic, pkgidx, timestamp, bloblen } | header blob | zero padding
 *     | tail { adler32 of everything before the tail, bloblen, 'BlbE' magic }
 *
 * A damaged header or slot page throws RpmdbFormatError; a damaged blob becomes a note and is skipped. A
 * blob whose adler32 does not match is still returned (rpm does not check it on reads either) with a note.
 */
import { type RpmdbBlob, RpmdbFormatError, type RpmdbRead } from './errors.ts';

const MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_HEAD = 0x53626c42; // 'BlbS'
const BLOB_TAIL = 0x45626c42; // 'BlbE'
const HEADER_SIZE = 32;
const PAGE = 4096;
const SLOT = 16;
const BLK = 16;
const HEAD = 16;
const TAIL = 12;

function fail(message: string, offset: number): never {
  throw new RpmdbFormatError('ndb', message, offset);
}

/** Adler-32 (RFC 1950), as rpmpkg.c computes it. */
export function adler32(bytes: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function readNdbPackages(bytes: Uint8Array): RpmdbRead {
  if (bytes.length < HEADER_SIZE) fail(`file of ${bytes.length} bytes is too small for the header`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  if (u32(0) !== MAGIC) fail('no RpmP magic', 0);
  if (u32(4) !== 0) fail(`unsupported version ${u32(4)}`, 4);
  const slotPages = u32(12);
  if (slotPages < 1 || slotPages * PAGE > bytes.length) {
    fail(`${slotPages} slot pages do not fit in ${bytes.length} bytes`, 12);
  }
  if (bytes.length % BLK !== 0) fail(`file size ${bytes.length} is not a multiple of ${BLK}`, bytes.length);
  const fileBlocks = bytes.length / BLK;
  const firstDataBlock = slotPages * (PAGE / BLK);

  const slots: { at: number; pkgidx: number; blkoff: number; blkcnt: number }[] = [];
  for (let at = HEADER_SIZE; at < slotPages * PAGE; at += SLOT) {
    if (u32(at) !== SLOT_MAGIC) fail('slot without Slot magic', at);
    const blkoff = u32(at + 8);
    if (blkoff === 0) continue;
    const pkgidx = u32(at + 4);
    const blkcnt = u32(at + 12);
    if (pkgidx === 0 || blkcnt === 0 || blkoff < firstDataBlock || blkoff + blkcnt > fileBlocks) {
      fail(`slot for package ${pkgidx} points at blocks ${blkoff}+${blkcnt} outside the data area`, at);
    }
    slots.push({ at, pkgidx, blkoff, blkcnt });
  }

  const blobs: RpmdbBlob[] = [];
  const notes: string[] = [];
  const seen = new Set<number>();
  for (const slot of slots) {
    const start = slot.blkoff * BLK;
    const size = slot.blkcnt * BLK;
    const bad = (message: string, offset: number) =>
      notes.push(`ndb: package ${slot.pkgidx}: ${message} (offset ${offset}); skipped`);
    if (seen.has(slot.pkgidx)) {
      bad('a second slot for the same package', slot.at);
      continue;
    }
    seen.add(slot.pkgidx);
    if (size < HEAD + TAIL) {
      bad(`${slot.blkcnt} blocks are too few for a blob`, slot.at + 12);
      continue;
    }
    if (u32(start) !== BLOB_HEAD) {
      bad('blob without BlbS magic', start);
      continue;
    }
    if (u32(start + 4) !== slot.pkgidx) {
      bad(`blob belongs to package ${u32(start + 4)}`, start + 4);
      continue;
    }
    const len = u32(start + 12);
    if (Math.ceil((HEAD + len + TAIL) / BLK) !== slot.blkcnt) {
      bad(`blob length ${len} does not match ${slot.blkcnt} blocks`, start + 12);
      continue;
    }
    const tail = start + size - TAIL;
    if (u32(tail + 8) !== BLOB_TAIL) {
      bad('blob without BlbE magic', tail + 8);
      continue;
    }
    if (u32(tail + 4) !== len) {
      bad(`blob tail length ${u32(tail + 4)} differs from head length ${len}`, tail + 4);
      continue;
    }
    const sum = adler32(bytes.subarray(start, tail));
    if (sum !== u32(tail)) {
      notes.push(
        `ndb: package ${slot.pkgidx}: adler32 ${sum.toString(16)} does not match ${u32(tail).toString(16)} (offset ${tail}); read anyway`,
      );
    }
    blobs.push({ instance: slot.pkgidx, blob: bytes.subarray(start + HEAD, start + HEAD + len) });
  }
  return { blobs, notes };
}
