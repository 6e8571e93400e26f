import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import type { Guest } from '../../../shared/contracts/guest.ts';
import { LatestPatchScan } from '../../../shared/contracts/patching.ts';
import { PatchingPolicy } from '../../../shared/contracts/service.ts';
import { importFeedsIntoStore } from '../../../shared/domain/patching/feeds.ts';
import { latestScanKey, patchScansPrefix, reportKeys } from '../../../shared/domain/patching/keys.ts';
import {
  type PatchScanRequest,
  patchScanJobId,
  runPatchScan,
  SCAN_ONLY_TAG,
  scanSnapshotId,
} from '../../../shared/domain/patching/run.ts';
import type { ScanResult } from '../../../shared/patching/types.ts';
import { fixedClock, RecordingBus, silentLogger } from '../../support/fakes.ts';
import { debian12Image, ImageConnector } from '../../support/image-connector.ts';

const fixtures = new URL('../../fixtures/feeds/', import.meta.url).pathname;
const DEBIAN_FEEDS = [join(fixtures, 'debian-mirror'), join(fixtures, 'osv/all.zip')];
const ALPINE_ONLY = [join(fixtures, 'alpine/v3.20/main.json')];

const tenantId = 'acme';
const disks = ['/images/debian12.img'];
const guest: Guest = {
  connector: 'local',
  disks,
  tenantId,
  id: 'gst_0000000001aaaaaaaaaaaaaaaa',
  name: 'debian12',
  hostnames: [],
  addresses: [],
  tags: {},
  createdAt: '2026-01-01T00:00:00.000Z',
};
const image = debian12Image();

function setup() {
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  const bus = new RecordingBus();
  const connector = new ImageConnector(image);
  const objects = new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-scan-')));
  const clock = fixedClock(Date.parse('2026-03-01T12:00:00.000Z'));
  const deps = {
    registry,
    bus,
    objects,
    clock,
    logger: silentLogger,
    connectors: {
      get: (kind: string) => {
        if (kind !== 'local') throw new Error(`connector ${kind} is not available here`);
        return connector;
      },
    },
  };
  return { registry, bus, connector, objects, clock, deps };
}

type Env = ReturnType<typeof setup>;

async function enablePatching(env: Env, policy: Partial<PatchingPolicy> = {}) {
  await env.registry.putSubscription({
    tenantId,
    guestId: guest.id,
    service: 'patching',
    policy: PatchingPolicy.parse(policy),
    enabledAt: guest.createdAt,
    updatedAt: guest.createdAt,
  });
}

const scheduled = (time = '2026-03-01T03:00:00Z'): PatchScanRequest => ({
  schemaVersion: 1,
  tenantId,
  correlationId: 'c-1',
  guestId: guest.id,
  trigger: { kind: 'schedule', scheduledTime: time },
});

const once = { receiveCount: 1, maxReceiveCount: 3 };

async function readJson<T>(env: Env, key: string): Promise<T | undefined> {
  const o = await env.objects.get(key);
  return o ? (JSON.parse(new TextDecoder().decode(o.body)) as T) : undefined;
}

async function scanDirs(env: Env): Promise<string[]> {
  const keys = (await env.objects.list(patchScansPrefix(tenantId, guest.id), { limit: 1000 })).items.map(
    (o) => o.key,
  );
  return [
    ...new Set(
      keys.map((k) => k.slice(patchScansPrefix(tenantId, guest.id).length)).map((k) => k.split('/')[0] ?? k),
    ),
  ];
}

/** A backup restore point of the guest, `ageHours` old, whose snapshot the connector holds. */
async function restorePoint(env: Env, ageHours: number) {
  const snapshot = await env.connector.createSnapshot({
    tenantId,
    guestId: guest.id,
    snapshotId: 'ob-backup1',
    ref: { connector: 'local', disks },
    tags: {},
  });
  const createdAt = new Date(env.clock.now().getTime() - ageHours * 3_600_000).toISOString();
  await env.registry.createRestorePoint({
    tenantId,
    id: 'rp_0000000001bbbbbbbbbbbbbbbb',
    guestId: guest.id,
    jobId: 'job_0000000001bbbbbbbbbbbbbbbb',
    connector: 'local',
    snapshotId: snapshot.snapshotId,
    disks: snapshot.disks,
    tags: {},
    createdAt,
  });
}

