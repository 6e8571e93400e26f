import { beforeEach, describe, expect, it } from 'vitest';
import { avScanJobId } from '../../../../shared/domain/antivirus/dispatch-run.ts';
import {
  AV_SCAN_ONLY_TAG,
  AV_SCAN_TASK_QUEUE,
  afterBackupAvJobId,
  jobKeys,
  scanOnlySnapshotId,
  scheduledAvJobId,
} from '../../../../shared/domain/antivirus/keys.ts';
import { AvDispatchRecord, AvPlanManifest, readRecord } from '../../../../shared/domain/antivirus/records.ts';
import { PermanentFailure } from '../../../../shared/domain/jobs.ts';
import { afterBackup, cleanTree, type Env, guest, requested, setup, tenantId } from './support.ts';

describe('anti-virus dispatch', () => {
  let env: Env;
  beforeEach(async () => {
    env = setup();
    await env.registry.createGuest(guest);
    await env.enableAntivirus();
    env.connector.tree = cleanTree();
  });

  it('a portal request: a tagged scan-only snapshot, tasks on av-scan-tasks, the pinned decisions and the manifest', async () => {
    const jobId = 'job_0000000001cccccccccccccccc';
    const tags: Record<string, string>[] = [];
    const create = env.connector.createSnapshot.bind(env.connector);
    env.connector.createSnapshot = async (request) => {
      tags.push(request.tags);
      return create(request);
    };
    const result = await env.dispatch(requested(jobId));
    expect(result).toMatchObject({ outcome: 'dispatched', taskCount: 1, finalize: { outcome: 'waiting' } });
    expect(tags).toEqual([{ 'outboard:job': jobId, [AV_SCAN_ONLY_TAG]: 'av-scan-only' }]);
    expect(env.connector.snapshots.has(scanOnlySnapshotId(jobId))).toBe(true);

    expect(env.queue.sent.map((m) => m.queue)).toEqual([AV_SCAN_TASK_QUEUE]);
    const [task] = env.queue.tasks();
    expect(task!.files.map((f) => f.path)).toEqual([
      '/etc/app.conf',
      '/etc/hostname',
      '/home/ada/notes.txt',
      '/usr/bin/tool',
      '/var/log/syslog.1',
    ]);
    expect(task!.snapshotRef).toMatchObject({
      connector: 'local',
      snapshotId: `ob-av-${jobId.slice(4)}`,
      scanOnly: true,
    });

    const keys = jobKeys(tenantId, jobId);
    const pinned = await readRecord(env.objects, keys.dispatch, AvDispatchRecord);
    expect(pinned).toMatchObject({ baseIndex: false, settings: { engine: 'builtin', incremental: true } });
    const manifest = await readRecord(env.objects, keys.plan, AvPlanManifest);
    expect(manifest).toMatchObject({
      taskCount: 1,
      plan: { mode: 'full', scheduledFiles: 5, complete: true },
    });
    expect(manifest!.plan.skipped['not-regular'].entries).toBe(1);
    expect(await env.registry.getJob(tenantId, jobId)).toMatchObject({
      status: 'running',
      kind: 'av-scan',
      service: 'antivirus',
      attempts: 1,
    });
    expect(env.connector.opened).toBe(env.connector.closed);
  });

  it('cuts large guests into bounded tasks', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`f${String(i).padStart(2, '0')}.txt`] = `file ${i}`;
    env.connector.tree = { data: files };
    const result = await env.dispatch(requested(), {}, { tasks: { maxTaskFiles: 10 } });
    expect(result).toMatchObject({ outcome: 'dispatched', taskCount: 3 });
    expect(env.queue.tasks().map((t) => [t.taskIndex, t.files.length])).toEqual([
      [0, 10],
      [1, 10],
      [2, 5],
    ]);
  });

  it('a scheduled request is one job however often the schedule event is delivered', async () => {
    const at = '2026-03-07T04:00:00Z';
    const first = await env.dispatch(requested(undefined, at));
    const jobId = scheduledAvJobId(tenantId, guest.id, at);
    expect(avScanJobId(requested(undefined, at).detail as never)).toBe(jobId);
    expect(first).toMatchObject({ outcome: 'dispatched', job: { id: jobId } });
    // Another message carrying the same schedule event: the manifest is there, nothing is sent again.
    const again = await env.dispatch(requested(undefined, at));
    expect(again).toMatchObject({ outcome: 'dispatched', job: { id: jobId, attempts: 2 } });
    expect(env.queue.sent).toHaveLength(1);
    expect(env.connector.created).toBe(1);
  });

  it('Backup Completed: no job unless antivirus is enabled with scanAfterBackup', async () => {
    const { event } = await env.restorePoint(1, cleanTree());
    await env.registry.deleteSubscription(tenantId, guest.id, 'antivirus');
    expect(await env.dispatch(afterBackup(event))).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/not enabled/),
    });
    await env.enableAntivirus({ scanAfterBackup: false });
    expect(await env.dispatch(afterBackup(event))).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/does not scan after backups/),
    });
    expect(env.queue.sent).toHaveLength(0);
    expect(
      await env.registry.getJob(tenantId, afterBackupAvJobId(tenantId, guest.id, event.restorePointId)),
    ).toBeUndefined();
  });

  it('Backup Completed scans the restore point’s snapshot; a redelivered event is the same job', async () => {
    const { event } = await env.restorePoint(1, cleanTree());
    const result = await env.dispatch(afterBackup(event));
    const jobId = afterBackupAvJobId(tenantId, guest.id, event.restorePointId);
    expect(result).toMatchObject({ outcome: 'dispatched', job: { id: jobId, trigger: { kind: 'event' } } });
    expect(env.connector.created).toBe(1); // the backup's; none for the scan
    expect(env.queue.tasks()[0]!.snapshotRef).toMatchObject({
      snapshotId: 'ob-backup1',
      restorePointId: event.restorePointId,
      scanOnly: false,
    });
    await env.scanAll();
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('succeeded');
    expect(await env.dispatch(afterBackup(event))).toMatchObject({ outcome: 'already-finished' });
    expect(env.queue.sent).toHaveLength(1);
    // The restore point's snapshot is never deleted by a scan.
    expect(env.connector.deleted).toEqual([]);
  });

  it('a failure no retry mends ends the job as failed at once, and deletes the scan-only snapshot', async () => {
    const jobId = 'job_0000000002cccccccccccccccc';
    env.connector.openFailures.push(
      new PermanentFailure({
        code: 'NO_READABLE_FILESYSTEM',
        message: 'no readable filesystem on the disks',
      }),
    );
    const result = await env.dispatch(requested(jobId));
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'NO_READABLE_FILESYSTEM' } });
    expect(env.connector.deleted).toEqual([scanOnlySnapshotId(jobId)]);
    expect(env.connector.snapshots.size).toBe(0);
    const completed = env.bus.ofType('AV Scan Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toMatchObject({
      jobId,
      summary: { status: 'FAILED', result: 'NO_THREATS_FOUND', files: 0 },
      error: { code: 'NO_READABLE_FILESYSTEM' },
    });
    expect(await env.registry.getJob(tenantId, jobId)).toMatchObject({
      status: 'failed',
      error: { code: 'NO_READABLE_FILESYSTEM' },
      result: { status: 'FAILED' },
    });
  });

  it('a transient failure is retried with the snapshot kept; the last delivery fails the job and deletes it', async () => {
    const jobId = 'job_0000000003cccccccccccccccc';
    env.connector.openFailures.push(new Error('connection reset'), new Error('connection reset'));
    await expect(env.dispatch(requested(jobId), { messageId: 'm', receiveCount: 1 })).rejects.toThrow(
      'connection reset',
    );
    expect(env.connector.snapshots.has(scanOnlySnapshotId(jobId))).toBe(true);
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('running');
    const last = await env.dispatch(requested(jobId), { messageId: 'm', receiveCount: 3 });
    expect(last).toMatchObject({ outcome: 'failed', error: { code: 'AV_SCAN_FAILED' } });
    expect(env.connector.snapshots.size).toBe(0);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.error?.message).toMatch(
      /gave up after 3 attempts: connection reset/,
    );
  });

  it('fails at once for a guest without antivirus, or a guest that is gone', async () => {
    await env.registry.deleteSubscription(tenantId, guest.id, 'antivirus');
    expect(await env.dispatch(requested('job_0000000004cccccccccccccccc'))).toMatchObject({
      outcome: 'failed',
      error: { code: 'SERVICE_NOT_ENABLED' },
    });
    await env.registry.deleteGuest(tenantId, guest.id);
    expect(await env.dispatch(requested('job_0000000005cccccccccccccccc'))).toMatchObject({
      outcome: 'failed',
      error: { code: 'GUEST_NOT_FOUND' },
    });
    expect(env.connector.created).toBe(0);
  });

  it('a guest with nothing to scan completes in dispatch itself', async () => {
    env.connector.tree = { empty: {}, link: { symlink: '/nowhere' } };
    const result = await env.dispatch(requested('job_0000000006cccccccccccccccc'));
    expect(result).toMatchObject({ outcome: 'dispatched', taskCount: 0, finalize: { outcome: 'finished' } });
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      status: 'COMPLETED',
      result: 'NO_THREATS_FOUND',
      files: 0,
      skipped: { byReason: { 'not-regular': 1 } },
    });
    expect(env.connector.snapshots.size).toBe(0);
  });

  it('a dispatch that failed half way plans again; only the attempt the manifest names counts', async () => {
    const jobId = 'job_0000000007cccccccccccccccc';
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`f${i}`] = `content ${i}`;
    env.connector.tree = { d: files };
    // The first attempt sends its tasks, then cannot write the manifest.
    const put = env.objects.put.bind(env.objects);
    let failPlan = 1;
    env.objects.put = async (key, body, options) => {
      if (key.endsWith('/plan.json') && failPlan-- > 0) throw new Error('store unavailable (test)');
      return put(key, body, options);
    };
    const tasks = { tasks: { maxTaskFiles: 2 } };
    await expect(env.dispatch(requested(jobId), { messageId: 'm', receiveCount: 1 }, tasks)).rejects.toThrow(
      'store unavailable',
    );
    const firstAttempt = env.queue.tasks();
    expect(firstAttempt).toHaveLength(3);
    // Its tasks are scanned before the retry: they report, but nothing can finish without a manifest.
    for (const task of firstAttempt) {
      expect(await env.scan(task)).toMatchObject({ outcome: 'reported', finalize: { outcome: 'waiting' } });
    }
    const retried = await env.dispatch(requested(jobId), { messageId: 'm', receiveCount: 2 }, tasks);
    expect(retried).toMatchObject({ outcome: 'dispatched', taskCount: 3, finalize: { outcome: 'waiting' } });
    const secondAttempt = env.queue.tasks().slice(3);
    expect(secondAttempt.map((t) => t.snapshotRef.attempt)).not.toContain(
      firstAttempt[0]!.snapshotRef.attempt,
    );
    // A late copy of a first-attempt task is dropped now that the manifest names the second attempt.
    expect(await env.scan(firstAttempt[1]!)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringMatching(/attempt/),
    });
    const outcomes = [];
    for (const task of secondAttempt) outcomes.push(await env.scan(task));
    expect(outcomes.map((o) => (o.outcome === 'dropped' ? o.outcome : o.finalize.outcome))).toEqual([
      'waiting',
      'waiting',
      'finished',
    ]);
    expect(env.bus.ofType('AV Scan Completed')).toHaveLength(1);
    expect(env.bus.ofType('AV Scan Completed')[0]!.detail.summary).toMatchObject({
      status: 'COMPLETED',
      files: 6,
      tasks: { total: 3, completed: 3, failed: 0 },
    });
  });
});
