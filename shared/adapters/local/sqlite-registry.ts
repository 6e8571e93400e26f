/**
 * Registry on SQLite (node:sqlite), for the local runtime.
 *
 * One table per record type. Every row carries `tenant_id` as the first primary key column, and every
 * query filters on it, so one tenant can never read, list, update or delete another's records (two tenants
 * may even use the same guest or job id). The record itself is a JSON column, validated with its zod
 * schema on the way in and on the way out (a row that no longer validates raises RegistryRecordError
 * naming the table and key rather than handing bad data to the domain). Records round-trip exactly as
 * given: validation checks them but its output (defaults, trimming) is not stored or returned, just as a
 * document store would not change them.
 *
 * Conditional creates are `INSERT … ON CONFLICT DO NOTHING` and look at `changes`; updates that depend on
 * what is stored (`updateJob`, `deleteGuest`, `markRestorePointInfected`) run in one `BEGIN IMMEDIATE` transaction, so they are atomic
 * across threads and processes sharing the database file.
 *
 * Pagination: `nextCursor` is base64url JSON of the last sort key returned, present only when more items
 * follow. Guests are listed by id ascending; restore points newest first, by `createdAt` (compared as
 * instants, whatever the offset or fractional digits of the ISO string) then id, both descending.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { z } from 'zod';
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import { Guest, Subscription, Tenant } from '../../contracts/guest.ts';
import { Job, RestorePoint } from '../../contracts/job.ts';
import type { Service } from '../../contracts/service.ts';
import {
  ConditionFailedError,
  type JobUpdate,
  type Registry,
  type RestorePointInfection,
} from '../../ports.ts';
import { InvalidPageRequestError } from '../errors.ts';
import { migrate, transaction } from './sqlite.ts';

export const MAX_PAGE_LIMIT = 1000;

/** A record failed validation: one handed to the registry (`write`) or one read back from the database (`read`). */
export class RegistryRecordError extends Error {
  override name = 'RegistryRecordError';
}

