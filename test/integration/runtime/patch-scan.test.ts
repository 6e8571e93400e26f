/**
 * The patch scan chain through the real runtime process: feeds imported with the CLI into the home,
 * a guest whose disk is an ext4 image with a Debian 12 dpkg status, patching enabled, a scan requested
 * over HTTP, findings and inventory read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess } from '../../support/runtime-process.ts';
import { addGuest, archivedDetailTypes, debian12Image, finishedJob } from '../../support/runtime-steps.ts';

const BIN = new URL('../../../bin/outboard.ts', import.meta.url).pathname;
const fixtures = new URL('../../fixtures/', import.meta.url).pathname;

interface Finding {
  package: string;
  severity: string;
  advisories: { id: string; aliases: string[] }[];
  update?: { suite: string };
}

function outboard(home: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, OUTBOARD_HOME: home, OUTBOARD_LOG_LEVEL: 'WARN' },
    encoding: 'utf8',
  });
}

describe('the patch scan chain on the local runtime', () => {
  let home: string;
  let disk: string;
  let runtime: RuntimeProcess;
  let guestId: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ob-home-'));
    disk = debian12Image();
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
  });

  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it('fails a scan clearly while no feeds are imported', async () => {
    guestId = await addGuest(runtime.url, { name: 'debian12', disks: [disk] });
    const refused = await api(runtime.url, 'POST', `/v1/guests/${guestId}/patch-scans`);
    expect(refused.status).toBe(409);
    expect((await api(runtime.url, 'PUT', `/v1/guests/${guestId}/services/patching`, {})).status).toBe(201);
    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/patch-scans`);
    expect(requested.status).toBe(202);
    const job = await finishedJob(runtime.url, requested.body.jobId);
    expect(job).toMatchObject({ status: 'failed', kind: 'patch-scan', error: { code: 'NO_FEEDS' } });
    expect(job.error?.message).toMatch(/no feeds imported: run outboard feeds import/);
    expect((await api(runtime.url, 'GET', `/v1/guests/${guestId}/findings`)).status).toBe(404);
  });

  it('imports feeds with the CLI into the running home', () => {
    const imported = outboard(
      home,
      'feeds',
      'import',
      join(fixtures, 'feeds/debian-mirror'),
      join(fixtures, 'feeds/osv/all.zip'),
      '--json',
    );
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    const sources = JSON.parse(imported.stdout) as {
      sources: { feeds: { kind: string; release?: string }[] }[];
    };
    expect(sources.sources.flatMap((s) => s.feeds.map((f) => f.kind))).toEqual(['deb-repo', 'osv']);
    const missing = outboard(home, 'feeds', 'import', join(fixtures, 'feeds/nothing-here'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/nothing-here could not be imported/);
  });

  it('scans the guest from a scan-only snapshot and serves its findings and inventory', async () => {
    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/patch-scans`);
    expect(requested.status).toBe(202);
    const job = await finishedJob(runtime.url, requested.body.jobId);
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ assessable: true, reusedRestorePoint: false });

    const findings = await api<{ items: Finding[]; counts: { findings: number }; scan: { jobId: string } }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/findings`,
    );
    expect(findings.status).toBe(200);
    expect(findings.body.scan.jobId).toBe(job.id);
    const libc6 = findings.body.items.find((f) => f.package === 'libc6')!;
    expect(libc6.severity).toBe('High');
    expect(libc6.advisories).toEqual([
      expect.objectContaining({ id: 'DSA-5514-1', aliases: ['CVE-2023-4911'] }),
    ]);
    const openssl = findings.body.items.find((f) => f.package === 'openssl')!;
    expect(openssl.update?.suite).toBe('bookworm-security');

    const high = await api<{ items: Finding[] }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/findings?severity=High`,
    );
    expect(high.body.items.map((f) => f.package)).toEqual(['libc6']);

    const inventory = await api<{
      os: { prettyName: string };
      items: { name: string }[];
      nextCursor?: string;
    }>(runtime.url, 'GET', `/v1/guests/${guestId}/inventory?limit=10`);
    expect(inventory.status).toBe(200);
    expect(inventory.body.os.prettyName).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(inventory.body.items).toHaveLength(10);
    expect(inventory.body.nextCursor).toBeDefined();

    // The scan-only snapshot is gone; the reports are in the object store.
    const snapshots = readdirSync(join(home, 'snapshots', 'internal')).filter((n) => !n.startsWith('.'));
    expect(snapshots).toEqual([]);
    expect(archivedDetailTypes(home)).toEqual(
      expect.arrayContaining(['Patch Scan Requested', 'Patch Scan Failed', 'Patch Scan Completed']),
    );
  });

  it('reads a fresh backup restore point instead of taking a snapshot', async () => {
    await api(runtime.url, 'PUT', `/v1/guests/${guestId}/services/backup`, {});
    const backup = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/backups`);
    expect((await finishedJob(runtime.url, backup.body.jobId)).status).toBe('succeeded');
    const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${guestId}/patch-scans`);
    const job = await finishedJob(runtime.url, requested.body.jobId);
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ reusedRestorePoint: true });
    const snapshots = readdirSync(join(home, 'snapshots', 'internal')).filter((n) => !n.startsWith('.'));
    expect(snapshots).toHaveLength(1); // the backup's, kept
    const findings = await api<{ scan: { jobId: string } }>(
      runtime.url,
      'GET',
      `/v1/guests/${guestId}/findings`,
    );
    expect(findings.body.scan.jobId).toBe(job.id);
  });
});
