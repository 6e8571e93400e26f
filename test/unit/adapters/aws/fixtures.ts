/** Valid records for the AWS adapter tests. */
import type { Guest, Subscription, Tenant } from '../../../../shared/contracts/guest.ts';
import type { Job, RestorePoint } from '../../../../shared/contracts/job.ts';

export const TENANT = 't1';
export const GUEST = 'gst_0000000001';

export const tenant = (over: Partial<Tenant> = {}): Tenant => ({
  id: TENANT,
  name: 'Tenant One',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

export const guest = (over: Partial<Guest> = {}): Guest =>
  ({
    tenantId: TENANT,
    id: GUEST,
    connector: 'aws-ec2',
    instanceId: 'i-0123456789abcdef0',
    region: 'eu-west-1',
    name: 'web-1',
    hostnames: ['web-1.internal'],
    addresses: ['10.0.0.1'],
    tags: { env: 'prod' },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  }) as Guest;

export const subscription = (over: Partial<Subscription> = {}): Subscription =>
  ({
    tenantId: TENANT,
    guestId: GUEST,
    service: 'backup',
    policy: { schedule: 'cron(0 2 * * ? *)', timezone: 'UTC', snapshotTags: {} },
    enabledAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  }) as Subscription;

export const job = (over: Partial<Job> = {}): Job => ({
  tenantId: TENANT,
  id: 'job_0000000001',
  kind: 'backup',
  service: 'backup',
  guestId: GUEST,
  status: 'queued',
  trigger: { kind: 'api' },
  correlationId: 'corr-1',
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

export const restorePoint = (over: Partial<RestorePoint> = {}): RestorePoint => ({
  tenantId: TENANT,
  id: 'rp_0000000001',
  guestId: GUEST,
  jobId: 'job_0000000001',
  connector: 'aws-ec2',
  snapshotId: 'snap-job_0000000001',
  disks: [{ index: 0, sizeBytes: 8 * 2 ** 30, source: 'vol-0abc' }],
  tags: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
