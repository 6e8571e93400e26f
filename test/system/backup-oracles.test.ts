/**
 * The backup chain checked by real tools: qemu-img says each snapshot equals its source image, and
 * sqlite3 says the runtime's database is intact after the runtime was killed with SIGKILL mid-chain.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, startRuntimeProcess, waitFor } from '../support/runtime-process.ts';
import { requireTools, run } from '../support/system-tools.ts';

describe('backups checked by qemu-img and sqlite3', () => {
  beforeAll(() => requireTools('qemu-img', 'sqlite3'));

  it('snapshots equal their sources and the database survives kill -9', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-sys-'));
    const images = mkdtempSync(join(tmpdir(), 'ob-sys-img-'));
    const disks = [join(images, 'd0.img'), join(images, 'd1.img')];
    writeFileSync(disks[0]!, randomBytes(24 * 1024 * 1024));
    // A sparse second disk with data at both ends, made by qemu-img itself.
    expect(run('qemu-img', ['create', '-f', 'raw', disks[1]!, '64M']).code).toBe(0);
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(disks[1]!, 'r+');
    writeSync(fd, randomBytes(4096), 0, 4096, 0);
    writeSync(fd, randomBytes(4096), 0, 4096, 64 * 1024 * 1024 - 4096);
    closeSync(fd);

    let runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
    const guest = await api<{ id: string }>(runtime.url, 'POST', '/v1/guests', {
      name: 'sys',
      connector: 'local',
      disks,
    });
    await api(runtime.url, 'PUT', `/v1/guests/${guest.body.id}/services/backup`, {});
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      jobs.push(
        (await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guest.body.id}/backups`)).body.jobId,
      );
    }
    await new Promise((r) => setTimeout(r, 60));
    await runtime.kill9();

    const integrity = run('sqlite3', [join(home, 'outboard.db'), 'PRAGMA integrity_check;']);
    expect(integrity.stdout.trim()).toBe('ok');

    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
    try {
      for (const jobId of jobs) {
        const job = await waitFor(
          `job ${jobId}`,
          async () => {
            const r = await api<{ status: string }>(runtime.url, 'GET', `/v1/jobs/${jobId}`);
            return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
          },
          30_000,
        );
        expect(job.status).toBe('succeeded');
      }
      const points = await api<{ items: { snapshotId: string }[] }>(
        runtime.url,
        'GET',
        `/v1/guests/${guest.body.id}/restore-points`,
      );
      expect(points.body.items).toHaveLength(3);
      for (const point of points.body.items) {
        for (const [i, source] of disks.entries()) {
          const snap = join(home, 'snapshots', 'internal', point.snapshotId, `disk${i}.img`);
          const cmp = run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, snap]);
          expect(cmp.stderr).toBe('');
          expect(cmp.code).toBe(0);
          const info = JSON.parse(run('qemu-img', ['info', '--output=json', '-f', 'raw', snap]).stdout);
          expect(info['virtual-size']).toBe(i === 0 ? 24 * 1024 * 1024 : 64 * 1024 * 1024);
        }
      }
    } finally {
      await runtime.stop();
    }
    expect(run('sqlite3', [join(home, 'outboard.db'), 'PRAGMA integrity_check;']).stdout.trim()).toBe('ok');
  });
});
