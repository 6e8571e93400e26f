import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidObjectKeyError,
  InvalidPageRequestError,
  PreconditionFailedError,
} from '../../../../shared/adapters/errors.ts';
import {
  CorruptObjectError,
  componentsToKey,
  FsObjectStore,
  InvalidPutOptionsError,
  keyToComponents,
} from '../../../../shared/adapters/local/object-store.ts';
import type { ObjectInfo, PutOptions } from '../../../../shared/ports.ts';

const md5 = (data: Uint8Array | string) => `"${createHash('md5').update(data).digest('hex')}"`;
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

async function listAll(store: FsObjectStore, prefix: string, limit: number): Promise<ObjectInfo[]> {
  const items: ObjectInfo[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await store.list(prefix, cursor === undefined ? { limit } : { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (!page.nextCursor) return items;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('list did not end');
}

describe('FsObjectStore', () => {
  let base: string;
  let root: string;
  let store: FsObjectStore;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'outboard-objects-'));
    root = join(base, 'store');
    store = new FsObjectStore({ root, clock: { now: () => new Date('2025-04-01T10:00:00.000Z') } });
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  describe('put, get, head, delete', () => {
    it('stores bytes with an S3-style etag, content type and lower-cased metadata', async () => {
      const body = new Uint8Array([0, 1, 2, 255, 254]);
      const { etag } = await store.put('backups/Disk 1.img', body, {
        contentType: 'application/x-raw-disk',
        metadata: { SnapshotId: 'snap-1', tenant: 't1' },
      });
      expect(etag).toBe(md5(body));
      const got = await store.get('backups/Disk 1.img');
      expect(got).toEqual({
        key: 'backups/Disk 1.img',
        body,
        size: 5,
        etag,
        lastModified: new Date('2025-04-01T10:00:00.000Z'),
        contentType: 'application/x-raw-disk',
        metadata: { snapshotid: 'snap-1', tenant: 't1' },
      });
      const { body: _ignored, ...info } = got ?? { body: undefined };
      expect(await store.head('backups/Disk 1.img')).toEqual(info);
    });

    it('stores strings as UTF-8 with the default content type', async () => {
      await store.put('hello.txt', 'héllo wörld');
      const got = await store.get('hello.txt');
      expect(Buffer.from(got?.body ?? []).toString('utf8')).toBe('héllo wörld');
      expect(got?.etag).toBe(md5('héllo wörld'));
      expect(got?.contentType).toBe('application/octet-stream');
      expect(got?.metadata).toEqual({});
    });

    it('stores an empty body', async () => {
      await store.put('empty', new Uint8Array());
      expect((await store.get('empty'))?.body).toEqual(new Uint8Array());
      expect((await store.head('empty'))?.etag).toBe(md5(''));
    });

    it('replaces an object whole, metadata included', async () => {
      await store.put('k', 'first', { metadata: { v: '1' }, contentType: 'text/plain' });
      await store.put('k', 'second!', { metadata: { w: '2' } });
      const got = await store.get('k');
      expect(Buffer.from(got?.body ?? []).toString()).toBe('second!');
      expect(got?.metadata).toEqual({ w: '2' });
      expect(got?.contentType).toBe('application/octet-stream');
    });

    it('answers undefined for a missing key, and deleting it is not an error', async () => {
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.head('nope/deeper')).toBeUndefined();
      await expect(store.delete('nope/deeper')).resolves.toBeUndefined();
    });

    it('deletes an object and the folders it leaves empty, keeping folders still in use', async () => {
      await store.put('a/b/c/one', '1');
      await store.put('a/two', '2');
      await store.delete('a/b/c/one');
      expect(await store.get('a/b/c/one')).toBeUndefined();
      expect(filesUnder(root)).toEqual([join('da', 'otwo')]);
      expect(readdirSync(join(root, 'da'))).toEqual(['otwo']);
      await store.delete('a/two');
      expect(readdirSync(root)).toEqual([]);
    });

    it('keeps an object and a "folder" of the same name apart', async () => {
      await store.put('a', 'file a');
      await store.put('a/b', 'file a/b');
      await store.put('a/', 'file a/');
      expect(Buffer.from((await store.get('a'))?.body ?? []).toString()).toBe('file a');
      expect(Buffer.from((await store.get('a/b'))?.body ?? []).toString()).toBe('file a/b');
      expect(Buffer.from((await store.get('a/'))?.body ?? []).toString()).toBe('file a/');
      await store.delete('a');
      expect(await store.get('a/b')).toBeDefined();
    });
  });

  describe('conditional create (ifNoneMatch: "*")', () => {
    it('creates once, then refuses without changing the object', async () => {
      await store.put('lock', 'mine', { ifNoneMatch: '*', metadata: { owner: 'a' } });
      const error = await store.put('lock', 'yours', { ifNoneMatch: '*' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect((error as PreconditionFailedError).key).toBe('lock');
      expect((error as Error).message).toMatch(/"lock" already exists/);
      const got = await store.get('lock');
      expect(Buffer.from(got?.body ?? []).toString()).toBe('mine');
      expect(got?.metadata).toEqual({ owner: 'a' });
      expect(filesUnder(root)).toEqual(['olock']); // no temporary file left
      await store.delete('lock');
      await store.put('lock', 'again', { ifNoneMatch: '*' });
    });

    it('lets exactly one of 20 concurrent creates win', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => `writer ${i} `.repeat(1000 + i));
      const results = await Promise.allSettled(
        bodies.map((b, i) =>
          store.put('deep/race/key', b, { ifNoneMatch: '*', metadata: { writer: String(i) } }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      const winner = winners[0] as number;
      const got = await store.get('deep/race/key');
      expect(Buffer.from(got?.body ?? []).toString()).toBe(bodies[winner]);
      expect(got?.metadata).toEqual({ writer: String(winner) });
      expect(filesUnder(root)).toEqual([join('ddeep', 'drace', 'okey')]);
    });
  });

  describe('atomicity', () => {
    it('never shows a reader a mix of two concurrent writers, or data with another writer’s metadata', async () => {
      const writers = 8;
      const bodies = Array.from({ length: writers }, (_, i) =>
        new Uint8Array(256 * 1024 + i * 17).fill(i + 1),
      );
      await store.put('hot', bodies[0] as Uint8Array, { metadata: { writer: '0' } });
      let stop = false;
      let reads = 0;
      const reader = (async () => {
        while (!stop) {
          const got = await store.get('hot');
          expect(got).toBeDefined();
          const writer = Number(got?.metadata.writer);
          expect(got?.body).toEqual(bodies[writer]);
          expect(got?.etag).toBe(md5(bodies[writer] as Uint8Array));
          reads++;
        }
      })();
      for (let round = 0; round < 5; round++) {
        await Promise.all(bodies.map((b, i) => store.put('hot', b, { metadata: { writer: String(i) } })));
      }
      stop = true;
      await reader;
      expect(reads).toBeGreaterThan(0);
      expect(filesUnder(root)).toEqual(['ohot']);
    });

    it('ignores temporary files a crashed writer left behind, and sweeps old ones', async () => {
      await store.put('dir/real', 'ok');
      const old = join(root, 'ddir', '.tmp-deadbeefdeadbeef');
      const fresh = join(root, '.tmp-0123456789abcdef');
      writeFileSync(old, 'half an obj');
      writeFileSync(fresh, 'put in progress');
      utimesSync(old, new Date('2025-04-01T08:00:00Z'), new Date('2025-04-01T08:00:00Z'));
      utimesSync(fresh, new Date('2025-04-01T09:59:00Z'), new Date('2025-04-01T09:59:00Z'));
      expect((await store.list('')).items.map((o) => o.key)).toEqual(['dir/real']);
      expect(await store.get('dir/.tmp-deadbeefdeadbeef')).toBeUndefined();
      expect(await store.removeAbandonedTempFiles()).toBe(1); // clock: 10:00, default age one hour
      expect(filesUnder(root).sort()).toEqual(['.tmp-0123456789abcdef', join('ddir', 'oreal')]);
    });

    it('reports a file that is not a whole object instead of returning part of it', async () => {
      await store.put('x', 'some bytes here');
      const path = store.pathOf('x');
      const full = readFileSync(path);
      writeFileSync(path, full.subarray(0, full.length - 3));
      await expect(store.get('x')).rejects.toBeInstanceOf(CorruptObjectError);
      writeFileSync(path, 'garbage, long enough for a header');
      await expect(store.head('x')).rejects.toThrow(/"x" .* not in the object store format/);
    });
  });

  describe('keys', () => {
    it('rejects empty, over-long, NUL and malformed keys', async () => {
      for (const key of ['', 'a\u0000b', 'x'.repeat(1025), 'é'.repeat(513), 'bad\ud800surrogate']) {
        await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      await expect(store.put('', 'x')).rejects.toThrow(/object key "" is empty/);
      expect(() => readdirSync(root)).toThrow(); // nothing written, not even the root
    });

    it('holds keys of exactly 1024 bytes, including one long segment', async () => {
      const keys = ['x'.repeat(1024), 'é'.repeat(512), `${'%'.repeat(500)}/${'日'.repeat(174)}`];
      for (const key of keys) {
        expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
        await store.put(key, key);
        expect(Buffer.from((await store.get(key))?.body ?? []).toString()).toBe(key);
      }
      expect((await store.list('')).items.map((o) => o.key)).toEqual([...keys].sort(byteOrder));
    });

    it('keeps keys with "..", ".", "/" and empty segments inside the root, each distinct', async () => {
      const keys = [
        '..',
        '.',
        '../escape',
        '../../etc/passwd',
        '/abs',
        '//',
        'a/../b',
        'a/./b',
        '%2e%2e/x',
        'b',
        '.hidden',
      ];
      for (const key of keys) await store.put(key, `body of ${key}`);
      expect(readdirSync(base)).toEqual(['store']); // nothing written next to the root
      for (const file of filesUnder(root)) {
        for (const component of file.split('/')) expect(['.', '..']).not.toContain(component);
      }
      expect(filesUnder(root)).toHaveLength(keys.length);
      for (const key of keys) {
        expect(Buffer.from((await store.get(key))?.body ?? []).toString()).toBe(`body of ${key}`);
      }
      expect((await store.list('')).items.map((o) => o.key)).toEqual([...keys].sort(byteOrder));
      expect(await store.get('b/../..')).toBeUndefined();
    });

    it('maps keys to prefixed, percent-encoded components and back', () => {
      expect(keyToComponents('backups/Disk 1.img')).toEqual(['dbackups', 'o%44isk%201.img']);
      expect(keyToComponents('a//b')).toEqual(['da', 'd', 'ob']);
      expect(keyToComponents('/x')).toEqual(['d', 'ox']);
      expect(keyToComponents('a/')).toEqual(['da', 'o']);
      expect(keyToComponents('../x')).toEqual(['d..', 'ox']);
      expect(keyToComponents('é%')).toEqual(['o%C3%A9%25']);
      const long = keyToComponents(`${'é'.repeat(100)}/z`);
      expect(long.map((c) => c[0])).toEqual(['c', 'c', 'd', 'o']); // 600 encoded characters: 240 + 240 + 120
      expect(long.every((c) => Buffer.byteLength(c) <= 241)).toBe(true);
      for (const key of ['a//b', '/x', 'a/', `${'é'.repeat(300)}`, 'Ünïcödé/🙂 ~._-', '%41']) {
        expect(componentsToKey(keyToComponents(key))).toBe(key);
      }
      expect(componentsToKey(['da', 'x'])).toBeUndefined();
      expect(componentsToKey(['o%41'])).toBe('A');
      expect(componentsToKey(['o%61'])).toBeUndefined(); // "a" is never encoded
      expect(componentsToKey(['oa%2'])).toBeUndefined();
      expect(componentsToKey(['oA'])).toBeUndefined();
    });

    it('maps keys differing only in case to paths differing in more than case', () => {
      const keys = ['abc', 'ABC', 'aBc', 'É', 'é', '%4a', '%4A', 'J', 'j'];
      const folded = new Set(keys.map((k) => keyToComponents(k).join('/').toLowerCase()));
      expect(folded.size).toBe(keys.length);
    });
  });

  describe('list', () => {
    const tricky = [
      'a',
      'a/',
      'a/b',
      'a//b',
      'a-b',
      'a.b',
      'a0',
      'a b',
      'a%2Fb',
      'a%',
      'A',
      'B/c',
      'é',
      'e\u0301',
      '日本/語',
      '🙂/x',
      '\uffff',
      '~tilde',
      ' space',
      'z/y/x/w/v',
      'a/b/c',
      'ab',
    ];

    it('lists in UTF-8 byte order with small pages, each key exactly once', async () => {
      for (const key of tricky) await store.put(key, key);
      const expected = [...tricky].sort(byteOrder);
      for (const limit of [1, 2, 3, 7, 1000]) {
        const items = await listAll(store, '', limit);
        expect(items.map((o) => o.key)).toEqual(expected);
      }
      const first = (await store.list('', { limit: 1 })).items[0];
      expect(first).toEqual({
        key: expected[0],
        size: Buffer.byteLength(expected[0] as string),
        etag: md5(expected[0] as string),
        lastModified: new Date('2025-04-01T10:00:00.000Z'),
      });
    });

    it('lists by prefix, including prefixes that end inside a segment or a character', async () => {
      for (const key of tricky) await store.put(key, key);
      for (const prefix of ['a', 'a/', 'a/b', 'a%', '日', '日本/', '🙂', 'zz', 'z/y/', 'é', 'e']) {
        const expected = tricky.filter((k) => k.startsWith(prefix)).sort(byteOrder);
        expect(
          (await listAll(store, prefix, 2)).map((o) => o.key),
          prefix,
        ).toEqual(expected);
      }
    });

    it('merges long segments split over folders in the right order', async () => {
      const stem = 'q'.repeat(260); // longer than one path component
      const keys = [
        stem,
        `${stem}!`,
        `${stem}/`,
        `${stem}/x`,
        `${stem}0`,
        `${stem}z`,
        `${stem.slice(0, 240)}`,
        `${stem.slice(0, 240)}/k`,
        `${stem.slice(0, 240)}!`,
        `${stem.slice(0, 240)}~`,
        `${'%'.repeat(90)}x`,
        `${'%'.repeat(90)}/x`,
      ];
      for (const key of keys) await store.put(key, 'v');
      const expected = [...keys].sort(byteOrder);
      for (const limit of [1, 4, 1000]) {
        expect((await listAll(store, '', limit)).map((o) => o.key)).toEqual(expected);
      }
      expect((await listAll(store, `${stem.slice(0, 241)}`, 3)).map((o) => o.key)).toEqual(
        expected.filter((k) => k.startsWith(stem.slice(0, 241))),
      );
    });

    it('agrees with a sort of random keys, for random prefixes and page sizes', async () => {
      const alphabet = ['a', 'b', '/', '%', 'é', 'Z', ' ', '.', '-', '0'];
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const randomKey = (max: number) =>
        Array.from({ length: 1 + rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
      const keys = new Set<string>();
      while (keys.size < 250) keys.add(randomKey(7));
      for (let i = 0; i < 6; i++) keys.add(`b/${'a'.repeat(230 + rand(20))}${randomKey(12)}`);
      await Promise.all([...keys].map((k) => store.put(k, k)));
      const sorted = [...keys].sort(byteOrder);
      expect((await listAll(store, '', 13)).map((o) => o.key)).toEqual(sorted);
      for (let i = 0; i < 25; i++) {
        const prefix = i === 0 ? 'b/aaa' : randomKey(3);
        const limit = 1 + rand(9);
        expect(
          (await listAll(store, prefix, limit)).map((o) => o.key),
          prefix,
        ).toEqual(sorted.filter((k) => k.startsWith(prefix)));
      }
    });

    it('lists nothing from an empty or missing root', async () => {
      expect(await store.list('')).toEqual({ items: [] });
      mkdirSync(root);
      expect(await store.list('x', { limit: 5 })).toEqual({ items: [] });
    });

    it('ignores files that are not in its encoding', async () => {
      await store.put('ok', '1');
      mkdirSync(join(root, 'dnot valid'));
      writeFileSync(join(root, 'dnot valid', 'ox'), 'x');
      writeFileSync(join(root, 'README'), 'x');
      writeFileSync(join(root, 'oBAD'), 'x');
      expect((await store.list('')).items.map((o) => o.key)).toEqual(['ok']);
    });

    it('rejects limits outside 1..1000 and foreign cursors', async () => {
      for (const limit of [0, -3, 2.5, 1001]) {
        await expect(store.list('', { limit })).rejects.toBeInstanceOf(InvalidPageRequestError);
      }
      for (const cursor of ['', 'not base64!', Buffer.from([0xff, 0xfe]).toString('base64url')]) {
        await expect(store.list('', { limit: 5, cursor })).rejects.toBeInstanceOf(InvalidPageRequestError);
      }
      await expect(store.list('a\u0000')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });

    it('continues after the cursor key even if that key was deleted meanwhile', async () => {
      for (const key of ['k1', 'k2', 'k3', 'k4']) await store.put(key, key);
      const first = await store.list('', { limit: 2 });
      await store.delete('k2');
      const second = await store.list('', { limit: 2, cursor: first.nextCursor });
      expect(second.items.map((o) => o.key)).toEqual(['k3', 'k4']);
      expect(second.nextCursor).toBeUndefined();
    });
  });

  describe('put options', () => {
    it('rejects metadata and content types S3 would refuse, writing nothing', async () => {
      const bad: PutOptions[] = [
        { metadata: { 'has space': 'x' } },
        { metadata: { ok: 'naïve' } },
        { metadata: { ok: 'line\nbreak' } },
        { metadata: { Dup: '1', dup: '2' } },
        { metadata: { big: 'x'.repeat(2046) } },
        { contentType: '' },
        { contentType: 'text/plain; charset=ü' },
      ];
      for (const options of bad) {
        await expect(store.put('k', 'v', options)).rejects.toBeInstanceOf(InvalidPutOptionsError);
      }
      expect(await store.get('k')).toBeUndefined();
      await store.put('k', 'v', { metadata: { big: 'x'.repeat(2045) } });
    });
  });

  it('accepts a bare root path', async () => {
    const bare = new FsObjectStore(join(base, 'bare'));
    await bare.put('x', 'y');
    expect(statSync(join(base, 'bare', 'ox')).isFile()).toBe(true);
  });
});
