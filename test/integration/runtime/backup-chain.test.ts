import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';
import { addGuest, archivedDetailTypes, finishedJob } from '../../support/runtime-steps.ts';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function makeImage(dir: string, name: string, bytes: number): string {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(bytes));
  return path;
}

describe('the backup chain on the local runtime', () => {
  let home: string;
  let images: string;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ob-home-'));
    images = mkdtempSync(join(tmpdir(), 'ob-images-'));
    const started = Date.now();
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
    // The acceptance bar is 5 s on a quiet machine; allow slack for a busy CI box but keep it bounded.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it('serves health and its OpenAPI document', async () => {
    const health = await api<{ status: string }>(runtime.url, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const doc = await api<{ openapi: string; paths: Record<string, unknown> }>(
      runtime.url,
      'GET',
      '/v1/openapi.json',
    );
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/v1/guests/{guestId}/backups');
  });

  it('registers a guest, enables backup, and backs it up: the snapshot equals the image', async () => {
    const disk0 = makeImage(images, 'web-0.img', 3 * 1024 * 1024 + 512);
    const disk1 = makeImage(images, 'web-1.img', 1024 * 1024);
    const guestId = await addGuest(
      runtime.url,
      {
        name: 'web-1',
        disks: [disk0, disk1],
        hostnames: ['web-1.example.internal'],
        addresses: ['10.0.0.5'],
      },
      ['backup'],
    );
    expect(guestId).toMatch(/^gst_/);

    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/backups`);
    expect(requested.status).toBe(202);
    const job = await finishedJob(runtime.url, requested.body.jobId, 10_000);
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');

    const points = await api<{
      items: { snapshotId: string; jobId: string; disks: { sizeBytes: number }[] }[];
    }>(runtime.url, 'GET', `/v1/guests/${guestId}/restore-points`);
    expect(points.body.items).toHaveLength(1);
    const point = points.body.items[0]!;
    expect(point.jobId).toBe(job.id);
    expect(point.disks.map((d) => d.sizeBytes)).toEqual([3 * 1024 * 1024 + 512, 1024 * 1024]);
    const snapDir = join(home, 'snapshots', 'internal', point.snapshotId);
    expect(sha256(join(snapDir, 'disk0.img'))).toBe(sha256(disk0));
    expect(sha256(join(snapDir, 'disk1.img'))).toBe(sha256(disk1));

    const events = archivedDetailTypes(home);
    expect(events).toEqual(
      expect.arrayContaining(['Guest Registered', 'Service Enabled', 'Backup Requested', 'Backup Completed']),
    );
  });

  it('fires the backup policy schedule and runs the same chain', async () => {
    const disk = makeImage(images, 'db-0.img', 256 * 1024);
    const guestId = await addGuest(runtime.url, { name: 'db-1', disks: [disk] });
    const at = new Date(Date.now() + 2000).toISOString().slice(0, 19);
    const enabled = await api(runtime.url, 'PUT', `/v1/guests/${guestId}/services/backup`, {
      schedule: `at(${at})`,
      timezone: 'UTC',
    });
    expect(enabled.status).toBe(201);
    const points = await waitFor(
      'a scheduled restore point',
      async () => {
        const r = await api<{ items: { jobId: string }[] }>(
          runtime.url,
          'GET',
          `/v1/guests/${guestId}/restore-points`,
        );
        return r.body.items.length > 0 ? r.body.items : undefined;
      },
      15_000,
    );
    const job = await finishedJob(runtime.url, points[0]!.jobId, 10_000);
    expect(job.status).toBe('succeeded');
    expect(job.trigger.kind).toBe('schedule');
  });

  it('records a clean failure for a guest whose disk is gone', async () => {
    const disk = makeImage(images, 'gone.img', 4096);
    const guestId = await addGuest(runtime.url, { name: 'gone', disks: [disk] }, ['backup']);
    writeFileSync(disk, '');
    const { rmSync } = await import('node:fs');
    rmSync(disk);
    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/backups`);
    const job = await finishedJob(runtime.url, requested.body.jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain('gone.img');
    expect(archivedDetailTypes(home)).toContain('Backup Failed');
    const snapshots = readdirSync(join(home, 'snapshots', 'internal')).filter((n) => !n.startsWith('.'));
    expect(snapshots).toHaveLength(1 + 1); // the two successful backups above, nothing half-made
  });

  it('answers bad input with problem+json and unknown ids with 404', async () => {
    const bad = await api<{ status: number; issues: { path: unknown[] }[] }>(
      runtime.url,
      'POST',
      '/v1/guests',
      {
        name: '',
        connector: 'local',
        disks: ['relative/path.img'],
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['body.name', 'body.disks.0']),
    );

    const missing = await api(runtime.url, 'GET', '/v1/guests/gst_0000000000aaaaaaaaaaaaaaaa');
    expect(missing.status).toBe(404);
    const badId = await api(runtime.url, 'GET', '/v1/guests/not-an-id');
    expect(badId.status).toBe(400);
    const job = await api(runtime.url, 'GET', '/v1/jobs/job_0000000000aaaaaaaaaaaaaaaa');
    expect(job.status).toBe(404);
  });
});
