/**
 * The Berkeley DB hash database rpm used for `Packages` up to rpm 4.15 (RHEL/CentOS 7 and 8, SLES 12…),
 * read without libdb: the metadata page (page 0) gives page size, last page, max bucket and the spares
 * table that maps buckets to pages; each bucket is a chain of hash pages (P_HASH 13 / P_HASH_UNSORTED 2)
 * whose items come in key/data pairs. Keys are header instance numbers (native-endian uint32; key 0 holds
 * rpm's instance counter and is skipped); values are header blobs stored on the page (H_KEYDATA) or in a
 * chain of overflow pages (H_OFFPAGE → P_OVERFLOW 7). Both byte orders are read (the metadata magic says
 * which). Every page number is checked against the file and every chain is loop-checked; a damaged bucket or
 * overflow chain becomes a note and the walk goes on, a damaged metadata page throws RpmdbFormatError.
 */
import { errorMessage, type RpmdbBlob, RpmdbFormatError, type RpmdbRead } from './errors.ts';
import { HEADER_DATA_MAX } from './header.ts';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;
const DBMETA_CHKSUM = 0x01;

function fail(message: string, offset: number): never {
  throw new RpmdbFormatError('bdb', message, offset);
}

interface Db {
  bytes: Uint8Array;
  view: DataView;
  le: boolean;
  pageSize: number;
  lastPage: number;
}

function u16(db: Db, at: number): number {
  return db.view.getUint16(at, db.le);
}
function u32(db: Db, at: number): number {
  return db.view.getUint32(at, db.le);
}

/** Checks a page number and the page's own idea of its number; returns the page's byte offset. */
function page(db: Db, pgno: number, from: number): number {
  if (pgno < 1 || pgno > db.lastPage)
    fail(`page number ${pgno} outside the file (last page ${db.lastPage})`, from);
  const at = pgno * db.pageSize;
  if (u32(db, at + 8) !== pgno) fail(`page ${pgno} says it is page ${u32(db, at + 8)}`, at + 8);
  return at;
}

function readOverflow(db: Db, first: number, total: number, from: number): Uint8Array {
  if (total < 1 || total > HEADER_DATA_MAX || total > db.bytes.length) {
    fail(`overflow item of ${total} bytes`, from + 8);
  }
  const out = new Uint8Array(total);
  const seen = new Set<number>();
  let got = 0;
  let pgno = first;
  let ref = from + 4;
  while (got < total) {
    if (pgno === 0) fail(`overflow chain ends after ${got} of ${total} bytes`, ref);
    if (seen.has(pgno)) fail(`overflow chain loops back to page ${pgno}`, ref);
    seen.add(pgno);
    const at = page(db, pgno, ref);
    if (db.bytes[at + 25] !== P_OVERFLOW)
      fail(`page ${pgno} in an overflow chain has type ${db.bytes[at + 25]}`, at + 25);
    const len = u16(db, at + 22);
    if (PAGE_HEADER + len > db.pageSize || len > total - got) {
      fail(`overflow page ${pgno} holds ${len} bytes, ${total - got} expected at most`, at + 22);
    }
    out.set(db.bytes.subarray(at + PAGE_HEADER, at + PAGE_HEADER + len), got);
    got += len;
    ref = at + 16;
    pgno = u32(db, at + 16);
    if (len === 0 && got < total) fail(`empty overflow page ${pgno}`, at + 22);
  }
  return out;
}

/** An item's bytes (key or data), from the page or its overflow chain; undefined for duplicate sets. */
function item(db: Db, at: number, len: number, kind: string, notes: string[]): Uint8Array | undefined {
  const type = db.bytes[at];
  if (type === H_KEYDATA) return db.bytes.subarray(at + 1, at + len);
  if (type === H_OFFPAGE) {
    if (len !== 12) fail(`off-page ${kind} item of ${len} bytes, 12 expected`, at);
    return readOverflow(db, u32(db, at + 4), u32(db, at + 8), at);
  }
  if (type === H_DUPLICATE || type === H_OFFDUP) {
    notes.push(`bdb: duplicate ${kind} set at offset ${at} skipped (rpm's Packages has unique keys)`);
    return undefined;
  }
  return fail(`${kind} item has unknown type ${type}`, at);
}

