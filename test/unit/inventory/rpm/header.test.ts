import { describe, expect, it } from 'vitest';
import {
  headerNumber,
  headerString,
  headerStrings,
  parseRpmHeader,
  RpmHeaderError,
  RpmTag,
} from '../../../../shared/inventory/rpm/header.ts';
import { buildHeader, fixture, prng, sqliteBlobs, type TagValue } from './helpers.ts';

const TAGS: TagValue[] = [
  { tag: 1000, type: 6, value: 'pkg' },
  { tag: 1001, type: 6, value: '1.0' },
  { tag: 1002, type: 6, value: '1' },
  { tag: 1003, type: 4, value: [3] },
  { tag: 1004, type: 9, value: ['hello'] },
  { tag: 1030, type: 3, value: [420, 493] },
  { tag: 1047, type: 8, value: ['a', 'b'] },
  { tag: 5009, type: 5, value: [1234567890123] },
  { tag: 5010, type: 7, value: new Uint8Array([1, 2, 3]) },
  { tag: 5011, type: 2, value: [7] },
];

/** The built header with accessors for mutating it: entry i (0 = region) fields and the data store. */
function base(tags = TAGS, region = true) {
  const blob = buildHeader(tags, { region });
  const v = new DataView(blob.buffer);
  const il = v.getUint32(0);
  const dl = v.getUint32(4);
  const dataStart = 8 + il * 16;
  const entry = (i: number) => 8 + i * 16;
  const offsetOf = (i: number) => v.getInt32(entry(i) + 8);
  return { blob, v, il, dl, dataStart, entry, offsetOf, trailer: dataStart + dl - 16 };
}

function rejects(blob: Uint8Array, offset: number, message: RegExp) {
  let err: unknown;
  try {
    parseRpmHeader(blob);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RpmHeaderError);
  expect((err as RpmHeaderError).message).toMatch(message);
  expect((err as RpmHeaderError).offset).toBe(offset);
  expect((err as RpmHeaderError).message).toContain(`(offset ${offset})`);
}

describe('parseRpmHeader', () => {
  it('reads every type from a built header with an immutable region', () => {
    const h = parseRpmHeader(base().blob);
    expect(h.region).toMatchObject({ tag: 63, entries: TAGS.length + 1 });
    expect(headerString(h, RpmTag.NAME)).toBe('pkg');
    expect(headerNumber(h, RpmTag.EPOCH)).toBe(3);
    expect(headerString(h, RpmTag.SUMMARY)).toBe('hello');
    expect(headerNumber(h, 1030)).toBe(420);
    expect(headerStrings(h, 1047)).toEqual(['a', 'b']);
    expect(headerNumber(h, 5009)).toBe(1234567890123);
    expect(headerNumber(h, 5011)).toBe(7);
    expect(h.entries.get(5010)?.length).toBe(3);
    expect(headerString(h, RpmTag.SOURCERPM)).toBeUndefined();
  });

  it('reads a header without a region', () => {
    const h = parseRpmHeader(base(TAGS, false).blob);
    expect(h.region).toBeUndefined();
    expect(headerString(h, RpmTag.VERSION)).toBe('1.0');
  });

  it('reads the real headers rpm wrote (region plus entries added at install)', () => {
    const blobs = sqliteBlobs(fixture('sqlite/rpmdb.sqlite'));
    expect(blobs.length).toBe(6);
    const names = blobs.map(({ blob }) => {
      const h = parseRpmHeader(blob);
      expect(h.region?.tag).toBe(63);
      return headerString(h, RpmTag.NAME);
    });
    expect(names.sort()).toEqual(['alpha', 'beta', 'beta-libs', 'big', 'gamma', 'gpg-pubkey']);
  });
});

