/**
 * `outboard av-scan` against the real `clamscan -r` (1.4.6), both run as processes on the same folders with
 * the same database: the engine's generated parity corpus (planted signatures of every construct, near
 * misses, EICAR variants) with archives beside it (EICAR in zip, gzip, tar and tar.gz, zips nested to
 * clamscan's recursion limit and past it, an overlapping-member zip bomb, a truncated zip), folders with
 * empty files, links and a fifo; then the shipped database on the same archives, a missing path, and, run
 * as `nobody`, a file and a folder it may not read. stdout must be the same lines in the same order (both
 * walk folders in directory order), and the exit codes the same. Last, disk images: with --raw a raw
 * image is scanned as clamscan scans it; without, the same guest in raw, qcow2 and VMDK images made by
 * qemu-img gives the same detections inside it.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../support/system-tools.ts';
import { buildZip, overlappingBomb } from '../../unit/antivirus/archives/support.ts';
import { eicar } from '../../unit/antivirus/engine/helpers.ts';
import { buildCorpus } from '../../unit/antivirus/engine/parity-corpus.ts';

const SEEDS = process.env.OUTBOARD_AV_PARITY_SEED ? [Number(process.env.OUTBOARD_AV_PARITY_SEED)] : [1, 2, 3];
const BIN = new URL('../../../bin/outboard.ts', import.meta.url).pathname;
const SHIPPED_DB = new URL('../../../antivirus-db/', import.meta.url).pathname;

let work: string;

interface Run {
  code: number | null;
  lines: string[];
  stderr: string;
}

function run(command: string, args: string[], asNobody = false): Run {
  const [cmd, argv] = asNobody ? ['runuser', ['-u', 'nobody', '--', command, ...args]] : [command, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, lines: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

const clamscan = (args: string[], asNobody = false) =>
  run('clamscan', ['-r', '--no-summary', ...args], asNobody);
const outboard = (args: string[], asNobody = false) =>
  run(process.execPath, [BIN, 'av-scan', '--no-summary', ...args], asNobody);

/** node, `outboard` bundled by esbuild and the shipped database, copied where `nobody` may read them. */
async function nobodysOutboard(dir: string) {
  const home = join(dir, 'as-nobody');
  mkdirSync(join(home, 'db'), { recursive: true });
  const node = join(home, 'node');
  copyFileSync(process.execPath, node);
  const bundle = join(home, 'outboard.mjs');
  await build({
    entryPoints: [BIN],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire as __obCreateRequire } from 'node:module'; const require = __obCreateRequire(import.meta.url);",
    },
  });
  for (const f of readdirSync(SHIPPED_DB)) copyFileSync(join(SHIPPED_DB, f), join(home, 'db', f));
  for (const p of [home, join(home, 'db'), node, bundle]) chmodSync(p, 0o755);
  for (const f of readdirSync(join(home, 'db'))) chmodSync(join(home, 'db', f), 0o644);
  return {
    db: join(home, 'db'),
    run: (args: string[]) => run(node, [bundle, 'av-scan', '--no-summary', ...args], true),
  };
}

