/**
 * Behaviour every Registry implementation must have. Use it from a test file:
 *
 *   describeRegistryContract('SqliteRegistry', async () => ({ registry, close: async () => db.close() }));
 *
 * `makeRegistry` is called before each test; each test also uses fresh random tenant ids, so an
 * implementation may hand out registries over one shared table.
 *
 * Timestamps here are `Date#toISOString()` strings (UTC, milliseconds), the form the domain writes.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageOf, PageRequest } from '../../shared/contracts/common.ts';
import { type Guest, Subscription, type Tenant } from '../../shared/contracts/guest.ts';
import type { Job, RestorePoint } from '../../shared/contracts/job.ts';
import type { Service } from '../../shared/contracts/service.ts';
import { ConditionFailedError, type Registry } from '../../shared/ports.ts';

export interface RegistryUnderTest {
  registry: Registry;
  close(): Promise<void>;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `length` random chars of [0-9a-z]. */
export function randomSuffix(length = 16): string {
  let out = '';
  for (const b of randomBytes(length)) out += ALPHABET[b % 36];
  return out;
}

const T0 = Date.parse('2025-03-01T08:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

export const fixtures = {
  tenantId: (): string => `t-${randomSuffix(12)}`,
  guestId: (n?: number): string =>
    n === undefined ? `gst_${randomSuffix(16)}` : `gst_${String(n).padStart(12, '0')}`,
  jobId: (): string => `job_${randomSuffix(16)}`,
  restorePointId: (n?: number): string =>
    n === undefined ? `rp_${randomSuffix(16)}` : `rp_${String(n).padStart(12, '0')}`,

  tenant: (id: string, name = `Tenant ${id}`): Tenant => ({ id, name, createdAt: at(0) }),

  guest: (tenantId: string, id: string, name = `guest ${id}`): Guest => ({
    connector: 'local',
    disks: [`/var/lib/outboard/images/${id}.img`],
    tenantId,
    id,
    name,
    hostnames: ['web-1'],
    addresses: ['10.0.0.5'],
    tags: { env: 'test' },
    createdAt: at(1),
  }),

  subscription: (tenantId: string, guestId: string, service: Service, schedule?: string): Subscription =>
    Subscription.parse({
      tenantId,
      guestId,
      service,
      policy:
        service === 'backup'
          ? { schedule: schedule ?? 'cron(0 2 * * ? *)', timezone: 'UTC', snapshotTags: { tier: 'gold' } }
          : { schedule: schedule ?? 'rate(5 minutes)', timezone: 'Europe/Paris' },
      enabledAt: at(2),
      updatedAt: at(2),
    }),

  job: (tenantId: string, id: string, guestId: string, status: Job['status'] = 'queued'): Job => ({
    tenantId,
    id,
    kind: 'backup',
    service: 'backup',
    guestId,
    status,
    trigger: { kind: 'api' },
    correlationId: `corr-${id}`,
    attempts: 0,
    createdAt: at(3),
    updatedAt: at(3),
  }),

  restorePoint: (tenantId: string, id: string, guestId: string, createdAt: string): RestorePoint => ({
    tenantId,
    id,
    guestId,
    jobId: `job_${randomSuffix(16)}`,
    connector: 'local',
    snapshotId: `snap-${id}`,
    disks: [{ index: 0, sizeBytes: 1048576, source: '/var/lib/outboard/images/a.img' }],
    tags: { job: 'nightly' },
    createdAt,
  }),
};

/** Follows `nextCursor` to the end; checks every page holds at most `limit` items and only the last may be empty. */
export async function collectPages<T>(
  list: (page: PageRequest) => Promise<PageOf<T>>,
  limit: number,
  maxPages = 200,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page: PageOf<T> = await list(cursor === undefined ? { limit } : { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === undefined) return { items, pages };
    expect(page.items.length, 'only the last page may be empty').toBeGreaterThan(0);
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
  }
  throw new Error(`pagination did not end after ${maxPages} pages`);
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function describeRegistryContract(name: string, makeRegistry: () => Promise<RegistryUnderTest>): void {
  describe(`Registry contract: ${name}`, () => {
    let subject: RegistryUnderTest;
    let registry: Registry;
    let tenantA: string;
    let tenantB: string;

    beforeEach(async () => {
      subject = await makeRegistry();
      registry = subject.registry;
      tenantA = fixtures.tenantId();
      tenantB = fixtures.tenantId();
    });

    afterEach(async () => {
      await subject.close();
    });

    describe('tenants', () => {
      it('stores, reads and replaces a tenant; a missing tenant is undefined', async () => {
        expect(await registry.getTenant(tenantA)).toBeUndefined();
        const tenant = fixtures.tenant(tenantA);
        await registry.putTenant(tenant);
        expect(await registry.getTenant(tenantA)).toEqual(tenant);
        const renamed = { ...tenant, name: 'Renamed Ltd' };
        await registry.putTenant(renamed);
        expect(await registry.getTenant(tenantA)).toEqual(renamed);
        expect(await registry.getTenant(tenantB)).toBeUndefined();
      });
    });

    describe('guests', () => {
      it('creates a guest and reads it back unchanged', async () => {
        const guest = fixtures.guest(tenantA, fixtures.guestId());
        await registry.createGuest(guest);
        expect(await registry.getGuest(tenantA, guest.id)).toEqual(guest);
        expect(await registry.getGuest(tenantA, fixtures.guestId())).toBeUndefined();
      });

      it('refuses to create a guest whose id exists, leaving the stored one unchanged', async () => {
        const guest = fixtures.guest(tenantA, fixtures.guestId(), 'original');
        await registry.createGuest(guest);
        await expect(registry.createGuest({ ...guest, name: 'impostor' })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect(await registry.getGuest(tenantA, guest.id)).toEqual(guest);
      });

      it('lets exactly one of several concurrent creates of the same guest win', async () => {
        const id = fixtures.guestId();
        const attempts = Array.from({ length: 10 }, (_, i) => fixtures.guest(tenantA, id, `attempt ${i}`));
        const results = await Promise.allSettled(attempts.map((g) => registry.createGuest(g)));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect(r.reason).toBeInstanceOf(ConditionFailedError);
        const winner = attempts[results.findIndex((r) => r.status === 'fulfilled')];
        expect(await registry.getGuest(tenantA, id)).toEqual(winner);
      });

      it('lists 27 guests by id ascending over small pages, each exactly once', async () => {
        const ids = Array.from({ length: 27 }, (_, i) => fixtures.guestId(1000 + i * 7));
        for (const id of shuffled(ids)) await registry.createGuest(fixtures.guest(tenantA, id));
        await registry.createGuest(fixtures.guest(tenantB, fixtures.guestId(1001)));

        for (const limit of [1, 4, 10]) {
          const { items, pages } = await collectPages((page) => registry.listGuests(tenantA, page), limit);
          expect(items.map((g) => g.id)).toEqual([...ids].sort());
          expect(pages).toBeGreaterThanOrEqual(Math.ceil(ids.length / limit));
          for (const g of items) expect(g.tenantId).toBe(tenantA);
        }
        const all = await registry.listGuests(tenantA, { limit: 100 });
        expect(all.items).toHaveLength(27);
        expect(all.nextCursor).toBeUndefined();
      });

      it('lists no guests for a tenant that has none', async () => {
        await registry.createGuest(fixtures.guest(tenantA, fixtures.guestId()));
        expect(await registry.listGuests(tenantB, { limit: 10 })).toEqual({ items: [] });
      });
    });

    describe('subscriptions', () => {
      it('puts, replaces, reads, lists and deletes subscriptions', async () => {
        const g1 = fixtures.guestId();
        const g2 = fixtures.guestId();
        await registry.createGuest(fixtures.guest(tenantA, g1));
        await registry.createGuest(fixtures.guest(tenantA, g2));
        const backup = fixtures.subscription(tenantA, g1, 'backup');
        const patching = fixtures.subscription(tenantA, g1, 'patching');
        const other = fixtures.subscription(tenantA, g2, 'backup');
        await registry.putSubscription(backup);
        await registry.putSubscription(patching);
        await registry.putSubscription(other);

        expect(await registry.getSubscription(tenantA, g1, 'backup')).toEqual(backup);
        expect(await registry.getSubscription(tenantA, g1, 'antivirus')).toBeUndefined();
        const listed = await registry.listSubscriptions(tenantA, g1);
        expect([...listed].sort((a, b) => a.service.localeCompare(b.service))).toEqual([backup, patching]);

        const replaced = fixtures.subscription(tenantA, g1, 'backup', 'cron(30 1 * * ? *)');
        await registry.putSubscription(replaced);
        expect(await registry.getSubscription(tenantA, g1, 'backup')).toEqual(replaced);
        expect(await registry.listSubscriptions(tenantA, g1)).toHaveLength(2);

        expect(await registry.deleteSubscription(tenantA, g1, 'backup')).toBe(true);
        expect(await registry.deleteSubscription(tenantA, g1, 'backup')).toBe(false);
        expect(await registry.getSubscription(tenantA, g1, 'backup')).toBeUndefined();
        expect(await registry.listSubscriptions(tenantA, g1)).toEqual([patching]);
        expect(await registry.listSubscriptions(tenantA, g2)).toEqual([other]);
      });
    });

    describe('listSubscriptionsOfService', () => {
      it("lists one service's subscriptions across tenants, by tenant then guest, page by page", async () => {
        const made: { tenantId: string; guestId: string }[] = [];
        for (const tenantId of [tenantA, tenantB]) {
          for (let i = 0; i < 3; i++) {
            const guestId = fixtures.guestId();
            await registry.createGuest(fixtures.guest(tenantId, guestId));
            await registry.putSubscription(fixtures.subscription(tenantId, guestId, 'monitoring'));
            await registry.putSubscription(fixtures.subscription(tenantId, guestId, 'backup'));
            made.push({ tenantId, guestId });
          }
        }
        const ours = new Set([tenantA, tenantB]);
        const { items } = await collectPages(
          (page) => registry.listSubscriptionsOfService('monitoring', page),
          2,
        );
        const listed = items.filter((s) => ours.has(s.tenantId));
        expect(listed.every((s) => s.service === 'monitoring')).toBe(true);
        const key = (s: { tenantId: string; guestId: string }) => `${s.tenantId}/${s.guestId}`;
        expect(listed.map(key)).toEqual(made.map(key).sort());
        await registry.deleteSubscription(tenantA, made[0]!.guestId, 'monitoring');
        const after = await collectPages(
          (page) => registry.listSubscriptionsOfService('monitoring', page),
          50,
        );
        expect(after.items.filter((s) => ours.has(s.tenantId))).toHaveLength(5);
      });
    });

    describe('deleteGuest', () => {
      it('removes the guest and all its subscriptions and returns the subscriptions removed', async () => {
        const g1 = fixtures.guestId();
        const g2 = fixtures.guestId();
        await registry.createGuest(fixtures.guest(tenantA, g1));
        await registry.createGuest(fixtures.guest(tenantA, g2));
        const subs = (['backup', 'patching', 'antivirus'] as const).map((s) =>
          fixtures.subscription(tenantA, g1, s),
        );
        for (const s of subs) await registry.putSubscription(s);
        const kept = fixtures.subscription(tenantA, g2, 'backup');
        await registry.putSubscription(kept);

        const removed = await registry.deleteGuest(tenantA, g1);
        const byService = (a: Subscription, b: Subscription) => a.service.localeCompare(b.service);
        expect([...(removed ?? [])].sort(byService)).toEqual([...subs].sort(byService));
        expect(await registry.getGuest(tenantA, g1)).toBeUndefined();
        expect(await registry.listSubscriptions(tenantA, g1)).toEqual([]);
        for (const s of subs) expect(await registry.getSubscription(tenantA, g1, s.service)).toBeUndefined();

        expect(await registry.getGuest(tenantA, g2)).toBeDefined();
        expect(await registry.listSubscriptions(tenantA, g2)).toEqual([kept]);
      });

      it('returns [] for a guest without subscriptions and undefined for a missing guest', async () => {
        const g = fixtures.guestId();
        await registry.createGuest(fixtures.guest(tenantA, g));
        expect(await registry.deleteGuest(tenantA, g)).toEqual([]);
        expect(await registry.deleteGuest(tenantA, g)).toBeUndefined();
        expect(await registry.deleteGuest(tenantA, fixtures.guestId())).toBeUndefined();
      });

      it('lets the id be used again after the guest is deleted', async () => {
        const g = fixtures.guestId();
        await registry.createGuest(fixtures.guest(tenantA, g, 'first'));
        await registry.deleteGuest(tenantA, g);
        const again = fixtures.guest(tenantA, g, 'second');
        await registry.createGuest(again);
        expect(await registry.getGuest(tenantA, g)).toEqual(again);
      });

      it('removes the guest once when deleted concurrently: one caller gets the subscriptions', async () => {
        const g = fixtures.guestId();
        await registry.createGuest(fixtures.guest(tenantA, g));
        await registry.putSubscription(fixtures.subscription(tenantA, g, 'backup'));
        const results = await Promise.all(Array.from({ length: 5 }, () => registry.deleteGuest(tenantA, g)));
        const removers = results.filter((r) => r !== undefined);
        expect(removers).toHaveLength(1);
        expect(removers[0]).toHaveLength(1);
        expect(await registry.getGuest(tenantA, g)).toBeUndefined();
      });
    });

    describe('jobs', () => {
      it('creates a job once: a second create returns false and writes nothing', async () => {
        const job = fixtures.job(tenantA, fixtures.jobId(), fixtures.guestId());
        expect(await registry.createJob(job)).toBe(true);
        expect(await registry.createJob({ ...job, status: 'failed', attempts: 9 })).toBe(false);
        expect(await registry.getJob(tenantA, job.id)).toEqual(job);
        expect(await registry.getJob(tenantA, fixtures.jobId())).toBeUndefined();
      });

      it('updates a job when its status is one of the expected ones and returns the stored job', async () => {
        const job = fixtures.job(tenantA, fixtures.jobId(), fixtures.guestId());
        await registry.createJob(job);
        const running = await registry.updateJob(
          tenantA,
          job.id,
          { status: 'running', startedAt: at(10), attempts: 1, updatedAt: at(10) },
          ['queued'],
        );
        expect(running).toEqual({
          ...job,
          status: 'running',
          startedAt: at(10),
          attempts: 1,
          updatedAt: at(10),
        });
        expect(await registry.getJob(tenantA, job.id)).toEqual(running);

        const failed = await registry.updateJob(
          tenantA,
          job.id,
          {
            status: 'failed',
            error: { code: 'Boom', message: 'disk vanished' },
            finishedAt: at(11),
            updatedAt: at(11),
          },
          ['queued', 'running'],
        );
        expect(failed.error).toEqual({ code: 'Boom', message: 'disk vanished' });
        expect(failed.startedAt).toBe(at(10));
        expect(failed.attempts).toBe(1);

        const retried = await registry.updateJob(
          tenantA,
          job.id,
          { status: 'running', error: null, result: { restorePointId: 'rp_x' }, updatedAt: at(12) },
          ['failed'],
        );
        expect(retried.error).toBeUndefined();
        expect('error' in retried && retried.error !== undefined).toBe(false);
        expect(retried.result).toEqual({ restorePointId: 'rp_x' });
        expect(await registry.getJob(tenantA, job.id)).toEqual(retried);
      });

      it('refuses an update when the status is not expected, and changes nothing', async () => {
        const job = fixtures.job(tenantA, fixtures.jobId(), fixtures.guestId(), 'succeeded');
        await registry.createJob(job);
        await expect(
          registry.updateJob(tenantA, job.id, { status: 'running', updatedAt: at(20) }, ['queued', 'failed']),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await registry.getJob(tenantA, job.id)).toEqual(job);
      });

      it('refuses to update a missing job', async () => {
        await expect(
          registry.updateJob(tenantA, fixtures.jobId(), { status: 'running', updatedAt: at(20) }, ['queued']),
        ).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('lets exactly one of several concurrent queued → running transitions win', async () => {
        const job = fixtures.job(tenantA, fixtures.jobId(), fixtures.guestId());
        await registry.createJob(job);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            registry.updateJob(tenantA, job.id, { status: 'running', attempts: i + 1, updatedAt: at(30) }, [
              'queued',
            ]),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConditionFailedError);
        const stored = await registry.getJob(tenantA, job.id);
        expect(stored).toEqual((won[0] as PromiseFulfilledResult<Job>).value);
      });
    });

    describe('restore points', () => {
      it('creates a restore point once and reads it back', async () => {
        const rp = fixtures.restorePoint(tenantA, fixtures.restorePointId(), fixtures.guestId(), at(5));
        expect(await registry.createRestorePoint(rp)).toBe(true);
        expect(await registry.createRestorePoint({ ...rp, snapshotId: 'other' })).toBe(false);
        expect(await registry.getRestorePoint(tenantA, rp.id)).toEqual(rp);
        expect(await registry.getRestorePoint(tenantA, fixtures.restorePointId())).toBeUndefined();
      });

      it('lists a guest’s restore points newest first over small pages, each exactly once', async () => {
        const g = fixtures.guestId();
        const other = fixtures.guestId();
        // 26 restore points; the last six share two timestamps, which then order by id, descending.
        const rps = Array.from({ length: 26 }, (_, i) =>
          fixtures.restorePoint(
            tenantA,
            fixtures.restorePointId(500 + i),
            g,
            at(i < 20 ? i * 90 : i < 23 ? 5000 : 6000),
          ),
        );
        for (const rp of shuffled(rps)) await registry.createRestorePoint(rp);
        await registry.createRestorePoint(
          fixtures.restorePoint(tenantA, fixtures.restorePointId(), other, at(3000)),
        );
        await registry.createRestorePoint(
          fixtures.restorePoint(tenantB, fixtures.restorePointId(), g, at(3000)),
        );

        const expected = [...rps]
          .sort((a, b) =>
            a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
          )
          .reverse()
          .map((rp) => rp.id);
        for (const limit of [1, 3, 5, 26, 100]) {
          const { items } = await collectPages((page) => registry.listRestorePoints(tenantA, g, page), limit);
          expect(items.map((rp) => rp.id)).toEqual(expected);
        }
        expect(await registry.listRestorePoints(tenantA, fixtures.guestId(), { limit: 5 })).toEqual({
          items: [],
        });
      });

      it('marks a restore point infected once: the first mark stays, the listing shows it', async () => {
        const g = fixtures.guestId();
        const rp = fixtures.restorePoint(tenantA, fixtures.restorePointId(), g, at(5));
        await registry.createRestorePoint(rp);
        const first = { jobId: fixtures.jobId(), detections: 2, markedAt: at(10) };
        const marked = await registry.markRestorePointInfected(tenantA, rp.id, first);
        expect(marked).toEqual({ ...rp, infected: first });
        expect(await registry.getRestorePoint(tenantA, rp.id)).toEqual({ ...rp, infected: first });

        // A redelivery, or a later scan: nothing changes, the first mark is returned.
        const again = { jobId: fixtures.jobId(), detections: 5, markedAt: at(20) };
        expect(await registry.markRestorePointInfected(tenantA, rp.id, again)).toEqual({
          ...rp,
          infected: first,
        });
        expect(await registry.markRestorePointInfected(tenantA, rp.id, first)).toEqual({
          ...rp,
          infected: first,
        });
        expect((await registry.getRestorePoint(tenantA, rp.id))?.infected).toEqual(first);
        const listed = await collectPages((page) => registry.listRestorePoints(tenantA, g, page), 10);
        expect(listed.items).toEqual([{ ...rp, infected: first }]);
      });

      it('marks nothing for a missing restore point or another tenant, and refuses a malformed mark', async () => {
        const rp = fixtures.restorePoint(tenantA, fixtures.restorePointId(), fixtures.guestId(), at(5));
        await registry.createRestorePoint(rp);
        const mark = { jobId: fixtures.jobId(), detections: 1, markedAt: at(10) };
        expect(
          await registry.markRestorePointInfected(tenantA, fixtures.restorePointId(), mark),
        ).toBeUndefined();
        expect(await registry.markRestorePointInfected(tenantB, rp.id, mark)).toBeUndefined();
        expect(await registry.getRestorePoint(tenantB, rp.id)).toBeUndefined();
        await expect(
          registry.markRestorePointInfected(tenantA, rp.id, { ...mark, detections: 0 }),
        ).rejects.toThrow(/not valid/);
        expect(await registry.getRestorePoint(tenantA, rp.id)).toEqual(rp);
      });

      it('lets concurrent marks leave exactly one of them', async () => {
        const rp = fixtures.restorePoint(tenantA, fixtures.restorePointId(), fixtures.guestId(), at(5));
        await registry.createRestorePoint(rp);
        const marks = Array.from({ length: 5 }, (_, i) => ({
          jobId: fixtures.jobId(),
          detections: i + 1,
          markedAt: at(10 + i),
        }));
        const results = await Promise.all(
          marks.map((m) => registry.markRestorePointInfected(tenantA, rp.id, m)),
        );
        const stored = (await registry.getRestorePoint(tenantA, rp.id))?.infected;
        expect(marks).toContainEqual(stored);
        for (const r of results) expect(r?.infected).toEqual(stored);
      });
    });

    describe('tenant isolation', () => {
      it('never shows, changes or deletes another tenant’s records', async () => {
        const g = fixtures.guestId();
        const guest = fixtures.guest(tenantA, g);
        const sub = fixtures.subscription(tenantA, g, 'backup');
        const job = fixtures.job(tenantA, fixtures.jobId(), g);
        const rp = fixtures.restorePoint(tenantA, fixtures.restorePointId(), g, at(7));
        await registry.putTenant(fixtures.tenant(tenantA));
        await registry.createGuest(guest);
        await registry.putSubscription(sub);
        await registry.createJob(job);
        await registry.createRestorePoint(rp);

        // Tenant B asks for A's records by id.
        expect(await registry.getTenant(tenantB)).toBeUndefined();
        expect(await registry.getGuest(tenantB, g)).toBeUndefined();
        expect(await registry.listGuests(tenantB, { limit: 100 })).toEqual({ items: [] });
        expect(await registry.getSubscription(tenantB, g, 'backup')).toBeUndefined();
        expect(await registry.listSubscriptions(tenantB, g)).toEqual([]);
        expect(await registry.getJob(tenantB, job.id)).toBeUndefined();
        expect(await registry.getRestorePoint(tenantB, rp.id)).toBeUndefined();
        expect(await registry.listRestorePoints(tenantB, g, { limit: 100 })).toEqual({ items: [] });

        // …and tries to change or delete them.
        expect(await registry.deleteSubscription(tenantB, g, 'backup')).toBe(false);
        expect(await registry.deleteGuest(tenantB, g)).toBeUndefined();
        await expect(
          registry.updateJob(tenantB, job.id, { status: 'running', updatedAt: at(8) }, ['queued']),
        ).rejects.toBeInstanceOf(ConditionFailedError);

        expect(await registry.getGuest(tenantA, g)).toEqual(guest);
        expect(await registry.getSubscription(tenantA, g, 'backup')).toEqual(sub);
        expect(await registry.getJob(tenantA, job.id)).toEqual(job);
        expect(await registry.getRestorePoint(tenantA, rp.id)).toEqual(rp);
      });

      it('treats the same ids in two tenants as different records', async () => {
        const g = fixtures.guestId();
        const jobId = fixtures.jobId();
        const rpId = fixtures.restorePointId();
        await registry.createGuest(fixtures.guest(tenantA, g, 'in A'));
        await registry.createGuest(fixtures.guest(tenantB, g, 'in B'));
        expect((await registry.getGuest(tenantA, g))?.name).toBe('in A');
        expect((await registry.getGuest(tenantB, g))?.name).toBe('in B');

        expect(await registry.createJob(fixtures.job(tenantA, jobId, g))).toBe(true);
        expect(await registry.createJob(fixtures.job(tenantB, jobId, g, 'failed'))).toBe(true);
        await registry.updateJob(tenantB, jobId, { status: 'running', updatedAt: at(9) }, ['failed']);
        expect((await registry.getJob(tenantA, jobId))?.status).toBe('queued');

        expect(await registry.createRestorePoint(fixtures.restorePoint(tenantA, rpId, g, at(1)))).toBe(true);
        expect(await registry.createRestorePoint(fixtures.restorePoint(tenantB, rpId, g, at(2)))).toBe(true);
        expect((await registry.getRestorePoint(tenantA, rpId))?.createdAt).toBe(at(1));

        await registry.putSubscription(fixtures.subscription(tenantB, g, 'backup'));
        expect(await registry.deleteGuest(tenantA, g)).toEqual([]);
        expect(await registry.getGuest(tenantB, g)).toBeDefined();
        expect(await registry.listSubscriptions(tenantB, g)).toHaveLength(1);
      });
    });
  });
}
