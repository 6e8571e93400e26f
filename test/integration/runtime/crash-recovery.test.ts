import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('kill -9 while a backup chain is in flight', () => {
  // Kill at different moments: right after the request was accepted (message queued), and while the
  // snapshot of a larger image is being copied.
  for (const delayMs of [0, 40, 150]) {
    it(`completes the chain after a restart, with one snapshot (killed ${delayMs} ms after the request)`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'ob-crash-'));
      const image = join(mkdtempSync(join(tmpdir(), 'ob-crash-img-')), 'disk.img');
      writeFileSync(image, randomBytes(48 * 1024 * 1024));

      const first = await startRuntimeProcess({ OUTBOARD_HOME: home });
      const guest = await api<{ id: string }>(first.url, 'POST', '/v1/guests', {
        name: 'crash',
        connector: 'local',
        disks: [image],
      });
      await api(first.url, 'PUT', `/v1/guests/${guest.body.id}/services/backup`, {});
      const requested = await api<{ jobId: string }>(
        first.url,
        'POST',
        `/v1/guests/${guest.body.id}/backups`,
      );
      expect(requested.status).toBe(202);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      await first.kill9();

      const second = await startRuntimeProcess({ OUTBOARD_HOME: home });
      try {
        const job = await waitFor(
          'the job to finish after restart',
          async () => {
            const r = await api<{ status: string }>(second.url, 'GET', `/v1/jobs/${requested.body.jobId}`);
            return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
          },
          20_000,
        );
        expect(job.status).toBe('succeeded');
        const points = await api<{ items: { snapshotId: string }[] }>(
          second.url,
          'GET',
          `/v1/guests/${guest.body.id}/restore-points`,
        );
        expect(points.body.items).toHaveLength(1);
        const snapshotsDir = join(home, 'snapshots', 'internal');
        const entries = readdirSync(snapshotsDir);
        expect(entries.filter((n) => !n.startsWith('.'))).toEqual([points.body.items[0]!.snapshotId]);
        expect(sha256(join(snapshotsDir, points.body.items[0]!.snapshotId, 'disk0.img'))).toBe(sha256(image));
      } finally {
        expect(await second.stop()).toBe(0);
      }
    });
  }
});
