/**
 * Broken archives: the top-level archive's broken structure is an ArchiveFormatError naming format,
 * path and offset; a broken member or a broken archive nested inside is a not-scanned item and the
 * rest is still read. Nothing else is ever thrown, whatever the bytes.
 */
import { readdirSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveFormatError } from '../../../../shared/antivirus/archives/index.ts';
import {
  buildTar,
  buildZip,
  collect,
  concat,
  FIXTURES,
  fixture,
  gzipMember,
  le16,
  le32,
  summary,
  text,
} from './support.ts';

async function rejection(data: Uint8Array, path = 'bad'): Promise<ArchiveFormatError> {
  const err = await collect(data, path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArchiveFormatError);
  return err as ArchiveFormatError;
}

const two = [
  { name: 'a.txt', data: text('alpha') },
  { name: 'b.txt', data: text('bravo') },
];

/** Offset of the first central directory entry, end record, … of a built zip. */
const find = (data: Uint8Array, sig: number) =>
  data.findIndex(
    (_, i) =>
      new DataView(data.buffer, data.byteOffset).getUint32(Math.min(i, data.length - 4), true) === sig,
  );

describe('not an archive', () => {
  it('is refused with the path', async () => {
    const err = await rejection(text('just some text'), 'notes.txt');
    expect(err.message).toBe('archive notes.txt: not a zip, gzip or tar archive (no magic bytes match)');
  });
});

describe('zip structure', () => {
  it('an end record listing more entries than its directory can hold', async () => {
    const zip = buildZip(two);
    const end = find(zip, 0x06054b50);
    zip.set(le16(500), end + 10);
    const err = await rejection(zip, 'z.zip');
    expect(err).toMatchObject({ format: 'zip', path: 'z.zip', offset: end });
    expect(err.message).toMatch(/lists 500 entries, more than \d+ bytes of directory can hold/);
  });

  it('a directory entry without its signature', async () => {
    const zip = buildZip(two);
    const central = find(zip, 0x02014b50);
    zip.set(le32(0x12345678), central + 46 + 5);
    const err = await rejection(zip, 'z.zip');
    expect(err.message).toMatch(/central entry 1: signature is 0x[0-9a-f]{8}, expected 0x02014b50/);
  });

  it('a directory offset that runs past the end record', async () => {
    const zip = buildZip(two);
    const end = find(zip, 0x06054b50);
    zip.set(le32(zip.length), end + 16);
    expect((await rejection(zip)).message).toMatch(/central directory .* runs past its end record/);
  });

  it('a multi-disk zip', async () => {
    const zip = buildZip(two);
    zip.set(le16(1), find(zip, 0x06054b50) + 4);
    expect((await rejection(zip)).message).toMatch(/spans several disks/);
  });

  it('zip64 sizes without a zip64 extra field', async () => {
    const zip = buildZip(two);
    zip.set(le32(0xffffffff), find(zip, 0x02014b50) + 24);
    expect((await rejection(zip)).message).toMatch(
      /central entry 0: sizes say zip64 but there is no zip64 extra field/,
    );
  });
});

