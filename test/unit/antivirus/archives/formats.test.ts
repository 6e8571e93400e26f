/**
 * Zip, gzip and tar read from archives the real tools wrote (Info-ZIP zip, GNU tar, gzip; see
 * test/fixtures/antivirus/archives/make-fixtures.sh) and from hand-built ones for the fields the tools
 * do not write on their own (zip64 end records, prepended bytes, gzip header fields).
 */
import { describe, expect, it } from 'vitest';
import { detectArchive } from '../../../../shared/antivirus/archives/index.ts';
import { buildZip, collect, concat, fixture, gzipMember, summary, text } from './support.ts';

const LONG =
  'd1234567890123456789012345678901234567890/n1234567890123456789012345678901234567890123456789012345678901234567890.txt';
const NOISE = fixtureNoise();

/** The 20,480 pseudo-random printable bytes of sub/noise.bin, regenerated as make-fixtures.sh makes them. */
function fixtureNoise(): Uint8Array {
  const out = new Uint8Array(20480);
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = 32 + (x % 90);
  }
  return out;
}

/** Entries of an expansion as path → bytes. */
async function entries(name: string): Promise<Map<string, Uint8Array>> {
  const items = await collect(fixture(name), name);
  const map = new Map<string, Uint8Array>();
  for (const item of items) {
    expect(item.kind, `${item.path}: ${item.kind === 'not-scanned' ? item.detail : ''}`).toBe('entry');
    if (item.kind === 'entry') map.set(item.path, item.data);
  }
  return map;
}

const decode = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('zip written by Info-ZIP', () => {
  it.each(['plain.zip', 'stored.zip', 'zip64.zip', 'descriptors.zip'])(
    '%s: every file, byte for byte',
    async (name) => {
      const files = await entries(name);
      expect(decode(files.get(`${name}/hello.txt`))).toBe('hello from outboard\n');
      expect(decode(files.get(`${name}/sub/nested.txt`))).toBe('nested file\n');
      expect(files.get(`${name}/sub/noise.bin`)).toEqual(NOISE);
      // Directories are not members to scan.
      expect([...files.keys()].some((p) => p.endsWith('/'))).toBe(false);
    },
  );

  it('keeps names longer than 100 bytes whole', async () => {
    const files = await entries('plain.zip');
    expect(decode(files.get(`plain.zip/${LONG}`))).toBe('a file with a long name\n');
    expect(files.size).toBe(4);
  });

  it('reports encrypted members as encrypted, not as clean or corrupt', async () => {
    const items = await collect(fixture('encrypted.zip'), 'e.zip');
    expect(items.map((i) => [i.path, i.kind === 'not-scanned' ? i.reason : 'entry'])).toEqual([
      ['e.zip/hello.txt', 'encrypted'],
      ['e.zip/sub/noise.bin', 'encrypted'],
      ['e.zip/sub/nested.txt', 'encrypted'],
    ]);
  });

  it('reads the stored member of a bzip2 zip and names the method it cannot read', async () => {
    const items = await collect(fixture('bzip2.zip'), 'b.zip');
    expect(summary(items)).toEqual([
      'b.zip/hello.txt = hello from outboard\n',
      'b.zip/sub/noise.bin !unreadable',
    ]);
    const bzip = items[1]!;
    expect(bzip.kind === 'not-scanned' && bzip.detail).toMatch(
      /compression method 12 \(bzip2\) is not supported/,
    );
  });

  it('walks local headers and data descriptors when the central directory is cut off', async () => {
    const whole = fixture('descriptors.zip');
    const directory = lastIndexOf(whole, [0x50, 0x4b, 0x01, 0x02], true);
    const items = await collect(whole.subarray(0, directory), 'cut.zip');
    expect(summary(items)).toEqual([
      'cut.zip/hello.txt = hello from outboard\n',
      `cut.zip/sub/noise.bin = ${new TextDecoder().decode(NOISE)}`,
      'cut.zip/sub/nested.txt = nested file\n',
    ]);
  });
});

