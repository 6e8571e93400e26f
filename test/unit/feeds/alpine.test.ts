import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  alpineReleaseFromPath,
  parseApkindexText,
  readApkIndex,
} from '../../../shared/feeds/alpine/apkindex.ts';
import { parseSecdb } from '../../../shared/feeds/alpine/secdb.ts';
import { readTar } from '../../../shared/feeds/alpine/tar.ts';

const enc = new TextEncoder();

/** A minimal tar writer for tests: ustar headers with correct checksums. */
function header(name: string, size: number, type = '0', prefix = ''): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(enc.encode(s), at);
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  put(`${(1725368000).toString(8).padStart(11, '0')}\0`, 136);
  put('        ', 148);
  put(type, 156);
  put('ustar\0', 257);
  put('00', 263);
  put(prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
function entry(name: string, data: Uint8Array, type = '0', prefix = ''): Uint8Array[] {
  const pad = new Uint8Array((512 - (data.length % 512)) % 512);
  return [header(name, data.length, type, prefix), data, pad];
}
function tar(...parts: Uint8Array[][]): Uint8Array {
  const all = [...parts.flat(), new Uint8Array(1024)];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const pax = (records: Record<string, string>) => {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
    text += `${len}${body}`;
  }
  return enc.encode(text);
};

describe('tar reader', () => {
  it('reads ustar entries, pax paths, GNU long names and a ustar prefix', () => {
    const t = tar(
      entry('a.txt', enc.encode('hello')),
      entry('PaxHeader', pax({ path: 'very/long/pax/name.txt' }), 'x'),
      entry('short', enc.encode('pax')),
      entry('././@LongLink', enc.encode('gnu/long/name.txt\0'), 'L'),
      entry('trunc', enc.encode('gnu')),
      entry('file.txt', enc.encode('pre'), '0', 'dir'),
      entry('subdir/', new Uint8Array(0), '5'),
    );
    const got = readTar(t, 't').map((e) => [e.name, new TextDecoder().decode(e.data), e.mtime]);
    expect(got).toEqual([
      ['a.txt', 'hello', 1725368000],
      ['very/long/pax/name.txt', 'pax', 1725368000],
      ['gnu/long/name.txt', 'gnu', 1725368000],
      ['dir/file.txt', 'pre', 1725368000],
    ]);
  });

  it('rejects a bad checksum, a truncated entry, an over-limit entry and too many entries', () => {
    const t = tar(entry('a', enc.encode('x')));
    const bad = t.slice();
    bad[0] = 0x62;
    expect(() => readTar(bad, 't')).toThrow(/checksum mismatch/);
    expect(() => readTar(t.subarray(0, 512 + 0).slice(), 't')).toThrow(/truncated/);
    expect(() => readTar(t, 't', { maxEntryBytes: 0 })).toThrow(/over the limit/);
    expect(() =>
      readTar(tar(entry('a', enc.encode('x')), entry('b', enc.encode('y'))), 't', { maxEntries: 1 }),
    ).toThrow(/more than 1 entries/);
    expect(() =>
      readTar(tar(entry('x', enc.encode('9 bad\n'), 'x'), entry('a', enc.encode('x'))), 't'),
    ).toThrow(/pax record/);
  });
});

describe('APKINDEX', () => {
  it('reads the two-member APKINDEX.tar.gz (signature tar + index tar)', async () => {
    const feed = await readApkIndex('test/fixtures/feeds/alpine/v3.20/main/x86_64/APKINDEX.tar.gz');
    expect(feed.release).toBe('Alpine:v3.20');
    expect(feed.source.date).toBe('2024-09-03T12:53:20.000Z');
    expect(feed.packages).toHaveLength(5);
    expect(feed.packages[1]).toEqual({
      name: 'libssl3',
      version: '3.3.2-r0',
      arch: 'x86_64',
      source: { name: 'openssl', version: '3.3.2-r0' },
      suite: 'v3.20/main/x86_64',
      classification: 'unknown',
    });
    expect(feed.notes[0]).toMatch(/signature not verified/);
  });

  it('finds the release in the path', () => {
    expect(
      alpineReleaseFromPath('https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz'),
    ).toBe('Alpine:v3.20');
    expect(alpineReleaseFromPath('/m/alpine/edge/community/aarch64/APKINDEX.tar.gz')).toBe('Alpine:edge');
    expect(alpineReleaseFromPath('/tmp/APKINDEX.tar.gz')).toBeUndefined();
  });

  it.each([
    ['a line that is not a field', 'P:a\nV:1-r0\nnot a field\n', /not a field line/],
    ['a record without V:', 'P:a\nA:x86_64\n', /without P: or V:/],
    ['a bad version', 'P:a\nV:one-r0\n', /bad version/],
  ])('rejects %s', (_, text, message) => {
    expect(() => parseApkindexText(text, 'APKINDEX', 's')).toThrow(message);
  });

  it('rejects an archive without APKINDEX and a plain tar', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { gzipSync } = await import('node:zlib');
    const dir = await mkdtemp('/tmp/apk-');
    await writeFile(`${dir}/APKINDEX.tar.gz`, gzipSync(tar(entry('DESCRIPTION', enc.encode('x')))));
    await expect(readApkIndex(`${dir}/APKINDEX.tar.gz`)).rejects.toThrow(/no APKINDEX member/);
    await writeFile(`${dir}/plain.tar`, tar(entry('APKINDEX', enc.encode('P:a\nV:1-r0\n'))));
    await expect(readApkIndex(`${dir}/plain.tar`)).rejects.toThrow(/expected a gzip-compressed tar/);
    const { rm } = await import('node:fs/promises');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('secdb', () => {
  it('turns secfixes into fixed ranges and "0" into not-affected, noting bad entries', async () => {
    const json = JSON.parse(await readFile('test/fixtures/feeds/alpine/v3.20/main.json', 'utf8'));
    const feed = parseSecdb(json, { location: 'main.json' });
    const openssl = feed.advisories.filter((a) => a.package === 'openssl');
    expect(openssl.find((a) => a.id === 'CVE-2024-6119')).toMatchObject({
      ecosystem: 'Alpine:v3.20',
      status: 'affected',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.3.2-r0' }] }],
    });
    expect(openssl.find((a) => a.id === 'CVE-2022-1292')).toMatchObject({
      status: 'not-affected',
      ranges: [],
    });
    expect(
      openssl
        .filter(
          (a) =>
            a.ranges[0]?.events[1] &&
            'fixed' in a.ranges[0].events[1] &&
            a.ranges[0].events[1].fixed === '1.1.1l-r0',
        )
        .map((a) => a.id),
    ).toEqual(['CVE-2021-3711', 'CVE-2021-3712']);
    expect(feed.notes).toContain('packages[2]: not {pkg: {name, secfixes}}; skipped');
    expect(feed.notes.some((n) => n.includes('bad version!'))).toBe(true);
    expect(feed.advisories.some((a) => a.package === 'zlib' && a.id === 'CVE-2022-37434')).toBe(true);
  });

  it('rejects a document that is not a secdb', () => {
    const src = { location: 'x' };
    expect(() => parseSecdb([], src)).toThrow(/not a JSON object/);
    expect(() => parseSecdb({ distroversion: '3.20', packages: [] }, src)).toThrow(/bad distroversion/);
    expect(() => parseSecdb({ distroversion: 'v3.20', packages: {} }, src)).toThrow(
      /packages is not an array/,
    );
  });
});
