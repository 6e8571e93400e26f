/**
 * `outboard av-scan` in process: its options, the clamscan lines each verdict prints, the exit code, and
 * whole runs over temporary folders and disk images with the shipped EICAR database (the line-for-line
 * comparison with the real clamscan is test/system/antivirus/cli-parity.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScannedFile } from '../../../shared/antivirus/scan/scan-file.ts';
import {
  type AvScanResult,
  exitCodeFor,
  heuristicFor,
  OVERLAPPING_ZIP_HEURISTIC,
  parseAvScanOptions,
  parseCount,
  resultLines,
  resultOf,
  runAvScan,
  summaryBlock,
  warningFor,
} from '../../../shared/cli/av-scan.ts';
import { buildZip, overlappingBomb } from '../antivirus/archives/support.ts';
import { eicar } from '../antivirus/engine/helpers.ts';

const MiB = 1024 * 1024;
const SHIPPED_DB = new URL('../../../antivirus-db/', import.meta.url).pathname;
const FOUND = 'Eicar-Test-Signature.UNOFFICIAL FOUND';

let work: string;
let count = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ob-av-scan-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function dir(files: Record<string, string | Uint8Array> = {}): string {
  const d = join(work, `case-${count++}`);
  mkdirSync(d);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), content);
  }
  return d;
}

interface Ran {
  code: number;
  stdout: string[];
  stderr: string[];
  text: string;
}

/** Runs the command in process with the shipped database unless the values say otherwise. */
async function avScan(
  paths: string[],
  values: Record<string, unknown> = {},
  env: Record<string, string | undefined> = {},
): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await runAvScan(
    paths,
    { 'no-summary': true, ...(env.OUTBOARD_AV_DB === undefined ? { db: [SHIPPED_DB] } : {}), ...values },
    {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      env,
    },
  );
  const lines = (s: string) => s.split('\n').filter((l) => l !== '');
  return { code, stdout: lines(out), stderr: lines(err), text: out };
}

const scanned = (record: ScannedFile['record'], extra: Partial<ScannedFile> = {}): ScannedFile => ({
  record,
  ...extra,
});

describe('options', () => {
  it("defaults to clamscan's limits, images opened when found, the summary printed", async () => {
    const o = await parseAvScanOptions({});
    expect(o.limits).toEqual({
      maxRecursion: 17,
      maxFiles: 10_000,
      maxScanSize: 400 * MiB,
      maxFileSize: 100 * MiB,
      maxRatio: 1100,
    });
    expect(o).toMatchObject({
      db: [],
      images: 'auto',
      summary: true,
      infectedOnly: false,
      failClosed: false,
    });
  });

  it('reads sizes with K, M, G suffixes, counts without, and merges --db with --database', async () => {
    const o = await parseAvScanOptions({
      'max-filesize': '10M',
      'max-scansize': '2g',
      'max-files': '5',
      'max-recursion': '3',
      db: ['a'],
      database: ['b'],
      raw: true,
      infected: true,
      'no-summary': true,
      'fail-closed': true,
    });
    expect(o.limits).toMatchObject({
      maxFileSize: 10 * MiB,
      maxScanSize: 2048 * MiB,
      maxFiles: 5,
      maxRecursion: 3,
    });
    expect(o).toMatchObject({
      db: ['a', 'b'],
      images: 'never',
      infectedOnly: true,
      summary: false,
      failClosed: true,
    });
    expect(parseCount('--x', '5k', true)).toBe(5120);
  });

  it('refuses values that are not whole numbers ≥ 1, and --image with --raw', async () => {
    for (const bad of ['0', '-1', '1.5M', 'abc', '', '10T']) {
      await expect(parseAvScanOptions({ 'max-filesize': bad })).rejects.toThrow(
        /--max-filesize expects a whole number/,
      );
    }
    await expect(parseAvScanOptions({ 'max-files': '10M' })).rejects.toThrow(/--max-files expects/);
    await expect(parseAvScanOptions({ image: true, raw: true })).rejects.toThrow(/--image and --raw/);
  });
});