describe('zip fields built by hand', () => {
  const members = [
    { name: 'a.txt', data: text('alpha') },
    { name: 'b.txt', data: text('bravo bravo bravo bravo'), method: 8 },
  ];
  const expected = ['z/a.txt = alpha', 'z/b.txt = bravo bravo bravo bravo'];

  it('zip64 extra fields in local headers and directory, zip64 end record and locator', async () => {
    const zip = buildZip(
      members.map((m) => ({ ...m, zip64: true })),
      { zip64End: true },
    );
    expect(summary(await collect(zip, 'z'))).toEqual(expected);
  });

  it('bytes prepended to the zip (a self-extractor stub) shift every offset', async () => {
    // The stub starts with a local header signature so the bytes are still told apart as a zip.
    const stub = concat([new Uint8Array([0x50, 0x4b, 3, 4]), new Uint8Array(1000).fill(0x90)]);
    expect(summary(await collect(buildZip(members, { prefix: stub }), 'z'))).toEqual(expected);
  });

  it('data descriptors with and without a central directory, zip64 descriptors included', async () => {
    const described = members.map((m) => ({ ...m, method: 8, descriptor: true }));
    const deflated = ['z/a.txt = alpha', 'z/b.txt = bravo bravo bravo bravo'];
    expect(summary(await collect(buildZip(described), 'z'))).toEqual(deflated);
    expect(summary(await collect(buildZip(described, { central: false }), 'z'))).toEqual(deflated);
    const zip64 = described.map((m) => ({ ...m, zip64: true }));
    expect(summary(await collect(buildZip(zip64, { central: false }), 'z'))).toEqual(deflated);
  });

  it('a stored member with a data descriptor and no directory ends the walk with a reason', async () => {
    const zip = buildZip(
      [
        { name: 'first.txt', data: text('one') },
        { name: 'streamed.txt', data: text('two'), descriptor: true },
        { name: 'third.txt', data: text('three') },
      ],
      { central: false },
    );
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual(['z/first.txt = one', 'z !unreadable']);
    expect(items[1]!.kind === 'not-scanned' && items[1]!.detail).toMatch(/streamed\.txt.*cannot be skipped/);
  });

  it('an empty zip (end record only) has no members', async () => {
    const empty = buildZip([]);
    expect(detectArchive(empty)).toBe('zip');
    expect(await collect(empty)).toEqual([]);
  });

  it('AES (method 99) and strong encryption count as encrypted; unknown methods are named by number', async () => {
    const zip = buildZip([
      { name: 'aes.bin', data: text('x'), method: 99, flags: 1 },
      { name: 'strong.bin', data: text('x'), flags: 0x40 },
      { name: 'odd.bin', data: text('x'), method: 77 },
    ]);
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual([
      'z/aes.bin !encrypted',
      'z/strong.bin !encrypted',
      'z/odd.bin !unreadable',
    ]);
    expect(items[2]!.kind === 'not-scanned' && items[2]!.detail).toMatch(
      /compression method 77 is not supported/,
    );
  });
});

describe('tar written by GNU tar', () => {
  it.each(['ustar.tar', 'gnu.tar', 'pax.tar'])('%s: regular files only, long names whole', async (name) => {
    const files = await entries(name);
    expect([...files.keys()]).toEqual([
      `${name}/hello.txt`,
      `${name}/sub/noise.bin`,
      `${name}/sub/nested.txt`,
      `${name}/${LONG}`,
    ]);
    expect(decode(files.get(`${name}/${LONG}`))).toBe('a file with a long name\n');
    expect(files.get(`${name}/sub/noise.bin`)).toEqual(NOISE);
  });

  it('v7 tar (no magic, directories as names ending in /)', async () => {
    const files = await entries('v7.tar');
    expect([...files.keys()]).toEqual(['v7.tar/hello.txt', 'v7.tar/sub/noise.bin', 'v7.tar/sub/nested.txt']);
  });

  it.each(['sparse-gnu.tar', 'sparse-pax.tar'])(
    '%s: a sparse member is not scanned, under its real name',
    async (name) => {
      const items = await collect(fixture(name), name);
      expect(summary(items)).toEqual([`${name}/holes.bin !unreadable`]);
      expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(/sparse/);
    },
  );

  it('members are views of the tar, not copies', async () => {
    const tar = fixture('ustar.tar');
    const [first] = await collect(tar);
    expect(first!.kind === 'entry' && first!.data.buffer).toBe(tar.buffer);
  });
});

