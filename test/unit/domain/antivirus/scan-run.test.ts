import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScanEngine } from '../../../../shared/antivirus/engine/types.ts';
import { listDetections } from '../../../../shared/domain/antivirus/detections.ts';
import { afterBackupAvJobId, scanOnlySnapshotId } from '../../../../shared/domain/antivirus/keys.ts';
import { buildTar, buildZip, overlappingBomb } from '../../antivirus/archives/support.ts';
import { eicar } from '../../antivirus/engine/helpers.ts';
import { afterBackup, cleanTree, type Env, guest, requested, setup, tenantId, text } from './support.ts';

const SIG = 'Eicar-Test-Signature.UNOFFICIAL';

function infectedTree() {
  return {
    ...cleanTree(),
    tmp: {
      'eicar.com': eicar(),
      'upload.zip': buildZip([
        { name: 'readme.txt', data: text('nothing to see'), method: 8 },
        { name: 'docs/eicar.com', data: eicar(), method: 8 },
      ]),
    },
  };
}

describe('anti-virus scan tasks and fan-in', () => {
  let env: Env;
  beforeEach(async () => {
    env = setup();
    await env.registry.createGuest(guest);
    await env.enableAntivirus();
    env.connector.tree = cleanTree();
  });

  it('after a backup: EICAR (plain and in a zip) detected, recorded, announced, the restore point marked', async () => {
    const { rp, event } = await env.restorePoint(1, infectedTree());
    const jobId = afterBackupAvJobId(tenantId, guest.id, rp.id);
    // The job must still be running when its events go out: events first, job second.
    const statusAtPublish: string[] = [];
    const publish = env.bus.publish.bind(env.bus);
    env.bus.publish = async (events) => {
      for (const e of events)
        statusAtPublish.push(`${e.detailType}:${(await env.registry.getJob(tenantId, jobId))?.status}`);
      return publish(events);
    };
    await env.dispatch(afterBackup(event));
    const outcomes = await env.scanAll();
    expect(outcomes).toMatchObject([{ outcome: 'reported', finalize: { outcome: 'finished' } }]);

    const detected = env.bus.ofType('Malware Detected').map((e) => e.detail);
    expect(detected.map((d) => [d.path, d.signature])).toEqual([
      ['/tmp/eicar.com', SIG],
      ['/tmp/upload.zip', SIG],
    ]);
    expect(detected[0]).toMatchObject({
      jobId,
      guestId: guest.id,
      snapshotId: 'ob-backup1',
      restorePointId: rp.id,
      size: 68,
      sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
      engine: expect.stringMatching(/^outboard-builtin /),
      correlationId: 'c-backup-1',
    });
    const completed = env.bus.ofType('AV Scan Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toMatchObject({
      jobId,
      restorePointId: rp.id,
      summary: { status: 'COMPLETED', result: 'THREATS_FOUND', detections: 2, files: 7, mode: 'full' },
    });
    expect(completed[0]!.detail.error).toBeUndefined();
    expect(statusAtPublish).toEqual([
      'Malware Detected:running',
      'Malware Detected:running',
      'AV Scan Completed:running',
    ]);

    const job = await env.registry.getJob(tenantId, jobId);
    expect(job).toMatchObject({
      status: 'succeeded',
      result: {
        status: 'COMPLETED',
        result: 'THREATS_FOUND',
        detections: 2,
        snapshotId: 'ob-backup1',
        restorePointId: rp.id,
      },
    });
    const marked = await env.registry.getRestorePoint(tenantId, rp.id);
    expect(marked?.infected).toEqual({ jobId, detections: 2, markedAt: env.clock.now().toISOString() });

    const listed = await listDetections(env.objects, tenantId, guest.id, { limit: 10 });
    expect(listed.items.map((d) => [d.path, d.member])).toEqual([
      ['/tmp/eicar.com', undefined],
      ['/tmp/upload.zip', '/tmp/upload.zip/docs/eicar.com'],
    ]);
    expect(listed.items[0]).toMatchObject({ md5: '44d88612fea8a8f36de82e1278abb02f', restorePointId: rp.id });
    // The restore point's snapshot stays.
    expect(env.connector.deleted).toEqual([]);
  });

  it('lists detections newest first across scans, a page at a time', async () => {
    const first = await env.restorePoint(1, { a: { 'eicar.com': eicar() } });
    await env.dispatch(afterBackup(first.event));
    await env.scanAll();
    env.clock.advance(3_600_000);
    const second = await env.restorePoint(2, { b: { 'one.com': eicar(), 'two.com': eicar() } });
    await env.dispatch(afterBackup(second.event));
    await env.scanAll(1);
    const page1 = await listDetections(env.objects, tenantId, guest.id, { limit: 2 });
    expect(page1.items.map((d) => d.path)).toEqual(['/b/one.com', '/b/two.com']);
    const page2 = await listDetections(env.objects, tenantId, guest.id, {
      limit: 2,
      cursor: page1.nextCursor!,
    });
    expect(page2.items.map((d) => d.path)).toEqual(['/a/eicar.com']);
    expect(page2.nextCursor).toBeUndefined();
  });

  it('the policy decides the actions: no mark when asked not to; isolation asked for is reported as unavailable', async () => {
    await env.enableAntivirus({ onDetection: { markRestorePoint: false, isolateInstance: true } });
    const { rp, event } = await env.restorePoint(1, { 'eicar.com': eicar() });
    await env.dispatch(afterBackup(event));
    await env.scanAll();
    expect((await env.registry.getRestorePoint(tenantId, rp.id))?.infected).toBeUndefined();
    const summary = env.bus.ofType('AV Scan Completed')[0]!.detail.summary;
    expect(summary.result).toBe('THREATS_FOUND');
    expect(summary.notes.join('\n')).toMatch(
      /isolateInstance was asked, but the local connector cannot isolate/,
    );
  });

  it('an on-demand scan finds EICAR in its scan-only snapshot, says no restore point was marked, deletes the snapshot', async () => {
    env.connector.tree = infectedTree();
    const jobId = 'job_0000000001dddddddddddddddd';
    await env.dispatch(requested(jobId));
    await env.scanAll();
    expect(await env.registry.getJob(tenantId, jobId)).toMatchObject({
      status: 'succeeded',
      result: { result: 'THREATS_FOUND', detections: 2, scanOnlySnapshot: true },
    });
    const summary = env.bus.ofType('AV Scan Completed')[0]!.detail.summary;
    expect(summary.notes.join('\n')).toMatch(
      /scan-only snapshot, not a restore point; no restore point was marked/,
    );
    expect(env.connector.deleted).toEqual([scanOnlySnapshotId(jobId)]);
    expect(env.connector.snapshots.size).toBe(0);
  });

  it('a zip bomb makes the scan COMPLETED_WITH_ISSUES: not scanned, never clean', async () => {
    env.connector.tree = { srv: { 'bomb.zip': overlappingBomb(250, 4 * 1024 * 1024), 'ok.txt': 'fine' } };
    const jobId = 'job_0000000002dddddddddddddddd';
    await env.dispatch(requested(jobId));
    const [outcome] = await env.scanAll();
    if (outcome?.outcome !== 'reported') throw new Error('the task did not report');
    expect(outcome.result.verdicts.find((v) => v.path === '/srv/bomb.zip')).toMatchObject({
      status: 'not-scanned',
      reason: 'zip-bomb',
    });
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      status: 'COMPLETED_WITH_ISSUES',
      result: 'NO_THREATS_FOUND',
      files: 1,
      notScanned: { total: 1, byReason: { 'zip-bomb': 1 } },
    });
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('succeeded');
  });

  it('a redelivered or duplicated task counts once and is not scanned again', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) files[`f${i}`] = `content ${i}`;
    env.connector.tree = { d: files };
    await env.dispatch(requested(), {}, { tasks: { maxTaskFiles: 2 } });
    const [t0, t1] = env.queue.tasks();
    expect(await env.scan(t0!, { messageId: 'a' })).toMatchObject({ outcome: 'reported' });
    const opened = env.connector.opened;
    // The same message again (the queue redelivers it), and a copy sent twice.
    expect(await env.scan(t0!, { messageId: 'a', receiveCount: 2 })).toMatchObject({
      outcome: 'already-reported',
    });
    expect(await env.scan(t0!, { messageId: 'b' })).toMatchObject({ outcome: 'already-reported' });
    expect(env.connector.opened).toBe(opened);
    expect(await env.scan(t1!)).toMatchObject({ outcome: 'reported', finalize: { outcome: 'finished' } });
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      files: 4,
      tasks: { total: 2, completed: 2, failed: 0 },
    });
    // After the job finished, yet another copy is dropped.
    expect(await env.scan(t0!)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringMatching(/already succeeded/),
    });
  });

  it('tasks finishing together finalize once', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++) files[`f${i}`] = `content ${i}`;
    env.connector.tree = { d: files };
    await env.dispatch(requested(), {}, { tasks: { maxTaskFiles: 1 } });
    const outcomes = await Promise.all(env.queue.tasks().map((t) => env.scan(t)));
    const finals = outcomes.map((o) => (o.outcome === 'dropped' ? 'dropped' : o.finalize.outcome));
    expect(finals.filter((f) => f === 'finished')).toHaveLength(1);
    expect(finals.every((f) => ['finished', 'waiting', 'not-claimer', 'already-finished'].includes(f))).toBe(
      true,
    );
    expect(env.bus.ofType('AV Scan Completed')).toHaveLength(1);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary.tasks.total).toBe(8);
  });

  it('a claimer that crashed after claiming carries on when redelivered; nobody else does', async () => {
    env.connector.tree = { a: { 'eicar.com': eicar() }, b: { 'clean.txt': 'ok' } };
    const jobId = 'job_0000000003dddddddddddddddd';
    await env.dispatch(requested(jobId), {}, { tasks: { maxTaskFiles: 1 } });
    const [t0, t1] = env.queue.tasks();
    await env.scan(t0!, { messageId: 'first' });
    env.bus.failNext = 1; // the last task claims, then cannot publish
    await expect(env.scan(t1!, { messageId: 'last' })).rejects.toThrow('bus unavailable');
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('running');
    // Another task's copy arrives: it is not the claimer and stops.
    expect(await env.scan(t0!, { messageId: 'other' })).toMatchObject({
      outcome: 'already-reported',
      finalize: { outcome: 'not-claimer', claimer: 'av-scan:last' },
    });
    expect(await env.scan(t1!, { messageId: 'last', receiveCount: 2 })).toMatchObject({
      outcome: 'already-reported',
      finalize: { outcome: 'finished' },
    });
    expect(env.bus.ofType('Malware Detected')).toHaveLength(1);
    expect(env.bus.ofType('AV Scan Completed')).toHaveLength(1);
    // The detection was written at the claim's key both times: one record.
    expect((await listDetections(env.objects, tenantId, guest.id, { limit: 10 })).items).toHaveLength(1);
  });

  it('a task that cannot run is retried, then reported failed on its last delivery: fan-in still completes', async () => {
    const jobId = 'job_0000000004dddddddddddddddd';
    env.connector.tree = { a: { x: 'x' }, b: { y: 'y' } };
    await env.dispatch(requested(jobId), {}, { tasks: { maxTaskFiles: 1 } });
    const [t0, t1] = env.queue.tasks();
    await env.scan(t0!);
    env.connector.openFailures.push(new Error('EBS throttled'), new Error('EBS throttled'));
    await expect(env.scan(t1!, { messageId: 'm', receiveCount: 1 })).rejects.toThrow('EBS throttled');
    const last = await env.scan(t1!, { messageId: 'm', receiveCount: 3 });
    expect(last).toMatchObject({
      outcome: 'reported',
      result: {
        status: 'failed',
        error: { code: 'TASK_FAILED', message: expect.stringMatching(/EBS throttled/) },
      },
      finalize: { outcome: 'finished' },
    });
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      status: 'COMPLETED_WITH_ISSUES',
      files: 1,
      notScanned: { byReason: { 'task-failed': 1 } },
      tasks: { total: 2, completed: 1, failed: 1 },
    });
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('succeeded');
  });

  it('when every task failed the scan FAILED: the job fails and the scan-only snapshot is deleted', async () => {
    const jobId = 'job_0000000005dddddddddddddddd';
    await env.dispatch(requested(jobId));
    env.useEngine(async () => {
      throw new Error('OUTBOARD_CLAMD is not set');
    });
    const [task] = env.queue.tasks();
    await expect(env.scan(task!, { messageId: 'm' })).rejects.toThrow('OUTBOARD_CLAMD');
    expect(env.connector.snapshots.has(scanOnlySnapshotId(jobId))).toBe(true);
    const last = await env.scan(task!, { messageId: 'm', receiveCount: 3 });
    expect(last).toMatchObject({ outcome: 'reported', result: { status: 'failed', verdicts: [] } });
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail).toMatchObject({
      summary: {
        status: 'FAILED',
        result: 'NO_THREATS_FOUND',
        notScanned: { byReason: { 'task-failed': 5 } },
      },
      error: { code: 'AV_SCAN_FAILED', message: expect.stringMatching(/OUTBOARD_CLAMD is not set/) },
    });
    expect(await env.registry.getJob(tenantId, jobId)).toMatchObject({
      status: 'failed',
      error: { code: 'AV_SCAN_FAILED' },
      result: { status: 'FAILED' },
    });
    expect(env.connector.deleted).toEqual([scanOnlySnapshotId(jobId)]);
  });

  it('a task near the function’s time limit stops and reports what it scanned, as failed', async () => {
    await env.dispatch(requested('job_0000000006dddddddddddddddd'));
    const [task] = env.queue.tasks();
    let calls = 0;
    const outcome = await env.scan(task!, {}, { remainingMs: () => (++calls <= 2 ? 600_000 : 1_000) });
    expect(outcome).toMatchObject({
      outcome: 'reported',
      result: { status: 'failed', error: { code: 'TASK_TIME_LIMIT' } },
    });
    if (outcome.outcome === 'reported') expect(outcome.result.verdicts).toHaveLength(2);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      status: 'FAILED',
      files: 2,
      notScanned: { byReason: { 'task-failed': 3 } },
    });
  });

  it('a file the snapshot no longer holds as planned is not scanned, never clean', async () => {
    await env.dispatch(requested('job_0000000007dddddddddddddddd'));
    const [task] = env.queue.tasks();
    const changed = {
      ...task!,
      files: task!.files.map((f, i) =>
        i === 0 ? { ...f, ino: f.ino + 1000 } : i === 1 ? { ...f, path: '/gone' } : f,
      ),
    };
    const outcome = await env.scan(changed);
    if (outcome.outcome !== 'reported') throw new Error('not reported');
    expect(outcome.result.verdicts.slice(0, 2)).toMatchObject([
      { status: 'not-scanned', reason: 'unreadable' },
      { path: '/gone', status: 'not-scanned', reason: 'unreadable' },
    ]);
  });

  it('gzip and tar members are opened too', async () => {
    env.connector.tree = {
      backups: { 'site.tar.gz': gzipSync(buildTar([{ name: 'www/x.php', data: eicar() }])) },
    };
    await env.dispatch(requested('job_0000000008dddddddddddddddd'));
    await env.scanAll();
    expect(env.bus.ofType('Malware Detected').map((e) => e.detail.path)).toEqual(['/backups/site.tar.gz']);
  });

  it('uses the engine the policy names', async () => {
    await env.enableAntivirus({ engine: 'clamd' });
    const asked: string[] = [];
    const fake: ScanEngine = {
      name: 'clamd',
      describe: async () => ({
        engine: 'ClamAV',
        engineVersion: '1.4.3',
        signatures: 0,
        signatureVersion: '27500',
      }),
      scanStream: async (input) => {
        for await (const _ of input) {
          // read it all
        }
        return { status: 'clean' };
      },
      close: async () => {},
    };
    env.useEngine(async (kind) => {
      asked.push(kind);
      return fake;
    });
    await env.dispatch(requested('job_0000000009dddddddddddddddd'));
    await env.scanAll();
    expect(asked).toEqual(['clamd']);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      engine: 'ClamAV 1.4.3',
      signatureVersion: '27500',
      status: 'COMPLETED',
    });
  });
});
