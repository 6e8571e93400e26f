import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalConnector } from '../../../shared/adapters/local/connector.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const md5 = (data: Uint8Array) => `"${createHash('md5').update(data).digest('hex')}"`;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Runs a fixture script; resolves with its stdout lines once `until` accepts one, then kills it with SIGKILL. */
async function runUntilThenKill(
  script: string,
  args: string[],
  until: (line: string) => boolean,
): Promise<string[]> {
  const child: ChildProcess = spawn(process.execPath, [fixture(script).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          lines.push(line);
          if (until(line) && child.signalCode === null) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.once('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`${script} exited before it was killed: code ${code}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  return lines;
}

function runWorkers<T>(
  count: number,
  data: (worker: number, start: SharedArrayBuffer) => object,
): Promise<T[]> {
  const start = new SharedArrayBuffer(4);
  const results = Array.from(
    { length: count },
    (_, i) =>
      new Promise<T>((resolve, reject) => {
        const worker = new Worker(fixture('object-store-worker.ts'), { workerData: data(i, start) });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  setTimeout(() => {
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
  }, 300);
  return Promise.all(results);
}

describe('crash and concurrency safety of the local file adapters', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outboard-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('FsObjectStore: 8 threads racing conditional creates of 40 keys get exactly one winner per key', async () => {
    const root = join(dir, 'objects');
    const keys = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? `k/${i}/churn` : `k/${i % 3}/obj ${i}`));
    const created = await runWorkers<string[]>(8, (worker, start) => ({ root, start, worker, keys }));
    const plain = keys.filter((k) => !k.endsWith('/churn'));
    // Each plain key created exactly once; churn keys are deleted after each attempt, so they may be
    // created again by a later worker, while the deletes prune folders other workers are creating in.
    expect(
      created
        .flat()
        .filter((k) => !k.endsWith('/churn'))
        .sort(),
    ).toEqual([...plain].sort());
    const store = new FsObjectStore({ root });
    for (const key of plain) {
      const got = await store.get(key);
      const winner = created.findIndex((list) => list.includes(key));
      expect(got?.metadata).toEqual({ worker: String(winner) });
      expect(Buffer.from(got?.body ?? []).toString()).toBe(`worker ${winner} `.repeat(5000));
    }
    const listed = await store.list('k/');
    // every worker's last step on a churn key is a delete; each left one `-again/<worker>` object per churn key
    expect(listed.items).toHaveLength(plain.length + 8 * (keys.length - plain.length));
    expect(listed.items.some((o) => o.key.endsWith('/churn'))).toBe(false);
  });

  it('FsObjectStore: a writer killed with SIGKILL mid-put leaves the last whole object, never a part', async () => {
    const root = join(dir, 'objects');
    for (let round = 0; round < 3; round++) {
      const lines = await runUntilThenKill('object-store-child.ts', [root], () => Math.random() < 0.15);
      const store = new FsObjectStore({ root });
      const got = await store.get('vm/disk.img');
      expect(got).toBeDefined();
      const fill = Number(got?.metadata.fill);
      expect(got?.body.length).toBe(4 * 1024 * 1024);
      expect(got?.body.every((b) => b === fill)).toBe(true);
      expect(got?.etag).toBe(md5(got?.body ?? new Uint8Array()));
      // the last put that returned, or the one in flight when the process died
      const last = Number(lines.at(-1));
      expect([last, (last + 1) % 256]).toContain(fill);
      expect((await store.list('')).items.map((o) => o.key)).toEqual(['vm/disk.img']);
    }
  });

  it('LocalConnector: a build killed with SIGKILL mid-copy is invisible, then cleared and redone', async () => {
    const root = join(dir, 'snapshots');
    mkdirSync(join(dir, 'images'));
    const disks = [join(dir, 'images', 'd0.img'), join(dir, 'images', 'd1.img')];
    for (const d of disks) writeFileSync(d, randomBytes(3 * 1024 * 1024));
    await runUntilThenKill('connector-child.ts', [root, ...disks], (line) => line === 'copied');

    const leftovers = readdirSync(join(root, 'acme'));
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/^\.tmp-snap-1-\d+-[0-9a-f]{12}$/);
    const connector = new LocalConnector({ root, quietMs: 0 });
    expect(await connector.getSnapshot('acme', 'snap-1')).toBeUndefined();
    expect(await connector.listSnapshots('acme')).toEqual([]);

    const info = await connector.createSnapshot({
      tenantId: 'acme',
      guestId: 'gst_0000000000001',
      snapshotId: 'snap-1',
      ref: { connector: 'local', disks },
      tags: {},
    });
    expect(readdirSync(join(root, 'acme'))).toEqual(['snap-1']);
    for (const [i, d] of disks.entries()) {
      const reader = await connector.openDisk('acme', info.snapshotId, i);
      expect(sha256(await reader.read(0, reader.size))).toBe(sha256(readFileSync(d)));
      await reader.close();
    }
  });
});
