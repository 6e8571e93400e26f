/**
 * The anti-virus functions as the runtime calls them: the portal API, the local bus routing its events by
 * the topology's rules, the local queues, the av-dispatch and av-scan handlers fed the records the queues
 * hand out, over the committed Debian 12 disk image. The engine is configured from the environment the
 * handler is given (a database that flags the image's dpkg status file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createApi } from '../../../functions/api/function.ts';
import {
  createHandler as createDispatch,
  parseDispatchRecord,
} from '../../../functions/av-dispatch/function.ts';
import { createHandler as createScan } from '../../../functions/av-scan/function.ts';
import { LocalBus } from '../../../shared/adapters/local/bus.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../../../shared/adapters/local/sqlite-monitor-state.ts';
import { SqliteQueue } from '../../../shared/adapters/local/sqlite-queue.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import { resetEngines } from '../../../shared/antivirus/scan/engines.ts';
import { makeEvent } from '../../../shared/contracts/events.ts';
import type { Deps } from '../../../shared/deps.ts';
import { queueConfigs } from '../../../shared/runtime/queues.ts';
import { busRules, topology } from '../../../shared/topology.ts';
import { httpEvent } from '../../support/api-events.ts';
import { fixedClock, MemoryScheduler, silentLogger } from '../../support/fakes.ts';
import { debian12Image, ImageConnector } from '../../support/image-connector.ts';

const context = { getRemainingTimeInMillis: () => 900_000 } as unknown as Context;
const hex = (s: string) => Buffer.from(s).toString('hex');

function setup() {
  const db = openDatabase(':memory:');
  const queue = new SqliteQueue(db, queueConfigs(topology));
  const bus = new LocalBus(db, queue, busRules(topology));
  const registry = new SqliteRegistry(db);
  const connector = new ImageConnector(debian12Image());
  const deps: Deps = {
    clock: fixedClock(Date.parse('2026-03-01T12:00:00.000Z')),
    registry,
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-avfn-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-avfn-archive-'))),
    monitorState: new SqliteMonitorStateStore(db),
    bus,
    queues: queue,
    scheduler: new MemoryScheduler(),
    connectors: { get: () => connector },
    buckets: { open: async () => undefined },
    logger: silentLogger,
    tenancy: { estate: 'internal', internalTenantId: 'internal', tenantClaim: 'tenant_id' },
  };
  const dbDir = mkdtempSync(join(tmpdir(), 'ob-avfn-db-'));
  writeFileSync(join(dbDir, 'test.ndb'), `Test.Dpkg.Status:0:*:${hex('Package: libc6')}\n`);
  const api = createApi(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const res = (await api(httpEvent(...args), context)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
  };
  const dispatch = createDispatch(deps);
  const scan = createScan(deps, { OUTBOARD_AV_DB: dbDir });
  /** Hands every visible message of `name` to `handler`, one per invocation; deletes what succeeded. */
  const drain = async (
    name: string,
    handler: (e: SQSEvent, c: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  ) => {
    const failures: string[] = [];
    for (;;) {
      const { records } = queue.receive(name, 1);
      if (records.length === 0) return failures;
      const out = await handler({ Records: records }, context);
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of records) {
        if (failed.has(r.messageId)) failures.push(r.messageId);
        else queue.delete(name, r.receiptHandle);
      }
      if (failed.size > 0) return failures;
    }
  };
  return { deps, registry, queue, bus, connector, call, dispatch, scan, drain };
}

type T = ReturnType<typeof setup>;

async function guestWithAntivirus(t: T, policy: Record<string, unknown> = {}): Promise<string> {
  const guest = await t.call('POST /v1/guests', {
    body: { name: 'deb', connector: 'local', disks: ['/images/debian12.img'] },
  });
  expect(guest.status).toBe(201);
  const enabled = await t.call('PUT /v1/guests/{guestId}/services/{service}', {
    pathParameters: { guestId: guest.json.id, service: 'antivirus' },
    body: policy,
  });
  expect(enabled.status).toBe(201);
  return guest.json.id;
}