describe('parseRpmHeader rejects malformed headers', () => {
  it('a blob shorter than its intro', () => rejects(new Uint8Array(7), 0, /shorter than its intro/));

  it('index count 0 or over 0xffff', () => {
    const b = base();
    b.v.setUint32(0, 0);
    rejects(b.blob, 0, /index count 0 out of range/);
    b.v.setUint32(0, 0x10000);
    rejects(b.blob, 0, /index count 65536 out of range/);
    b.v.setUint32(0, 0xffffffff);
    rejects(b.blob, 0, /out of range/);
  });

  it('data length over 256 MiB', () => {
    const b = base();
    b.v.setUint32(4, 0x10000000);
    rejects(b.blob, 4, /data length 268435456 out of range/);
  });

  it('a blob shorter than il and dl say', () => {
    const b = base();
    rejects(b.blob.subarray(0, b.blob.length - 1), 0, /truncated/);
  });

  it('trailing bytes after the data store', () => {
    const b = base();
    const longer = new Uint8Array(b.blob.length + 3);
    longer.set(b.blob);
    rejects(longer, b.blob.length, /3 trailing bytes/);
  });

  it('a region tag with the wrong type or count', () => {
    const b = base();
    b.v.setInt32(b.entry(0) + 4, 6);
    rejects(b.blob, b.entry(0), /region tag 63 has type 6/);
    const c = base();
    c.v.setUint32(c.entry(0) + 12, 17);
    rejects(c.blob, c.entry(0), /count 17/);
  });

  it('a region trailer outside the data store', () => {
    const b = base();
    b.v.setInt32(b.entry(0) + 8, b.dl - 15);
    rejects(b.blob, b.entry(0) + 8, /region trailer offset .* outside the data store/);
    b.v.setInt32(b.entry(0) + 8, -16);
    rejects(b.blob, b.entry(0) + 8, /outside the data store/);
  });

  it('a region trailer that is not a region entry', () => {
    const b = base();
    b.v.setInt32(b.trailer, 62);
    rejects(b.blob, b.trailer, /bad region trailer: tag 62/);
  });

  it('a region trailer claiming more entries than the header has', () => {
    const b = base();
    b.v.setInt32(b.trailer + 8, -(b.il + 1) * 16);
    rejects(b.blob, b.trailer + 8, /claims .* bytes of index/);
    b.v.setInt32(b.trailer + 8, -17);
    rejects(b.blob, b.trailer + 8, /claims 17 bytes/);
    b.v.setInt32(b.trailer + 8, 16);
    rejects(b.blob, b.trailer + 8, /claims/);
  });

  it('a tag below 100 (a second region, a negative tag)', () => {
    const b = base();
    b.v.setInt32(b.entry(1), 63);
    rejects(b.blob, b.entry(1), /invalid tag 63/);
    b.v.setInt32(b.entry(1), -1);
    rejects(b.blob, b.entry(1), /invalid tag -1/);
  });

  it('unknown types', () => {
    for (const type of [0, 10, 16, -1]) {
      const b = base();
      b.v.setInt32(b.entry(2) + 4, type);
      rejects(b.blob, b.entry(2) + 4, new RegExp(`unknown type ${type}`));
    }
  });

  it('misaligned INT16, INT32 and INT64 data', () => {
    for (const i of [4, 6, 8]) {
      const b = base();
      b.v.setInt32(b.entry(i) + 8, b.offsetOf(i) + 1);
      rejects(b.blob, b.entry(i) + 8, /misaligned/);
    }
  });

  it('offsets outside the data store', () => {
    const b = base();
    b.v.setInt32(b.entry(10) + 8, b.dl);
    rejects(b.blob, b.entry(10) + 8, /offset .* outside the data store/);
    const c = base();
    c.v.setInt32(c.entry(1) + 8, -1);
    rejects(c.blob, c.entry(1) + 8, /offset -1 outside the data store/);
    const d = base();
    d.v.setInt32(d.entry(1) + 8, 0x7fffffff);
    rejects(d.blob, d.entry(1) + 8, /outside the data store/);
  });

  it('counts of zero, too large, or overflowing the data store', () => {
    const b = base();
    b.v.setUint32(b.entry(4) + 12, 0);
    rejects(b.blob, b.entry(4) + 12, /count 0 out of range/);
    b.v.setUint32(b.entry(4) + 12, 0xffffffff);
    rejects(b.blob, b.entry(4) + 12, /count 4294967295 out of range/);
    b.v.setUint32(b.entry(4) + 12, 0x0fffffff);
    rejects(b.blob, b.entry(4) + 12, /overflow the data store/);
    const c = base();
    c.v.setUint32(c.entry(8) + 12, 0x4000000);
    rejects(c.blob, c.entry(8) + 12, /67108864 × 8 bytes overflow/);
  });

  it('a STRING with a count other than 1', () => {
    const b = base();
    b.v.setUint32(b.entry(1) + 12, 2);
    rejects(b.blob, b.entry(1) + 12, /STRING with count 2/);
  });

  it('strings without a NUL terminator', () => {
    const b = base([{ tag: 1000, type: 6, value: 'pkg' }], false);
    b.blob[b.blob.length - 1] = 0x78;
    rejects(b.blob, b.dataStart, /string without NUL terminator/);
    const c = base([{ tag: 1047, type: 8, value: ['a', 'b'] }], false);
    c.v.setUint32(c.entry(0) + 12, 3);
    rejects(c.blob, c.dataStart, /string without NUL terminator/);
    const d = base([{ tag: 1004, type: 9, value: ['x'] }], false);
    d.v.setUint32(d.entry(0) + 12, 0x0fffffff);
    rejects(d.blob, d.dataStart, /string without NUL terminator/);
  });

  it('entries whose data overlap', () => {
    const b = base();
    b.v.setInt32(b.entry(2) + 8, b.offsetOf(1) + 1);
    rejects(b.blob, b.entry(2) + 8, /overlaps the previous entry/);
  });

  it('data running into the region trailer', () => {
    const b = base();
    b.v.setUint32(b.entry(9) + 12, 3 + 8);
    rejects(b.blob, b.entry(9) + 8, /overlaps the region trailer/);
  });

  it('never throws anything but RpmHeaderError on mutated blobs', () => {
    const rand = prng(0xc0ffee);
    const seeds = [base().blob, ...sqliteBlobs(fixture('sqlite/rpmdb.sqlite')).map((b) => b.blob)];
    let rejected = 0;
    for (let n = 0; n < 4000; n++) {
      const src = seeds[n % seeds.length]!;
      let blob = src.slice();
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        const r = rand();
        if (r < 0.6) {
          // Bias towards the intro and the index, where the structure is.
          const limit = rand() < 0.7 ? Math.min(blob.length, 8 + 16 * 24) : blob.length;
          blob[Math.floor(rand() * limit)] = Math.floor(rand() * 256);
        } else if (r < 0.8) {
          blob = blob.subarray(0, Math.floor(rand() * blob.length));
        } else {
          const at = 8 + 16 * Math.floor(rand() * 8) + 4 * Math.floor(rand() * 4);
          if (at + 4 <= blob.length) {
            const specials = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0fffffff, 0xffff, 0x10000];
            new DataView(blob.buffer, blob.byteOffset).setUint32(
              at,
              specials[Math.floor(rand() * specials.length)]!,
            );
          }
        }
      }
      try {
        parseRpmHeader(blob);
      } catch (err) {
        if (!(err instanceof RpmHeaderError)) throw err;
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