describe('gzip', () => {
  it('is named after the stored name, else after the file without its suffix', async () => {
    expect(summary(await collect(fixture('hello.txt.gz'), 'x/renamed.gz'))).toEqual([
      'x/renamed.gz/hello.txt = hello from outboard\n',
    ]);
    expect(summary(await collect(fixture('noname.gz'), 'x/noname.gz'))).toEqual([
      'x/noname.gz/noname = nested file\n',
    ]);
    expect(summary(await collect(fixture('noname.gz'), 'x/archive.tgz'))).toEqual([
      'x/archive.tgz/archive.tar = nested file\n',
    ]);
    expect(summary(await collect(fixture('noname.gz'), 'blob'))).toEqual(['blob/data = nested file\n']);
  });

  it('joins every member of a multi-member gzip, as gzip -d does', async () => {
    expect(summary(await collect(fixture('multi.gz'), 'm.gz'))).toEqual([
      'm.gz/hello.txt = hello from outboard\nnested file\n',
    ]);
  });

  it('skips the extra field, comment and header CRC; ignores trailing zeros and garbage', async () => {
    const member = gzipMember(text('payload'), {
      name: 'dir/inner.txt',
      comment: 'a comment',
      extra: new Uint8Array([1, 2, 3, 4]),
      headerCrc: true,
    });
    expect(summary(await collect(concat([member, new Uint8Array(512)]), 'g'))).toEqual([
      'g/inner.txt = payload',
    ]);
    expect(summary(await collect(concat([member, text('garbage after')]), 'g'))).toEqual([
      'g/inner.txt = payload',
    ]);
  });

  it('a .tar.gz opens to the tar and then its members', async () => {
    const items = await collect(fixture('tree.tgz'), 'tree.tgz');
    expect(items.map((i) => (i.kind === 'entry' ? `${i.depth} ${i.container} ${i.path}` : i.path))).toEqual([
      '1 gzip tree.tgz/tree.tar',
      '2 tar tree.tgz/tree.tar/hello.txt',
      '2 tar tree.tgz/tree.tar/sub/noise.bin',
      '2 tar tree.tgz/tree.tar/sub/nested.txt',
    ]);
  });
});

describe('nesting', () => {
  it('opens archives inside archives depth first, yielding each archive before its members', async () => {
    const items = await collect(fixture('nested.tar.gz'), 'n.tgz');
    const paths = items.map((i) => (i.kind === 'entry' ? `${i.depth} ${i.path}` : `! ${i.path}`));
    expect(paths).toEqual([
      '1 n.tgz/n.tar',
      '2 n.tgz/n.tar/nested.zip',
      '3 n.tgz/n.tar/nested.zip/tree.tgz',
      '4 n.tgz/n.tar/nested.zip/tree.tgz/tree.tar',
      '5 n.tgz/n.tar/nested.zip/tree.tgz/tree.tar/hello.txt',
      '5 n.tgz/n.tar/nested.zip/tree.tgz/tree.tar/sub/noise.bin',
      '5 n.tgz/n.tar/nested.zip/tree.tgz/tree.tar/sub/nested.txt',
      '3 n.tgz/n.tar/nested.zip/plain.zip',
      '4 n.tgz/n.tar/nested.zip/plain.zip/hello.txt',
      '4 n.tgz/n.tar/nested.zip/plain.zip/sub/noise.bin',
      '4 n.tgz/n.tar/nested.zip/plain.zip/sub/nested.txt',
      `4 n.tgz/n.tar/nested.zip/plain.zip/${LONG}`,
    ]);
  });
});

describe('detectArchive', () => {
  it('tells formats by magic bytes and a tar header by its checksum', () => {
    expect(detectArchive(fixture('plain.zip'))).toBe('zip');
    expect(detectArchive(fixture('hello.txt.gz'))).toBe('gzip');
    expect(detectArchive(fixture('tree.tgz'))).toBe('gzip');
    for (const tar of ['ustar.tar', 'gnu.tar', 'pax.tar', 'v7.tar'])
      expect(detectArchive(fixture(tar))).toBe('tar');
    expect(detectArchive(text('hello'))).toBeUndefined();
    expect(detectArchive(new Uint8Array(1024))).toBeUndefined();
    const badSum = fixture('ustar.tar').slice(0, 512);
    badSum[0] = badSum[0]! ^ 1;
    expect(detectArchive(badSum)).toBeUndefined();
  });
});

function lastIndexOf(haystack: Uint8Array, needle: number[], first = false): number {
  const hits: number[] = [];
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    hits.push(i);
  }
  return first ? hits[0]! : hits[hits.length - 1]!;
}
