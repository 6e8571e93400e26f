import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPageRequestError } from '../../../../shared/adapters/errors.ts';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import {
  instantSortKey,
  RegistryRecordError,
  SqliteRegistry,
} from '../../../../shared/adapters/local/sqlite-registry.ts';
import { ConditionFailedError } from '../../../../shared/ports.ts';
import { collectPages, describeRegistryContract, fixtures } from '../../../support/registry-contract.ts';

describeRegistryContract('SqliteRegistry (file database)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outboard-registry-'));
  const db = openDatabase(join(dir, 'outboard.db'));
  return {
    registry: new SqliteRegistry(db),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeRegistryContract('SqliteRegistry (in memory)', async () => {
  const db = openDatabase(':memory:');
  return { registry: new SqliteRegistry(db), close: async () => db.close() };
});

describe('SqliteRegistry specifics', () => {
  let dir: string;
  let dbs: DatabaseSync[];
  const open = () => {
    const db = openDatabase(join(dir, 'outboard.db'));
    dbs.push(db);
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outboard-registry-'));
    dbs = [];
  });
  afterEach(() => {
    for (const db of dbs) if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares state between two connections to one file, and migrations run once', async () => {
    const a = new SqliteRegistry(open());
    const b = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    const guest = fixtures.guest(tenant, fixtures.guestId());
    await a.createGuest(guest);
    expect(await b.getGuest(tenant, guest.id)).toEqual(guest);
    await expect(b.createGuest(guest)).rejects.toBeInstanceOf(ConditionFailedError);
    const rows = dbs[0]?.prepare("SELECT version FROM schema_migrations WHERE name = 'registry'").all();
    expect(rows).toEqual([{ version: 1 }]);
  });

  it('ends the last page without a cursor', async () => {
    const registry = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    for (let i = 0; i < 6; i++) await registry.createGuest(fixtures.guest(tenant, fixtures.guestId(i)));
    const first = await registry.listGuests(tenant, { limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await registry.listGuests(tenant, { limit: 3, cursor: first.nextCursor });
    expect(second.items).toHaveLength(3);
    expect(second.nextCursor).toBeUndefined();
  });

  it('rejects limits outside 1..1000 and cursors it did not issue', async () => {
    const registry = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    const g = fixtures.guestId();
    for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
      await expect(registry.listGuests(tenant, { limit })).rejects.toBeInstanceOf(InvalidPageRequestError);
      await expect(registry.listRestorePoints(tenant, g, { limit })).rejects.toBeInstanceOf(
        InvalidPageRequestError,
      );
    }
    for (let i = 0; i < 3; i++) {
      await registry.createGuest(fixtures.guest(tenant, fixtures.guestId(i)));
      await registry.createRestorePoint(
        fixtures.restorePoint(
          tenant,
          fixtures.restorePointId(i),
          g,
          new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
        ),
      );
    }
    const guestCursor = (await registry.listGuests(tenant, { limit: 1 })).nextCursor ?? '';
    const rpCursor = (await registry.listRestorePoints(tenant, g, { limit: 1 })).nextCursor ?? '';
    for (const cursor of ['', 'garbage!', Buffer.from('{"x":1}').toString('base64url'), rpCursor]) {
      await expect(registry.listGuests(tenant, { limit: 2, cursor })).rejects.toBeInstanceOf(
        InvalidPageRequestError,
      );
    }
    await expect(registry.listRestorePoints(tenant, g, { limit: 2, cursor: guestCursor })).rejects.toThrow(
      /cursor .* was not issued by listRestorePoints/,
    );
  });

  it('orders restore points by instant, whatever the offset and precision of createdAt', async () => {
    const registry = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    const g = fixtures.guestId();
    const times = {
      rp_00000000000a: '2025-05-01T12:00:00+02:00', // 10:00:00Z
      rp_00000000000b: '2025-05-01T10:00:00.0005Z', // 0.5 ms after 10:00:00Z
      rp_00000000000c: '2025-05-01T09:30:00-00:45', // 10:15:00Z
      rp_00000000000d: '2025-05-01T10:00:00.000000001Z', // 1 ns after 10:00:00Z
      rp_00000000000e: '2025-05-01T10:00:00Z', // same instant as …a → id order
    };
    for (const [id, createdAt] of Object.entries(times)) {
      await registry.createRestorePoint(fixtures.restorePoint(tenant, id, g, createdAt));
    }
    const { items } = await collectPages((page) => registry.listRestorePoints(tenant, g, page), 2);
    expect(items.map((rp) => rp.id)).toEqual([
      'rp_00000000000c',
      'rp_00000000000b',
      'rp_00000000000d',
      'rp_00000000000e',
      'rp_00000000000a',
    ]);
    expect(items.find((rp) => rp.id === 'rp_00000000000a')?.createdAt).toBe('2025-05-01T12:00:00+02:00');
  });

  it('builds fixed-width sort keys from ISO date-times', () => {
    expect(instantSortKey('2025-05-01T12:00:00+02:00')).toBe('2025-05-01T10:00:00.000000000');
    expect(instantSortKey('2025-05-01T10:00:00.123456789Z')).toBe('2025-05-01T10:00:00.123456789');
    expect(instantSortKey('2025-05-01T10:00:00.1Z')).toBe('2025-05-01T10:00:00.100000000');
    expect(() => instantSortKey('yesterday')).toThrow(RegistryRecordError);
  });

  it('refuses to write an invalid record, naming it', async () => {
    const registry = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    const bad = { ...fixtures.guest(tenant, fixtures.guestId()), id: 'not-a-guest-id' };
    await expect(registry.createGuest(bad)).rejects.toThrow(/guests record ".*not-a-guest-id" is not valid/);
    await expect(
      registry.createJob({ ...fixtures.job(tenant, 'job_x', fixtures.guestId()) }),
    ).rejects.toBeInstanceOf(RegistryRecordError);
    expect(await registry.listGuests(tenant, { limit: 10 })).toEqual({ items: [] });
  });

  it('refuses an update that would make the job invalid, and keeps the stored job', async () => {
    const registry = new SqliteRegistry(open());
    const tenant = fixtures.tenantId();
    const job = fixtures.job(tenant, fixtures.jobId(), fixtures.guestId());
    await registry.createJob(job);
    await expect(
      registry.updateJob(tenant, job.id, { status: 'running', updatedAt: 'not a date' }, ['queued']),
    ).rejects.toBeInstanceOf(RegistryRecordError);
    expect(await registry.getJob(tenant, job.id)).toEqual(job);
  });

  it('reports a stored row that no longer matches its schema instead of returning it', async () => {
    const db = open();
    const registry = new SqliteRegistry(db);
    const tenant = fixtures.tenantId();
    const guest = fixtures.guest(tenant, fixtures.guestId());
    await registry.createGuest(guest);
    db.prepare('UPDATE guests SET record = ? WHERE id = ?').run(
      JSON.stringify({ ...guest, disks: [] }),
      guest.id,
    );
    await expect(registry.getGuest(tenant, guest.id)).rejects.toThrow(
      new RegExp(`guests row "${tenant}/${guest.id}" does not match its schema`),
    );
    db.prepare('UPDATE guests SET record = ? WHERE id = ?').run('{not json', guest.id);
    await expect(registry.listGuests(tenant, { limit: 5 })).rejects.toThrow(/malformed JSON/);
  });

  it('rolls back deleteGuest completely when it fails half way', async () => {
    const db = open();
    const registry = new SqliteRegistry(db);
    const tenant = fixtures.tenantId();
    const g = fixtures.guestId();
    await registry.createGuest(fixtures.guest(tenant, g));
    await registry.putSubscription(fixtures.subscription(tenant, g, 'backup'));
    db.exec(
      `CREATE TEMP TRIGGER fail_guest_delete BEFORE DELETE ON guests BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    await expect(registry.deleteGuest(tenant, g)).rejects.toThrow(/boom/);
    expect(await registry.getGuest(tenant, g)).toBeDefined();
    expect(await registry.listSubscriptions(tenant, g)).toHaveLength(1);
    expect(db.isTransaction).toBe(false);
  });
});
