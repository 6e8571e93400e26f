import { describe, expect, it } from 'vitest';
import { RpmdbFormatError } from '../../../../shared/inventory/rpm/errors.ts';
import { adler32, readNdbPackages } from '../../../../shared/inventory/rpm/ndb.ts';
import { fixture, packageHeader, prng, sqliteBlobs, writeNdb } from './helpers.ts';

const real = sqliteBlobs(fixture('sqlite/rpmdb.sqlite'));

function throwsAt(bytes: Uint8Array, offset: number, message: RegExp) {
  let err: unknown;
  try {
    readNdbPackages(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RpmdbFormatError);
  expect((err as RpmdbFormatError).offset).toBe(offset);
  expect((err as Error).message).toMatch(message);
}

/** Byte offset of the n-th blob (slot n) in a writeNdb image. */
function blobAt(bytes: Uint8Array, n: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(32 + n * 16 + 8, true) * 16;
}

describe('adler32', () => {
  it('matches the RFC 1950 reference values', () => {
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(new Uint8Array(100_000).fill(0xff))).toBe(adler32Slow());
  });
});

function adler32Slow(): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < 100_000; i++) {
    a = (a + 0xff) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('readNdbPackages', () => {
  it('returns every blob under its package index', () => {
    const { blobs, notes } = readNdbPackages(writeNdb(real));
    expect(notes).toEqual([]);
    expect(blobs.map((b) => b.instance)).toEqual(real.map((b) => b.instance));
    for (const [i, b] of blobs.entries()) expect(Buffer.from(b.blob).equals(real[i]!.blob)).toBe(true);
  });

  it('reads several slot pages and skips free slots', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      instance: i + 1,
      blob: packageHeader({ name: `p${i}`, version: '1', release: `${i}` }),
    }));
    const bytes = writeNdb(many);
    expect(new DataView(bytes.buffer).getUint32(12, true)).toBe(3);
    // Free the second slot: blkoff 0.
    new DataView(bytes.buffer).setUint32(32 + 16 + 8, 0, true);
    const { blobs, notes } = readNdbPackages(bytes);
    expect(notes).toEqual([]);
    expect(blobs).toHaveLength(599);
    expect(blobs.some((b) => b.instance === 2)).toBe(false);
  });

  it('rejects a bad header, version, slot page count or size', () => {
    const b = writeNdb(real);
    b[0] = 0;
    throwsAt(b, 0, /no RpmP magic/);
    const c = writeNdb(real);
    c[4] = 1;
    throwsAt(c, 4, /unsupported version 1/);
    const d = writeNdb(real);
    new DataView(d.buffer).setUint32(12, 1000, true);
    throwsAt(d, 12, /1000 slot pages do not fit/);
    const e = writeNdb(real);
    throwsAt(e.subarray(0, e.length - 1), e.length - 1, /not a multiple of 16/);
    throwsAt(new Uint8Array(10), 0, /too small/);
  });

  it('rejects a slot without magic or pointing outside the data area', () => {
    const b = writeNdb(real);
    b[32 + 16 * 3] = 0;
    throwsAt(b, 32 + 16 * 3, /slot without Slot magic/);
    const c = writeNdb(real);
    new DataView(c.buffer).setUint32(32 + 8, 1, true);
    throwsAt(c, 32, /outside the data area/);
    const d = writeNdb(real);
    new DataView(d.buffer).setUint32(32 + 12, 0x7fffffff, true);
    throwsAt(d, 32, /outside the data area/);
  });

  it('skips damaged blobs with a note naming the offset', () => {
    const cases: [(v: DataView, at: number, bytes: Uint8Array) => void, RegExp][] = [
      [(v, at) => v.setUint32(at, 0, true), /blob without BlbS magic \(offset (\d+)\)/],
      [(v, at) => v.setUint32(at + 4, 99, true), /blob belongs to package 99/],
      [(v, at) => v.setUint32(at + 12, 5, true), /blob length 5 does not match/],
      [
        (v, at) => {
          const blocks = v.getUint32(32 + 12, true);
          v.setUint32(at + blocks * 16 - 4, 0, true);
        },
        /without BlbE magic/,
      ],
      [
        (v, at) => {
          const blocks = v.getUint32(32 + 12, true);
          v.setUint32(at + blocks * 16 - 8, 1, true);
        },
        /tail length 1 differs/,
      ],
    ];
    for (const [damage, message] of cases) {
      const bytes = writeNdb(real);
      damage(new DataView(bytes.buffer), blobAt(bytes, 0), bytes);
      const { blobs, notes } = readNdbPackages(bytes);
      expect(blobs).toHaveLength(real.length - 1);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(message);
      expect(notes[0]).toMatch(/\(offset \d+\); skipped$/);
    }
  });

  it('notes an adler32 mismatch and still returns the blob (rpm does not check on reads)', () => {
    const bytes = writeNdb(real);
    const at = blobAt(bytes, 1) + 16 + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    const { blobs, notes } = readNdbPackages(bytes);
    expect(blobs).toHaveLength(real.length);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/adler32 [0-9a-f]+ does not match [0-9a-f]+ \(offset \d+\); read anyway/);
  });

  it('notes a second slot for the same package', () => {
    const bytes = writeNdb([real[0]!, { ...real[1]!, instance: real[0]!.instance }]);
    const { blobs, notes } = readNdbPackages(bytes);
    expect(blobs).toHaveLength(1);
    expect(notes[0]).toMatch(/a second slot for the same package \(offset 48\)/);
  });

  it('never throws anything but RpmdbFormatError on mutated files', () => {
    const rand = prng(0x0db);
    const seed = writeNdb(real);
    for (let n = 0; n < 1500; n++) {
      const b = seed.slice();
      for (let e = 0; e < 1 + Math.floor(rand() * 4); e++) {
        const at = rand() < 0.5 ? Math.floor(rand() * 200) : Math.floor(rand() * b.length);
        b[at] = Math.floor(rand() * 256);
      }
      try {
        readNdbPackages(b);
      } catch (err) {
        if (!(err instanceof RpmdbFormatError)) throw err;
      }
    }
  });
});
