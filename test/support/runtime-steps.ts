/**
 * Steps the chain tests repeat against the real runtime process (test/support/runtime-process.ts):
 * a guest added over the API with its services enabled, a job waited for until it has finished, the
 * jobs and archived events read from the runtime's database, and the committed Debian 12 image
 * unpacked as a guest disk.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { openDatabase } from '../../shared/adapters/local/sqlite.ts';
import { api, waitFor } from './runtime-process.ts';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

/** A job as `GET /v1/jobs/{id}` serves it, the fields the tests read. */
export interface JobView {
  id: string;
  kind: string;
  status: string;
  trigger: { kind: string };
  error?: { code: string; message: string };
  result?: Record<string, unknown>;
}

/** The job once it has succeeded or failed; throws when it has not after `timeoutMs`. */
export async function finishedJob(base: string, jobId: string, timeoutMs = 30_000): Promise<JobView> {
  return waitFor(
    `job ${jobId}`,
    async () => {
      const r = await api<JobView>(base, 'GET', `/v1/jobs/${jobId}`);
      return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
    },
    timeoutMs,
  );
}

/**
 * Adds a local guest over the API (expecting 201), then enables each of `services` with its default
 * policy (expecting 201 each); returns the guest's id.
 */
export async function addGuest(
  base: string,
  guest: { name: string; disks: string[]; hostnames?: string[]; addresses?: string[] },
  services: readonly string[] = [],
): Promise<string> {
  const created = await api<{ id: string }>(base, 'POST', '/v1/guests', { connector: 'local', ...guest });
  expect(created.status).toBe(201);
  const guestId = created.body.id;
  for (const service of services) {
    expect((await api(base, 'PUT', `/v1/guests/${guestId}/services/${service}`, {})).status).toBe(201);
  }
  return guestId;
}

/** Ids of the jobs of `kind` (jobs are not listed by the API, so they are read from the runtime's database). */
export function jobIdsOfKind(home: string, kind: string): string[] {
  return query<{ record: string }>(home, 'SELECT record FROM jobs')
    .map((r) => JSON.parse(r.record) as JobView)
    .filter((j) => j.kind === kind)
    .map((j) => j.id);
}

/** The detail types of the events on the runtime's bus, oldest first. */
export function archivedDetailTypes(home: string): string[] {
  return query<{ detail_type: string }>(home, 'SELECT detail_type FROM bus_archive ORDER BY seq').map(
    (r) => r.detail_type,
  );
}

/** Rows of a query on the runtime's database (`OUTBOARD_HOME/outboard.db`), opened and closed for it. */
export function query<T>(home: string, sql: string): T[] {
  const db = openDatabase(join(home, 'outboard.db'));
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The committed Debian 12 ext4 image (test/fixtures/patching/debian12.img.gz), unpacked into a new temporary folder. */
export function debian12Image(): string {
  const disk = join(mkdtempSync(join(tmpdir(), 'ob-images-')), 'debian12.img');
  writeFileSync(disk, gunzipSync(readFileSync(join(fixtures, 'patching/debian12.img.gz'))));
  return disk;
}
