/**
 * The watched-bucket trigger as the runtime calls it: buckets registered through the portal API, then
 * av-object-scan fed SQS records carrying S3 Object Created events, with a bucket reader in memory and the
 * shipped EICAR database (the EICAR text is built from parts, never stored whole).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createApi } from '../../../functions/api/function.ts';
import { createHandler as createObjectScan } from '../../../functions/av-object-scan/function.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../../../shared/adapters/local/sqlite-monitor-state.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import type { Deps } from '../../../shared/deps.ts';
import { objectVerdictKey } from '../../../shared/domain/antivirus/keys.ts';
import type { BucketObject, BucketReader } from '../../../shared/ports.ts';
import { httpEvent } from '../../support/api-events.ts';
import {
  fixedClock,
  MemoryConnector,
  MemoryScheduler,
  RecordingBus,
  silentLogger,
} from '../../support/fakes.ts';
import { s3ObjectCreated } from '../../support/s3-events.ts';

const context = { getRemainingTimeInMillis: () => 300_000 } as unknown as Context;
const enc = new TextEncoder();

function eicarText(): string {
  return [
    'X5O!P%@AP[4',
    '\\PZX54(P^)7CC)7}$',
    ['EICAR-STANDARD', 'ANTIVIRUS', 'TEST', 'FILE!$H+H*'].join('-'),
  ].join('');
}

/** Objects in memory; `failing` keys throw on open (access denied, network). */
class MemoryBuckets implements BucketReader {
  readonly objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  readonly failing = new Set<string>();
  opened = 0;
  put(bucket: string, key: string, text: string, etag: string) {
    this.objects.set(`${bucket}/${key}`, { bytes: enc.encode(text), etag });
  }
  async open(bucket: string, key: string): Promise<BucketObject | undefined> {
    this.opened++;
    if (this.failing.has(`${bucket}/${key}`))
      throw new Error(`access denied to s3://${bucket}/${key} (test)`);
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) return undefined;
    const bytes = o.bytes;
    return {
      size: bytes.byteLength,
      etag: o.etag,
      body: (async function* () {
        yield bytes.subarray(0, 7);
        yield bytes.subarray(7);
      })(),
    };
  }
}

function setup(estate: 'internal' | 'provider' = 'internal') {
  const bus = new RecordingBus();
  const buckets = new MemoryBuckets();
  const clock = fixedClock();
  const deps: Deps = {
    clock,
    registry: new SqliteRegistry(openDatabase(':memory:')),
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-objscan-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-objscan-archive-'))),
    monitorState: new SqliteMonitorStateStore(openDatabase(':memory:')),
    bus,
    queues: { send: async () => undefined },
    scheduler: new MemoryScheduler(),
    connectors: { get: () => new MemoryConnector() },
    buckets,
    logger: silentLogger,
    tenancy: { estate, internalTenantId: 'internal', tenantClaim: 'tenant_id' },
  };
  const api = createApi(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const res = (await api(httpEvent(...args), context)) as APIGatewayProxyStructuredResultV2;
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  };
  // The shipped database (EICAR) is the default when OUTBOARD_AV_DB is not set.
  const scan = createObjectScan(deps, {});
  let n = 0;
  const deliver = async (events: unknown[], receiveCount = 1) => {
    const sqs: SQSEvent = {
      Records: events.map((e) => ({
        messageId: `m-${++n}`,
        receiptHandle: `r-${n}`,
        body: typeof e === 'string' ? e : JSON.stringify(e),
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: '0',
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:av-object-events',
        awsRegion: 'local',
      })),
    };
    return scan(sqs, context);
  };
  const verdict = async (key: string, etag: string) => {
    const o = await deps.objects.get(objectVerdictKey('internal', 'uploads', key, { etag, size: 0 }));
    return o ? JSON.parse(Buffer.from(o.body).toString('utf8')) : undefined;
  };
  const detections = async (bucket: string, query?: Record<string, string>) =>
    call('GET /v1/watched-buckets/{bucket}/detections', {
      pathParameters: { bucket },
      ...(query ? { query } : {}),
    });
  return { deps, clock, bus, buckets, call, deliver, verdict, detections };
}