describe('runPatchScan', () => {
  let env: Env;
  beforeEach(async () => {
    env = setup();
    await env.registry.createGuest(guest);
    await enablePatching(env);
    await importFeedsIntoStore(env.deps, DEBIAN_FEEDS);
  });

  it('scans a scan-only snapshot, writes the four reports and latest.json, then deletes the snapshot', async () => {
    const result = await runPatchScan(env.deps, scheduled(), once);
    expect(result.outcome).toBe('succeeded');
    const jobId = patchScanJobId(scheduled());

    // One snapshot, named after the job and tagged scan-only, taken and deleted; every disk closed.
    expect(env.connector.created).toBe(1);
    expect(env.connector.deleted).toEqual([scanSnapshotId(jobId)]);
    expect(env.connector.snapshots.size).toBe(0);
    expect(env.connector.openDisks).toBe(0);

    const keys = reportKeys(tenantId, guest.id, jobId);
    const report = await readJson<ScanResult>(env, keys.report);
    expect(report?.assessable).toBe(true);
    expect(report?.os?.ecosystem).toBe('Debian:12');
    const libc6 = report!.findings.find((f) => f.package === 'libc6')!;
    expect(libc6.advisories.map((a) => a.id)).toContain('DSA-5514-1');
    expect(libc6.severity).toBe('High');
    const sbom = await readJson<{ bomFormat: string; specVersion: string; components: unknown[] }>(
      env,
      keys.sbom,
    );
    expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(sbom!.components.length).toBe(report!.counts.packages);
    const vex = await readJson<{ vulnerabilities: { id: string }[] }>(env, keys.vex);
    expect(JSON.stringify(vex)).toContain('DSA-5514-1');
    const sarif = await readJson<{ version: string }>(env, keys.sarif);
    expect(sarif?.version).toBe('2.1.0');

    const latest = LatestPatchScan.parse(await readJson(env, latestScanKey(tenantId, guest.id)));
    expect(latest).toMatchObject({ jobId, reusedRestorePoint: false, assessable: true, reports: keys });

    const job = await env.registry.getJob(tenantId, jobId);
    expect(job).toMatchObject({ status: 'succeeded', kind: 'patch-scan', service: 'patching', attempts: 1 });
    expect(job?.result).toMatchObject({
      assessable: true,
      reports: keys,
      counts: { packages: report!.counts.packages, findings: report!.findings.length },
    });
    const completed = env.bus.ofType('Patch Scan Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toMatchObject({
      jobId,
      snapshotId: scanSnapshotId(jobId),
      reusedRestorePoint: false,
      assessable: true,
      correlationId: 'c-1',
      counts: { bySeverity: expect.objectContaining({ High: 1 }) },
      feeds: { count: 2, expired: 0 },
    });
  });

  it('tags the scan-only snapshot as such', async () => {
    const tags: Record<string, string>[] = [];
    const create = env.connector.createSnapshot.bind(env.connector);
    env.connector.createSnapshot = async (request) => {
      tags.push(request.tags);
      return create(request);
    };
    await runPatchScan(env.deps, scheduled(), once);
    expect(tags).toEqual([
      { 'outboard:job': patchScanJobId(scheduled()), [SCAN_ONLY_TAG]: 'patch-scan-only' },
    ]);
  });

  it('reads a restore point younger than maxRestorePointAgeHours instead of taking a snapshot', async () => {
    await restorePoint(env, 2);
    const result = await runPatchScan(env.deps, scheduled(), once);
    expect(result.outcome).toBe('succeeded');
    expect(env.connector.created).toBe(1); // the backup's, none for the scan
    expect(env.connector.deleted).toEqual([]);
    expect(env.connector.snapshots.has('ob-backup1')).toBe(true);
    expect(env.bus.ofType('Patch Scan Completed')[0]!.detail).toMatchObject({
      snapshotId: 'ob-backup1',
      reusedRestorePoint: true,
      restorePointId: 'rp_0000000001bbbbbbbbbbbbbbbb',
    });
  });

  it('takes a fresh snapshot when the newest restore point is too old, or the policy says 0', async () => {
    await restorePoint(env, 25);
    expect((await runPatchScan(env.deps, scheduled('2026-03-01T03:00:00Z'), once)).outcome).toBe('succeeded');
    expect(env.connector.created).toBe(2);
    expect(env.bus.ofType('Patch Scan Completed')[0]!.detail.reusedRestorePoint).toBe(false);

    await enablePatching(env, { maxRestorePointAgeHours: 0 });
    env.clock.advance(-24 * 3_600_000); // the restore point is now 1 hour old
    expect((await runPatchScan(env.deps, scheduled('2026-03-02T03:00:00Z'), once)).outcome).toBe('succeeded');
    expect(env.connector.created).toBe(3);
    expect(env.bus.ofType('Patch Scan Completed')[1]!.detail.reusedRestorePoint).toBe(false);
    expect(env.connector.snapshots.has('ob-backup1')).toBe(true);
  });

  it('deletes the scan-only snapshot when the scan fails, permanently or for a retry', async () => {
    env.connector.openFailures.push(Object.assign(new Error('disk gone'), { retryable: false }));
    const failed = await runPatchScan(env.deps, scheduled(), once);
    expect(failed).toMatchObject({ outcome: 'failed', error: { code: 'DISK_UNREADABLE' } });
    expect(env.connector.created).toBe(1);
    expect(env.connector.snapshots.size).toBe(0);
    expect(env.bus.ofType('Patch Scan Failed')).toHaveLength(1);
    expect(env.bus.ofType('Patch Scan Completed')).toHaveLength(0);

    env.connector.openFailures.push(new Error('connection reset'));
    const request = scheduled('2026-03-08T03:00:00Z');
    await expect(runPatchScan(env.deps, request, once)).rejects.toThrow('connection reset');
    expect(env.connector.snapshots.size).toBe(0);
    expect((await env.registry.getJob(tenantId, patchScanJobId(request)))?.status).toBe('running');
    // The redelivery takes the snapshot again (same id), scans and deletes it.
    const retried = await runPatchScan(env.deps, request, { receiveCount: 2, maxReceiveCount: 3 });
    expect(retried.outcome).toBe('succeeded');
    expect(env.connector.snapshots.size).toBe(0);
    expect((await env.registry.getJob(tenantId, patchScanJobId(request)))?.attempts).toBe(2);
  });

  it('completes a guest no feed covers with assessable=false, never as clean', async () => {
    await importFeedsIntoStore(env.deps, ALPINE_ONLY, { replace: 'all' });
    const result = await runPatchScan(env.deps, scheduled(), once);
    expect(result.outcome).toBe('succeeded');
    const detail = env.bus.ofType('Patch Scan Completed')[0]!.detail;
    expect(detail.assessable).toBe(false);
    expect(detail.reasons.join(' ')).toMatch(/no feed covers Debian:12/);
    expect(detail.counts.findings).toBe(0);
    expect((await env.registry.getJob(tenantId, patchScanJobId(scheduled())))?.status).toBe('succeeded');
    expect(env.connector.snapshots.size).toBe(0);
  });

  it('fails clearly when no feeds were imported, without taking a snapshot', async () => {
    const bare = setup();
    await bare.registry.createGuest(guest);
    await enablePatching(bare);
    const result = await runPatchScan(bare.deps, scheduled(), once);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'NO_FEEDS' } });
    if (result.outcome === 'failed')
      expect(result.error.message).toMatch(/no feeds imported: run outboard feeds import/);
    expect(bare.connector.created).toBe(0);
    expect(bare.bus.ofType('Patch Scan Failed')).toHaveLength(1);
  });

  it('fails at once for a missing guest or a guest without patching', async () => {
    await env.registry.deleteSubscription(tenantId, guest.id, 'patching');
    const notEnabled = await runPatchScan(env.deps, scheduled(), once);
    expect(notEnabled).toMatchObject({ outcome: 'failed', error: { code: 'SERVICE_NOT_ENABLED' } });
    const missing = await runPatchScan(
      env.deps,
      { ...scheduled('2026-03-09T03:00:00Z'), guestId: 'gst_0000000009zzzzzzzzzzzzzz' },
      once,
    );
    expect(missing).toMatchObject({ outcome: 'failed', error: { code: 'GUEST_NOT_FOUND' } });
    expect(env.connector.created).toBe(0);
  });

  it('writes one report for a request delivered twice', async () => {
    await runPatchScan(env.deps, scheduled(), once);
    const again = await runPatchScan(env.deps, scheduled(), { receiveCount: 2, maxReceiveCount: 3 });
    expect(again.outcome).toBe('already-finished');
    expect(env.connector.created).toBe(1);
    expect(env.bus.ofType('Patch Scan Completed')).toHaveLength(1);
    expect(await scanDirs(env)).toEqual([patchScanJobId(scheduled()), 'latest.json']);
  });

  it('finishes a scan whose previous attempt died before announcing it, rewriting the same report', async () => {
    env.bus.failNext = 1;
    await expect(runPatchScan(env.deps, scheduled(), once)).rejects.toThrow('bus unavailable');
    expect(env.connector.snapshots.size).toBe(0);
    const retried = await runPatchScan(env.deps, scheduled(), { receiveCount: 2, maxReceiveCount: 3 });
    expect(retried.outcome).toBe('succeeded');
    expect(env.bus.ofType('Patch Scan Completed')).toHaveLength(1);
    expect(await scanDirs(env)).toEqual([patchScanJobId(scheduled()), 'latest.json']);
  });

  it('keeps latest.json on the newest scan when an older one finishes later', async () => {
    await runPatchScan(env.deps, scheduled('2026-03-08T03:00:00Z'), once);
    env.clock.advance(-3_600_000);
    await runPatchScan(env.deps, scheduled('2026-03-01T03:00:00Z'), once);
    const latest = LatestPatchScan.parse(await readJson(env, latestScanKey(tenantId, guest.id)));
    expect(latest.jobId).toBe(patchScanJobId(scheduled('2026-03-08T03:00:00Z')));
  });
});