describe('lines and exit codes', () => {
  const plain = { infectedOnly: false, failClosed: false };
  const text = (r: AvScanResult, o = plain) => resultLines(r, o).map((l) => `${l.stream}|${l.text}`);

  it("prints clamscan's words for every status", () => {
    expect(text({ path: 'p', status: 'infected', signature: 'X.UNOFFICIAL' })).toEqual([
      'stdout|p: X.UNOFFICIAL FOUND',
    ]);
    expect(text({ path: 'p', status: 'clean' })).toEqual(['stdout|p: OK']);
    expect(text({ path: 'p', status: 'empty' })).toEqual(['stdout|p: Empty file']);
    expect(text({ path: 'p', status: 'symlink' })).toEqual(['stdout|p: Symbolic link']);
    expect(text({ path: 'p', status: 'not-scanned', reason: 'zip-bomb' })).toEqual(['stdout|p: OK']);
    expect(text({ path: 'p', status: 'error', reason: 'access-denied' })).toEqual([
      'stdout|p: Access denied',
    ]);
    expect(text({ path: 'p', status: 'error', reason: 'cannot-open-directory' })).toEqual([
      "stdout|p: Can't open directory.",
    ]);
    expect(text({ path: 'p', status: 'error', reason: 'cannot-read' })).toEqual([
      "stdout|p: Can't read file ERROR",
    ]);
    expect(text({ path: 'p', status: 'error', reason: 'cannot-access', detail: 'Not a directory' })).toEqual([
      'stderr|p: Not a directory',
      "stderr|WARNING: p: Can't access file",
    ]);
    expect(text({ path: 'p', status: 'error', reason: 'unsupported-type' })).toEqual([
      'stderr|WARNING: p: Not supported file type',
    ]);
  });

  it('keeps only FOUND lines with -i, and makes what was not scanned an ERROR with --fail-closed', () => {
    const quiet = { infectedOnly: true, failClosed: false };
    expect(text({ path: 'p', status: 'clean' }, quiet)).toEqual([]);
    expect(text({ path: 'p', status: 'error', reason: 'access-denied' }, quiet)).toEqual([]);
    expect(text({ path: 'p', status: 'infected', signature: 'S' }, quiet)).toEqual(['stdout|p: S FOUND']);
    expect(
      text({ path: 'p', status: 'not-scanned', reason: 'archive-limit' }, { ...plain, failClosed: true }),
    ).toEqual(['stdout|p: Not scanned (archive-limit) ERROR']);
  });

  it('warns on stderr about what the line does not say', () => {
    expect(
      warningFor({ path: 'a.zip', status: 'not-scanned', reason: 'zip-bomb', detail: 'a.zip: too big' }),
    ).toBe('not scanned in full (zip-bomb): too big');
    expect(warningFor({ path: 'f', status: 'error', reason: 'cannot-read', detail: 'EIO' })).toBe('EIO');
    expect(
      warningFor({ path: 'f', status: 'error', reason: 'access-denied', detail: 'Permission denied' }),
    ).toBe(undefined);
    expect(warningFor({ path: 'f', status: 'clean' })).toBe(undefined);
  });

  it('exits 1 when anything was found whatever else failed, 2 on errors alone, else 0', () => {
    expect(exitCodeFor({ infected: 1, errors: 0 })).toBe(1);
    expect(exitCodeFor({ infected: 2, errors: 3 })).toBe(1);
    expect(exitCodeFor({ infected: 0, errors: 1 })).toBe(2);
    expect(exitCodeFor({ infected: 0, errors: 0 })).toBe(0);
  });

  it("lays the summary out as clamscan's, with errors and partial scans only when there are some", () => {
    const engine = { signatures: 2, engine: 'outboard-builtin', engineVersion: '1.0.0' };
    const totals = { directories: 4, files: 5, infected: 2, notScanned: 0, errors: 0, bytes: 3 * MiB };
    expect(summaryBlock(totals, engine, 61.5).split('\n')).toEqual([
      '',
      '----------- SCAN SUMMARY -----------',
      'Known viruses: 2',
      'Engine version: outboard-builtin 1.0.0',
      'Scanned directories: 4',
      'Scanned files: 5',
      'Infected files: 2',
      'Data scanned: 3.00 MB',
      'Time: 61.500 sec (1 m 1 s)',
      '',
    ]);
    const worse = summaryBlock({ ...totals, notScanned: 1, errors: 2 }, engine, 0);
    expect(worse).toContain('Not fully scanned: 1\nTotal errors: 2\n');
  });

  it("maps scanFile's verdicts: unreadable bytes are errors, limits not-scanned, overlapping zips clamscan's heuristic", () => {
    const whole = { bytes: 10 };
    expect(
      resultOf('f', 10, scanned({ path: 'f', size: 10, status: 'clean' }, { sha256: 'ab' }), whole),
    ).toEqual({
      path: 'f',
      status: 'clean',
      size: 10,
      sha256: 'ab',
    });
    expect(
      resultOf('f', 10, scanned({ path: 'f', size: 10, status: 'not-scanned', reason: 'unreadable' }), {
        bytes: 4,
        failed: new Error('EIO: i/o error, read'),
      }),
    ).toMatchObject({ status: 'error', reason: 'cannot-read', detail: 'EIO: i/o error, read' });
    expect(
      resultOf('f', 10, scanned({ path: 'f', size: 10, status: 'not-scanned', reason: 'unreadable' }), {
        bytes: 12,
      }),
    ).toMatchObject({ status: 'error', reason: 'cannot-read' });
    // A corrupt archive read in full is clamscan's OK, not an error.
    expect(
      resultOf(
        'f',
        10,
        scanned({ path: 'f', size: 10, status: 'not-scanned', reason: 'unreadable' }, { detail: 'bad zip' }),
        whole,
      ),
    ).toMatchObject({ status: 'not-scanned', reason: 'unreadable', detail: 'bad zip' });
    expect(
      resultOf(
        'f',
        10,
        scanned({ path: 'f', size: 10, status: 'not-scanned', reason: 'engine-error' }),
        whole,
      ),
    ).toMatchObject({ status: 'error', reason: 'engine-error' });
    expect(
      resultOf(
        'f',
        10,
        scanned(
          { path: 'f', size: 10, status: 'not-scanned', reason: 'zip-bomb' },
          { detail: 'members 0 and 1 overlap' },
        ),
        whole,
      ),
    ).toMatchObject({ status: 'infected', signature: OVERLAPPING_ZIP_HEURISTIC });
    expect(heuristicFor('zip-bomb', 'expands 2000:1')).toBe(undefined);
    expect(heuristicFor('archive-limit', 'overlap')).toBe(undefined);
    expect(
      resultOf(
        'f',
        10,
        scanned(
          { path: 'f', size: 10, status: 'infected', signature: 'S' },
          { member: 'f/x', detail: 'S in x' },
        ),
        whole,
      ),
    ).toEqual({ path: 'f', status: 'infected', signature: 'S', size: 10, member: 'f/x', detail: 'S in x' });
  });
});

