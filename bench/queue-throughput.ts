/**
 * Durable queue throughput: messages per second through send → receive → delete, one at a time and in
 * Lambda-sized batches of 10, against a baseline measured in the same run: bare SQLite doing the same
 * row work (insert, select, update, delete per message) with none of the queue's semantics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../shared/adapters/local/sqlite.ts';
import { SqliteQueue } from '../shared/adapters/local/sqlite-queue.ts';

export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  notes: string;
}

const N = 20_000;

async function queueRun(batch: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ob-bench-q-'));
  const db = openDatabase(join(dir, 'q.db'));
  const queue = new SqliteQueue(db, [
    { name: 'q', visibilityTimeoutSeconds: 30, maxReceiveCount: 5, retentionSeconds: 3600 },
  ]);
  const body = JSON.stringify({
    detail: { guestId: 'gst_0000000000aaaaaaaaaaaaaaaa', payload: 'x'.repeat(300) },
  });
  const start = performance.now();
  for (let i = 0; i < N; i += batch) {
    await queue.send(
      'q',
      Array.from({ length: batch }, () => ({ body })),
    );
    const { records } = queue.receive('q', batch);
    queue.deleteBatch(
      'q',
      records.map((r) => r.receiptHandle),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return N / seconds;
}

function baselineRun(batch: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'ob-bench-b-'));
  const db = openDatabase(join(dir, 'b.db'));
  db.exec('CREATE TABLE m (seq INTEGER PRIMARY KEY, body TEXT, visible_at INTEGER, receipt TEXT)');
  const insert = db.prepare('INSERT INTO m (body, visible_at) VALUES (?, 0)');
  const select = db.prepare('SELECT seq FROM m WHERE visible_at <= ? LIMIT ?');
  const mark = db.prepare('UPDATE m SET visible_at = ?, receipt = ? WHERE seq = ?');
  const del = db.prepare('DELETE FROM m WHERE seq = ?');
  const body = JSON.stringify({
    detail: { guestId: 'gst_0000000000aaaaaaaaaaaaaaaa', payload: 'x'.repeat(300) },
  });
  const start = performance.now();
  for (let i = 0; i < N; i += batch) {
    db.exec('BEGIN');
    for (let j = 0; j < batch; j++) insert.run(body);
    db.exec('COMMIT');
    db.exec('BEGIN');
    const rows = select.all(Date.now(), batch) as { seq: number }[];
    for (const r of rows) mark.run(Date.now() + 30_000, 'r', r.seq);
    db.exec('COMMIT');
    db.exec('BEGIN');
    for (const r of rows) del.run(r.seq);
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return N / seconds;
}

export async function runQueueBench(): Promise<BenchResult> {
  baselineRun(10); // warm up
  const single = await queueRun(1);
  const batched = await queueRun(10);
  const baseSingle = baselineRun(1);
  const baseBatched = baselineRun(10);
  return {
    name: 'Durable queue: send → receive → delete',
    metrics: {
      'messages/s, one at a time': Math.round(single),
      'messages/s, batches of 10': Math.round(batched),
      'baseline messages/s (bare SQLite), one at a time': Math.round(baseSingle),
      'baseline messages/s (bare SQLite), batches of 10': Math.round(baseBatched),
      'ratio to baseline, one at a time': Number((single / baseSingle).toFixed(2)),
      'ratio to baseline, batches of 10': Number((batched / baseBatched).toFixed(2)),
    },
    notes: `${N} messages of ~360 bytes through one queue in a WAL SQLite file (synchronous=NORMAL), every step its own committed transaction. Target: at least 5,000 messages/s.`,
  };
}

if (import.meta.main) {
  const r = await runQueueBench();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
