/**
 * The parity corpus (used against clamscan by test/system/antivirus/clamscan-parity.test.ts): the engine
 * reports for each file the signature planted to be reported, and the database loads with the unsupported
 * and skipped parts reported.
 */
import { describe, expect, it } from 'vitest';
import { CompiledDatabase } from '../../../../shared/antivirus/engine/scan.ts';
import { dbFrom } from './helpers.ts';
import { buildCorpus } from './parity-corpus.ts';

describe('parity corpus', () => {
  const corpus = buildCorpus(1);
  const db = dbFrom(corpus.database);

  it('loads, reporting the .ldb and the PE-only signature as unsupported and the PUA file as skipped', () => {
    expect(db.report.errors).toEqual([]);
    expect(db.report.unsupported.map((u) => u.file)).toEqual(['parity.ndb', 'unsupported.ldb']);
    expect(db.report.skipped.map((s) => [s.file, s.reason.split(':')[0]])).toEqual([
      ['parity.ndb', 'Par.IgnoredByName'],
      ['parity.ndb', 'Par.IgnoredByLine'],
      ['parity.ndb', 'Par.FutureLevel'],
      ['pua.hdu', 'PUA database (.hdu)'],
    ]);
  });

  it('gives every file the planted result', () => {
    const engine = new CompiledDatabase(db);
    const wrong = corpus.files
      .map((f) => ({
        name: f.name,
        expect: f.expect,
        got: engine.scanBuffer(f.bytes)[0]?.signature ?? 'OK',
      }))
      .filter((r) => r.got !== r.expect);
    expect(wrong).toEqual([]);
    expect(corpus.files.length).toBeGreaterThan(100);
  });
});