describe('runAvScan over folders', () => {
  it('walks folders recursively, reporting detections (in archives too), clean, empty files and links', async () => {
    const d = dir({
      'eicar.com': eicar(),
      'clean.txt': 'hello\n',
      empty: '',
      'sub/deeper/eicar.zip': buildZip([{ name: 'x/eicar.com', data: eicar(), method: 8 }]),
      'sub/clean.zip': buildZip([{ name: 'a.txt', data: new TextEncoder().encode('a'), method: 8 }]),
    });
    symlinkSync('eicar.com', join(d, 'link'));
    execFileSync('mkfifo', [join(d, 'sub', 'fifo')]);
    const r = await avScan([d]);
    expect(r.code).toBe(1);
    expect([...r.stdout].sort()).toEqual(
      [
        `${d}/eicar.com: ${FOUND}`,
        `${d}/clean.txt: OK`,
        `${d}/empty: Empty file`,
        `${d}/link: Symbolic link`,
        `${d}/sub/deeper/eicar.zip: ${FOUND}`,
        `${d}/sub/clean.zip: OK`,
      ].sort(),
    );
    expect(r.stderr).toEqual([]);
    // A subfolder's files come together, where the subfolder is met.
    const at = r.stdout.findIndex((l) => l.startsWith(`${d}/sub/`));
    expect(r.stdout.slice(at, at + 2).every((l) => l.startsWith(`${d}/sub/`))).toBe(true);

    const quiet = await avScan([`${d}/`], { infected: true });
    expect(quiet.stdout.sort()).toEqual([`${d}/eicar.com: ${FOUND}`, `${d}/sub/deeper/eicar.zip: ${FOUND}`]);
    // Named on the command line, a link is followed.
    expect((await avScan([join(d, 'link')])).stdout).toEqual([`${d}/link: ${FOUND}`]);
  });

  it('prints the summary unless told not to, and exits 0 when all is clean', async () => {
    const d = dir({ 'a.txt': 'a', 'b/c.txt': 'c' });
    const r = await avScan([d], { 'no-summary': false });
    expect(r.code).toBe(0);
    expect(r.text).toContain('\n----------- SCAN SUMMARY -----------\nKnown viruses: 2\n');
    expect(r.text).toMatch(
      /Scanned directories: 2\nScanned files: 2\nInfected files: 0\nData scanned: 0\.00 MB\n/,
    );
  });

  it('reports a missing path and a fifo on stderr as clamscan does, and exits 2 when nothing was found', async () => {
    const d = dir({ 'clean.txt': 'x' });
    execFileSync('mkfifo', [join(d, 'fifo')]);
    const missing = join(d, 'missing');
    const r = await avScan([missing, join(d, 'clean.txt'), join(d, 'fifo')]);
    expect(r.stdout).toEqual([`${d}/clean.txt: OK`]);
    expect(r.stderr).toEqual([
      `${missing}: No such file or directory`,
      `WARNING: ${missing}: Can't access file`,
      `WARNING: ${d}/fifo: Not supported file type`,
    ]);
    expect(r.code).toBe(2);
    expect((await avScan([missing, dir({ 'e.com': eicar() })])).code).toBe(1);
  });

  it('answers OK for what clamscan leaves at its limits, with a warning, and ERROR with --fail-closed', async () => {
    const truncated = buildZip([{ name: 'eicar.com', data: eicar(), method: 8 }]).subarray(0, 60);
    const big = new Uint8Array(4096);
    big.set(eicar(), 2000);
    const d = dir({ 'truncated.zip': truncated, 'big.bin': big });
    const r = await avScan([join(d, 'truncated.zip'), join(d, 'big.bin')], { 'max-filesize': '1K' });
    expect(r.stdout).toEqual([`${d}/truncated.zip: OK`, `${d}/big.bin: OK`]);
    expect(r.stderr).toEqual([
      expect.stringMatching(/^warning: .*truncated\.zip: not scanned in full \(unreadable\): /),
      expect.stringMatching(
        /^warning: .*big\.bin: not scanned in full \(too-large\): 4096 bytes exceeds the 1024-byte limit/,
      ),
    ]);
    expect(r.code).toBe(0);
    const closed = await avScan([join(d, 'truncated.zip')], { 'fail-closed': true, 'no-summary': false });
    expect(closed.stdout[0]).toBe(`${d}/truncated.zip: Not scanned (unreadable) ERROR`);
    expect(closed.text).toContain('Not fully scanned: 1\nTotal errors: 1\n');
    expect(closed.code).toBe(2);
  });

  it('calls a zip with overlapping members what clamscan calls it', async () => {
    const d = dir({ 'bomb.zip': overlappingBomb(20, 100_000) });
    const r = await avScan([join(d, 'bomb.zip')]);
    expect(r.stdout).toEqual([`${d}/bomb.zip: ${OVERLAPPING_ZIP_HEURISTIC} FOUND`]);
    expect(r.code).toBe(1);
  });

  it('prints one JSON document with --json: verdicts, database report, summary, exit code', async () => {
    const d = dir({ 'eicar.com': eicar(), 'ok.txt': 'ok', empty: '' });
    const r = await avScan([d], { json: true, 'no-summary': false });
    const doc = JSON.parse(r.text);
    expect(doc.exitCode).toBe(1);
    expect(doc.engine).toMatchObject({ engine: 'outboard-builtin', signatures: 2 });
    expect(doc.database.report.loaded).toMatchObject({ hdb: 1, ndb: 1 });
    expect(doc.summary).toMatchObject({ directories: 1, files: 2, infected: 1, errors: 0 });
    const byPath = Object.fromEntries(doc.results.map((x: AvScanResult) => [x.path, x]));
    expect(byPath[`${d}/eicar.com`]).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
      size: 68,
      sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    });
    expect(byPath[`${d}/ok.txt`]).toMatchObject({ status: 'clean' });
    expect(byPath[`${d}/empty`]).toMatchObject({ status: 'empty' });
  });
});