describe('anti-virus functions', () => {
  let t: T;
  beforeEach(() => {
    t = setup();
  });
  afterEach(async () => {
    await resetEngines();
  });

  it('POST av-scans → av-dispatch → av-scan: the job shows the summary, detections are listed', async () => {
    const guestId = await guestWithAntivirus(t);
    const refused = await t.call('POST /v1/guests/{guestId}/av-scans', {
      pathParameters: { guestId: 'gst_0000000000zzzzzzzzzz' },
    });
    expect(refused.status).toBe(404);
    const plain = await t.call('POST /v1/guests', {
      body: { name: 'other', connector: 'local', disks: ['/images/other.img'] },
    });
    const notEnabled = await t.call('POST /v1/guests/{guestId}/av-scans', {
      pathParameters: { guestId: plain.json.id },
    });
    expect(notEnabled).toMatchObject({ status: 409, json: { code: 'SERVICE_NOT_ENABLED' } });
    const unknownBody = await t.call('POST /v1/guests/{guestId}/av-scans', {
      pathParameters: { guestId },
      body: { full: true },
    });
    expect(unknownBody.status).toBe(400);
    const requested = await t.call('POST /v1/guests/{guestId}/av-scans', { pathParameters: { guestId } });
    expect(requested).toMatchObject({ status: 202, json: { status: 'queued' } });
    const jobId = requested.json.jobId as string;

    expect(await t.drain('av-scan-requests', t.dispatch)).toEqual([]);
    expect(await t.drain('av-scan-tasks', t.scan)).toEqual([]);

    const job = await t.call('GET /v1/jobs/{jobId}', { pathParameters: { jobId } });
    expect(job.json).toMatchObject({
      kind: 'av-scan',
      status: 'succeeded',
      result: {
        status: 'COMPLETED',
        result: 'THREATS_FOUND',
        detections: 1,
        files: 3,
        engine: expect.stringMatching(/^outboard-builtin /),
        scanOnlySnapshot: true,
      },
    });
    const detections = await t.call('GET /v1/guests/{guestId}/detections', { pathParameters: { guestId } });
    expect(detections.status).toBe(200);
    expect(detections.json.items).toMatchObject([
      { path: '/var/lib/dpkg/status', signature: 'Test.Dpkg.Status.UNOFFICIAL', jobId, guestId },
    ]);
    expect(t.connector.deleted).toHaveLength(1);
  });

  it('Backup Completed on the bus reaches av-dispatch; the restore point is marked and hidden from the listing', async () => {
    const guestId = await guestWithAntivirus(t);
    const snapshot = await t.connector.createSnapshot({
      tenantId: 'internal',
      guestId,
      snapshotId: 'ob-backup1',
      ref: { connector: 'local', disks: ['/images/debian12.img'] },
      tags: {},
    });
    const rp = {
      tenantId: 'internal',
      id: 'rp_0000000001bbbbbbbbbbbbbbbb',
      guestId,
      jobId: 'job_0000000001bbbbbbbbbbbbbbbb',
      connector: 'local',
      snapshotId: snapshot.snapshotId,
      disks: snapshot.disks,
      tags: {},
      createdAt: '2026-03-01T11:00:00.000Z',
    };
    await t.registry.createRestorePoint(rp);
    await t.bus.publish([
      makeEvent('Backup Completed', {
        tenantId: 'internal',
        correlationId: 'c-backup',
        guestId,
        jobId: rp.jobId,
        restorePointId: rp.id,
        connector: 'local',
        snapshotId: rp.snapshotId,
        disks: rp.disks,
        startedAt: rp.createdAt,
        finishedAt: rp.createdAt,
      }),
    ]);
    expect(await t.drain('av-scan-requests', t.dispatch)).toEqual([]);
    expect(await t.drain('av-scan-tasks', t.scan)).toEqual([]);

    const listed = await t.call('GET /v1/guests/{guestId}/restore-points', { pathParameters: { guestId } });
    expect(listed).toMatchObject({ status: 200, json: { items: [] } });
    const all = await t.call('GET /v1/guests/{guestId}/restore-points', {
      pathParameters: { guestId },
      query: { includeInfected: 'true' },
    });
    expect(all.json.items).toMatchObject([{ id: rp.id, infected: { detections: 1 } }]);
    const bad = await t.call('GET /v1/guests/{guestId}/restore-points', {
      pathParameters: { guestId },
      query: { includeInfected: 'yes' },
    });
    expect(bad.status).toBe(400);
    // The restore point's snapshot stays.
    expect(t.connector.deleted).toEqual([]);
  });

  it('a record that is neither request goes to the dead-letter path, not to a job', async () => {
    const record = (body: string): SQSRecord => ({
      messageId: 'm-1',
      receiptHandle: 'rh',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:av-scan-requests',
      awsRegion: 'local',
    });
    expect(() => parseDispatchRecord(record('not json'))).toThrow(/not JSON/);
    const other = JSON.stringify({
      version: '0',
      id: '1',
      'detail-type': 'Patch Scan Requested',
      source: 'outboard',
      account: '0',
      time: '2026-01-01T00:00:00Z',
      region: 'local',
      resources: [],
      detail: {},
    });
    expect(() => parseDispatchRecord(record(other))).toThrow(/is not AV Scan Requested/);
    const out = await t.dispatch({ Records: [record(other)] }, context);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const scanned = await t.scan({ Records: [record('{"jobId":"nope"}')] }, context);
    expect(scanned.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });
});
