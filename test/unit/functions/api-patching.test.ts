import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/api/function.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../../../shared/adapters/local/sqlite-monitor-state.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import type { Deps } from '../../../shared/deps.ts';
import { importFeedsIntoStore } from '../../../shared/domain/patching/feeds.ts';
import { runPatchScan } from '../../../shared/domain/patching/run.ts';
import { httpEvent } from '../../support/api-events.ts';
import { fixedClock, MemoryScheduler, RecordingBus, silentLogger } from '../../support/fakes.ts';
import { debian12Image, ImageConnector } from '../../support/image-connector.ts';

const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const feeds = new URL('../../fixtures/feeds/', import.meta.url).pathname;
const image = debian12Image();

function setup() {
  const bus = new RecordingBus();
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  const connector = new ImageConnector(image);
  const deps: Deps = {
    clock: fixedClock(),
    registry,
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-api-scan-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-api-scan-archive-'))),
    monitorState: new SqliteMonitorStateStore(openDatabase(':memory:')),
    bus,
    queues: { send: async () => undefined },
    scheduler: new MemoryScheduler(),
    connectors: { get: () => connector },
    buckets: { open: async () => undefined },
    logger: silentLogger,
    tenancy: { estate: 'internal', internalTenantId: 'internal', tenantClaim: 'tenant_id' },
  };
  const handler = createHandler(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const res = (await handler(httpEvent(...args), context)) as APIGatewayProxyStructuredResultV2;
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  };
  return { deps, bus, registry, call };
}

type T = ReturnType<typeof setup>;

async function guestWithPatching(t: T): Promise<string> {
  const guest = (
    await t.call('POST /v1/guests', { body: { name: 'deb', connector: 'local', disks: ['/images/deb.img'] } })
  ).json;
  await t.call('PUT /v1/guests/{guestId}/services/{service}', {
    pathParameters: { guestId: guest.id, service: 'patching' },
    body: {},
  });
  return guest.id;
}

/** POST a scan, then run what the patch-scan function would run for the event it put on the bus. */
async function scanned(t: T, guestId: string): Promise<string> {
  await importFeedsIntoStore(t.deps, [join(feeds, 'debian-mirror'), join(feeds, 'osv/all.zip')]);
  const accepted = await t.call('POST /v1/guests/{guestId}/patch-scans', { pathParameters: { guestId } });
  const request = t.bus.ofType('Patch Scan Requested').at(-1)!.detail;
  const outcome = await runPatchScan(t.deps, request, { receiveCount: 1, maxReceiveCount: 3 });
  expect(outcome.outcome).toBe('succeeded');
  return accepted.json.jobId;
}