/** Reads every (instance, header blob) pair of a BDB hash `Packages` file. */
export function readBdbPackages(bytes: Uint8Array): RpmdbRead {
  if (bytes.length < 512) fail(`file of ${bytes.length} bytes is too small for a metadata page`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (view.getUint32(12, true) === HASH_MAGIC) le = true;
  else if (view.getUint32(12, false) === HASH_MAGIC) le = false;
  else fail(`no hash database magic (0x${view.getUint32(12, true).toString(16)})`, 12);
  const version = view.getUint32(16, le);
  if (version < 8 || version > 10) fail(`unsupported hash version ${version}`, 16);
  const pageSize = view.getUint32(20, le);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    fail(`page size ${pageSize}`, 20);
  if (bytes[24] !== 0) fail(`encrypted database (algorithm ${bytes[24]})`, 24);
  if (bytes[25] !== P_HASHMETA) fail(`page 0 has type ${bytes[25]}, not hash metadata`, 25);
  if ((bytes[26]! & DBMETA_CHKSUM) !== 0) fail('page checksums are not supported', 26);
  const lastPage = view.getUint32(32, le);
  const pages = Math.floor(bytes.length / pageSize);
  if (lastPage >= pages) fail(`last page ${lastPage} beyond the file's ${pages} pages`, 32);
  const db: Db = { bytes, view, le, pageSize, lastPage };
  const maxBucket = u32(db, 72);
  if (maxBucket > lastPage) fail(`max bucket ${maxBucket} needs more pages than the file has`, 72);
  const spares: number[] = [];
  for (let i = 0; i < 32; i++) spares.push(u32(db, 96 + i * 4));

  const blobs: RpmdbBlob[] = [];
  const notes: string[] = [];
  const visited = new Set<number>();
  for (let bucket = 0; bucket <= maxBucket; bucket++) {
    const split = bucket === 0 ? 0 : 32 - Math.clz32(bucket);
    let pgno = bucket + spares[split]!;
    let ref = 96 + split * 4;
    try {
      while (pgno !== 0) {
        if (visited.has(pgno)) fail(`bucket ${bucket} chain reaches page ${pgno} twice`, ref);
        visited.add(pgno);
        const at = page(db, pgno, ref);
        const type = bytes[at + 25];
        if (type !== P_HASH && type !== P_HASH_UNSORTED)
          fail(`bucket ${bucket} page ${pgno} has type ${type}`, at + 25);
        const n = u16(db, at + 20);
        if (n > (pageSize - PAGE_HEADER) / 2) fail(`page ${pgno} claims ${n} items`, at + 20);
        if (n % 2 !== 0) notes.push(`bdb: page ${pgno} (offset ${at}) has an odd item count ${n}`);
        const minOffset = PAGE_HEADER + n * 2;
        for (let i = 0; i + 1 < n; i += 2) {
          const koff = u16(db, at + PAGE_HEADER + i * 2);
          const voff = u16(db, at + PAGE_HEADER + i * 2 + 2);
          const kend = i === 0 ? pageSize : u16(db, at + PAGE_HEADER + i * 2 - 2);
          if (koff < minOffset || kend > pageSize || koff >= kend || voff < minOffset || voff >= koff) {
            fail(
              `page ${pgno} item ${i} offsets ${koff}/${voff} out of order or bounds`,
              at + PAGE_HEADER + i * 2,
            );
          }
          try {
            const key = item(db, at + koff, kend - koff, 'key', notes);
            if (!key) continue;
            if (key.length !== 4) {
              notes.push(`bdb: key of ${key.length} bytes on page ${pgno} (offset ${at + koff}) skipped`);
              continue;
            }
            const instance = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, le);
            if (instance === 0) continue; // rpm's counter of the last header instance
            const value = item(db, at + voff, koff - voff, 'data', notes);
            if (value) blobs.push({ instance, blob: value });
          } catch (err) {
            if (!(err instanceof RpmdbFormatError)) throw err;
            notes.push(`${errorMessage(err)}; item skipped`);
          }
        }
        ref = at + 16;
        pgno = u32(db, at + 16);
      }
    } catch (err) {
      if (!(err instanceof RpmdbFormatError)) throw err;
      notes.push(`${errorMessage(err)}; rest of bucket ${bucket} skipped`);
    }
  }
  return { blobs, notes };
}
