import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { importFeed } from '../../../shared/feeds/import.ts';
import { buildFeedIndex, type FeedIndex } from '../../../shared/feeds/index.ts';
import {
  deserializeFeedIndex,
  loadFeedIndex,
  saveFeedIndex,
  serializeFeedIndex,
} from '../../../shared/feeds/index-store.ts';
import type { Advisory, Feed } from '../../../shared/feeds/types.ts';

/** Section name → [byte offset, byte length], read the way the format lays them out. */
function sections(bytes: Uint8Array): Map<string, [number, number]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length)));
  const out = new Map<string, [number, number]>();
  let at = Math.ceil((16 + length) / 8) * 8;
  for (const [name, size] of header.sections as [string, number][]) {
    out.set(name, [at, size]);
    at = Math.ceil((at + size) / 8) * 8;
  }
  return out;
}

/** The document laid out again with section `name` replaced (or left out when `body` is undefined). */
function rebuilt(bytes: Uint8Array, name: string, body: Uint8Array | undefined): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + view.getUint32(12, true))));
  const parts: [string, Uint8Array][] = [];
  for (const [section, [at, size]] of sections(bytes)) {
    if (section !== name) parts.push([section, bytes.subarray(at, at + size)]);
    else if (body) parts.push([section, body]);
  }
  header.sections = parts.map(([section, b]) => [section, b.length]);
  const head = new TextEncoder().encode(JSON.stringify(header));
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let size = align(16 + head.length);
  for (const [, b] of parts) size = align(size + b.length);
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(12, head.length, true);
  out.set(head, 16);
  let at = align(16 + head.length);
  for (const [, b] of parts) {
    out.set(b, at);
    at = align(at + b.length);
  }
  return out;
}

/** A copy of `bytes` with int32 `i` of section `name` set to `value`. */
function withInt(bytes: Uint8Array, name: string, i: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const [offset] = sections(copy).get(name)!;
  new DataView(copy.buffer).setInt32(offset + i * 4, value, true);
  return copy;
}

function intAt(bytes: Uint8Array, name: string, i: number): number {
  const [offset] = sections(bytes).get(name)!;
  return new DataView(bytes.buffer, bytes.byteOffset).getInt32(offset + i * 4, true);
}

const osvFeed = (advisories: Advisory[]): Feed => ({
  kind: 'osv',
  source: { location: 'test' },
  advisories,
  notes: [],
});

const simple = (id: string, pkg: string, fixed: string, extra: Partial<Advisory> = {}): Advisory => ({
  id,
  aliases: [],
  ecosystem: 'Debian:12',
  package: pkg,
  kind: 'security',
  status: 'affected',
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
  versions: [],
  severity: { cvss: [] },
  ...extra,
});

/** Every lookup of `a` answered the same by `b`. */
function expectSameAnswers(a: FeedIndex, b: FeedIndex) {
  for (const key of a.data.availableKeys.keys()) {
    const [release, name] = key.split('\u0000') as [string, string];
    expect(b.availableVersions(release, name)).toEqual(a.availableVersions(release, name));
  }
  for (const key of a.data.advisoryKeys.keys()) {
    const [ecosystem, name] = key.split('\u0000') as [string, string];
    expect(b.advisoriesFor(ecosystem, name)).toEqual(a.advisoriesFor(ecosystem, name));
  }
  expect(b.feeds).toEqual(a.feeds);
  expect(b.stats()).toEqual(a.stats());
  expect(b.releases()).toEqual(a.releases());
  expect(b.ecosystems()).toEqual(a.ecosystems());
}

