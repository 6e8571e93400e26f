import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import type { Guest } from '../../../shared/contracts/guest.ts';
import { BackupPolicy } from '../../../shared/contracts/service.ts';
import { jobIdFor, runBackup } from '../../../shared/domain/backup/run.ts';
import { fixedClock, MemoryConnector, RecordingBus, silentLogger } from '../../support/fakes.ts';

const tenantId = 'acme';
const guest: Guest = {
  connector: 'local',
  disks: ['/images/a.img', '/images/b.img'],
  tenantId,
  id: 'gst_0000000001aaaaaaaaaaaaaaaa',
  name: 'a',
  hostnames: [],
  addresses: [],
  tags: {},
  createdAt: '2026-01-01T00:00:00.000Z',
};

function setup() {
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  const bus = new RecordingBus();
  const connector = new MemoryConnector();
  const deps = {
    registry,
    bus,
    clock: fixedClock(),
    logger: silentLogger,
    connectors: {
      get: (kind: string) => {
        if (kind !== 'local') throw new Error(`connector ${kind} is not available here`);
        return connector;
      },
    },
  };
  return { registry, bus, connector, deps };
}

const scheduled = (time = '2026-01-01T02:00:00Z') => ({
  schemaVersion: 1 as const,
  tenantId,
  correlationId: 'c-1',
  guestId: guest.id,
  trigger: { kind: 'schedule' as const, scheduledTime: time },
});

const once = { receiveCount: 1, maxReceiveCount: 5 };

describe('runBackup', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(async () => {
    env = setup();
    await env.registry.createGuest(guest);
    await env.registry.putSubscription({
      tenantId,
      guestId: guest.id,
      service: 'backup',
      policy: BackupPolicy.parse({ snapshotTags: { team: 'web' } }),
      enabledAt: guest.createdAt,
      updatedAt: guest.createdAt,
    });
  });

  it('snapshots the guest, records a restore point and emits Backup Completed', async () => {
    const result = await runBackup(env.deps, scheduled(), once);
    expect(result.outcome).toBe('succeeded');
    expect(env.connector.created).toBe(1);
    const job = await env.registry.getJob(tenantId, jobIdFor(scheduled()));
    expect(job?.status).toBe('succeeded');
    expect(job?.attempts).toBe(1);
    const points = await env.registry.listRestorePoints(tenantId, guest.id, { limit: 10 });
    expect(points.items).toHaveLength(1);
    expect(points.items[0]!.tags).toMatchObject({ team: 'web', 'outboard:job': job!.id });
    const completed = env.bus.ofType('Backup Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toMatchObject({
      jobId: job!.id,
      restorePointId: points.items[0]!.id,
      correlationId: 'c-1',
    });
  });

  it('derives one job per scheduled time, so a repeated schedule event is one job', () => {
    expect(jobIdFor(scheduled('2026-01-01T02:00:00Z'))).toBe(jobIdFor(scheduled('2026-01-01T02:00:00Z')));
    expect(jobIdFor(scheduled('2026-01-01T02:00:00Z'))).not.toBe(jobIdFor(scheduled('2026-01-02T02:00:00Z')));
  });

  it('takes one snapshot for a request delivered twice', async () => {
    await runBackup(env.deps, scheduled(), once);
    const again = await runBackup(env.deps, scheduled(), { receiveCount: 2, maxReceiveCount: 5 });
    expect(again.outcome).toBe('already-finished');
    expect(env.connector.created).toBe(1);
    expect(env.bus.ofType('Backup Completed')).toHaveLength(1);
  });

  it('finishes a job whose previous attempt died after the snapshot, without a second snapshot', async () => {
    // The first attempt takes the snapshot and the restore point, then cannot announce them.
    env.bus.failNext = 1;
    await expect(runBackup(env.deps, scheduled(), once)).rejects.toThrow('bus unavailable');
    const jobId = jobIdFor(scheduled());
    expect((await env.registry.getJob(tenantId, jobId))?.status).toBe('running');
    const retried = await runBackup(env.deps, scheduled(), { receiveCount: 2, maxReceiveCount: 5 });
    expect(retried.outcome).toBe('succeeded');
    expect(env.connector.created).toBe(1);
    expect((await env.registry.listRestorePoints(tenantId, guest.id, { limit: 10 })).items).toHaveLength(1);
    expect(env.bus.ofType('Backup Completed')).toHaveLength(1);
    const job = await env.registry.getJob(tenantId, jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('retries a transient failure and records it only on the last delivery', async () => {
    env.connector.failures.push(new Error('disk busy'), new Error('disk busy'));
    await expect(runBackup(env.deps, scheduled(), { receiveCount: 1, maxReceiveCount: 2 })).rejects.toThrow(
      'disk busy',
    );
    expect((await env.registry.getJob(tenantId, jobIdFor(scheduled())))?.status).toBe('running');
    const last = await runBackup(env.deps, scheduled(), { receiveCount: 2, maxReceiveCount: 2 });
    expect(last.outcome).toBe('failed');
    const job = await env.registry.getJob(tenantId, jobIdFor(scheduled()));
    expect(job?.status).toBe('failed');
    expect(job?.error).toEqual({ code: 'BACKUP_FAILED', message: 'gave up after 2 attempts: disk busy' });
    expect(env.bus.ofType('Backup Failed')).toHaveLength(1);
    expect(env.connector.created).toBe(0);
  });

  it('fails cleanly when the backup service is disabled', async () => {
    await env.registry.deleteSubscription(tenantId, guest.id, 'backup');
    const result = await runBackup(env.deps, scheduled(), once);
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && result.error.code).toBe('SERVICE_NOT_ENABLED');
    expect(env.connector.created).toBe(0);
    expect(env.bus.ofType('Backup Failed')[0]!.detail.error.code).toBe('SERVICE_NOT_ENABLED');
  });

  it('fails cleanly when the guest no longer exists', async () => {
    await env.registry.deleteGuest(tenantId, guest.id);
    const result = await runBackup(env.deps, scheduled(), once);
    expect(result.outcome === 'failed' && result.error.code).toBe('GUEST_NOT_FOUND');
    expect((await env.registry.getJob(tenantId, jobIdFor(scheduled())))?.status).toBe('failed');
  });

  it('fails cleanly when the guest connector is not available in this deployment', async () => {
    const ec2Guest: Guest = {
      connector: 'aws-ec2',
      instanceId: 'i-0123456789abcdef0',
      tenantId,
      id: 'gst_0000000002aaaaaaaaaaaaaaaa',
      name: 'ec2',
      hostnames: [],
      addresses: [],
      tags: {},
      createdAt: guest.createdAt,
    };
    await env.registry.createGuest(ec2Guest);
    await env.registry.putSubscription({
      tenantId,
      guestId: ec2Guest.id,
      service: 'backup',
      policy: BackupPolicy.parse({}),
      enabledAt: guest.createdAt,
      updatedAt: guest.createdAt,
    });
    const result = await runBackup(env.deps, { ...scheduled(), guestId: ec2Guest.id }, once);
    expect(result.outcome === 'failed' && result.error.code).toBe('CONNECTOR_UNAVAILABLE');
  });
});
