import { beforeEach, describe, expect, it } from 'vitest';
import { decodeFileIndex, type FileIndexEntry } from '../../../../shared/antivirus/dispatch/file-index.ts';
import { fileIndexKey } from '../../../../shared/domain/antivirus/keys.ts';
import type { MemTree } from '../../../support/mem-fs.ts';
import { overlappingBomb } from '../../antivirus/archives/support.ts';
import { eicar } from '../../antivirus/engine/helpers.ts';
import { afterBackup, cleanTree, type Env, guest, setup, tenantId } from './support.ts';

async function storedIndex(env: Env): Promise<FileIndexEntry[]> {
  const object = await env.objects.get(fileIndexKey(tenantId, guest.id));
  if (!object) return [];
  const out: FileIndexEntry[] = [];
  for await (const e of decodeFileIndex(object.body)) out.push(e);
  return out;
}

/** Backs up `tree` as restore point `n`, dispatches its scan and delivers its tasks. */
async function scanBackup(env: Env, n: number, tree: MemTree) {
  const sentBefore = env.queue.sent.length;
  const { event } = await env.restorePoint(n, tree);
  await env.dispatch(afterBackup(event));
  const tasks = env.queue.tasks().slice(sentBefore);
  for (const task of tasks) await env.scan(task);
  const completed = env.bus.ofType('AV Scan Completed').at(-1)!.detail;
  expect(completed.jobId).toMatch(/^job_/);
  return { tasks, summary: completed.summary, scheduled: tasks.flatMap((t) => t.files.map((f) => f.path)) };
}

describe('incremental anti-virus scans', () => {
  let env: Env;
  beforeEach(async () => {
    env = setup();
    await env.registry.createGuest(guest);
    await env.enableAntivirus();
  });

  it('the first scan is full and writes the index; the next skips what is unchanged', async () => {
    const first = await scanBackup(env, 1, cleanTree());
    expect(first.summary).toMatchObject({ mode: 'full', files: 5, status: 'COMPLETED' });
    expect((await storedIndex(env)).map((e) => [e.path, e.verdict])).toEqual([
      ['/etc/app.conf', 'clean'],
      ['/etc/hostname', 'clean'],
      ['/home/ada/notes.txt', 'clean'],
      ['/usr/bin/tool', 'clean'],
      ['/var/log/syslog.1', 'clean'],
    ]);

    env.clock.advance(3_600_000);
    const changed = cleanTree();
    (changed.etc as MemTree).hostname = 'web-renamed\n';
    const second = await scanBackup(env, 2, changed);
    expect(second.summary).toMatchObject({
      mode: 'incremental',
      files: 1,
      skipped: { byReason: { unchanged: 4 } },
      status: 'COMPLETED',
    });
    expect(second.scheduled).toEqual(['/etc/hostname']);
    // The new index holds every file again: four carried over, one rescanned.
    const index = await storedIndex(env);
    expect(index).toHaveLength(5);
    expect(index.find((e) => e.path === '/etc/hostname')?.size).toBe('web-renamed\n'.length);
    expect(index.find((e) => e.path === '/etc/app.conf')?.scannedAt).toBe('2026-03-01T12:00:00.000Z');
  });

  it('infected files and files not scanned are scanned again next time; a full policy ignores the index', async () => {
    const tree = {
      ...cleanTree(),
      tmp: { 'eicar.com': eicar(), 'bomb.zip': overlappingBomb(250, 4 * 1024 * 1024) },
    };
    const first = await scanBackup(env, 1, tree);
    expect(first.summary).toMatchObject({ result: 'THREATS_FOUND', status: 'COMPLETED_WITH_ISSUES' });
    const index = await storedIndex(env);
    expect(index.find((e) => e.path === '/tmp/eicar.com')?.verdict).toBe('infected');
    expect(index.find((e) => e.path === '/tmp/bomb.zip')).toBeUndefined();

    const second = await scanBackup(env, 2, tree);
    expect(second.scheduled).toEqual(['/tmp/bomb.zip', '/tmp/eicar.com']);
    expect(second.summary).toMatchObject({ mode: 'incremental', detections: 1 });

    await env.enableAntivirus({ incremental: false });
    const third = await scanBackup(env, 3, tree);
    expect(third.summary.mode).toBe('full');
    expect(third.scheduled).toHaveLength(7);
  });

  it('files of a failed task stay out of the index, so the next scan reads them', async () => {
    env.connector.tree = cleanTree();
    const { event } = await env.restorePoint(1, cleanTree());
    await env.dispatch(afterBackup(event), {}, { tasks: { maxTaskFiles: 2 } });
    const [t0, t1, t2] = env.queue.tasks();
    await env.scan(t0!);
    env.connector.openFailures.push(new Error('disk gone'));
    await env.scan(t1!, { receiveCount: 3 });
    await env.scan(t2!);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary.status).toBe('COMPLETED_WITH_ISSUES');
    const failedPaths = t1!.files.map((f) => f.path);
    const index = await storedIndex(env);
    expect(index.map((e) => e.path)).not.toContain(failedPaths[0]);
    expect(index).toHaveLength(3);

    const second = await scanBackup(env, 2, cleanTree());
    expect(second.scheduled).toEqual(failedPaths);
  });

  it('an older scan finishing after a newer one does not replace the newer index', async () => {
    const tree = cleanTree();
    const older = await env.restorePoint(1, tree);
    const sent = env.queue.sent.length;
    await env.dispatch(afterBackup(older.event));
    const olderTasks = env.queue.tasks().slice(sent);

    env.clock.advance(3_600_000);
    const newer = { ...tree, extra: { 'new.txt': 'new file' } };
    const second = await scanBackup(env, 2, newer);
    expect(second.summary.mode).toBe('full');
    expect((await storedIndex(env)).map((e) => e.path)).toContain('/extra/new.txt');

    for (const task of olderTasks) await env.scan(task);
    expect(env.bus.ofType('AV Scan Completed')).toHaveLength(2);
    expect((await storedIndex(env)).map((e) => e.path)).toContain('/extra/new.txt');
  });
});
