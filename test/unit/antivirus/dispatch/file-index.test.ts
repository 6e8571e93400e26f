import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileIndexFormatError } from '../../../../shared/antivirus/dispatch/errors.ts';
import {
  decodeFileIndex,
  encodeFileIndex,
  type FileIndexEntry,
  FileIndexWriter,
} from '../../../../shared/antivirus/dispatch/file-index.ts';
import { comparePaths } from '../../../../shared/antivirus/dispatch/paths.ts';

function entry(path: string, i = 0, over: Partial<FileIndexEntry> = {}): FileIndexEntry {
  return {
    path,
    ino: 1000 + i,
    size: i * 7,
    mtime: 1_700_000_000 + i / 1000,
    ctime: 1_700_000_100.123456,
    sha256: createHash('sha256').update(String(i)).digest('hex'),
    verdict: i % 5 === 0 ? 'infected' : 'clean',
    scannedAt: '2026-11-02T03:04:05.678Z',
    ...over,
  };
}

async function decodeAll(input: Uint8Array | AsyncIterable<Uint8Array>): Promise<FileIndexEntry[]> {
  const out: FileIndexEntry[] = [];
  for await (const e of decodeFileIndex(input)) out.push(e);
  return out;
}

const gz = (text: string) => gzipSync(text);
const HEADER = '{"format":"outboard-av-file-index","version":1}\n';

describe('file index round trip', () => {
  it('gives back exactly what was written, unicode paths and fractions included', async () => {
    const paths = [
      '/a',
      '/a/b',
      '/a/b/c',
      '/a-b',
      '/日本/ファイル',
      '/🦀/x',
      '/🦀\ud83e/lone',
      '/\uffff',
      '/x\ny',
    ];
    const entries = paths.sort(comparePaths).map((p, i) => entry(p, i));
    expect(await decodeAll(await encodeFileIndex(entries))).toEqual(entries);
  });

  it('reads an empty index', async () => {
    expect(await decodeAll(await encodeFileIndex([]))).toEqual([]);
  });

  it('stays small (under 60 bytes a file) and streams in chunks', async () => {
    const writer = new FileIndexWriter();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const dir = `/usr/share/doc/pkg-${String(Math.floor(i / 20)).padStart(5, '0')}`;
      writer.add(entry(`${dir}/file-${String(i % 20).padStart(2, '0')}.txt`, i));
    }
    const bytes = writer.finish();
    // The hashes (32 bytes of entropy each) dominate; paths and numbers compress well.
    expect(bytes.length).toBeLessThan(n * 60);
    const chunks = async function* () {
      for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
    };
    let count = 0;
    let last = '';
    for await (const e of decodeFileIndex(chunks())) {
      count++;
      last = e.path;
    }
    expect(count).toBe(n);
    expect(last).toBe('/usr/share/doc/pkg-00999/file-19.txt');
  });

  it('front-codes paths', async () => {
    const bytes = await encodeFileIndex([entry('/usr/lib/a'), entry('/usr/lib/b')]);
    const lines = gunzipSync(bytes).toString('utf8').split('\n');
    expect(JSON.parse(lines[2]!).slice(0, 2)).toEqual([9, 'b']);
  });
});

describe('file index writer', () => {
  it.each([
    ['out of order', [entry('/b'), entry('/a')], /does not follow/],
    ['a duplicate', [entry('/a'), entry('/a')], /does not follow/],
    ['walk order, not string order', [entry('/a-b'), entry('/a/x')], /does not follow/],
    ['a bad hash', [entry('/a', 0, { sha256: 'x' })], /sha256/],
    ['a relative path', [entry('a')], /absolute/],
    ['a fractional size', [entry('/a', 0, { size: 1.5 })], /size/],
  ])('refuses %s', async (_what, entries, message) => {
    await expect(encodeFileIndex(entries)).rejects.toThrow(message);
  });

  it('takes nothing after finish', () => {
    const w = new FileIndexWriter();
    w.finish();
    expect(() => w.add(entry('/a'))).toThrow(/after the index was finished/);
  });
});

describe('file index reader', () => {
  const line = (shared: number, suffix: string) =>
    `${JSON.stringify([shared, suffix, 1, 2, 3, 4, 'a'.repeat(64), 'c', '2026-01-01T00:00:00Z'])}\n`;

  it.each([
    ['not gzip', Buffer.from('hello'), /cannot be decompressed/],
    ['an empty file', gz(''), /is empty/],
    [
      'a foreign header',
      gz('{"format":"other","version":1}\n'),
      /line 1: is not an outboard-av-file-index header/,
    ],
    ['a newer version', gz('{"format":"outboard-av-file-index","version":2}\n'), /version 2/],
    [
      'a truncated index (no end marker)',
      gz(`${HEADER}${line(0, '/a')}`),
      /without its end marker after 1 entries/,
    ],
    ['a last line without newline', gz(`${HEADER}${line(0, '/a').trimEnd()}`), /truncated/],
    [
      'a wrong count',
      gz(`${HEADER}${line(0, '/a')}{"end":true,"entries":2}\n`),
      /line 3: the end marker counts 2/,
    ],
    [
      'lines after the end',
      gz(`${HEADER}{"end":true,"entries":0}\n${line(0, '/a')}`),
      /line 3: follows the end marker/,
    ],
    [
      'out of order',
      gz(`${HEADER}${line(0, '/b')}${line(0, '/a')}{"end":true,"entries":2}\n`),
      /line 3: .*out of walk order/,
    ],
    [
      'a prefix longer than the previous path',
      gz(`${HEADER}${line(5, '/a')}`),
      /line 2: has a bad path prefix/,
    ],
    ['a short row', gz(`${HEADER}[0,"/a"]\n`), /line 2: is not an entry of 9 fields/],
    ['a bad verdict', gz(`${HEADER}${line(0, '/a').replace('"c"', '"x"')}`), /verdict x/],
    ['garbage', gz(`${HEADER}{nope\n`), /line 2: is neither an entry nor the end marker/],
  ])('refuses %s', async (_what, bytes, message) => {
    const error = await decodeAll(bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileIndexFormatError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a truncated gzip stream', async () => {
    const bytes = await encodeFileIndex([entry('/a'), entry('/b')]);
    await expect(decodeAll(bytes.subarray(0, bytes.length - 10))).rejects.toThrow(FileIndexFormatError);
  });

  it('can be abandoned half way', async () => {
    const bytes = await encodeFileIndex(
      Array.from({ length: 5000 }, (_, i) => entry(`/f${String(i).padStart(4, '0')}`, i)),
    );
    let seen = 0;
    for await (const _ of decodeFileIndex(bytes)) if (++seen === 10) break;
    expect(seen).toBe(10);
  });
});
