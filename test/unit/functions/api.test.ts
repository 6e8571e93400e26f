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
import { API_ROUTES, routeKey } from '../../../shared/contracts/api.ts';
import type { Deps } from '../../../shared/deps.ts';
import { scheduleName } from '../../../shared/domain/schedules.ts';
import { topology } from '../../../shared/topology.ts';
import { httpEvent } from '../../support/api-events.ts';
import {
  fixedClock,
  MemoryConnector,
  MemoryScheduler,
  RecordingBus,
  silentLogger,
} from '../../support/fakes.ts';

const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

function setup(estate: 'internal' | 'provider' = 'internal') {
  const bus = new RecordingBus();
  const scheduler = new MemoryScheduler();
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  const deps: Deps = {
    clock: fixedClock(),
    registry,
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-api-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-api-archive-'))),
    monitorState: new SqliteMonitorStateStore(openDatabase(':memory:')),
    bus,
    queues: { send: async () => undefined },
    scheduler,
    connectors: { get: () => new MemoryConnector() },
    buckets: { open: async () => undefined },
    logger: silentLogger,
    tenancy: { estate, internalTenantId: 'internal', tenantClaim: 'tenant_id' },
  };
  const handler = createHandler(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const res = (await handler(httpEvent(...args), context)) as APIGatewayProxyStructuredResultV2;
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  };
  return { deps, bus, scheduler, registry, call };
}

const localGuest = { name: 'web-1', connector: 'local', disks: ['/images/web-1.img'] };

