import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveLimits } from '../../../../shared/antivirus/archives/limits.ts';
import type { FileVerdict, ScanEngine, ScanMeta } from '../../../../shared/antivirus/engine/types.ts';
import { createEngine, resetEngines } from '../../../../shared/antivirus/scan/engines.ts';
import { scanFile } from '../../../../shared/antivirus/scan/scan-file.ts';
import { buildTar, buildZip, overlappingBomb } from '../archives/support.ts';
import { eicar } from '../engine/helpers.ts';

const text = (s: string) => new TextEncoder().encode(s);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const MiB = 1024 * 1024;

async function* chunked(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

/** The shipped database (antivirus-db/, EICAR only), as the scanner loads it. */
const builtin = () => createEngine('builtin', {});

afterEach(async () => {
  await resetEngines();
});

describe('scanFile with the built-in engine and the shipped database', () => {
  it('a clean file: clean, with SHA-256 and MD5 of the same pass and the walk fields copied', async () => {
    const data = text('just an ordinary configuration file\n'.repeat(50));
    const scanned = await scanFile(await builtin(), chunked(data), {
      path: '/etc/app.conf',
      size: data.length,
      ino: 12,
      mtime: 1_700_000_000.5,
      ctime: 1_700_000_001.25,
    });
    expect(scanned.record).toEqual({
      path: '/etc/app.conf',
      size: data.length,
      status: 'clean',
      sha256: sha256(data),
      ino: 12,
      mtime: 1_700_000_000.5,
      ctime: 1_700_000_001.25,
    });
    expect(scanned.md5).toBe(md5(data));
  });

  it('the EICAR file is infected, named as ClamAV names an unsigned local database’s signature', async () => {
    const scanned = await scanFile(await builtin(), chunked(eicar(), 5), {
      path: '/tmp/eicar.com',
      size: 68,
    });
    expect(scanned.record).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
    });
    expect(scanned.md5).toBe('44d88612fea8a8f36de82e1278abb02f');
    expect(scanned.record.sha256).toBe(sha256(eicar()));
  });

  it('EICAR inside a zip is found in the member and reported under the zip’s own path', async () => {
    const zip = buildZip([
      { name: 'readme.txt', data: text('hello'), method: 8 },
      { name: 'docs/eicar.com', data: eicar(), method: 8 },
    ]);
    const scanned = await scanFile(await builtin(), chunked(zip, 100), {
      path: '/srv/upload.zip',
      size: zip.length,
    });
    expect(scanned.record).toMatchObject({
      path: '/srv/upload.zip',
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
      sha256: sha256(zip),
    });
    expect(scanned.member).toBe('/srv/upload.zip/docs/eicar.com');
  });

  it('EICAR in a tar inside a gzip inside a zip is found too', async () => {
    const tgz = gzipSync(buildTar([{ name: 'a/b/eicar.txt', data: eicar() }]));
    const zip = buildZip([{ name: 'backup.tgz', data: tgz }]);
    const scanned = await scanFile(await builtin(), chunked(zip, 4096), { path: '/x.zip', size: zip.length });
    expect(scanned.record).toMatchObject({ path: '/x.zip', status: 'infected' });
    // The body signature already matches the tar's bytes, where EICAR is stored as is.
    expect(scanned.member).toBe('/x.zip/backup.tgz/backup.tar');
  });

  it('a clean archive is clean once every member was scanned', async () => {
    const zip = buildZip([
      { name: 'a.txt', data: text('a'.repeat(1000)), method: 8 },
      { name: 'b.tar', data: buildTar([{ name: 'c.txt', data: text('c') }]) },
    ]);
    const scanned = await scanFile(await builtin(), chunked(zip, 64), { path: '/ok.zip', size: zip.length });
    expect(scanned.record.status).toBe('clean');
    expect(scanned.record.sha256).toBe(sha256(zip));
  });

  it('a zip bomb is not scanned, with its reason — never clean', async () => {
    const bomb = overlappingBomb(250, 4 * MiB);
    const scanned = await scanFile(await builtin(), chunked(bomb, 64 * 1024), {
      path: '/bomb.zip',
      size: bomb.length,
    });
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'zip-bomb' });
    expect(scanned.detail).toMatch(/bomb/);
  });

  it('an encrypted member leaves the file not scanned; a detection elsewhere in it still wins', async () => {
    const locked = buildZip([
      { name: 'secret.bin', data: text('can not read this'), flags: 1 },
      { name: 'plain.txt', data: text('fine') },
    ]);
    const lockedScan = await scanFile(await builtin(), chunked(locked), {
      path: '/l.zip',
      size: locked.length,
    });
    expect(lockedScan.record).toMatchObject({ status: 'not-scanned', reason: 'encrypted' });

    const both = buildZip([
      { name: 'secret.bin', data: text('can not read this'), flags: 1 },
      { name: 'eicar.com', data: eicar() },
    ]);
    const bothScan = await scanFile(await builtin(), chunked(both), { path: '/b.zip', size: both.length });
    expect(bothScan.record).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
    });
  });

  it('an archive larger than the archive MaxFileSize is not scanned (its members were never seen)', async () => {
    const zip = buildZip([{ name: 'big.txt', data: text('x'.repeat(4000)) }]);
    const limits = archiveLimits({ maxFileSize: 1024 });
    const scanned = await scanFile(
      await builtin(),
      chunked(zip, 512),
      { path: '/big.zip', size: zip.length },
      limits,
    );
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'archive-limit' });
    // The bytes were all read, so the hash still describes the file.
    expect(scanned.sha256).toBe(sha256(zip));
  });

  it('a broken archive (a zip magic and nothing behind it) is not scanned: its members were not seen', async () => {
    const broken = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]);
    const scanned = await scanFile(await builtin(), chunked(broken), {
      path: '/broken.zip',
      size: broken.length,
    });
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'unreadable' });
  });

  it('a file that reads shorter than its size is not scanned, and carries no hash', async () => {
    const data = text('short');
    const scanned = await scanFile(await builtin(), chunked(data), { path: '/f', size: 10 });
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'unreadable' });
    expect(scanned.record.sha256).toBeUndefined();
    expect(scanned.md5).toBeUndefined();
  });

  it('a read error is not scanned (unreadable), never clean', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield text('first part');
      throw new Error('block 9 could not be fetched');
    }
    const scanned = await scanFile(await builtin(), failing(), { path: '/f', size: 100 });
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'unreadable' });
    expect(scanned.detail).toMatch(/block 9/);
  });
});

