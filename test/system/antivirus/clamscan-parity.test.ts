/**
 * The built-in engine against the real clamscan: a generated corpus (planted signatures of every construct,
 * near misses, normalised-text variants, EICAR variants) and a custom database directory (.hdb, .hsb, .ndb,
 * .ign2, with an unsupported .ldb and a PUA .hdu beside them). `clamscan --no-summary -d DIR` and the
 * engine must report the same result for every file. Also: the hex signature accept/reject tables of the
 * unit tests are re-checked against clamscan's own loader.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../shared/antivirus/engine/builtin-engine.ts';
import { requireTools } from '../../support/system-tools.ts';
import { buildCorpus } from '../../unit/antivirus/engine/parity-corpus.ts';
import { ACCEPTED_BY_CLAMSCAN, REJECTED_BY_CLAMSCAN } from '../../unit/antivirus/signatures/hex-tables.ts';

const SEEDS = process.env.OUTBOARD_AV_PARITY_SEED ? [Number(process.env.OUTBOARD_AV_PARITY_SEED)] : [1, 2, 3];

let work: string;

function clamscan(db: string, target: string): Map<string, string> {
  const r = spawnSync('clamscan', ['--no-summary', '-d', db, target], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`clamscan failed (${r.status}): ${r.stderr}`);
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(.*): (.*?)(?: FOUND)?$/.exec(line);
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

beforeAll(() => {
  requireTools('clamscan');
  work = mkdtempSync(join(tmpdir(), 'ob-av-parity-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(SEEDS)('clamscan parity (corpus seed %i)', (seed) => {
  it('reports what clamscan reports for every file', async () => {
    const corpus = buildCorpus(seed);
    const dbDir = join(work, `db-${seed}`);
    const fileDir = join(work, `files-${seed}`);
    mkdirSync(dbDir);
    mkdirSync(fileDir);
    for (const [name, text] of Object.entries(corpus.database))
      writeFileSync(join(dbDir, name), text, 'latin1');
    for (const f of corpus.files) writeFileSync(join(fileDir, f.name), f.bytes);

    const clam = clamscan(dbDir, fileDir);
    const engine = await BuiltinEngine.load([dbDir]);
    expect(engine.database.report.unsupported.length).toBe(2);
    const differences: { file: string; clamscan: string | undefined; ours: string; planted: string }[] = [];
    for (const f of corpus.files) {
      const path = join(fileDir, f.name);
      // Small chunks, so the comparison also exercises the streaming path.
      const stream = createReadStream(path, { highWaterMark: 97 });
      const verdict = await engine.scanStream(stream, { path, size: f.bytes.length });
      const ours =
        verdict.status === 'infected' ? verdict.signature : verdict.status === 'clean' ? 'OK' : 'ERROR';
      if (clam.get(path) !== ours)
        differences.push({ file: f.name, clamscan: clam.get(path), ours, planted: f.expect });
    }
    expect(differences).toEqual([]);
    expect(clam.size).toBe(corpus.files.length);
    expect([...clam.values()].filter((v) => v !== 'OK').length).toBeGreaterThan(40);
  });
});

describe('hex signature tables against clamscan', () => {
  function loads(hex: string): boolean {
    const dir = join(
      work,
      `hex-${Buffer.from(hex).toString('hex').slice(0, 40)}-${Math.random().toString(36).slice(2)}`,
    );
    mkdirSync(dir);
    writeFileSync(join(dir, 't.ndb'), `T:0:*:${hex}\n`);
    const empty = join(dir, 'empty-target');
    writeFileSync(empty, 'x');
    const r = spawnSync('clamscan', ['--no-summary', '-d', join(dir, 't.ndb'), empty], { encoding: 'utf8' });
    return r.status !== 2;
  }

  it('clamscan accepts what the engine accepts and rejects what it rejects', () => {
    const wrong = [
      ...ACCEPTED_BY_CLAMSCAN.filter((h) => !loads(h)).map((h) => `clamscan rejects ${h}`),
      ...REJECTED_BY_CLAMSCAN.filter((h) => loads(h)).map((h) => `clamscan accepts ${h}`),
    ];
    expect(wrong).toEqual([]);
  });
});
