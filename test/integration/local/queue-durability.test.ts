import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';

const CHILD = new URL('../../support/queue-child.ts', import.meta.url).pathname;

/** Runs the child until it has reported `lines` steps, then kills it with SIGKILL; returns what it reported. */
function runAndKill(mode: 'produce' | 'consume', db: string, lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, mode, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    const seen: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      seen.push(...parts);
      if (seen.length >= lines && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (${signal})`));
      else resolve(seen);
    });
  });
}

function remainingBodies(path: string): string[] {
  const db = openDatabase(path);
  try {
    return (
      db.prepare("SELECT body FROM queue_messages WHERE queue = 'work'").all() as { body: string }[]
    ).map((r) => r.body);
  } finally {
    db.close();
  }
}

describe('durable queue across kill -9', () => {
  it('keeps every message whose send was acknowledged, and every message not yet deleted', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ob-durable-')), 'q.db');
    const sent = (await runAndKill('produce', path, 300)).map((l) => l.replace(/^sent /, ''));
    expect(sent.length).toBeGreaterThanOrEqual(300);
    const afterProduce = new Set(remainingBodies(path));
    for (const body of sent) expect(afterProduce.has(body)).toBe(true);

    const done = (await runAndKill('consume', path, 100)).map((l) => l.replace(/^done /, ''));
    expect(done.length).toBeGreaterThanOrEqual(100);
    const afterConsume = new Set(remainingBodies(path));
    // Nothing acknowledged as deleted is still there, and nothing else went missing: at most the one
    // message whose delete committed just before the kill, too late to be reported.
    for (const body of done) expect(afterConsume.has(body)).toBe(false);
    const doneSet = new Set(done);
    const missing = [...afterProduce].filter((b) => !doneSet.has(b) && !afterConsume.has(b));
    expect(missing.length).toBeLessThanOrEqual(1);
  });
});