describe('portal API', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('has a handler and a contract for exactly the routes of the topology', () => {
    const api = topology.functions.find((f) => f.name === 'api')!;
    const routes = api.trigger.kind === 'http' ? api.trigger.routes.map(routeKey) : [];
    expect(API_ROUTES.map(routeKey).sort()).toEqual(routes.sort());
  });

  it('registers a guest and returns it with its id, defaults filled in', async () => {
    const res = await t.call('POST /v1/guests', { body: { ...localGuest, hostnames: ['web-1.corp'] } });
    expect(res.statusCode).toBe(201);
    expect(res.json).toMatchObject({
      name: 'web-1',
      tenantId: 'internal',
      hostnames: ['web-1.corp'],
      addresses: [],
      tags: {},
    });
    expect(res.headers?.location).toBe(`/v1/guests/${res.json.id}`);
    expect(t.bus.ofType('Guest Registered')).toHaveLength(1);
  });

  it('rejects an invalid body with problem+json carrying the zod issues, writing nothing', async () => {
    const res = await t.call('POST /v1/guests', {
      body: { name: 'x', connector: 'local', disks: ['rel.img'], addresses: ['999.1.1.1'], extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.json.title).toBe('Bad Request');
    const paths = res.json.issues.map((i: { path: string[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['body.disks.0', 'body.addresses.0']));
    expect((await t.registry.listGuests('internal', { limit: 10 })).items).toHaveLength(0);
    expect(t.bus.events).toHaveLength(0);
  });

  it('rejects malformed JSON and a wrong content type', async () => {
    const bad = await t.call('POST /v1/guests', { rawBody: '{"name":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.detail).toMatch(/not valid JSON/);
    const type = await t.call('POST /v1/guests', {
      body: localGuest,
      headers: { 'content-type': 'text/plain' },
    });
    expect(type.statusCode).toBe(400);
  });

  it('answers 404 for unknown ids and 400 for malformed ones', async () => {
    const missing = await t.call('GET /v1/guests/{guestId}', {
      pathParameters: { guestId: 'gst_0000000000aaaaaaaaaaaaaaaa' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json.code).toBe('GUEST_NOT_FOUND');
    const malformed = await t.call('GET /v1/guests/{guestId}', { pathParameters: { guestId: '../etc' } });
    expect(malformed.statusCode).toBe(400);
  });

  it('enables a service with {} taking every default, updates it, lists and disables it', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    const p = { guestId: guest.id, service: 'backup' };
    const created = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: p,
      body: {},
    });
    expect(created.statusCode).toBe(201);
    expect(created.json.policy).toEqual({ schedule: 'cron(0 2 * * ? *)', timezone: 'UTC', snapshotTags: {} });
    const name = scheduleName('internal', guest.id, 'backup');
    expect(t.scheduler.schedules.get(name)?.expression).toBe('cron(0 2 * * ? *)');

    const updated = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: p,
      body: { schedule: 'rate(1 day)' },
    });
    expect(updated.statusCode).toBe(200);
    expect(t.scheduler.schedules.get(name)?.expression).toBe('rate(1 day)');
    expect(t.scheduler.schedules.get(name)?.target.detailType).toBe('Backup Requested');

    const list = await t.call('GET /v1/guests/{guestId}/services', { pathParameters: { guestId: guest.id } });
    expect(list.json.items.map((s: { service: string }) => s.service)).toEqual(['backup']);

    const off = await t.call('DELETE /v1/guests/{guestId}/services/{service}', { pathParameters: p });
    expect(off.statusCode).toBe(204);
    expect(t.scheduler.schedules.has(name)).toBe(false);
    const again = await t.call('DELETE /v1/guests/{guestId}/services/{service}', { pathParameters: p });
    expect(again.statusCode).toBe(404);
  });

  it('rejects an invalid schedule, unknown policy fields and unknown services', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    const badSchedule = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: { schedule: 'cron(0 2 * * *)' },
    });
    expect(badSchedule.statusCode).toBe(400);
    expect(badSchedule.json.issues[0].path).toEqual(['body', 'schedule']);
    const unknownField = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: { retention: 3 },
    });
    expect(unknownField.statusCode).toBe(400);
    const badService = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'firewall' },
      body: {},
    });
    expect(badService.statusCode).toBe(400);
    expect(await t.registry.listSubscriptions('internal', guest.id)).toEqual([]);
  });

  it('leaves the service as it was when the schedule cannot be written', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    t.scheduler.failNext = 1;
    const res = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: {},
    });
    expect(res.statusCode).toBe(503);
    expect(await t.registry.getSubscription('internal', guest.id, 'backup')).toBeUndefined();
  });

  it('accepts a backup request with 202 and a job id, and refuses it when backup is not enabled', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    const refused = await t.call('POST /v1/guests/{guestId}/backups', {
      pathParameters: { guestId: guest.id },
    });
    expect(refused.statusCode).toBe(409);
    await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: {},
    });
    const accepted = await t.call('POST /v1/guests/{guestId}/backups', {
      pathParameters: { guestId: guest.id },
    });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json.jobId).toMatch(/^job_/);
    const job = await t.call('GET /v1/jobs/{jobId}', { pathParameters: { jobId: accepted.json.jobId } });
    expect(job.json).toMatchObject({ status: 'queued', guestId: guest.id, trigger: { kind: 'api' } });
    expect(t.bus.ofType('Backup Requested')[0]!.detail).toMatchObject({ jobId: accepted.json.jobId });
  });

  it('marks the job failed when the request cannot be put on the bus', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: {},
    });
    t.bus.failNext = 1;
    const res = await t.call('POST /v1/guests/{guestId}/backups', { pathParameters: { guestId: guest.id } });
    expect(res.statusCode).toBe(503);
  });

  it('deletes a guest and disables its services and schedules first', async () => {
    const guest = (await t.call('POST /v1/guests', { body: localGuest })).json;
    await t.call('PUT /v1/guests/{guestId}/services/{service}', {
      pathParameters: { guestId: guest.id, service: 'backup' },
      body: {},
    });
    const res = await t.call('DELETE /v1/guests/{guestId}', { pathParameters: { guestId: guest.id } });
    expect(res.statusCode).toBe(204);
    expect(t.scheduler.schedules.size).toBe(0);
    expect(t.bus.ofType('Service Disabled')[0]!.detail).toMatchObject({ reason: 'guest-deleted' });
    expect(
      (await t.call('GET /v1/guests/{guestId}', { pathParameters: { guestId: guest.id } })).statusCode,
    ).toBe(404);
  });

  it('paginates guests and rejects a bad limit', async () => {
    for (let i = 0; i < 7; i++) await t.call('POST /v1/guests', { body: { ...localGuest, name: `g${i}` } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.call('GET /v1/guests', { query: { limit: '3', ...(cursor ? { cursor } : {}) } });
      expect(page.json.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.items.map((g: { name: string }) => g.name));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
    expect((await t.call('GET /v1/guests', { query: { limit: '0' } })).statusCode).toBe(400);
    expect((await t.call('GET /v1/guests', { query: { limit: 'ten' } })).statusCode).toBe(400);
  });

  it('serves an OpenAPI 3.1 document with every route', async () => {
    const res = await t.call('GET /v1/openapi.json');
    expect(res.json.openapi).toBe('3.1.0');
    for (const r of API_ROUTES) expect(res.json.paths[r.path][r.method.toLowerCase()]).toBeDefined();
  });
});

describe('portal API in a provider estate', () => {
  it('takes the tenant from the verified token claim, never from the request', async () => {
    const t = setup('provider');
    const a = await t.call('POST /v1/guests', {
      body: { ...localGuest, tenantId: 'other' },
      claims: { tenant_id: 'acme' },
    });
    expect(a.statusCode).toBe(400); // tenantId is not a field of the request body
    const ok = await t.call('POST /v1/guests', { body: localGuest, claims: { tenant_id: 'acme' } });
    expect(ok.json.tenantId).toBe('acme');
    const fromOther = await t.call('GET /v1/guests/{guestId}', {
      pathParameters: { guestId: ok.json.id },
      claims: { tenant_id: 'globex' },
    });
    expect(fromOther.statusCode).toBe(404);
    const list = await t.call('GET /v1/guests', { claims: { tenant_id: 'globex' } });
    expect(list.json.items).toEqual([]);
  });

  it('refuses a token without a tenant claim', async () => {
    const t = setup('provider');
    const res = await t.call('GET /v1/guests', { claims: { sub: 'someone' } });
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
  });
});