describe('portal API: patch scans', () => {
  let t: T;
  beforeEach(() => {
    t = setup();
  });

  it('accepts a patch scan with 202 and a queued job, 409 without patching, 404 for an unknown guest', async () => {
    const missing = await t.call('POST /v1/guests/{guestId}/patch-scans', {
      pathParameters: { guestId: 'gst_0000000000aaaaaaaaaaaaaaaa' },
    });
    expect(missing.statusCode).toBe(404);
    const guest = (
      await t.call('POST /v1/guests', {
        body: { name: 'deb', connector: 'local', disks: ['/images/deb.img'] },
      })
    ).json;
    const refused = await t.call('POST /v1/guests/{guestId}/patch-scans', {
      pathParameters: { guestId: guest.id },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(refused.json.code).toBe('SERVICE_NOT_ENABLED');
    await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'patching' },
      body: {},
    });
    const accepted = await t.call('POST /v1/guests/{guestId}/patch-scans', {
      pathParameters: { guestId: guest.id },
    });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.headers?.location).toBe(`/v1/jobs/${accepted.json.jobId}`);
    const job = await t.call('GET /v1/jobs/{jobId}', { pathParameters: { jobId: accepted.json.jobId } });
    expect(job.json).toMatchObject({ status: 'queued', kind: 'patch-scan', service: 'patching' });
    expect(t.bus.ofType('Patch Scan Requested')[0]!.detail).toMatchObject({
      jobId: accepted.json.jobId,
      guestId: guest.id,
      trigger: { kind: 'api' },
    });
  });

  it('rejects a body with unknown fields and a malformed guest id', async () => {
    const guestId = await guestWithPatching(t);
    const bad = await t.call('POST /v1/guests/{guestId}/patch-scans', {
      pathParameters: { guestId },
      body: { now: true },
    });
    expect(bad.statusCode).toBe(400);
    const malformed = await t.call('GET /v1/guests/{guestId}/findings', {
      pathParameters: { guestId: '../x' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(t.bus.ofType('Patch Scan Requested')).toHaveLength(0);
  });

  it('answers 404 for findings and inventory before the first scan, and for an unknown guest', async () => {
    const guestId = await guestWithPatching(t);
    for (const route of ['GET /v1/guests/{guestId}/findings', 'GET /v1/guests/{guestId}/inventory']) {
      const none = await t.call(route, { pathParameters: { guestId } });
      expect(none.statusCode, route).toBe(404);
      expect(none.json.code).toBe('NO_PATCH_SCAN');
      const unknown = await t.call(route, { pathParameters: { guestId: 'gst_0000000000aaaaaaaaaaaaaaaa' } });
      expect(unknown.json.code).toBe('GUEST_NOT_FOUND');
    }
  });

  it('lists the newest scan’s findings, a page at a time, filtered by severity', async () => {
    const guestId = await guestWithPatching(t);
    const jobId = await scanned(t, guestId);
    const all = await t.call('GET /v1/guests/{guestId}/findings', { pathParameters: { guestId } });
    expect(all.statusCode).toBe(200);
    expect(all.json.scan).toMatchObject({ jobId, assessable: true });
    expect(all.json.items.length).toBe(all.json.counts.findings);
    const libc6 = all.json.items.find((f: { package: string }) => f.package === 'libc6');
    expect(libc6.advisories[0]).toMatchObject({ id: 'DSA-5514-1', aliases: ['CVE-2023-4911'] });

    const high = await t.call('GET /v1/guests/{guestId}/findings', {
      pathParameters: { guestId },
      query: { severity: 'high,critical' },
    });
    expect(high.json.items.map((f: { package: string }) => f.package)).toEqual(['libc6']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.call('GET /v1/guests/{guestId}/findings', {
        pathParameters: { guestId },
        query: { limit: '4', ...(cursor ? { cursor } : {}) },
      });
      expect(page.statusCode).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.json.items.map((f: { package: string }) => f.package));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.json.items.map((f: { package: string }) => f.package));
  });

  it('rejects an unknown severity and a forged cursor with 400', async () => {
    const guestId = await guestWithPatching(t);
    await scanned(t, guestId);
    const severity = await t.call('GET /v1/guests/{guestId}/findings', {
      pathParameters: { guestId },
      query: { severity: 'urgent' },
    });
    expect(severity.statusCode).toBe(400);
    expect(severity.json.issues[0].path).toEqual(['query', 'severity']);
    const cursor = await t.call('GET /v1/guests/{guestId}/inventory', {
      pathParameters: { guestId },
      query: { cursor: 'bm90LWEtY3Vyc29y' },
    });
    expect(cursor.statusCode).toBe(400);
    const limit = await t.call('GET /v1/guests/{guestId}/inventory', {
      pathParameters: { guestId },
      query: { limit: '0' },
    });
    expect(limit.statusCode).toBe(400);
  });

  it('serves the newest scan’s inventory: OS, kernels and packages a page at a time', async () => {
    const guestId = await guestWithPatching(t);
    const jobId = await scanned(t, guestId);
    const first = await t.call('GET /v1/guests/{guestId}/inventory', {
      pathParameters: { guestId },
      query: { limit: '100' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json.scan.jobId).toBe(jobId);
    expect(first.json.os).toMatchObject({ id: 'debian', versionId: '12', ecosystem: 'Debian:12' });
    expect(first.json.kernels).toEqual([]);
    expect(first.json.items).toHaveLength(100);
    expect(first.json.items[0]).toMatchObject({ format: 'dpkg', evidence: { file: '/var/lib/dpkg/status' } });
    let total = first.json.items.length;
    let cursor: string | undefined = first.json.nextCursor;
    while (cursor) {
      const page = await t.call('GET /v1/guests/{guestId}/inventory', {
        pathParameters: { guestId },
        query: { limit: '100', cursor },
      });
      total += page.json.items.length;
      cursor = page.json.nextCursor;
    }
    const findings = await t.call('GET /v1/guests/{guestId}/findings', { pathParameters: { guestId } });
    expect(total).toBe(findings.json.counts.packages);
  });
});
