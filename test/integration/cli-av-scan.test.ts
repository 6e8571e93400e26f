/**
 * `outboard av-scan` through bin/outboard.ts, as a script would run it: its help, how bad command lines
 * and databases end (exit 2, a message), and the exit codes of clean, infected and disk-image scans.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eicar } from '../unit/antivirus/engine/helpers.ts';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;
const FOUND = 'Eicar-Test-Signature.UNOFFICIAL FOUND';

let work: string;

function outboard(args: string[], env: Record<string, string> = {}) {
  const { OUTBOARD_AV_DB: _, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...inherited, ...env },
    maxBuffer: 1 << 26,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ob-cli-av-scan-'));
  mkdirSync(join(work, 'files', 'sub'), { recursive: true });
  writeFileSync(join(work, 'files', 'sub', 'eicar.com'), eicar());
  writeFileSync(join(work, 'files', 'clean.txt'), 'clean\n');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('outboard av-scan', () => {
  it('is listed in the help and explains its options', () => {
    const all = outboard(['--help']);
    expect(all.stdout).toMatch(/^ {2}av-scan +Scan files, folders or disk images/m);
    const own = outboard(['av-scan', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain('Usage: outboard av-scan [--db DIR]… [options] PATH-OR-IMAGE…');
    for (const flag of [
      '--db PATH',
      '--infected',
      '--no-summary',
      '--json',
      '--image',
      '--raw',
      '--fail-closed',
    ])
      expect(own.stdout).toContain(flag);
  });

  it('finds EICAR with the shipped database by default: clamscan lines, the summary, exit 1', () => {
    const r = outboard(['av-scan', join(work, 'files')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`${work}/files/sub/eicar.com: ${FOUND}`);
    expect(lines).toContain(`${work}/files/clean.txt: OK`);
    expect(r.stdout).toMatch(/\n\n----------- SCAN SUMMARY -----------\nKnown viruses: 2\n/);
    expect(r.stdout).toContain('\nInfected files: 1\n');
  });

  it('exits 0 on clean files, and prints only the lines with --no-summary', () => {
    const r = outboard([
      'av-scan',
      '--no-summary',
      '-d',
      new URL('../../antivirus-db/', import.meta.url).pathname,
      join(work, 'files', 'clean.txt'),
    ]);
    expect(r).toEqual({ code: 0, stdout: `${work}/files/clean.txt: OK\n`, stderr: '' });
  });

  it('exits 2 with a message on a bad command line, a missing database or a missing path', () => {
    const none = outboard(['av-scan']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^outboard av-scan: expected PATH-OR-IMAGE; usage: outboard av-scan/);
    const unknown = outboard(['av-scan', '--frobnicate', work]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--frobnicate'/);
    const badSize = outboard(['av-scan', '--max-filesize', '12Q', work]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toBe(
      'outboard av-scan: --max-filesize expects a whole number ≥ 1 (bytes, or with a K, M or G suffix), got "12Q"\n',
    );
    const noDb = outboard(['av-scan', '--db', join(work, 'nowhere'), work]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('cannot be read: No such file or directory');
    const missing = outboard(['av-scan', '--no-summary', join(work, 'nope')]);
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: `${work}/nope: No such file or directory\nWARNING: ${work}/nope: Can't access file\n`,
    });
  });

  it('scans a disk image file by file, and --json says the same in one document', () => {
    const image = join(work, 'alpine.img');
    writeFileSync(
      image,
      gunzipSync(readFileSync(new URL('../../demo/estate/alpine320.img.gz', import.meta.url))),
    );
    const r = outboard(['av-scan', '-i', '--no-summary', image]);
    expect(r).toEqual({
      code: 1,
      stdout: `${image}:/home/alice/Downloads/eicar.com: ${FOUND}\n`,
      stderr: '',
    });
    const json = outboard(['av-scan', '--json', image]);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.results.filter((x: { status: string }) => x.status === 'infected')).toEqual([
      expect.objectContaining({ path: `${image}:/home/alice/Downloads/eicar.com`, size: 68 }),
    ]);
  });
});