export const REGISTRY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tenants (
    tenant_id TEXT NOT NULL PRIMARY KEY,
    record TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE guests (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE subscriptions (
    tenant_id TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    service TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (tenant_id, guest_id, service)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE jobs (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE restore_points (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    created_key TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX restore_points_newest_first
    ON restore_points (tenant_id, guest_id, created_key DESC, id DESC);
  `,
];

type Row = Record<string, unknown>;

export class SqliteRegistry implements Registry {
  readonly #db: DatabaseSync;
  readonly #sql: Record<
    | 'putTenant'
    | 'getTenant'
    | 'insertGuest'
    | 'getGuest'
    | 'listGuests'
    | 'deleteGuest'
    | 'putSubscription'
    | 'getSubscription'
    | 'listSubscriptions'
    | 'listSubscriptionsOfService'
    | 'deleteSubscription'
    | 'deleteSubscriptionsOfGuest'
    | 'insertJob'
    | 'getJob'
    | 'updateJob'
    | 'insertRestorePoint'
    | 'getRestorePoint'
    | 'listRestorePoints'
    | 'updateRestorePoint',
    StatementSync
  >;

  /** Runs the registry migrations on `db` (a connection from `openDatabase`). The caller closes `db`. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    migrate(db, 'registry', REGISTRY_MIGRATIONS);
    const p = (sql: string) => db.prepare(sql);
    this.#sql = {
      putTenant: p(
        `INSERT INTO tenants (tenant_id, record) VALUES (?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET record = excluded.record`,
      ),
      getTenant: p('SELECT record FROM tenants WHERE tenant_id = ?'),
      insertGuest: p('INSERT INTO guests (tenant_id, id, record) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      getGuest: p('SELECT record FROM guests WHERE tenant_id = ? AND id = ?'),
      listGuests: p('SELECT id, record FROM guests WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?'),
      deleteGuest: p('DELETE FROM guests WHERE tenant_id = ? AND id = ?'),
      putSubscription: p(
        `INSERT INTO subscriptions (tenant_id, guest_id, service, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id, guest_id, service) DO UPDATE SET record = excluded.record`,
      ),
      getSubscription: p(
        'SELECT record FROM subscriptions WHERE tenant_id = ? AND guest_id = ? AND service = ?',
      ),
      listSubscriptions: p(
        'SELECT service, record FROM subscriptions WHERE tenant_id = ? AND guest_id = ? ORDER BY service',
      ),
      listSubscriptionsOfService: p(
        `SELECT tenant_id, guest_id, service, record FROM subscriptions
         WHERE service = ? AND (tenant_id, guest_id) > (?, ?) ORDER BY tenant_id, guest_id LIMIT ?`,
      ),
      deleteSubscription: p('DELETE FROM subscriptions WHERE tenant_id = ? AND guest_id = ? AND service = ?'),
      deleteSubscriptionsOfGuest: p('DELETE FROM subscriptions WHERE tenant_id = ? AND guest_id = ?'),
      insertJob: p(
        'INSERT INTO jobs (tenant_id, id, status, record) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      getJob: p('SELECT record FROM jobs WHERE tenant_id = ? AND id = ?'),
      updateJob: p('UPDATE jobs SET status = ?, record = ? WHERE tenant_id = ? AND id = ?'),
      insertRestorePoint: p(
        `INSERT INTO restore_points (tenant_id, id, guest_id, created_key, record) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      getRestorePoint: p('SELECT record FROM restore_points WHERE tenant_id = ? AND id = ?'),
      listRestorePoints: p(
        `SELECT id, created_key, record FROM restore_points
         WHERE tenant_id = ? AND guest_id = ? AND (created_key, id) < (?, ?)
         ORDER BY created_key DESC, id DESC LIMIT ?`,
      ),
      updateRestorePoint: p('UPDATE restore_points SET record = ? WHERE tenant_id = ? AND id = ?'),
    };
  }

  // ------------------------------------------------------------ tenants

  async putTenant(tenant: Tenant): Promise<void> {
    const record = validate(Tenant, tenant, 'tenants', tenant.id);
    this.#sql.putTenant.run(record.id, JSON.stringify(record));
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = this.#sql.getTenant.get(id);
    return row && readRecord(Tenant, row, 'tenants', id);
  }

  // ------------------------------------------------------------ guests

  async createGuest(guest: Guest): Promise<void> {
    const record = validate(Guest, guest, 'guests', `${guest.tenantId}/${guest.id}`);
    const { changes } = this.#sql.insertGuest.run(record.tenantId, record.id, JSON.stringify(record));
    if (Number(changes) === 0) {
      throw new ConditionFailedError(
        `guest "${record.id}" already exists in tenant "${record.tenantId}"; it was not created again`,
      );
    }
  }

  async getGuest(tenantId: string, guestId: string): Promise<Guest | undefined> {
    const row = this.#sql.getGuest.get(tenantId, guestId);
    return row && readRecord(Guest, row, 'guests', `${tenantId}/${guestId}`);
  }

  async listGuests(tenantId: string, page: PageRequest): Promise<PageOf<Guest>> {
    const limit = checkLimit(page.limit, 'listGuests');
    const after = page.cursor === undefined ? '' : decodeCursor(page.cursor, 'g', isString, 'listGuests');
    const rows = this.#sql.listGuests.all(tenantId, after, limit + 1);
    const items = rows
      .slice(0, limit)
      .map((row) => readRecord(Guest, row, 'guests', `${tenantId}/${row.id}`));
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor('g', last.id) } : { items };
  }

  async deleteGuest(tenantId: string, guestId: string): Promise<Subscription[] | undefined> {
    return transaction(this.#db, () => {
      const guest = this.#sql.getGuest.get(tenantId, guestId);
      if (!guest) return undefined;
      const subscriptions = this.#sql.listSubscriptions
        .all(tenantId, guestId)
        .map((row) =>
          readRecord(Subscription, row, 'subscriptions', `${tenantId}/${guestId}/${row.service}`),
        );
      this.#sql.deleteSubscriptionsOfGuest.run(tenantId, guestId);
      this.#sql.deleteGuest.run(tenantId, guestId);
      return subscriptions;
    });
  }

  // ------------------------------------------------------------ subscriptions

  async putSubscription(subscription: Subscription): Promise<void> {
    const s = subscription;
    const record = validate(Subscription, s, 'subscriptions', `${s.tenantId}/${s.guestId}/${s.service}`);
    this.#sql.putSubscription.run(record.tenantId, record.guestId, record.service, JSON.stringify(record));
  }

  async getSubscription(
    tenantId: string,
    guestId: string,
    service: Service,
  ): Promise<Subscription | undefined> {
    const row = this.#sql.getSubscription.get(tenantId, guestId, service);
    return row && readRecord(Subscription, row, 'subscriptions', `${tenantId}/${guestId}/${service}`);
  }

  async listSubscriptions(tenantId: string, guestId: string): Promise<Subscription[]> {
    return this.#sql.listSubscriptions
      .all(tenantId, guestId)
      .map((row) => readRecord(Subscription, row, 'subscriptions', `${tenantId}/${guestId}/${row.service}`));
  }

  async listSubscriptionsOfService(service: Service, page: PageRequest): Promise<PageOf<Subscription>> {
    const operation = 'listSubscriptionsOfService';
    const limit = checkLimit(page.limit, operation);
    const [afterTenant, afterGuest] =
      page.cursor === undefined ? ['', ''] : decodeCursor(page.cursor, `s:${service}`, isPair, operation);
    const rows = this.#sql.listSubscriptionsOfService.all(service, afterTenant, afterGuest, limit + 1);
    const items = rows
      .slice(0, limit)
      .map((row) =>
        readRecord(Subscription, row, 'subscriptions', `${row.tenant_id}/${row.guest_id}/${service}`),
      );
    const last = items.at(-1);
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(`s:${service}`, [last.tenantId, last.guestId]) }
      : { items };
  }

  async deleteSubscription(tenantId: string, guestId: string, service: Service): Promise<boolean> {
    return Number(this.#sql.deleteSubscription.run(tenantId, guestId, service).changes) > 0;
  }

  // ------------------------------------------------------------ jobs

  async createJob(job: Job): Promise<boolean> {
    const record = validate(Job, job, 'jobs', `${job.tenantId}/${job.id}`);
    const { changes } = this.#sql.insertJob.run(
      record.tenantId,
      record.id,
      record.status,
      JSON.stringify(record),
    );
    return Number(changes) > 0;
  }

  async getJob(tenantId: string, jobId: string): Promise<Job | undefined> {
    const row = this.#sql.getJob.get(tenantId, jobId);
    return row && readRecord(Job, row, 'jobs', `${tenantId}/${jobId}`);
  }

  async updateJob(
    tenantId: string,
    jobId: string,
    update: JobUpdate,
    expected: Job['status'][],
  ): Promise<Job> {
    const where = `${tenantId}/${jobId}`;
    return transaction(this.#db, () => {
      const row = this.#sql.getJob.get(tenantId, jobId);
      if (!row) {
        throw new ConditionFailedError(
          `job "${jobId}" does not exist in tenant "${tenantId}"; it was not updated`,
        );
      }
      const current = readRecord(Job, row, 'jobs', where);
      if (!expected.includes(current.status)) {
        throw new ConditionFailedError(
          `job "${jobId}" in tenant "${tenantId}" is ${current.status}, not ${expected.join(' or ') || '(no status given)'}; it was not updated`,
        );
      }
      const next: Job = { ...current, updatedAt: update.updatedAt };
      if (update.status !== undefined) next.status = update.status;
      if (update.startedAt !== undefined) next.startedAt = update.startedAt;
      if (update.finishedAt !== undefined) next.finishedAt = update.finishedAt;
      if (update.attempts !== undefined) next.attempts = update.attempts;
      if (update.result !== undefined) next.result = update.result;
      if (update.error === null) delete next.error;
      else if (update.error !== undefined) next.error = update.error;
      const record = validate(Job, next, 'jobs', where);
      this.#sql.updateJob.run(record.status, JSON.stringify(record), tenantId, jobId);
      return record;
    });
  }

  // ------------------------------------------------------------ restore points

  async createRestorePoint(restorePoint: RestorePoint): Promise<boolean> {
    const rp = validate(
      RestorePoint,
      restorePoint,
      'restore_points',
      `${restorePoint.tenantId}/${restorePoint.id}`,
    );
    const { changes } = this.#sql.insertRestorePoint.run(
      rp.tenantId,
      rp.id,
      rp.guestId,
      instantSortKey(rp.createdAt),
      JSON.stringify(rp),
    );
    return Number(changes) > 0;
  }

  async getRestorePoint(tenantId: string, id: string): Promise<RestorePoint | undefined> {
    const row = this.#sql.getRestorePoint.get(tenantId, id);
    return row && readRecord(RestorePoint, row, 'restore_points', `${tenantId}/${id}`);
  }

  async listRestorePoints(
    tenantId: string,
    guestId: string,
    page: PageRequest,
  ): Promise<PageOf<RestorePoint>> {
    const limit = checkLimit(page.limit, 'listRestorePoints');
    // '~' sorts after every character of a sort key or id, so "before (~, ~)" means "from the newest".
    const [beforeKey, beforeId] =
      page.cursor === undefined ? ['~', '~'] : decodeCursor(page.cursor, 'r', isPair, 'listRestorePoints');
    const rows = this.#sql.listRestorePoints.all(tenantId, guestId, beforeKey, beforeId, limit + 1);
    const page_ = rows.slice(0, limit);
    const items = page_.map((row) =>
      readRecord(RestorePoint, row, 'restore_points', `${tenantId}/${row.id}`),
    );
    const lastRow = page_.at(-1);
    return rows.length > limit && lastRow
      ? { items, nextCursor: encodeCursor('r', [String(lastRow.created_key), String(lastRow.id)]) }
      : { items };
  }

  async markRestorePointInfected(
    tenantId: string,
    id: string,
    mark: RestorePointInfection,
  ): Promise<RestorePoint | undefined> {
    const where = `${tenantId}/${id}`;
    validate(RestorePoint.shape.infected.unwrap(), mark, 'restore_points', `${where} (infected mark)`);
    return transaction(this.#db, () => {
      const row = this.#sql.getRestorePoint.get(tenantId, id);
      if (!row) return undefined;
      const current = readRecord(RestorePoint, row, 'restore_points', where);
      // The first mark stays: marking again is a no-op.
      if (current.infected) return current;
      const next = validate(RestorePoint, { ...current, infected: { ...mark } }, 'restore_points', where);
      this.#sql.updateRestorePoint.run(JSON.stringify(next), tenantId, id);
      return next;
    });
  }
}

