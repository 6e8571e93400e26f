/**
 * DynamoDbRegistry against dynalite (a DynamoDB protocol server, in memory) on 127.0.0.1.
 *
 * dynalite 4.0 does not implement TransactWriteItems, so deleteGuest (one transaction) is covered
 * only by the unit tests with the mocked client.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRegistry, MalformedRecordError } from '../../../shared/adapters/aws/dynamodb-registry.ts';
import type { RestorePoint } from '../../../shared/contracts/job.ts';
import { ConditionFailedError } from '../../../shared/ports.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite.ts';
import {
  GUEST,
  guest,
  job,
  restorePoint,
  subscription,
  TENANT,
  tenant,
} from '../../unit/adapters/aws/fixtures.ts';

const TABLE = `outboard-registry-${process.pid}`;
let db: DynaliteTable;
let registry: DynamoDbRegistry;

beforeAll(async () => {
  db = await startDynaliteTable(TABLE);
  registry = new DynamoDbRegistry({ client: db.doc, tableName: TABLE });
});

afterAll(async () => {
  await db?.close();
});

describe('DynamoDbRegistry on dynalite', () => {
  it('stores and reads tenants', async () => {
    expect(await registry.getTenant('nobody')).toBeUndefined();
    await registry.putTenant(tenant());
    await registry.putTenant(tenant({ name: 'Renamed' }));
    expect(await registry.getTenant(TENANT)).toEqual(tenant({ name: 'Renamed' }));
  });

  it('creates a guest once and reads it back', async () => {
    await registry.createGuest(guest());
    await expect(registry.createGuest(guest({ name: 'again' }))).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await registry.getGuest(TENANT, GUEST)).toEqual(guest());
    expect(await registry.getGuest('t2', GUEST)).toBeUndefined();
  });

  it('pages through a tenant’s guests without mixing in other records or tenants', async () => {
    const tenantId = 'paging';
    const ids = Array.from({ length: 5 }, (_, i) => `gst_p00000000${i}`);
    for (const id of ids) await registry.createGuest(guest({ tenantId, id }));
    await registry.createGuest(guest({ tenantId: 'paging2', id: 'gst_p000000009' }));
    await registry.createJob(job({ tenantId }));

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await registry.listGuests(tenantId, { limit: 2, cursor });
      seen.push(...page.items.map((g) => g.id));
      sizes.push(page.items.length);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(sizes).toEqual([2, 2, 1]);

    const exact = await registry.listGuests(tenantId, { limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeUndefined();
  });

  it('rejects a cursor from another tenant', async () => {
    const page = await registry.listGuests('paging', { limit: 1 });
    expect(page.nextCursor).toBeDefined();
    await expect(registry.listGuests('paging2', { limit: 1, cursor: page.nextCursor })).rejects.toMatchObject(
      {
        name: 'InvalidPageRequestError',
      },
    );
  });

  it('stores, lists and deletes subscriptions', async () => {
    const monitoring = subscription({
      service: 'monitoring',
      policy: {
        schedule: 'rate(5 minutes)',
        timezone: 'UTC',
        retentionDays: 90,
        certificateFingerprints: [],
        silentAfterMinutes: 30,
        disabledRules: [],
      },
    });
    await registry.putSubscription(subscription());
    await registry.putSubscription(monitoring);
    expect(await registry.getSubscription(TENANT, GUEST, 'backup')).toEqual(subscription());
    expect(await registry.listSubscriptions(TENANT, GUEST)).toEqual([subscription(), monitoring]);
    expect(await registry.deleteSubscription(TENANT, GUEST, 'monitoring')).toBe(true);
    expect(await registry.deleteSubscription(TENANT, GUEST, 'monitoring')).toBe(false);
    expect(await registry.listSubscriptions(TENANT, GUEST)).toEqual([subscription()]);
  });

  it('refuses a subscription for a guest that does not exist and leaves nothing behind', async () => {
    const orphan = subscription({ guestId: 'gst_nobody0000' });
    await expect(registry.putSubscription(orphan)).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await registry.getSubscription(TENANT, 'gst_nobody0000', 'backup')).toBeUndefined();
  });

  it('creates jobs once and updates them only from the expected status', async () => {
    expect(await registry.createJob(job({ id: 'job_upd0000001' }))).toBe(true);
    expect(await registry.createJob(job({ id: 'job_upd0000001', attempts: 5 }))).toBe(false);

    const running = await registry.updateJob(
      TENANT,
      'job_upd0000001',
      {
        status: 'running',
        attempts: 1,
        startedAt: '2026-01-01T00:01:00.000Z',
        updatedAt: '2026-01-01T00:01:00.000Z',
      },
      ['queued'],
    );
    expect(running).toEqual(
      job({
        id: 'job_upd0000001',
        status: 'running',
        attempts: 1,
        startedAt: '2026-01-01T00:01:00.000Z',
        updatedAt: '2026-01-01T00:01:00.000Z',
      }),
    );

    await expect(
      registry.updateJob(
        TENANT,
        'job_upd0000001',
        { status: 'running', updatedAt: '2026-01-01T00:02:00.000Z' },
        ['queued'],
      ),
    ).rejects.toThrow('job t1/job_upd0000001 is "running", not "queued"; not updated');

    const failed = await registry.updateJob(
      TENANT,
      'job_upd0000001',
      {
        status: 'failed',
        error: { code: 'Boom', message: 'it broke' },
        finishedAt: '2026-01-01T00:03:00.000Z',
        updatedAt: '2026-01-01T00:03:00.000Z',
      },
      ['running'],
    );
    expect(failed.error).toEqual({ code: 'Boom', message: 'it broke' });

    const retried = await registry.updateJob(
      TENANT,
      'job_upd0000001',
      { status: 'queued', error: null, result: { note: 'retry' }, updatedAt: '2026-01-01T00:04:00.000Z' },
      ['failed'],
    );
    expect(retried).not.toHaveProperty('error');
    expect(retried.result).toEqual({ note: 'retry' });
    expect(await registry.getJob(TENANT, 'job_upd0000001')).toEqual(retried);

    await expect(
      registry.updateJob(TENANT, 'job_missing0001', { updatedAt: '2026-01-01T00:04:00.000Z' }, ['queued']),
    ).rejects.toThrow('job t1/job_missing0001 does not exist; not updated');
  });

  it('creates restore points once and lists a guest’s newest first, page by page', async () => {
    const guestId = 'gst_rp00000001';
    const points: RestorePoint[] = [
      restorePoint({ guestId, id: 'rp_a000000001', createdAt: '2026-01-01T10:00:00.000Z' }),
      // Earlier in UTC than the first, although its local time reads later.
      restorePoint({ guestId, id: 'rp_a000000002', createdAt: '2026-01-01T11:00:00+02:00' }),
      restorePoint({ guestId, id: 'rp_a000000003', createdAt: '2026-01-02T00:00:00.000Z' }),
      restorePoint({ guestId: 'gst_other00001', id: 'rp_a000000004' }),
    ];
    for (const p of points) expect(await registry.createRestorePoint(p)).toBe(true);
    expect(await registry.createRestorePoint(points[0] as RestorePoint)).toBe(false);
    expect(await registry.getRestorePoint(TENANT, 'rp_a000000002')).toEqual(points[1]);
    expect(await registry.getRestorePoint('t2', 'rp_a000000002')).toBeUndefined();

    const first = await registry.listRestorePoints(TENANT, guestId, { limit: 2 });
    expect(first.items.map((p) => p.id)).toEqual(['rp_a000000003', 'rp_a000000001']);
    const second = await registry.listRestorePoints(TENANT, guestId, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((p) => p.id)).toEqual(['rp_a000000002']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('names the key of a malformed item when reading it', async () => {
    await db.doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: 'TENANT#t1',
          sk: 'JOB#job_broken00001',
          entityType: 'job',
          tenantId: 't1',
          status: 'weird',
        },
      }),
    );
    const error = await registry.getJob(TENANT, 'job_broken00001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedRecordError);
    expect((error as Error).message).toContain('TENANT#t1 / JOB#job_broken00001');
  });
});
