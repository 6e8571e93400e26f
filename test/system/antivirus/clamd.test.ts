/**
 * The clamd engine against the real clamd (Debian's clamav-daemon, 1.4.6), started in the foreground on
 * a Unix socket and a TCP port with a database this test writes: freshclam cannot reach its servers
 * here, so the signatures are ours (EICAR, a planted file's MD5, a body pattern), and clamd reports
 * them with the `.UNOFFICIAL` suffix of unsigned local databases. clamd is killed after the suite, on
 * failure too. It also checks that archive limits cut where clamd's do (MaxRecursion, MaxFiles).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandArchive } from '../../../shared/antivirus/archives/index.ts';
import type { ClamdAddress } from '../../../shared/antivirus/clamd/index.ts';
import { ClamdClient, ClamdEngine } from '../../../shared/antivirus/clamd/index.ts';
import { buildZip, nestedZips } from '../../unit/antivirus/archives/support.ts';

const MiB = 1024 * 1024;
/** EICAR's 68 bytes, put together here so that this file itself is not a test virus. */
const EICAR = new TextEncoder().encode(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS', '-TEST-FILE!$H+H*'].join(''),
);
/** A file whose MD5 goes in the .hdb. */
const PLANTED_HASH = new Uint8Array(randomBytes(4096));
/** A file carrying the .ndb body pattern (OUTB?ARD, 2 to 6 bytes, SIGNATURE) in its middle. */
const PLANTED_BODY = new Uint8Array(
  Buffer.concat([randomBytes(10_000), Buffer.from('OUTBOARD--SIGNATURE'), randomBytes(10_000)]),
);

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const one = (data: Uint8Array) =>
  (async function* () {
    yield data;
  })();

interface RunningClamd {
  unix: ClamdAddress;
  tcp: ClamdAddress;
  version: string;
  stop(): Promise<void>;
}

function clamdBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v clamd || ls /usr/sbin/clamd'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0];
  if (found.status !== 0 || !path) {
    throw new Error('missing system tool: clamd. Install it with scripts/install-system-deps.sh');
  }
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startClamd(): Promise<RunningClamd> {
  const binary = clamdBinary();
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'ob-clamd-'));
  const db = join(dir, 'db');
  mkdirSync(db);
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(
    join(db, 'outboard.hdb'),
    `${md5(EICAR)}:68:Outboard.Test.EICAR\n${md5(PLANTED_HASH)}:${PLANTED_HASH.length}:Outboard.Test.PlantedHash\n`,
  );
  writeFileSync(
    join(db, 'outboard.ndb'),
    'Outboard.Test.PlantedBody:0:*:4f555442??415244{2-6}5349474e4154555245\n',
  );
  const port = await freePort();
  const socket = join(dir, 'clamd.sock');
  const config = join(dir, 'clamd.conf');
  writeFileSync(
    config,
    [
      'Foreground yes',
      `LocalSocket ${socket}`,
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${db}`,
      `TemporaryDirectory ${join(dir, 'tmp')}`,
      `LogFile ${join(dir, 'clamd.log')}`,
      `PidFile ${join(dir, 'clamd.pid')}`,
      'StreamMaxLength 100M',
      'MaxRecursion 16',
      'MaxFiles 10000',
      'MaxThreads 2',
      'SelfCheck 3600',
      // clamd remembers the hashes of clean files and skips scanning them again: off, so that every
      // scan here is a real one (and the throughput printed is the scan's, not the cache's).
      'DisableCache yes',
      '',
    ].join('\n'),
  );
  const child = spawn(binary, [`--config-file=${config}`, '--foreground'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  // If the test process dies before afterAll, clamd must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(new ClamdClient({ address: { path: socket }, timeoutMs: 5000 }), child, () => output);
  } catch (err) {
    const log = existsSync(join(dir, 'clamd.log')) ? readFileSync(join(dir, 'clamd.log'), 'utf8') : '';
    await stop();
    throw new Error(`clamd did not start: ${(err as Error).message}\n${output}\n${log}`);
  }
  return { unix: { path: socket }, tcp: { host: '127.0.0.1', port }, version, stop };
}

async function waitForPong(client: ClamdClient, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`clamd exited with ${child.exitCode}: ${output()}`);
    try {
      await client.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** SIGTERM, then SIGKILL if clamd is still there after 10 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('the clamd engine against the real clamd', () => {
  let clamd: RunningClamd | undefined;

  beforeAll(async () => {
    clamd = await startClamd();
  });

  afterAll(async () => {
    await clamd?.stop();
  });

  const engines = () =>
    [
      ['unix', new ClamdEngine({ address: clamd!.unix })],
      ['tcp', new ClamdEngine({ address: clamd!.tcp })],
    ] as const;

  it('answers PING on both sockets, and describe() reports its version', async () => {
    const engineVersion = /^ClamAV (\S+)/.exec(clamd!.version)?.[1];
    expect(engineVersion).toBeDefined();
    for (const [, engine] of engines()) {
      await engine.client.ping();
      // Without the official database clamd has no daily version to report.
      expect(await engine.describe()).toEqual({
        engine: 'ClamAV',
        engineVersion,
        signatures: 0,
        signatureVersion: 'unknown',
      });
    }
  });

  it('finds EICAR, the planted hash and the planted body, with .UNOFFICIAL names; a clean file is clean', async () => {
    expect(EICAR.length).toBe(68);
    expect(md5(EICAR)).toBe('44d88612fea8a8f36de82e1278abb02f');
    for (const [transport, engine] of engines()) {
      const scan = (data: Uint8Array) => engine.scanStream(one(data), { path: transport, size: data.length });
      expect(await scan(EICAR)).toEqual({ status: 'infected', signature: 'Outboard.Test.EICAR.UNOFFICIAL' });
      expect(await scan(PLANTED_HASH)).toEqual({
        status: 'infected',
        signature: 'Outboard.Test.PlantedHash.UNOFFICIAL',
      });
      expect(await scan(PLANTED_BODY)).toEqual({
        status: 'infected',
        signature: 'Outboard.Test.PlantedBody.UNOFFICIAL',
      });
      expect(await scan(new Uint8Array(randomBytes(64 * 1024)))).toEqual({ status: 'clean' });
      // One byte off the planted hash is another file.
      const nearMiss = PLANTED_HASH.slice();
      nearMiss[0] = nearMiss[0]! ^ 1;
      expect(await scan(nearMiss)).toEqual({ status: 'clean' });
    }
  });

  it('scans 100 MiB (StreamMaxLength) and refuses one byte more as too large', async () => {
    // Text-like bytes: clamd scans random data several times slower (it looks for embedded files).
    const data = new Uint8Array(100 * MiB);
    for (let i = 0; i < data.length; i++) data[i] = i % 81 === 80 ? 10 : 97 + ((i * 7 + (i >> 9)) % 26);
    for (const [transport, engine] of engines()) {
      const pieces = (extra: number) =>
        (async function* () {
          for (let at = 0; at < data.length; at += MiB) yield data.subarray(at, at + MiB);
          if (extra) yield new Uint8Array(extra);
        })();
      const started = process.hrtime.bigint();
      expect(await engine.scanStream(pieces(0), { path: 'big', size: data.length })).toEqual({
        status: 'clean',
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `clamd INSTREAM over ${transport}, 100 MiB of text, cache off: ${seconds.toFixed(2)} s, ${(100 / seconds).toFixed(0)} MiB/s`,
      );
      const over = await engine.scanStream(pieces(1), { path: 'bigger', size: data.length + 1 });
      expect(over).toMatchObject({ status: 'not-scanned', reason: 'too-large' });
      expect(over.status === 'not-scanned' && over.detail).toMatch(/INSTREAM size limit exceeded/);
    }
  });

  it('opens archives as deep as our expansion does: MaxRecursion 16', async () => {
    const [[, engine]] = engines();
    for (const depth of [15, 16, 17]) {
      const zip = nestedZips(depth, EICAR);
      const verdict = await engine.scanStream(one(zip), { path: 'nested.zip', size: zip.length });
      let reached = false;
      for await (const item of expandArchive(zip, { path: 'nested.zip' })) {
        if (item.kind === 'entry' && item.path.endsWith('leaf.txt')) reached = true;
      }
      expect({ depth, clamd: verdict.status, ours: reached }).toEqual({
        depth,
        clamd: depth <= 15 ? 'infected' : 'clean',
        ours: depth <= 15,
      });
    }
  });

  it('counts archive members as our expansion does: MaxFiles 10,000', async () => {
    const [[, engine]] = engines();
    for (const count of [10_000, 10_001]) {
      const zip = buildZip(
        Array.from({ length: count }, (_, i) => ({
          name: `f${i}`,
          data: i === count - 1 ? EICAR : new TextEncoder().encode(`${i}`),
        })),
      );
      const verdict = await engine.scanStream(one(zip), { path: 'many.zip', size: zip.length });
      let reached = false;
      for await (const item of expandArchive(zip, { path: 'm' })) {
        if (item.kind === 'entry' && item.path === `m/f${count - 1}`) reached = true;
      }
      expect({ count, clamd: verdict.status, ours: reached }).toEqual({
        count,
        clamd: count <= 10_000 ? 'infected' : 'clean',
        ours: count <= 10_000,
      });
    }
  });
});
