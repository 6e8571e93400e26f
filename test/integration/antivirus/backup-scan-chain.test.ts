/**
 * The anti-virus chain through the real runtime process, without system tools: the committed Debian 12
 * ext4 image as a local guest, the built-in engine pointed (OUTBOARD_AV_DB) at a database whose one body
 * signature matches the image's dpkg status file, backup and antivirus enabled, a backup requested.
 * Expected: the backup job, then an av-scan job of the new restore point that finds the file
 * (THREATS_FOUND), the detection listed, and the restore point marked infected and hidden from the
 * default listing. An on-demand scan follows, from a scan-only snapshot that is deleted afterwards.
 * (test/system/antivirus/eicar-chain.test.ts does the same with EICAR in an image mke2fs builds.)
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';
import {
  addGuest,
  archivedDetailTypes,
  debian12Image,
  finishedJob,
  jobIdsOfKind,
} from '../../support/runtime-steps.ts';

const hex = (s: string) => Buffer.from(s).toString('hex');

describe('backup → anti-virus scan on the local runtime', () => {
  let home: string;
  let disk: string;
  let runtime: RuntimeProcess;
  let guestId: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ob-home-'));
    disk = debian12Image();
    const db = mkdtempSync(join(tmpdir(), 'ob-avdb-'));
    writeFileSync(join(db, 'chain.ndb'), `Outboard.Test.DpkgStatus:0:*:${hex('Package: libc6')}\n`);
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home, OUTBOARD_AV_DB: db });
  });

  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it('scans the restore point a backup made, records the detection and marks the restore point', async () => {
    guestId = await addGuest(runtime.url, { name: 'debian12', disks: [disk] }, ['backup', 'antivirus']);

    const backup = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/backups`);
    expect(backup.status).toBe(202);
    const backupJob = await finishedJob(runtime.url, backup.body.jobId);
    expect(backupJob.status).toBe('succeeded');
    const restorePointId = backupJob.result?.restorePointId as string;

    const scanJobId = await waitFor('the av-scan job', async () => jobIdsOfKind(home, 'av-scan')[0]);
    const scan = await finishedJob(runtime.url, scanJobId);
    expect(scan).toMatchObject({
      status: 'succeeded',
      trigger: { kind: 'event' },
      result: {
        status: 'COMPLETED',
        result: 'THREATS_FOUND',
        detections: 1,
        restorePointId,
        scanOnlySnapshot: false,
      },
    });

    const detections = await api<{ items: { path: string; signature: string; restorePointId: string }[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/detections`,
    );
    expect(detections.body.items).toEqual([
      expect.objectContaining({
        path: '/var/lib/dpkg/status',
        signature: 'Outboard.Test.DpkgStatus.UNOFFICIAL',
        restorePointId,
        jobId: scanJobId,
      }),
    ]);

    const listed = await api<{ items: unknown[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/restore-points`,
    );
    expect(listed.body.items).toEqual([]);
    const all = await api<{ items: { id: string; infected?: { jobId: string } }[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/restore-points?includeInfected=true`,
    );
    expect(all.body.items).toMatchObject([
      { id: restorePointId, infected: { jobId: scanJobId, detections: 1 } },
    ]);

    const types = archivedDetailTypes(home);
    expect(types.indexOf('Backup Completed')).toBeLessThan(types.indexOf('Malware Detected'));
    expect(types.indexOf('Malware Detected')).toBeLessThan(types.indexOf('AV Scan Completed'));
  });

  it('scans on demand from a scan-only snapshot, deleted once the job is done', async () => {
    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/av-scans`);
    expect(requested.status).toBe(202);
    const job = await finishedJob(runtime.url, requested.body.jobId);
    expect(job).toMatchObject({
      status: 'succeeded',
      result: { result: 'THREATS_FOUND', scanOnlySnapshot: true, mode: 'incremental' },
    });
    // The one file found infected last time is scanned again; the others were vouched for by the index.
    expect(job.result?.files).toBe(1);
    const snapshots = readdirSync(join(home, 'snapshots', 'internal'));
    expect(snapshots.filter((s) => s.startsWith('ob-av-'))).toEqual([]);
    const detections = await api<{ items: { jobId: string }[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/detections`,
    );
    expect(detections.body.items.map((d) => d.jobId)[0]).toBe(requested.body.jobId);
    expect(detections.body.items).toHaveLength(2);
  });
});