/** An engine that answers what it is told and records what it was given. */
class FakeEngine implements ScanEngine {
  readonly name: string;
  readonly seen: { meta: ScanMeta; bytes: number }[] = [];
  readonly answer: (meta: ScanMeta) => FileVerdict | Error;
  readonly readAll: boolean;
  constructor(name: string, answer: (meta: ScanMeta) => FileVerdict | Error, readAll = true) {
    this.name = name;
    this.answer = answer;
    this.readAll = readAll;
  }
  async describe() {
    return { engine: this.name, engineVersion: '1', signatures: 0, signatureVersion: '1' };
  }
  async scanStream(input: AsyncIterable<Uint8Array>, meta: ScanMeta): Promise<FileVerdict> {
    let bytes = 0;
    if (this.readAll) for await (const c of input) bytes += c.length;
    this.seen.push({ meta, bytes });
    const a = this.answer(meta);
    if (a instanceof Error) throw a;
    return a;
  }
  async close() {}
}

describe('scanFile with other engines', () => {
  it('clamd gets archives as they are (it opens them itself): one stream, no expansion', async () => {
    const zip = buildZip([{ name: 'eicar.com', data: eicar() }]);
    const engine = new FakeEngine('clamd', () => ({ status: 'clean' }));
    const scanned = await scanFile(engine, chunked(zip, 10), { path: '/a.zip', size: zip.length });
    expect(engine.seen).toEqual([{ meta: { path: '/a.zip', size: zip.length }, bytes: zip.length }]);
    expect(scanned.record).toMatchObject({ status: 'clean', sha256: sha256(zip) });
  });

  it('an engine that stops reading early still gets the file hashed and its length checked', async () => {
    const data = text('0123456789'.repeat(20));
    const infected = new FakeEngine('clamd', () => ({ status: 'infected', signature: 'Test.Sig' }), false);
    const found = await scanFile(infected, chunked(data), { path: '/f', size: data.length });
    expect(found.record).toMatchObject({ status: 'infected', signature: 'Test.Sig', sha256: sha256(data) });

    const lazyClean = new FakeEngine('clamd', () => ({ status: 'clean' }), false);
    const short = await scanFile(lazyClean, chunked(data), { path: '/f', size: data.length + 1 });
    expect(short.record).toMatchObject({ status: 'not-scanned', reason: 'unreadable' });
  });

  it('an engine that throws leaves the file not scanned (engine-error), and its reason is kept', async () => {
    const broken = new FakeEngine('clamd', () => new Error('connection reset'));
    const scanned = await scanFile(broken, chunked(text('abc')), { path: '/f', size: 3 });
    expect(scanned.record).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    expect(scanned.detail).toMatch(/connection reset/);
    const refusing = new FakeEngine('clamd', () => ({
      status: 'not-scanned',
      reason: 'too-large',
      detail: 'over StreamMaxLength',
    }));
    const big = await scanFile(refusing, chunked(text('abc')), { path: '/f', size: 3 });
    expect(big.record).toMatchObject({ status: 'not-scanned', reason: 'too-large' });
  });
});