/** EICAR wrapped every way the built-in engine opens, plus what clamscan stops at or calls a bomb. */
function writeArchives(dir: string): void {
  mkdirSync(dir);
  const e = eicar();
  const broken = e.slice();
  broken[30] = 0x2e;
  const deflated = (name: string, data: Uint8Array) => buildZip([{ name, data, method: 8 }]);
  const nested = (depth: number) => {
    let data = deflated('eicar.com', e);
    for (let d = depth - 1; d >= 1; d--) data = deflated(`level${d + 1}.zip`, data);
    return data;
  };
  writeFileSync(
    join(dir, 'eicar.zip'),
    buildZip([
      { name: 'readme.txt', data: new TextEncoder().encode('nothing to see here\n'), method: 8 },
      { name: 'sub/eicar.com', data: e, method: 8 },
    ]),
  );
  writeFileSync(join(dir, 'broken-eicar.zip'), deflated('broken.com', broken));
  writeFileSync(join(dir, 'eicar.com.gz'), gzipSync(e));
  // clamscan opens 16 levels of nesting and stops at 17 (its MaxRecursion 17).
  writeFileSync(join(dir, 'nested-16.zip'), nested(16));
  writeFileSync(join(dir, 'nested-17.zip'), nested(17));
  writeFileSync(join(dir, 'overlap-bomb.zip'), overlappingBomb(50, 2_000_000));
  writeFileSync(join(dir, 'truncated.zip'), deflated('eicar.com', e).subarray(0, 60));
  const tarDir = join(dir, '..', `tar-src-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(tarDir, 'inner'), { recursive: true });
  writeFileSync(join(tarDir, 'inner', 'eicar.com'), e);
  writeFileSync(join(tarDir, 'clean.txt'), 'clean\n');
  for (const [name, flags] of [
    ['eicar.tar', '-cf'],
    ['eicar.tar.gz', '-czf'],
  ] as const) {
    const r = spawnSync('tar', [flags, join(dir, name), '-C', tarDir, '.'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  }
  rmSync(tarDir, { recursive: true, force: true });
}

/** Folders with an empty file, links to a file and to a folder, and a fifo (passed over in silence). */
function writeTree(dir: string): void {
  mkdirSync(join(dir, 'a', 'b', 'c'), { recursive: true });
  writeFileSync(join(dir, 'a', 'empty'), '');
  writeFileSync(join(dir, 'a', 'b', 'c', 'eicar.com'), eicar());
  writeFileSync(join(dir, 'a', 'b', 'clean.txt'), 'hello\n');
  symlinkSync('b/c/eicar.com', join(dir, 'a', 'link-to-file'));
  symlinkSync('b', join(dir, 'a', 'link-to-dir'));
  const fifo = spawnSync('mkfifo', [join(dir, 'a', 'fifo')]);
  if (fifo.status !== 0) throw new Error('mkfifo failed');
}

beforeAll(() => {
  requireTools('clamscan', 'tar', 'mkfifo', 'runuser', 'qemu-img');
  work = mkdtempSync(join(tmpdir(), 'ob-av-cli-parity-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(SEEDS)('outboard av-scan against clamscan -r (corpus seed %i)', (seed) => {
  it('prints the same lines in the same order and exits with the same code', () => {
    const corpus = buildCorpus(seed);
    const dbDir = join(work, `db-${seed}`);
    const top = join(work, `corpus-${seed}`);
    mkdirSync(dbDir);
    mkdirSync(top);
    for (const [name, text] of Object.entries(corpus.database))
      writeFileSync(join(dbDir, name), text, 'latin1');
    for (const f of corpus.files) writeFileSync(join(top, f.name), f.bytes);
    writeArchives(join(top, 'archives'));
    writeTree(join(top, 'tree'));

    const clam = clamscan(['-d', dbDir, top]);
    const ours = outboard(['--db', dbDir, top]);

    expect(ours.lines).toEqual(clam.lines);
    expect(ours.code).toBe(clam.code);
    expect(ours.code).toBe(1);
    // The corpus is worth comparing: many detections, the archives' among them, and the planted misses.
    const found = ours.lines.filter((l) => l.endsWith(' FOUND'));
    expect(found.length).toBeGreaterThan(40);
    expect(found).toContain(`${top}/archives/eicar.zip: Par.EICAR-Body.UNOFFICIAL FOUND`);
    expect(found).toContain(`${top}/archives/nested-16.zip: Par.EICAR-Body.UNOFFICIAL FOUND`);
    expect(ours.lines).toContain(`${top}/archives/nested-17.zip: OK`);
    expect(ours.lines).toContain(`${top}/archives/overlap-bomb.zip: Heuristics.Zip.OverlappingFiles FOUND`);
    expect(ours.lines).toContain(`${top}/tree/a/link-to-dir: Symbolic link`);
    expect(ours.lines).toContain(`${top}/tree/a/empty: Empty file`);
    // What clamscan reports OK but was not scanned in full is a warning beside the line.
    expect(ours.stderr).toMatch(/warning: .*nested-17\.zip: not scanned in full \(archive-limit\)/);
    // The .ldb of the corpus is loaded by clamscan, not by the engine: said at load.
    expect(ours.stderr).toMatch(
      /warning: .*unsupported\.ldb: not loaded: logical signatures are not supported/,
    );
  });
});

describe('outboard av-scan against clamscan -r, beyond the corpus', () => {
  it('reports the same with the shipped EICAR database, with -i, and on files named one by one', () => {
    const top = join(work, 'shipped');
    mkdirSync(top);
    writeArchives(join(top, 'archives'));
    writeTree(join(top, 'tree'));
    const clam = clamscan(['-d', SHIPPED_DB, top]);
    const ours = outboard(['--db', SHIPPED_DB, top]);
    expect(ours.lines).toEqual(clam.lines);
    expect(ours.code).toBe(clam.code);
    expect(ours.lines).toContain(`${top}/archives/eicar.tar.gz: Eicar-Test-Signature.UNOFFICIAL FOUND`);

    const clamInfected = clamscan(['-i', '-d', SHIPPED_DB, top]);
    const oursInfected = outboard(['-i', '--db', SHIPPED_DB, top]);
    expect(oursInfected.lines).toEqual(clamInfected.lines);
    expect(oursInfected.lines.every((l) => l.endsWith(' FOUND'))).toBe(true);

    // Named on the command line: a link to a file is followed; a trailing slash is dropped.
    const args = [
      join(top, 'tree', 'a', 'link-to-file'),
      `${join(top, 'tree', 'a', 'b')}/`,
      join(top, 'archives', 'eicar.com.gz'),
    ];
    const clamArgs = clamscan(['-d', SHIPPED_DB, ...args]);
    const oursArgs = outboard(['--db', SHIPPED_DB, ...args]);
    expect(oursArgs.lines).toEqual(clamArgs.lines);
    expect(oursArgs.code).toBe(clamArgs.code);
  });

  it('exits 2 like clamscan on a missing path with nothing found, with the same messages on stderr', () => {
    const top = join(work, 'missing');
    mkdirSync(top);
    writeFileSync(join(top, 'clean.txt'), 'clean\n');
    const missing = join(top, 'no-such-file');
    const clam = clamscan(['-d', SHIPPED_DB, missing, join(top, 'clean.txt')]);
    const ours = outboard(['--db', SHIPPED_DB, missing, join(top, 'clean.txt')]);
    expect(ours.lines).toEqual(clam.lines);
    expect(ours.code).toBe(2);
    expect(clam.code).toBe(2);
    const about = (stderr: string) => stderr.split('\n').filter((l) => l.includes(missing));
    expect(about(ours.stderr)).toEqual(about(clam.stderr));

    const clean = [clamscan(['-d', SHIPPED_DB, top]), outboard(['--db', SHIPPED_DB, top])];
    expect(clean.map((r) => r.code)).toEqual([0, 0]);
    expect(clean[1]!.lines).toEqual(clean[0]!.lines);
  });

  it('reports a file and a folder it may not read as clamscan does (run as nobody)', async () => {
    const top = join(work, 'denied');
    mkdirSync(join(top, 'closed'), { recursive: true });
    writeFileSync(join(top, 'closed', 'inside.txt'), 'x\n');
    writeFileSync(join(top, 'secret.txt'), 'secret\n');
    writeFileSync(join(top, 'open.txt'), 'open\n');
    chmodSync(join(top, 'secret.txt'), 0o000);
    chmodSync(join(top, 'closed'), 0o000);
    chmodSync(work, 0o755);
    chmodSync(top, 0o755);

    // `nobody` may not enter where CI keeps its node (under $HOME) or, maybe, the checkout: it runs a
    // copy of node and the CLI bundled into one file, with a copy of the database, all in `work`.
    const asNobody = await nobodysOutboard(work);
    const db = asNobody.db;
    const clam = clamscan(['-d', db, top], true);
    const ours = asNobody.run(['--db', db, top]);
    expect(clam.lines).toContain(`${top}/secret.txt: Access denied`);
    expect(clam.lines).toContain(`${top}/closed: Can't open directory.`);
    expect(ours.lines).toEqual(clam.lines);
    expect(ours.code).toBe(2);
    expect(clam.code).toBe(2);

    // With something found, the errors do not change the exit code: 1, as clamscan's.
    writeFileSync(join(top, 'eicar.com'), eicar());
    chmodSync(join(top, 'eicar.com'), 0o644);
    const clamFound = clamscan(['-d', db, top], true);
    const oursFound = asNobody.run(['--db', db, top]);
    expect(oursFound.lines).toEqual(clamFound.lines);
    expect([oursFound.code, clamFound.code]).toEqual([1, 1]);
    chmodSync(join(top, 'closed'), 0o755);
  });
});

