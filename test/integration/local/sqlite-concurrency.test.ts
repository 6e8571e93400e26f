import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import { fixtures } from '../../support/registry-contract.ts';

const WORKER = new URL('./fixtures/sqlite-worker.ts', import.meta.url);
const CHILD = new URL('./fixtures/sqlite-child.ts', import.meta.url);

function runWorkers<T>(count: number, data: (i: number, start: SharedArrayBuffer) => object): Promise<T[]> {
  const start = new SharedArrayBuffer(4);
  const results = Array.from(
    { length: count },
    (_, i) =>
      new Promise<T>((resolve, reject) => {
        const worker = new Worker(WORKER, { workerData: data(i, start) });
        worker.once('message', (m: T) => resolve(m));
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`worker ${i} exited with ${code}`));
        });
      }),
  );
  // Let the workers load, then release them together.
  setTimeout(() => {
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
  }, 300);
  return Promise.all(results);
}

describe('SQLite shared by threads and processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outboard-sqlite-it-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serialises read-modify-write transactions from 6 threads without losing an update', async () => {
    const dbPath = join(dir, 'counter.db');
    await runWorkers(6, (worker, start) => ({ task: 'counter', dbPath, start, worker, increments: 150 }));
    const db = openDatabase(dbPath);
    expect(db.prepare('SELECT n FROM counter').get()).toEqual({ n: 900 });
    db.close();
  });

  it('lets 6 threads migrate one new database and race conditional writes: one winner each', async () => {
    const dbPath = join(dir, 'registry.db');
    const tenantId = fixtures.tenantId();
    const guestIds = Array.from({ length: 20 }, (_, i) => fixtures.guestId(100 + i));
    const jobIds = Array.from({ length: 20 }, () => fixtures.jobId());
    const results = await runWorkers<{ guestWins: string[]; jobWins: string[]; transitions: string[] }>(
      6,
      (worker, start) => ({ task: 'registry-race', dbPath, start, worker, tenantId, guestIds, jobIds }),
    );
    const all = (pick: (r: (typeof results)[number]) => string[]) => results.flatMap(pick).sort();
    expect(all((r) => r.guestWins)).toEqual([...guestIds].sort());
    expect(all((r) => r.jobWins)).toEqual([...jobIds].sort());
    expect(all((r) => r.transitions)).toEqual([...jobIds].sort());

    const db = openDatabase(dbPath);
    expect(db.prepare("SELECT version FROM schema_migrations WHERE name = 'registry'").all()).toEqual([
      { version: 1 },
    ]);
    const registry = new SqliteRegistry(db);
    for (const id of jobIds) expect((await registry.getJob(tenantId, id))?.status).toBe('running');
    expect((await registry.listGuests(tenantId, { limit: 100 })).items).toHaveLength(20);
    db.close();
  });

  it('keeps every transaction whose COMMIT returned when the process is killed with SIGKILL', async () => {
    const dbPath = join(dir, 'killed.db');
    const child = spawn(process.execPath, [CHILD.pathname, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lastCommitted = 0;
    try {
      let buffered = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) lastCommitted = Number(line);
          if (lastCommitted >= 3000 && child.signalCode === null && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.once('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`child exited before it was killed: code ${code}`));
        });
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.once('exit', resolve));
    const db = openDatabase(dbPath);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    const { n, top } = db.prepare('SELECT count(*) AS n, max(id) AS top FROM rows').get() as {
      n: number;
      top: number;
    };
    expect(top).toBeGreaterThanOrEqual(lastCommitted);
    expect(n).toBe(top); // no gaps: each row is a whole transaction
    db.close();
  });
});