describe('zip members', () => {
  it('a local header that is not there makes that member unreadable; the others are read', async () => {
    const zip = buildZip(two);
    zip.set(le32(0), 0); // First local header signature gone (detection still sees the end record).
    zip.set(text('PK\u0005\u0006'), 0);
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual(['z/a.txt !unreadable', 'z/b.txt = bravo']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toBe(
      'no local header signature at offset 0',
    );
  });

  it('corrupt deflate data, a stored size that disagrees, data past the end', async () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const zip = buildZip([
      { name: 'bad-deflate', data: text('xxxxxx'), method: 8, stored: garbage },
      { name: 'bad-stored', data: text('abc'), declaredSize: 10 },
      { name: 'ok', data: text('fine') },
    ]);
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual(['z/bad-deflate !unreadable', 'z/bad-stored !unreadable', 'z/ok = fine']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(/deflate data is corrupt/);
    expect(items[1]!.kind === 'not-scanned' && items[1]!.detail).toBe(
      'stored member is 3 bytes but declares 10',
    );
  });

  it('deflate data cut short', async () => {
    const full = deflateRawSync(text('a sentence long enough to need more than a few bytes of deflate'));
    const zip = buildZip([
      { name: 'cut', data: text('x'.repeat(63)), method: 8, stored: full.subarray(0, 8) },
    ]);
    expect(summary(await collect(zip, 'z'))).toEqual(['z/cut !unreadable']);
  });
});

describe('gzip', () => {
  it('reserved flags and a cut-short header are structural errors', async () => {
    const member = gzipMember(text('x'));
    const reserved = member.slice();
    reserved[3] = 0x20;
    expect((await rejection(reserved, 'r.gz')).message).toBe(
      'gzip r.gz at offset 3: reserved header flag bits are set (flags 0x20)',
    );
    const noName = concat([new Uint8Array([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3]), text('name-without-end')]);
    expect((await rejection(noName)).message).toMatch(/file name has no terminating NUL/);
  });

  it('corrupt deflate data or a missing trailer make the member unreadable', async () => {
    const member = gzipMember(text('hello hello hello hello'));
    const noTrailer = member.subarray(0, member.length - 8);
    expect(summary(await collect(noTrailer, 'g'))).toEqual(['g/data !unreadable']);
    const broken = member.slice();
    broken[10] = 0xff;
    broken[11] = 0xff;
    const items = await collect(broken, 'g');
    expect(summary(items)).toEqual(['g/data !unreadable']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(
      /^member 1 at offset 10: deflate data is corrupt/,
    );
  });
});

describe('tar', () => {
  const tar = buildTar([
    { name: 'one.txt', data: text('first') },
    { name: 'two.txt', data: text('second') },
  ]);

  it('a later header with a bad checksum: the members before it come out, then the error', async () => {
    const broken = tar.slice();
    broken[1024] = broken[1024]! ^ 0x01; // Second header's name.
    const seen: string[] = [];
    const err = await (async () => {
      const { expandArchive } = await import('../../../../shared/antivirus/archives/index.ts');
      try {
        for await (const item of expandArchive(broken, { path: 't.tar' })) seen.push(item.path);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(['t.tar/one.txt']);
    expect(err).toBeInstanceOf(ArchiveFormatError);
    expect((err as Error).message).toBe('tar t.tar at offset 1024: header checksum does not match');
  });

  it('a member cut short is unreadable', async () => {
    const cut = tar.subarray(0, 1024 + 512 + 3);
    expect(summary(await collect(cut, 't'))).toEqual(['t/one.txt = first', 't/two.txt !unreadable']);
  });

  it('malformed pax records and size fields', async () => {
    const badPax = buildTar([
      { name: 'PaxHeader', data: text('99 path=x\n'), type: 'x' },
      { name: 'f', data: text('x') },
    ]);
    expect((await rejection(badPax)).message).toMatch(/pax record at byte 0 has a bad length/);
    const badSize = buildTar([{ name: 'f', data: text('x') }]);
    badSize.set(text('9'), 124);
    badSize.fill(0x20, 148, 156);
    const sum = badSize.subarray(0, 512).reduce((n, b) => n + b, 0);
    badSize.set(text(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    expect((await rejection(badSize)).message).toMatch(/at offset 0: size field is not a number/);
  });
});

describe('an archive nested inside', () => {
  it('that is broken is reported unreadable, and the outer archive goes on', async () => {
    const broken = buildZip(two);
    broken.set(le16(500), find(broken, 0x06054b50) + 10);
    const outer = buildZip([
      { name: 'inner.zip', data: broken },
      { name: 'after.txt', data: text('still read') },
    ]);
    const items = await collect(outer, 'o.zip');
    expect(items.map((i) => `${i.path} ${i.kind === 'entry' ? 'entry' : i.reason}`)).toEqual([
      'o.zip/inner.zip entry',
      'o.zip/inner.zip unreadable',
      'o.zip/after.txt entry',
    ]);
    expect(items[1]!.kind === 'not-scanned' && items[1]!.detail).toMatch(
      /^zip o\.zip\/inner\.zip at offset \d+: end record lists 500/,
    );
  });
});

describe('any bytes', () => {
  const archives = readdirSync(FIXTURES).filter((f) => /\.(zip|tar|gz|tgz)$/.test(f));

  it.each(archives)('%s cut at every 97th byte: completes or throws ArchiveFormatError', async (name) => {
    const whole = fixture(name);
    for (let end = 0; end < whole.length; end += 97) {
      await collect(whole.subarray(0, end), name).catch((err: unknown) => {
        if (!(err instanceof ArchiveFormatError)) throw err;
      });
    }
  });

  it.each(archives)(
    '%s with each of 300 bytes flipped: completes or throws ArchiveFormatError',
    async (name) => {
      const whole = fixture(name);
      for (let k = 0; k < 300; k++) {
        const at = Math.floor((k * 7919) % whole.length);
        const copy = whole.slice();
        copy[at] = copy[at]! ^ 0xff;
        await collect(copy, name).catch((err: unknown) => {
          if (!(err instanceof ArchiveFormatError)) throw err;
        });
      }
    },
  );
});