describe('outboard av-scan on disk images', () => {
  it('scans bytes like clamscan with --raw, and the same guest files in raw, qcow2 and VMDK images', () => {
    const top = join(work, 'images');
    mkdirSync(top);
    const raw = join(top, 'alpine.img');
    writeFileSync(
      raw,
      gunzipSync(readFileSync(new URL('../../../demo/estate/alpine320.img.gz', import.meta.url))),
    );
    const clam = clamscan(['-d', SHIPPED_DB, raw]);
    const asBytes = outboard(['--raw', '--db', SHIPPED_DB, raw]);
    expect(asBytes.lines).toEqual(clam.lines);
    expect(asBytes.code).toBe(clam.code);

    const inside = (image: string) => {
      const r = outboard(['-i', '--db', SHIPPED_DB, image]);
      expect(r.code).toBe(1);
      return r.lines.map((l) => l.slice(image.length));
    };
    const want = [':/home/alice/Downloads/eicar.com: Eicar-Test-Signature.UNOFFICIAL FOUND'];
    expect(inside(raw)).toEqual(want);
    for (const format of ['qcow2', 'vmdk']) {
      const image = join(top, `alpine.${format}`);
      const made = spawnSync('qemu-img', ['convert', '-f', 'raw', '-O', format, raw, image], {
        encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`qemu-img failed: ${made.stderr}`);
      expect(inside(image)).toEqual(want);
    }
  });
});