describe('watched buckets: the portal API', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('registers (201), replaces (200), lists and deletes a watched bucket', async () => {
    const created = await t.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'uploads' },
      body: { prefixes: ['incoming/'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({
      tenantId: 'internal',
      bucket: 'uploads',
      prefixes: ['incoming/'],
      engine: 'builtin',
    });
    const replaced = await t.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'uploads' },
      body: {},
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json.prefixes).toEqual([]);
    const listed = await t.call('GET /v1/watched-buckets');
    expect(listed.json.items.map((b: { bucket: string }) => b.bucket)).toEqual(['uploads']);
    expect(
      (await t.call('DELETE /v1/watched-buckets/{bucket}', { pathParameters: { bucket: 'uploads' } }))
        .statusCode,
    ).toBe(204);
    expect((await t.call('GET /v1/watched-buckets')).json.items).toEqual([]);
    expect(
      (await t.call('DELETE /v1/watched-buckets/{bucket}', { pathParameters: { bucket: 'uploads' } }))
        .statusCode,
    ).toBe(404);
  });

  it('rejects a bad body or bucket name with problem+json carrying the issues, writing nothing', async () => {
    const bad = await t.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'uploads' },
      body: { prefixes: 'incoming/', engine: 'norton' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers?.['content-type']).toBe('application/problem+json');
    const paths = bad.json.issues.map((i: { path: (string | number)[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['body.prefixes', 'body.engine']));
    const badName = await t.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'Up_Loads' },
      body: {},
    });
    expect(badName.statusCode).toBe(400);
    expect(badName.json.issues[0].path).toEqual(['path', 'bucket']);
    expect((await t.call('GET /v1/watched-buckets')).json.items).toEqual([]);
  });
});

