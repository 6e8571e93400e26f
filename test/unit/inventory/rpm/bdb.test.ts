import { describe, expect, it } from 'vitest';
import { readBdbPackages } from '../../../../shared/inventory/rpm/bdb.ts';
import { RpmdbFormatError } from '../../../../shared/inventory/rpm/errors.ts';
import { fixture, prng, sqliteBlobs } from './helpers.ts';

const PAGE_TYPE = { HASH: 13, HASH_UNSORTED: 2, OVERFLOW: 7 } as const;

/** Pages of a fixture by type, for aiming corruptions. */
function pages(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const size = v.getUint32(20, true);
  const list: { pgno: number; at: number; type: number; next: number }[] = [];
  for (let p = 1; p * size < bytes.length; p++) {
    list.push({ pgno: p, at: p * size, type: bytes[p * size + 25]!, next: v.getUint32(p * size + 16, true) });
  }
  return { v, size, list };
}

function throwsAt(bytes: Uint8Array, offset: number, message: RegExp) {
  let err: unknown;
  try {
    readBdbPackages(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RpmdbFormatError);
  expect((err as RpmdbFormatError).offset).toBe(offset);
  expect((err as Error).message).toMatch(message);
}

const sqliteByInstance = new Map(
  sqliteBlobs(fixture('sqlite/rpmdb.sqlite')).map((b) => [b.instance, Buffer.from(b.blob).toString('hex')]),
);

describe('readBdbPackages on Berkeley DB files written by libdb 5.3', () => {
  for (const name of ['bdb', 'bdb512']) {
    it(`${name}: returns every header blob under its instance, none other`, () => {
      const { blobs, notes } = readBdbPackages(fixture(`${name}/Packages`));
      expect(notes).toEqual([]);
      expect(new Map(blobs.map((b) => [b.instance, Buffer.from(b.blob).toString('hex')]))).toEqual(
        sqliteByInstance,
      );
    });
  }

  it('the fixtures exercise overflow chains and several buckets', () => {
    const small = pages(fixture('bdb512/Packages'));
    const overflow = small.list.filter((p) => p.type === PAGE_TYPE.OVERFLOW);
    expect(overflow.length).toBeGreaterThan(80); // the ~40 KiB header alone needs ~85 pages of 512 bytes
    expect(small.v.getUint32(72, true)).toBeGreaterThan(0); // max bucket
  });
});

/** The same database as a big-endian host would have written it (mirrors rpm's bdb_ro byte swapping). */
function toBigEndian(src: Uint8Array): Uint8Array {
  const b = src.slice();
  const v = new DataView(b.buffer);
  const swap32 = (at: number) => v.setUint32(at, v.getUint32(at, true), false);
  const swap16 = (at: number) => v.setUint16(at, v.getUint16(at, true), false);
  const size = v.getUint32(20, true);
  for (let at = 8; at < 224; at += 4) if (at !== 24) swap32(at);
  for (let at = size; at < b.length; at += size) {
    const type = b[at + 25];
    const n = v.getUint16(at + 20, true);
    swap32(at + 8);
    swap32(at + 12);
    swap32(at + 16);
    swap16(at + 20);
    swap16(at + 22);
    if (type !== PAGE_TYPE.HASH && type !== PAGE_TYPE.HASH_UNSORTED) continue;
    for (let i = 0; i < n; i++) {
      const off = v.getUint16(at + 26 + i * 2, true);
      swap16(at + 26 + i * 2);
      if (b[at + off] === 3) {
        swap32(at + off + 4);
        swap32(at + off + 8);
      } else if (i % 2 === 0 && b[at + off] === 1) {
        swap32(at + off + 1); // the key: a native uint32 instance number
      }
    }
  }
  return b;
}

describe('readBdbPackages on a big-endian database', () => {
  it('reads the byte-swapped fixture the same', () => {
    for (const name of ['bdb', 'bdb512']) {
      const be = toBigEndian(fixture(`${name}/Packages`));
      expect(be[12]).toBe(0x00);
      const { blobs, notes } = readBdbPackages(be);
      expect(notes).toEqual([]);
      expect(new Map(blobs.map((b) => [b.instance, Buffer.from(b.blob).toString('hex')]))).toEqual(
        sqliteByInstance,
      );
    }
  });
});

describe('readBdbPackages rejects damaged files with the offset, never hanging', () => {
  it('not a hash database', () => {
    const b = fixture('bdb/Packages');
    b[12] = 0x62;
    throwsAt(b, 12, /no hash database magic/);
    throwsAt(new Uint8Array(100), 0, /too small/);
  });

  it('unsupported version, page size, page type, encryption, checksums', () => {
    const cases: [number, number, RegExp][] = [
      [16, 7, /unsupported hash version 7/],
      [20, 0x1000 + 1, /page size/],
      [24, 1, /encrypted/],
      [26, 1, /checksums/],
    ];
    for (const [at, value, message] of cases) {
      const b = fixture('bdb/Packages');
      const v = new DataView(b.buffer);
      if (at >= 24) b[at] = value;
      else v.setUint32(at, value, true);
      throwsAt(b, at, message);
    }
    const b = fixture('bdb/Packages');
    b[25] = 9;
    throwsAt(b, 25, /not hash metadata/);
  });

  it('a last page or max bucket beyond the file', () => {
    const b = fixture('bdb/Packages');
    new DataView(b.buffer).setUint32(32, 1000, true);
    throwsAt(b, 32, /last page 1000 beyond/);
    throwsAt(b.subarray(0, 4096 * 3), 32, /beyond the file's 3 pages/);
    const c = fixture('bdb/Packages');
    new DataView(c.buffer).setUint32(72, 0xffffffff, true);
    throwsAt(c, 72, /max bucket/);
  });

  it('a loop in an overflow chain becomes a note; the other packages are read', () => {
    const b = fixture('bdb512/Packages');
    const { v, list } = pages(b);
    const chain = list.find((p) => p.type === PAGE_TYPE.OVERFLOW && p.next !== 0)!;
    v.setUint32(chain.at + 16, chain.pgno, true);
    const { blobs, notes } = readBdbPackages(b);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/overflow chain loops back to page \d+ \(offset \d+\); item skipped/);
    expect(blobs.length).toBe(sqliteByInstance.size - 1);
  });

  it('an overflow chain that leaves the file, ends early, or meets a non-overflow page', () => {
    for (const [next, message] of [
      [0xfffffff, /page number 268435455 outside the file/],
      [0, /overflow chain ends after/],
    ] as const) {
      const b = fixture('bdb512/Packages');
      const { v, list } = pages(b);
      const chain = list.find((p) => p.type === PAGE_TYPE.OVERFLOW && p.next !== 0)!;
      v.setUint32(chain.at + 16, next, true);
      const { notes } = readBdbPackages(b);
      expect(notes.join('\n')).toMatch(message);
      expect(notes.join('\n')).toMatch(/\(offset \d+\)/);
    }
    const b = fixture('bdb512/Packages');
    const { list } = pages(b);
    const chain = list.find((p) => p.type === PAGE_TYPE.OVERFLOW && p.next !== 0)!;
    b[chain.next * 512 + 25] = PAGE_TYPE.HASH;
    expect(readBdbPackages(b).notes.join('\n')).toMatch(/in an overflow chain has type 13 \(offset \d+\)/);
  });

  it('a page claiming to be another page, or too many items, or bad item offsets', () => {
    const b = fixture('bdb/Packages');
    const { v, list } = pages(b);
    const hash = list.find((p) => p.type === PAGE_TYPE.HASH || p.type === PAGE_TYPE.HASH_UNSORTED)!;
    v.setUint32(hash.at + 8, 77, true);
    expect(readBdbPackages(b).notes.join('\n')).toContain(`says it is page 77 (offset ${hash.at + 8})`);

    const c = fixture('bdb/Packages');
    new DataView(c.buffer).setUint16(hash.at + 20, 5000, true);
    expect(readBdbPackages(c).notes.join('\n')).toContain(`claims 5000 items (offset ${hash.at + 20})`);

    const d = fixture('bdb/Packages');
    new DataView(d.buffer).setUint16(hash.at + 26, 4096, true);
    expect(readBdbPackages(d).notes.join('\n')).toContain(`out of order or bounds (offset ${hash.at + 26})`);
  });

  it('a bucket chain that loops', () => {
    const b = fixture('bdb/Packages');
    const { v, list } = pages(b);
    const hash = list.find((p) => p.type === PAGE_TYPE.HASH || p.type === PAGE_TYPE.HASH_UNSORTED)!;
    v.setUint32(hash.at + 16, hash.pgno, true);
    expect(readBdbPackages(b).notes.join('\n')).toMatch(/chain reaches page \d+ twice \(offset \d+\)/);
  });

  it('never throws anything but RpmdbFormatError on mutated files', () => {
    const rand = prng(0xbdb);
    const seeds = [fixture('bdb/Packages'), fixture('bdb512/Packages')];
    for (let n = 0; n < 1500; n++) {
      const b = seeds[n % 2]!.slice();
      const size = n % 2 ? 512 : 4096;
      for (let e = 0; e < 1 + Math.floor(rand() * 6); e++) {
        const pageNo = Math.floor(rand() * (b.length / size));
        const within = rand() < 0.6 ? Math.floor(rand() * 64) : Math.floor(rand() * size);
        b[pageNo * size + within] = Math.floor(rand() * 256);
      }
      try {
        readBdbPackages(b);
      } catch (err) {
        if (!(err instanceof RpmdbFormatError)) throw err;
      }
    }
  });
});