describe('runAvScan: the signature database', () => {
  it('exits 2 with a message when the database is missing, malformed or holds nothing it reads', async () => {
    const target = dir({ 'a.txt': 'a' });
    const missing = await avScan([target], { db: [join(work, 'no-db')] });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toEqual([
      `outboard av-scan: signature database ${join(work, 'no-db')} (--db) cannot be read: No such file or directory`,
    ]);
    const fromEnv = await avScan([target], {}, { OUTBOARD_AV_DB: join(work, 'env-db') });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.join('\n')).toContain('(OUTBOARD_AV_DB) cannot be read');

    const malformed = dir({ 'bad.hdb': 'not-a-hash-line\n' });
    const bad = await avScan([target], { db: [malformed] });
    expect(bad.code).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(
      /^outboard av-scan: signature database not loaded: 1 malformed entry/,
    );

    const onlyLogical = dir({ 'x.ldb': 'Sig;Engine:51-255,Target:0;0;41424344\n' });
    const none = await avScan([target], { db: [onlyLogical] });
    expect(none.code).toBe(2);
    expect(none.stderr).toEqual([
      `warning: ${onlyLogical}/x.ldb: not loaded: logical signatures are not supported`,
      expect.stringMatching(/holds no signature this engine reads; nothing would ever be found$/),
    ]);
    expect(none.stdout).toEqual([]);
  });

  it('reads the database OUTBOARD_AV_DB names when no --db is given, and says what it did not load', async () => {
    const db = dir({
      'mine.ndb': `Mine.Body:0:*:${Buffer.from('planted-marker').toString('hex')}\n`,
      'skip.ldb': 'Sig;Engine:51-255,Target:0;0;41424344\n',
    });
    const target = dir({ 'p.bin': 'xx planted-marker xx' });
    const r = await avScan([target], {}, { OUTBOARD_AV_DB: db });
    expect(r.stdout).toEqual([`${target}/p.bin: Mine.Body.UNOFFICIAL FOUND`]);
    expect(r.stderr).toEqual([`warning: ${db}/skip.ldb: not loaded: logical signatures are not supported`]);
  });
});

