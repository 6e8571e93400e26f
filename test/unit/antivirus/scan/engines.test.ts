import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClamdEngine } from '../../../../shared/antivirus/clamd/engine.ts';
import { BuiltinEngine } from '../../../../shared/antivirus/engine/builtin-engine.ts';
import {
  createEngine,
  DEFAULT_AV_DB_DIR,
  databasePaths,
  EngineConfigError,
  parseClamdAddress,
  resetEngines,
} from '../../../../shared/antivirus/scan/index.ts';
import type { LoadReport } from '../../../../shared/antivirus/signatures/types.ts';
import { eicar } from '../engine/helpers.ts';

const FIXTURE_DB = new URL('../../../fixtures/antivirus/basic/', import.meta.url).pathname;

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

afterEach(async () => {
  await resetEngines();
});

describe('createEngine', () => {
  it('builtin without OUTBOARD_AV_DB loads the shipped EICAR database, once per process', async () => {
    const first = createEngine('builtin', {});
    expect(createEngine('builtin', {})).toBe(first);
    const engine = await first;
    expect(engine).toBeInstanceOf(BuiltinEngine);
    expect(databasePaths({})).toEqual([DEFAULT_AV_DB_DIR]);
    expect(await engine.scanStream(once(eicar()), { path: 'e', size: 68 })).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
    });
  });

  it('builtin loads OUTBOARD_AV_DB (several paths) and reports what it could not read', async () => {
    const reports: LoadReport[] = [];
    const extra = mkdtempSync(join(tmpdir(), 'ob-avdb-'));
    writeFileSync(join(extra, 'more.hdb'), `${'0'.repeat(32)}:5:Extra.Test\n`);
    const env = { OUTBOARD_AV_DB: `${FIXTURE_DB}:${extra}` };
    const engine = await createEngine('builtin', env, { onLoad: (r) => reports.push(r) });
    expect(databasePaths(env)).toEqual([FIXTURE_DB, extra]);
    expect(await engine.scanStream(once(eicar()), { path: 'e', size: 68 })).toMatchObject({
      signature: 'Outboard.Test.EICAR-Body.UNOFFICIAL',
    });
    expect(reports).toHaveLength(1);
    // The fixture holds a .ldb (unsupported) and a .hdu (PUA, skipped): reported, not silently dropped.
    expect(reports[0]!.unsupported.map((u) => u.file)).toContainEqual(expect.stringMatching(/extra\.ldb$/));
    expect(reports[0]!.skipped.map((s) => s.file)).toContainEqual(expect.stringMatching(/pua\.hdu$/));
    expect(reports[0]!.loaded.hdb).toBe(2);
    await createEngine('builtin', env, { onLoad: (r) => reports.push(r) });
    expect(reports).toHaveLength(1);
  });

  it('a database that cannot be loaded fails with the reason, and is tried again next time', async () => {
    const missing = join(tmpdir(), 'ob-no-such-db');
    await expect(createEngine('builtin', { OUTBOARD_AV_DB: missing })).rejects.toThrow(EngineConfigError);
    await expect(createEngine('builtin', { OUTBOARD_AV_DB: missing })).rejects.toThrow(/ob-no-such-db/);
    const empty = mkdtempSync(join(tmpdir(), 'ob-avdb-empty-'));
    writeFileSync(join(empty, 'logic.ldb'), 'Sig;Engine:51-255,Target:0;0;41414141\n');
    await expect(createEngine('builtin', { OUTBOARD_AV_DB: empty })).rejects.toThrow(
      /holds no signature.*logic\.ldb/,
    );
  });

  it('clamd is built from OUTBOARD_CLAMD, refused without it', async () => {
    await expect(createEngine('clamd', {})).rejects.toThrow(/OUTBOARD_CLAMD is not set/);
    const engine = await createEngine('clamd', {
      OUTBOARD_CLAMD: 'tcp://127.0.0.1:3310',
      OUTBOARD_CLAMD_STREAM_MAX: '1000',
    });
    expect(engine).toBeInstanceOf(ClamdEngine);
    expect((engine as ClamdEngine).client.where).toBe('tcp:127.0.0.1:3310');
    // Over StreamMaxLength: refused before anything is sent (no clamd needed to tell).
    expect(await engine.scanStream(once(new Uint8Array(2000)), { path: 'big', size: 2000 })).toMatchObject({
      status: 'not-scanned',
      reason: 'too-large',
    });
    await expect(
      createEngine('clamd', { OUTBOARD_CLAMD: 'tcp://127.0.0.1:3310', OUTBOARD_CLAMD_STREAM_MAX: 'lots' }),
    ).rejects.toThrow(/OUTBOARD_CLAMD_STREAM_MAX/);
  });
});

describe('parseClamdAddress', () => {
  it('reads tcp and unix addresses', () => {
    expect(parseClamdAddress('tcp://clamd.internal:3310')).toEqual({ host: 'clamd.internal', port: 3310 });
    expect(parseClamdAddress('tcp://[::1]:3310')).toEqual({ host: '::1', port: 3310 });
    expect(parseClamdAddress('unix:/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('unix:///run/clamd.sock')).toEqual({ path: '/run/clamd.sock' });
  });

  it('refuses what it cannot read, saying what was expected', () => {
    for (const bad of [
      'clamd:3310',
      'tcp://host',
      'tcp://host:0',
      'tcp://host:70000',
      'unix:relative.sock',
      '',
    ]) {
      expect(() => parseClamdAddress(bad), bad).toThrow(/expected tcp:\/\/host:port or unix:\/path/);
    }
  });
});