describe('the binary feed index (version 2)', () => {
  let index: FeedIndex;
  let bytes: Uint8Array;
  beforeAll(async () => {
    index = buildFeedIndex([
      ...(await importFeed('test/fixtures/feeds/debian-mirror')),
      ...(await importFeed('test/fixtures/feeds/rpm-repo')),
      ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main/x86_64/APKINDEX.tar.gz')),
      ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main.json')),
      ...(await importFeed('test/fixtures/feeds/osv/records')),
      osvFeed([simple('NON-ASCII-1', 'café-src', '1.0-1', { summary: 'déjà vu: ünïcödé summary' })]),
    ]);
    bytes = serializeFeedIndex(index);
  });

  it('answers every lookup as the index it was written from, and gives back the same plain body', () => {
    const loaded = deserializeFeedIndex(bytes);
    expectSameAnswers(index, loaded);
    expect(loaded.availableVersions('Debian:12', 'no-such-package')).toEqual([]);
    expect(loaded.advisoriesFor('Debian:12', 'no-such-package')).toEqual([]);
    expect(loaded.advisoriesFor('Debian:12', 'café-src')[0]?.summary).toBe('déjà vu: ünïcödé summary');
    expect(loaded.data.strings).toEqual(index.data.strings);
    expect(loaded.data.availableKeys).toEqual(index.data.availableKeys);
    expect(loaded.data.advisoryKeys).toEqual(index.data.advisoryKeys);
    expect(loaded.data.entries).toEqual(index.data.entries);
    // Written again from the loaded index: the same bytes.
    expect(Buffer.from(serializeFeedIndex(loaded)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('keeps strings and keys that are not well-formed UTF-16 (lone surrogates), exactly', () => {
    const odd = buildFeedIndex([
      osvFeed([
        simple('LONE-1', 'pkg\ud800', '1.0-1', { summary: 'half a pair: \udc00', aliases: ['CVE-\ud83d'] }),
        simple('LONE-2', 'pkg\ud801', '1.0-2'),
        simple('PAIR-1', 'pkg\ud83d\ude00', '1.0-3'),
      ]),
    ]);
    const loaded = deserializeFeedIndex(serializeFeedIndex(odd));
    expectSameAnswers(odd, loaded);
    expect(loaded.advisoriesFor('Debian:12', 'pkg\ud800')[0]).toMatchObject({
      id: 'LONE-1',
      summary: 'half a pair: \udc00',
      aliases: ['CVE-\ud83d'],
    });
    expect(loaded.advisoriesFor('Debian:12', 'pkg\ud801')[0]?.id).toBe('LONE-2');
    expect(loaded.advisoriesFor('Debian:12', 'pkg\ufffd')).toEqual([]);
    expect(loaded.data.strings).toEqual(odd.data.strings);
  });

  it('is read inside gzip too, and through the object store', async () => {
    expectSameAnswers(index, deserializeFeedIndex(gzipSync(bytes)));
    const dir = await mkdtemp(join(tmpdir(), 'idx-bin-'));
    try {
      const store = new FsObjectStore(dir);
      await saveFeedIndex(store, 'feeds/index.json.gz', index);
      const object = await store.get('feeds/index.json.gz');
      expect(new TextDecoder().decode(object!.body.subarray(0, 8))).toBe('OBFEEDIX');
      expectSameAnswers(index, (await loadFeedIndex(store, 'feeds/index.json.gz'))!);
      // A store written before the binary format: the version 1 document is read as it is.
      await store.put('old/index.json.gz', serializeFeedIndex(index, { encoding: 'json' }));
      expectSameAnswers(index, (await loadFeedIndex(store, 'old/index.json.gz'))!);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses documents that are cut short, of another version, or with a broken header', () => {
    expect(() => deserializeFeedIndex(bytes.subarray(0, 12))).toThrow(/not an Outboard feed index/);
    expect(() => deserializeFeedIndex(bytes.subarray(0, 200))).toThrow(/runs past the end/);
    const cut = sections(bytes).get('meta')!;
    expect(() => deserializeFeedIndex(bytes.subarray(0, cut[0] + 4))).toThrow(/section meta runs past/);
    const v3 = Uint8Array.from(bytes);
    new DataView(v3.buffer).setUint32(8, 3, true);
    expect(() => deserializeFeedIndex(v3)).toThrow(/version 3 is not 2/);
    const header = Uint8Array.from(bytes);
    header[16] = 0xff;
    expect(() => deserializeFeedIndex(header)).toThrow(/header is not UTF-8 JSON/);
  });

  it('refuses text that is not UTF-8 or cut inside a character', () => {
    const [at, size] = sections(bytes).get('strings.bytes')!;
    const broken = Uint8Array.from(bytes);
    broken[at + size - 1] = 0xff;
    expect(() => deserializeFeedIndex(broken)).toThrow(/strings is not UTF-8/);
    const id = index.data.strings.indexOf('déjà vu: ünïcödé summary');
    const start = intAt(bytes, 'strings.offsets', id);
    // Start the string one byte later: inside the two bytes of "é".
    const split = deserializeFeedIndex(withInt(bytes, 'strings.offsets', id, start + 2));
    expect(() => split.advisoriesFor('Debian:12', 'café-src')).toThrow(
      /string \d+ has a malformed byte range/,
    );
    expect(() => deserializeFeedIndex(withInt(bytes, 'strings.offsets', 0, 1))).toThrow(/do not cover/);
    const backwards = withInt(bytes, 'strings.offsets', 2, intAt(bytes, 'strings.offsets', 1) - 1);
    expect(() => deserializeFeedIndex(backwards).data).toThrow(/string 1 has a malformed byte range/);
  });

  it('refuses spans, counts and ranks that point outside their tables when they are read', () => {
    const loaded = deserializeFeedIndex(withInt(bytes, 'available.keys.start', 0, 1 << 30));
    const [release, name] = [...index.data.availableKeys.keys()][0]!.split('\u0000') as [string, string];
    expect(() => loaded.availableVersions(release, name)).toThrow(/available key 0 points past its table/);

    const glibc = index.advisoryRows().key('Debian:12', 'glibc');
    expect(glibc).toBeGreaterThanOrEqual(0);
    const past = deserializeFeedIndex(withInt(bytes, 'advisory.keys.start', glibc, 1 << 30));
    expect(() => past.advisoriesFor('Debian:12', 'glibc')).toThrow(/points past its table/);
    expect(() => past.advisoryRows().span('Debian:12', 'glibc')).toThrow(/points past its table/);

    const none = deserializeFeedIndex(withInt(bytes, 'advisory.keys.rows', glibc, 0));
    expect(() => none.advisoryRows().span('Debian:12', 'glibc')).toThrow(/has 0 rows for \d+ ints/);
    const more = withInt(bytes, 'advisory.keys.rows', glibc, intAt(bytes, 'advisory.keys.rows', glibc) + 1);
    expect(() => deserializeFeedIndex(more).advisoryRows().span('Debian:12', 'glibc')).toThrow(
      /outside its key's entries|rows point past/,
    );
    const meta = deserializeFeedIndex(
      withInt(bytes, 'rows.meta', intAt(bytes, 'advisory.keys.first', glibc), -5),
    );
    expect(() => meta.advisoryRows().span('Debian:12', 'glibc')).toThrow(/advisory metadata -5 is missing/);
    const rows = deserializeFeedIndex(bytes).advisoryRows();
    const first = rows.start(rows.span('Debian:12', 'glibc'));
    const badRank = deserializeFeedIndex(withInt(bytes, 'ranks.rows', first, 99));
    expect(() => badRank.advisoryRows().span('Debian:12', 'glibc')).toThrow(/rank 99/);
    const badScheme = deserializeFeedIndex(withInt(bytes, 'ranks.scheme', glibc, 7));
    expect(() => badScheme.advisoryRows().span('Debian:12', 'glibc')).toThrow(/unknown scheme 7/);
    // Untouched keys still read.
    expect(badRank.advisoryRows().count(badRank.advisoryRows().span('Debian:12', 'fixture-pkg'))).toBe(1);
  });

  it('checks a key found through the stored hash table against its bytes: a damaged table only misses', () => {
    const [at, size] = sections(bytes).get('advisory.keys.slots')!;
    // Every slot pointing at key 0: lookups of other keys miss, key 0 is still found, nothing loops.
    const same = Uint8Array.from(bytes);
    for (let i = 0; i < size; i += 4) new DataView(same.buffer).setInt32(at + i, 1, true);
    const first = [...index.data.advisoryKeys.keys()][0]!.split('\u0000') as [string, string];
    const loaded = deserializeFeedIndex(same);
    expect(loaded.advisoriesFor('Debian:12', 'glibc')).toEqual([]);
    expect(loaded.advisoriesFor(...first)).toEqual(index.advisoriesFor(...first));
    // The slot of glibc's key holding a number past the table: refused when probed.
    const glibc = index.advisoryRows().key('Debian:12', 'glibc');
    let slot = 0;
    while (intAt(bytes, 'advisory.keys.slots', slot) !== glibc + 1) slot++;
    const wild = deserializeFeedIndex(withInt(bytes, 'advisory.keys.slots', slot, 1 << 30));
    expect(() => wild.advisoriesFor('Debian:12', 'glibc')).toThrow(
      `advisory key slot ${slot} holds ${1 << 30}`,
    );
    // A slot table whose size is not a power of two is refused at once.
    expect(() => deserializeFeedIndex(rebuilt(bytes, 'advisory.keys.slots', new Uint8Array(12)))).toThrow(
      /advisory key slots are not a power of two/,
    );
  });

  it('refuses a document with a section missing or of the wrong size', () => {
    expect(() => deserializeFeedIndex(rebuilt(bytes, 'rows.meta', undefined))).toThrow(
      /section rows.meta is missing/,
    );
    expect(() => deserializeFeedIndex(rebuilt(bytes, 'rows.meta', new Uint8Array(8)))).toThrow(
      /rows.meta has 2 values for \d+ rows/,
    );
    expect(() => deserializeFeedIndex(rebuilt(bytes, 'entries', new Uint8Array(6)))).toThrow(
      /not whole int32s/,
    );
    expect(() => deserializeFeedIndex(rebuilt(bytes, 'ranks.scheme', new Uint8Array(4)))).toThrow(
      /ranks.scheme has 1 values for \d+ keys/,
    );
  });
});
