/**
 * Issue 6's acceptance chain on the real runtime, with EICAR: an ext4 guest image made by `mke2fs -d`
 * from a folder holding the EICAR test file, once plain and once inside a zip, and some ordinary files;
 * backup and antivirus enabled with the default policy and the shipped database (antivirus-db/); a backup
 * requested. Expected: the backup job, an av-scan job of the new restore point that succeeded with
 * THREATS_FOUND, `Malware Detected` for both files, the detections listed with the EICAR paths, and the
 * restore point marked infected and hidden from the default listing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';
import { addGuest, finishedJob, jobIdsOfKind, query } from '../../support/runtime-steps.ts';
import { requireTools } from '../../support/system-tools.ts';
import { buildZip } from '../../unit/antivirus/archives/support.ts';
import { eicar } from '../../unit/antivirus/engine/helpers.ts';

/** An ext4 image of a small guest carrying EICAR twice. */
function eicarGuestImage(dir: string): string {
  const root = join(dir, 'root');
  for (const d of ['etc', 'home/ada/Downloads', 'srv/uploads', 'var/log'])
    mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'etc/hostname'), 'web\n');
  writeFileSync(join(root, 'var/log/syslog'), 'boot ok\n'.repeat(1000));
  writeFileSync(join(root, 'home/ada/Downloads/eicar.com'), eicar());
  writeFileSync(
    join(root, 'srv/uploads/invoice.zip'),
    buildZip([
      { name: 'invoice.pdf', data: new TextEncoder().encode('%PDF-1.4 nothing here'), method: 8 },
      { name: 'payload/eicar.com', data: eicar(), method: 8 },
    ]),
  );
  const image = join(dir, 'web.img');
  const made = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'web', '-d', root, image, '8M'], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`mke2fs failed: ${made.stderr}`);
  return image;
}

describe('EICAR through backup → anti-virus scan on the local runtime', () => {
  let home: string;
  let image: string;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    requireTools('mke2fs');
    home = mkdtempSync(join(tmpdir(), 'ob-home-'));
    image = eicarGuestImage(mkdtempSync(join(tmpdir(), 'ob-eicar-')));
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
  });

  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it('finds EICAR plain and zipped in the new restore point, lists it and marks the restore point', async () => {
    const guestId = await addGuest(runtime.url, { name: 'web', disks: [image] }, ['backup', 'antivirus']);

    const backup = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/backups`);
    expect(backup.status).toBe(202);
    const backupJob = await finishedJob(runtime.url, backup.body.jobId, 60_000);
    expect(backupJob.status).toBe('succeeded');
    const restorePointId = backupJob.result?.restorePointId as string;

    const scanJobId = await waitFor('the av-scan job', async () => jobIdsOfKind(home, 'av-scan')[0], 30_000);
    const scan = await finishedJob(runtime.url, scanJobId, 60_000);
    expect(scan).toMatchObject({
      status: 'succeeded',
      result: { status: 'COMPLETED', result: 'THREATS_FOUND', detections: 2, restorePointId },
    });

    const detections = await api<{
      items: { path: string; member?: string; signature: string; md5?: string }[];
    }>(runtime.url, 'GET', `/v1/guests/${guestId}/detections`);
    expect(detections.body.items.map((d) => [d.path, d.signature])).toEqual([
      ['/home/ada/Downloads/eicar.com', 'Eicar-Test-Signature.UNOFFICIAL'],
      ['/srv/uploads/invoice.zip', 'Eicar-Test-Signature.UNOFFICIAL'],
    ]);
    expect(detections.body.items[0]!.md5).toBe('44d88612fea8a8f36de82e1278abb02f');
    expect(detections.body.items[1]!.member).toBe('/srv/uploads/invoice.zip/payload/eicar.com');

    const malware = query<{ event: string }>(
      home,
      "SELECT event FROM bus_archive WHERE detail_type = 'Malware Detected' ORDER BY seq",
    ).map((r) => (JSON.parse(r.event) as { detail: { path: string; restorePointId: string } }).detail);
    expect(malware.map((m) => m.path)).toEqual(['/home/ada/Downloads/eicar.com', '/srv/uploads/invoice.zip']);
    expect(malware[0]!.restorePointId).toBe(restorePointId);

    const listed = await api<{ items: unknown[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/restore-points`,
    );
    expect(listed.body.items).toEqual([]);
    const all = await api<{ items: { id: string; infected?: unknown }[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/restore-points?includeInfected=true`,
    );
    expect(all.body.items).toMatchObject([
      { id: restorePointId, infected: { jobId: scanJobId, detections: 2 } },
    ]);
  });
});