describe('runAvScan over disk images', () => {
  let image: string;
  beforeAll(() => {
    // The demo Alpine guest: MBR, one ext4 partition, EICAR at /home/alice/Downloads/eicar.com.
    image = join(work, 'alpine.img');
    writeFileSync(
      image,
      gunzipSync(readFileSync(new URL('../../../demo/estate/alpine320.img.gz', import.meta.url))),
    );
  });

  it('scans an image named on the command line file by file, as IMAGE:/guest/path', async () => {
    const r = await avScan([image]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${image}:/home/alice/Downloads/eicar.com: ${FOUND}`);
    expect(r.stdout).toContain(`${image}:/etc/os-release: OK`);
    expect(r.stdout.every((l) => l.startsWith(`${image}:/`))).toBe(true);
    // Path order inside an image.
    const paths = r.stdout.map((l) => l.slice(0, l.lastIndexOf(': ')));
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('scans it as bytes with --raw, as clamscan does, and never opens images met in a folder', async () => {
    expect((await avScan([image], { raw: true })).stdout).toEqual([`${image}: ${FOUND}`]);
    const d = dir();
    writeFileSync(join(d, 'disk.img'), readFileSync(image));
    expect((await avScan([d])).stdout).toEqual([`${d}/disk.img: ${FOUND}`]);
  });

  it('insists with --image: a file or folder that is no disk image is an error', async () => {
    const d = dir({ 'plain.txt': 'just text' });
    const r = await avScan([join(d, 'plain.txt'), d], { image: true });
    expect(r.stdout).toEqual([
      `${d}/plain.txt: Can't open disk image ERROR`,
      `${d}: Can't open disk image ERROR`,
    ]);
    expect(r.stderr).toEqual([
      `warning: ${d}/plain.txt: no readable filesystem in it`,
      `warning: ${d}: is a folder, not a disk image`,
    ]);
    expect(r.code).toBe(2);
  });

  it('takes a file that merely looks like a boot sector, or an image without a filesystem, as plain bytes', async () => {
    const bootish = new Uint8Array(64 * 1024);
    bootish.set([0x55, 0xaa], 510);
    bootish.set(eicar(), 4096);
    const d = dir({ 'bootish.bin': bootish });
    const r = await avScan([join(d, 'bootish.bin')]);
    expect(r.stdout).toEqual([`${d}/bootish.bin: ${FOUND}`]);
    expect(r.stderr).toEqual([]);
    // A qcow2 whose disk holds no filesystem the reader knows.
    const qcow2 = join(d, 'base.qcow2');
    writeFileSync(
      qcow2,
      gunzipSync(readFileSync(new URL('../../fixtures/disk/containers/base.qcow2.gz', import.meta.url))),
    );
    const q = await avScan([qcow2]);
    expect(q.stdout).toEqual([`${qcow2}: OK`]);
    expect(q.stderr).toEqual([
      `warning: ${qcow2}: a qcow2 image with no readable filesystem; scanned as a plain file`,
    ]);
  });

  it('warns when a file that starts like a container does not open, and scans its bytes', async () => {
    const vhdx = new Uint8Array(8192);
    vhdx.set(new TextEncoder().encode('vhdxfile'), 0);
    vhdx.set(eicar(), 4096);
    const qcow2 = new Uint8Array(4096);
    qcow2.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 99]);
    const d = dir({ 'x.vhdx': vhdx, 'broken.qcow2': qcow2 });
    const r = await avScan([join(d, 'x.vhdx'), join(d, 'broken.qcow2')]);
    expect(r.stdout).toEqual([`${d}/x.vhdx: ${FOUND}`, `${d}/broken.qcow2: OK`]);
    expect(r.stderr).toEqual([
      `warning: ${d}/x.vhdx: not opened as a disk image (container at offset 0: VHDX images are not supported); scanned as a plain file`,
      expect.stringMatching(
        new RegExp(
          `^warning: ${d}/broken\\.qcow2: not opened as a disk image \\(qcow2.*; scanned as a plain file$`,
        ),
      ),
    ]);
    expect(r.code).toBe(1);
  });
});