describe('av-object-scan', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(async () => {
    t = setup();
    await t.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'uploads' },
      body: { prefixes: ['incoming/'] },
    });
  });

  it('finds EICAR in a new object: infected verdict stored, Object Scan Completed emitted', async () => {
    t.buckets.put('uploads', 'incoming/x.com', eicarText(), 'e1');
    const res = await t.deliver([
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/x.com', size: 68, etag: 'e1' }),
    ]);
    expect(res.batchItemFailures).toEqual([]);
    const record = await t.verdict('incoming/x.com', 'e1');
    expect(record).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
      size: 68,
    });
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    const events = t.bus.ofType('Object Scan Completed');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({
      tenantId: 'internal',
      bucket: 'uploads',
      key: 'incoming/x.com',
      etag: 'e1',
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
    });
  });

  it('reports a clean object as clean', async () => {
    t.buckets.put('uploads', 'incoming/notes.txt', 'nothing to see here', 'e2');
    await t.deliver([
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/notes.txt', size: 19, etag: 'e2' }),
    ]);
    expect(t.bus.ofType('Object Scan Completed')[0]!.detail).toMatchObject({ status: 'clean', size: 19 });
  });

  it('ignores buckets nobody watches and keys outside the prefixes, without failing the record', async () => {
    t.buckets.put('uploads', 'outgoing/x.com', eicarText(), 'e3');
    t.buckets.put('elsewhere', 'incoming/x.com', eicarText(), 'e4');
    const res = await t.deliver([
      s3ObjectCreated({ bucket: 'uploads', key: 'outgoing/x.com', size: 68, etag: 'e3' }),
      s3ObjectCreated({ bucket: 'elsewhere', key: 'incoming/x.com', size: 68, etag: 'e4' }),
    ]);
    expect(res.batchItemFailures).toEqual([]);
    expect(t.bus.events).toEqual([]);
    expect(t.buckets.opened).toBe(0);
  });

  it('never calls an unreadable object clean: retried, then not-scanned on the last delivery', async () => {
    t.buckets.put('uploads', 'incoming/locked.bin', 'secret', 'e5');
    t.buckets.failing.add('uploads/incoming/locked.bin');
    const event = s3ObjectCreated({ bucket: 'uploads', key: 'incoming/locked.bin', size: 6, etag: 'e5' });
    const first = await t.deliver([event], 1);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(t.bus.events).toEqual([]);
    const last = await t.deliver([event], 3);
    expect(last.batchItemFailures).toEqual([]);
    expect(t.bus.ofType('Object Scan Completed')[0]!.detail).toMatchObject({
      status: 'not-scanned',
      reason: 'unreadable',
    });
  });

  it('records an object gone or changed since its event as not scanned', async () => {
    t.buckets.put('uploads', 'incoming/changed.txt', 'new content', 'e-new');
    await t.deliver([
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/gone.txt', size: 3, etag: 'e6' }),
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/changed.txt', size: 3, etag: 'e-old' }),
    ]);
    const statuses = t.bus
      .ofType('Object Scan Completed')
      .map((e) => [e.detail.key, e.detail.status, e.detail.reason])
      .sort();
    expect(statuses).toEqual([
      ['incoming/changed.txt', 'not-scanned', 'unreadable'],
      ['incoming/gone.txt', 'not-scanned', 'unreadable'],
    ]);
  });

  it('scans a redelivered event once: the stored verdict is reused and the event published again', async () => {
    t.buckets.put('uploads', 'incoming/x.com', eicarText(), 'e7');
    const event = s3ObjectCreated({ bucket: 'uploads', key: 'incoming/x.com', size: 68, etag: 'e7' });
    await t.deliver([event]);
    const first = await t.verdict('incoming/x.com', 'e7');
    await t.deliver([event], 2);
    expect(t.buckets.opened).toBe(1);
    expect(await t.verdict('incoming/x.com', 'e7')).toEqual(first);
    const events = t.bus.ofType('Object Scan Completed');
    expect(events).toHaveLength(2);
    expect(events[1]!.detail).toEqual(events[0]!.detail);
  });

  it('lists the infected objects of a bucket, newest first, once each, and only to its tenant', async () => {
    t.buckets.put('uploads', 'incoming/a.com', eicarText(), 'ea');
    t.buckets.put('uploads', 'incoming/clean.txt', 'nothing to see here', 'ec');
    t.buckets.put('uploads', 'incoming/b.com', eicarText(), 'eb');
    const a = s3ObjectCreated({ bucket: 'uploads', key: 'incoming/a.com', size: 68, etag: 'ea' });
    await t.deliver([a]);
    t.clock.advance(60_000);
    await t.deliver([
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/clean.txt', size: 19, etag: 'ec' }),
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/b.com', size: 68, etag: 'eb' }),
    ]);
    await t.deliver([a], 2); // a redelivery files the same entry again, not a second one
    const listed = await t.detections('uploads');
    expect(listed.statusCode).toBe(200);
    expect(listed.json.items.map((r: { key: string }) => r.key)).toEqual([
      'incoming/b.com',
      'incoming/a.com',
    ]);
    expect(listed.json.items[1]).toMatchObject({
      status: 'infected',
      signature: 'Eicar-Test-Signature.UNOFFICIAL',
      etag: 'ea',
      tenantId: 'internal',
    });
    const first = await t.detections('uploads', { limit: '1' });
    expect(first.json.items).toHaveLength(1);
    const rest = await t.detections('uploads', { limit: '1', cursor: first.json.nextCursor });
    expect(rest.json.items.map((r: { key: string }) => r.key)).toEqual(['incoming/a.com']);
    // Unwatching keeps them; a bad name is a 400.
    await t.call('DELETE /v1/watched-buckets/{bucket}', { pathParameters: { bucket: 'uploads' } });
    expect((await t.detections('uploads')).json.items).toHaveLength(2);
    const bad = await t.detections('Not_A_Bucket');
    expect(bad.statusCode).toBe(400);
    expect(bad.json.issues[0].path).toEqual(['path', 'bucket']);
  });

  it("shows a bucket's detections to the tenant that watched it and to no other (provider estate)", async () => {
    const p = setup('provider');
    const as = (tenant: string) => ({ claims: { tenant_id: tenant } });
    await p.call('PUT /v1/watched-buckets/{bucket}', {
      pathParameters: { bucket: 'shared' },
      body: {},
      ...as('acme'),
    });
    p.buckets.put('shared', 'x.com', eicarText(), 'ex');
    await p.deliver([s3ObjectCreated({ bucket: 'shared', key: 'x.com', size: 68, etag: 'ex' })]);
    const list = (tenant: string) =>
      p.call('GET /v1/watched-buckets/{bucket}/detections', {
        pathParameters: { bucket: 'shared' },
        ...as(tenant),
      });
    expect((await list('acme')).json.items.map((r: { key: string }) => r.key)).toEqual(['x.com']);
    const other = await list('globex');
    expect(other.statusCode).toBe(200);
    expect(other.json.items).toEqual([]);
  });

  it('fails a record that is not an S3 Object Created event, and only that one', async () => {
    t.buckets.put('uploads', 'incoming/ok.txt', 'fine', 'e8');
    const res = await t.deliver([
      'not json',
      { ...s3ObjectCreated(), source: 'outboard' },
      s3ObjectCreated({ bucket: 'uploads', key: 'incoming/ok.txt', size: 4, etag: 'e8' }),
    ]);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toHaveLength(2);
    expect(t.bus.ofType('Object Scan Completed')).toHaveLength(1);
  });
});
