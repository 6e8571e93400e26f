import { describe, expect, it } from 'vitest';
import { ArchiveLimitError, BuiltinEngine } from '../../../../shared/antivirus/engine/builtin-engine.ts';
import type { ArchiveMember, ExpandArchive } from '../../../../shared/antivirus/engine/types.ts';
import { dbFrom, eicar, hexOf, latin1 } from './helpers.ts';

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

const db = () => dbFrom({ 'x.ndb': `Test.Marker:0:*:${hexOf('MARKER')}\n` });

describe('BuiltinEngine (ScanEngine)', () => {
  it('describes itself', async () => {
    const d = await new BuiltinEngine(db(), { signatureVersion: 'v1' }).describe();
    expect(d).toEqual({
      engine: 'outboard-builtin',
      engineVersion: '1.0.0',
      signatures: 1,
      signatureVersion: 'v1',
    });
  });

  it('derives a stable signature version from the database content', async () => {
    const a = await new BuiltinEngine(db()).describe();
    const b = await new BuiltinEngine(db()).describe();
    expect(a.signatureVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(a.signatureVersion).toBe(b.signatureVersion);
  });

  it('streams chunks and answers clean or infected', async () => {
    const engine = new BuiltinEngine(db());
    expect(await engine.scanStream(chunks(latin1('nothing here')), { path: 'a', size: 12 })).toEqual({
      status: 'clean',
    });
    const verdict = await engine.scanStream(chunks(latin1('..MAR'), latin1('KER..')), {
      path: 'b',
      size: 10,
    });
    expect(verdict).toMatchObject({ status: 'infected', signature: 'Test.Marker.UNOFFICIAL' });
  });

  it('fails closed: too large and unreadable files are not scanned', async () => {
    const engine = new BuiltinEngine(db(), { maxFileSize: 8 });
    expect(await engine.scanStream(chunks(latin1('x')), { path: 'big', size: 9 })).toMatchObject({
      status: 'not-scanned',
      reason: 'too-large',
    });
    // The stream is longer than its stated size: stopped at the limit all the same.
    expect(
      await engine.scanStream(chunks(latin1('12345'), latin1('67890')), { path: 'liar', size: 5 }),
    ).toMatchObject({
      status: 'not-scanned',
      reason: 'too-large',
    });
    expect(
      await new BuiltinEngine(db()).scanStream(chunks(latin1('abc')), { path: 'short', size: 5 }),
    ).toEqual({
      status: 'not-scanned',
      reason: 'unreadable',
      detail: 'short: read 3 bytes, expected 5 (changed while being read?)',
    });
    async function* broken(): AsyncIterable<Uint8Array> {
      yield latin1('abc');
      throw new Error('EIO: read failed');
    }
    expect(await engine.scanStream(broken(), { path: 'disk/file', size: 6 })).toEqual({
      status: 'not-scanned',
      reason: 'unreadable',
      detail: 'disk/file: EIO: read failed',
    });
  });

  it('scans archive members through the expandArchive hook, with the depth', async () => {
    const calls: [string, number][] = [];
    const members = (list: ArchiveMember[]) =>
      (async function* (): AsyncIterable<ArchiveMember> {
        yield* list;
      })();
    const expand: ExpandArchive = (bytes, meta, depth) => {
      calls.push([meta.path, depth]);
      const text = Buffer.from(bytes).toString('latin1');
      if (text === 'ARCHIVE outer')
        return members([
          { path: `${meta.path}/clean.txt`, data: latin1('clean') },
          { path: `${meta.path}/inner`, data: latin1('ARCHIVE inner') },
        ]);
      if (text === 'ARCHIVE inner')
        return members([
          { path: `${meta.path}/bad.com`, data: eicar() },
          { path: `${meta.path}/after.txt`, data: latin1('never reached') },
        ]);
      return null;
    };
    const engine = new BuiltinEngine(dbFrom({ 'x.hdb': '44d88612fea8a8f36de82e1278abb02f:68:Eicar\n' }), {
      expandArchive: expand,
    });
    const verdict = await engine.scanStream(chunks(latin1('ARCHIVE outer')), { path: 'a.zip', size: 13 });
    expect(verdict).toEqual({
      status: 'infected',
      signature: 'Eicar.UNOFFICIAL',
      detections: [{ signature: 'Eicar.UNOFFICIAL', kind: 'hash' }],
    });
    expect(calls).toEqual([
      ['a.zip', 0],
      ['a.zip/clean.txt', 1],
      ['a.zip/inner', 1],
    ]);
  });

  it('turns an archive limit into not-scanned with its reason', async () => {
    const engine = new BuiltinEngine(db(), {
      expandArchive: () => {
        throw new ArchiveLimitError('zip-bomb', 'expands 1000x beyond the 100 MiB limit');
      },
    });
    expect(await engine.scanStream(chunks(latin1('PK')), { path: 'bomb.zip', size: 2 })).toEqual({
      status: 'not-scanned',
      reason: 'zip-bomb',
      detail: 'bomb.zip: expands 1000x beyond the 100 MiB limit',
    });
  });
});