// ---------------------------------------------------------------- helpers

function validate<T>(schema: z.ZodType, value: T, table: string, key: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new RegistryRecordError(
      `${table} record "${key}" is not valid and was not written: ${summarise(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return value;
}

function readRecord<S extends z.ZodType>(schema: S, row: Row, table: string, key: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(String(row.record));
  } catch (error) {
    throw new RegistryRecordError(`${table} row "${key}" holds malformed JSON; it was not read`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new RegistryRecordError(
      `${table} row "${key}" does not match its schema; it was not read: ${summarise(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return json as z.output<S>;
}

function summarise(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');
}

function checkLimit(limit: number, operation: string): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidPageRequestError(
      `${operation}: limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${limit}; nothing was listed`,
    );
  }
  return limit;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isPair = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

function encodeCursor(kind: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ [kind]: position }), 'utf8').toString('base64url');
}

function decodeCursor<T>(cursor: string, kind: string, check: (v: unknown) => v is T, operation: string): T {
  let position: unknown;
  try {
    position = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)[
      kind
    ];
  } catch {
    position = undefined;
  }
  if (!check(position)) {
    throw new InvalidPageRequestError(
      `${operation}: cursor "${cursor}" was not issued by ${operation}; nothing was listed`,
    );
  }
  return position;
}

/**
 * A string that sorts like the instant an ISO 8601 date-time denotes: UTC, fixed width, nanosecond digits
 * (`2024-05-01T10:00:00.123456789`). `2024-05-01T12:00:00+02:00` and `2024-05-01T10:00:00.000Z` get the
 * same key. Offsets are whole minutes, so the digits beyond milliseconds carry over unchanged.
 */
export function instantSortKey(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RegistryRecordError(`"${iso}" is not an ISO date-time; no sort key`);
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(iso)?.[1] ?? '';
  return `${new Date(ms).toISOString().slice(0, 23)}${fraction.slice(3).padEnd(6, '0').slice(0, 6)}`;
}
