import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatabaseLoadError,
  loadDatabase,
  parseDatabaseFiles,
} from '../../../../shared/antivirus/signatures/index.ts';

const FIXTURE = new URL('../../../fixtures/antivirus/basic/', import.meta.url).pathname;

describe('loading a database directory', () => {
  it('loads every supported file, reports unsupported kinds and skips what clamscan skips', async () => {
    const db = await loadDatabase([FIXTURE]);
    const { report } = db;
    expect(report.loaded).toEqual({ hdb: 1, hsb: 2, ndb: 3, ign2: 1 });
    expect(report.errors).toEqual([]);
    expect(report.files.map((f) => f.slice(FIXTURE.length))).toEqual([
      'local.ign2',
      'body.ndb',
      'eicar.hdb',
      'eicar.hsb',
    ]);
    expect(report.unsupported.map((u) => [u.file.slice(FIXTURE.length), u.line, u.reason])).toEqual([
      [
        'body.ndb',
        6,
        'Outboard.Test.Pe: target type 1 (PE) needs file-type handling this engine does not do',
      ],
      ['extra.ldb', undefined, 'logical signatures are not supported'],
    ]);
    expect(report.skipped.map((s) => [s.file.slice(FIXTURE.length), s.line])).toEqual([
      ['body.ndb', 5],
      ['pua.hdu', undefined],
    ]);
    expect(db.bodies.map((b) => b.name)).toEqual([
      'Outboard.Test.EICAR-Body.UNOFFICIAL',
      'Outboard.Test.Nibbles.UNOFFICIAL',
      'Outboard.Test.Alternatives.UNOFFICIAL',
    ]);
  });

  it('applies ignore lists to files loaded before them, and matches extensions case-insensitively', () => {
    const db = parseDatabaseFiles([
      { name: 'a.HDB', bytes: Buffer.from('44d88612fea8a8f36de82e1278abb02f:68:Gone\n') },
      { name: 'z.ign2', bytes: Buffer.from('Gone\n') },
    ]);
    expect(db.hashes).toEqual([]);
    expect(db.report.skipped).toEqual([{ file: 'a.HDB', line: 1, reason: 'Gone: on the ignore list' }]);
  });

  it('refuses a database with a malformed line, naming file and line, unless told to keep going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-av-db-'));
    writeFileSync(join(dir, 'good.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Good\n');
    writeFileSync(join(dir, 'bad.ndb'), 'Ok:0:*:414243\nBad:0:*:41zz43\n');
    const error = await loadDatabase([dir]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseLoadError);
    expect((error as DatabaseLoadError).errors).toEqual([
      { file: join(dir, 'bad.ndb'), line: 2, reason: 'invalid hex "zz" in "41zz43"' },
    ]);
    expect((error as Error).message).toContain('bad.ndb:2');
    const kept = await loadDatabase([dir], { tolerateErrors: true });
    expect(kept.hashes).toHaveLength(1);
    expect(kept.bodies.map((b) => b.name)).toEqual(['Ok.UNOFFICIAL']);
  });

  it('loads single files and refuses a file that is not a database', async () => {
    const db = await loadDatabase([join(FIXTURE, 'eicar.hdb')]);
    expect(db.hashes).toHaveLength(1);
    await expect(loadDatabase([join(FIXTURE, 'README.txt')])).rejects.toThrow(/not a ClamAV database/);
  });
});
