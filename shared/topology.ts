/**
 * The one declaration of Outboard's functions, their triggers and what they emit.
 * infra/ builds the CDK stack from it; shared/runtime/ boots the local runtime from it.
 * Adding a function here wires it in both worlds.
 */
import { z } from 'zod';
import { DETAIL_TYPES, type DetailType, EVENT_SOURCE } from './contracts/events.ts';
import { OBJECT_CREATED, S3_EVENT_SOURCE } from './contracts/watched-buckets.ts';

const Name = z.string().regex(/^[a-z][a-z0-9-]{1,40}$/);

/** An EventBridge rule: pattern in the EventBridge pattern language. */
export const RuleSpec = z.strictObject({
  name: Name,
  description: z.string().min(1),
  pattern: z.record(z.string(), z.unknown()),
});
export type RuleSpec = z.infer<typeof RuleSpec>;

export const QueueSpec = z.strictObject({
  name: Name,
  batchSize: z.number().int().min(1).max(10_000),
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
  visibilityTimeoutSeconds: z.number().int().min(0).max(43_200),
  maxReceiveCount: z.number().int().min(1).max(1000),
  retentionSeconds: z.number().int().min(60).max(1_209_600).default(1_209_600),
  /** Rules on the bus whose matching events are sent to this queue. */
  rules: z.array(RuleSpec).default([]),
});
export type QueueSpec = z.infer<typeof QueueSpec>;

export const HttpRoute = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']),
  path: z.string().regex(/^\/v1(\/[A-Za-z0-9{}._-]+)*$/),
  /**
   * Receipt without a function: the request body goes straight to this queue (API Gateway's SQS
   * integration on AWS, the runtime's HTTP server locally) and the caller gets 202 once it is queued.
   */
  sendToQueue: Name.optional(),
});
export type HttpRoute = z.infer<typeof HttpRoute>;

export const Trigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('queue'), queue: QueueSpec }),
  z.strictObject({ kind: z.literal('http'), routes: z.array(HttpRoute).min(1) }),
  z.strictObject({ kind: z.literal('rule'), rule: RuleSpec }),
  z.strictObject({
    kind: z.literal('schedule'),
    expression: z.string(),
    timezone: z.string().default('UTC'),
  }),
]);
export type Trigger = z.infer<typeof Trigger>;

/** What a function may touch; infra turns it into least-privilege grants, the runtime into deps. */
export const Access = z.strictObject({
  registry: z.enum(['none', 'read', 'readwrite']).default('none'),
  objects: z.enum(['none', 'read', 'readwrite']).default('none'),
  scheduler: z.boolean().default(false),
  /** Connector operations: snapshots (create, read, delete). */
  connector: z.boolean().default(false),
  /** The monitoring event archive (its own bucket on AWS, with lifecycle rules per retention class). */
  archive: z.enum(['none', 'read', 'readwrite']).default('none'),
  /** Monitoring state: event claims, rule windows, last-seen times. */
  monitorState: z.boolean().default(false),
  /** Topology queues the function sends messages to directly (not through the bus). */
  sendsTo: z.array(Name).default([]),
  /** Reads objects of the tenants' watched buckets (not Outboard's own store): s3:GetObject in the account. */
  watchedBuckets: z.boolean().optional(),
});
export type Access = z.infer<typeof Access>;

export const FunctionSpec = z.strictObject({
  name: Name,
  description: z.string().min(1),
  /** AWS Lambda entry (exports `handler`). */
  entry: z.string().regex(/^functions\/[a-z0-9-]+\/handler\.ts$/),
  /** Exports `createHandler(deps)`: used by the local runtime and by handler.ts alike. */
  factory: z.string().regex(/^functions\/[a-z0-9-]+\/function\.ts$/),
  memoryMb: z.number().int().min(128).max(10_240),
  timeoutSeconds: z.number().int().min(1).max(900),
  /** Reserved concurrency on AWS; worker count locally. */
  concurrency: z.number().int().min(1).max(1000),
  /**
   * How the function ships on AWS: a zip of the bundled handler, or a container image built from
   * `functions/<name>/Dockerfile` (for a function that needs a native engine beside it, such as ClamAV).
   */
  packaging: z.enum(['zip', 'container']).default('zip'),
  trigger: Trigger,
  emits: z.array(z.enum(DETAIL_TYPES as [DetailType, ...DetailType[]])).default([]),
  access: Access.default({
    registry: 'none',
    objects: 'none',
    scheduler: false,
    connector: false,
    archive: 'none',
    monitorState: false,
    sendsTo: [],
  }),
});
export type FunctionSpec = z.infer<typeof FunctionSpec>;
export type FunctionSpecInput = z.input<typeof FunctionSpec>;

export const Topology = z.strictObject({ functions: z.array(FunctionSpec).min(1) }).superRefine((t, ctx) => {
  const seen = new Set<string>();
  const queues = new Set<string>();
  for (const [i, fn] of t.functions.entries()) {
    if (seen.has(fn.name))
      ctx.addIssue({ code: 'custom', path: ['functions', i, 'name'], message: 'duplicate' });
    seen.add(fn.name);
    if (!fn.entry.startsWith(`functions/${fn.name}/`) || !fn.factory.startsWith(`functions/${fn.name}/`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['functions', i],
        message: 'entry and factory live in functions/<name>/',
      });
    }
    for (const [q, queue] of fn.access.sendsTo.entries()) {
      if (!t.functions.some((f) => f.trigger.kind === 'queue' && f.trigger.queue.name === queue))
        ctx.addIssue({
          code: 'custom',
          path: ['functions', i, 'access', 'sendsTo', q],
          message: `no function reads a queue named "${queue}"`,
        });
    }
    if (fn.trigger.kind === 'http') {
      for (const [r, route] of fn.trigger.routes.entries()) {
        if (route.sendToQueue === undefined) continue;
        const target = t.functions.find(
          (f) => f.trigger.kind === 'queue' && f.trigger.queue.name === route.sendToQueue,
        );
        if (!target)
          ctx.addIssue({
            code: 'custom',
            path: ['functions', i, 'trigger', 'routes', r, 'sendToQueue'],
            message: `no function reads a queue named "${route.sendToQueue}"`,
          });
      }
    }
    if (fn.trigger.kind === 'queue') {
      const q = fn.trigger.queue;
      if (queues.has(q.name))
        ctx.addIssue({ code: 'custom', path: ['functions', i], message: 'queue used twice' });
      queues.add(q.name);
      // AWS requires the queue's visibility timeout to be at least the function timeout.
      if (q.visibilityTimeoutSeconds < fn.timeoutSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['functions', i, 'trigger', 'queue', 'visibilityTimeoutSeconds'],
          message: `must be >= the function timeout (${fn.timeoutSeconds}s)`,
        });
      }
    }
  }
});
export type Topology = z.infer<typeof Topology>;

const outboardEvents = (...detailTypes: DetailType[]) => ({
  source: [EVENT_SOURCE],
  'detail-type': detailTypes,
});

export const topology: Topology = Topology.parse({
  functions: [
    {
      name: 'api',
      description: 'Portal API v1 (API Gateway HTTP API, payload v2).',
      entry: 'functions/api/handler.ts',
      factory: 'functions/api/function.ts',
      memoryMb: 512,
      timeoutSeconds: 29,
      concurrency: 4,
      trigger: {
        kind: 'http',
        routes: [
          { method: 'GET', path: '/v1/health' },
          { method: 'GET', path: '/v1/openapi.json' },
          { method: 'GET', path: '/v1/guests' },
          { method: 'POST', path: '/v1/guests' },
          { method: 'GET', path: '/v1/guests/{guestId}' },
          { method: 'DELETE', path: '/v1/guests/{guestId}' },
          { method: 'GET', path: '/v1/guests/{guestId}/services' },
          { method: 'GET', path: '/v1/guests/{guestId}/services/{service}' },
          { method: 'PUT', path: '/v1/guests/{guestId}/services/{service}' },
          { method: 'DELETE', path: '/v1/guests/{guestId}/services/{service}' },
          { method: 'POST', path: '/v1/guests/{guestId}/backups' },
          { method: 'GET', path: '/v1/guests/{guestId}/restore-points' },
          { method: 'POST', path: '/v1/guests/{guestId}/patch-scans' },
          { method: 'GET', path: '/v1/guests/{guestId}/inventory' },
          { method: 'GET', path: '/v1/guests/{guestId}/findings' },
          { method: 'GET', path: '/v1/jobs/{jobId}' },
          { method: 'POST', path: '/v1/ingest', sendToQueue: 'ingest-records' },
          { method: 'GET', path: '/v1/guests/{guestId}/events' },
          { method: 'GET', path: '/v1/events/unattributed' },
          { method: 'GET', path: '/v1/guests/{guestId}/alerts' },
          { method: 'POST', path: '/v1/guests/{guestId}/av-scans' },
          { method: 'GET', path: '/v1/guests/{guestId}/detections' },
          { method: 'GET', path: '/v1/watched-buckets' },
          { method: 'PUT', path: '/v1/watched-buckets/{bucket}' },
          { method: 'DELETE', path: '/v1/watched-buckets/{bucket}' },
          { method: 'GET', path: '/v1/watched-buckets/{bucket}/detections' },
        ],
      },
      emits: [
        'Guest Registered',
        'Guest Deleted',
        'Service Enabled',
        'Service Disabled',
        'Backup Requested',
        'Patch Scan Requested',
        'AV Scan Requested',
      ],
      access: { registry: 'readwrite', objects: 'read', scheduler: true, archive: 'read' },
    },
    {
      name: 'backup-trigger',
      description: 'Snapshots a guest through its connector and records a restore point.',
      entry: 'functions/backup-trigger/handler.ts',
      factory: 'functions/backup-trigger/function.ts',
      memoryMb: 1024,
      timeoutSeconds: 900,
      concurrency: 2,
      trigger: {
        kind: 'queue',
        queue: {
          name: 'backup-requests',
          batchSize: 5,
          visibilityTimeoutSeconds: 960,
          maxReceiveCount: 5,
          rules: [
            {
              name: 'backup-requested',
              description: 'Backup requests from the portal and from backup policy schedules.',
              pattern: outboardEvents('Backup Requested'),
            },
          ],
        },
      },
      emits: ['Backup Completed', 'Backup Failed'],
      access: { registry: 'readwrite', connector: true },
    },
    {
      name: 'patch-scan',
      description:
        "Reads a guest's disks from a restore point or a scan-only snapshot, lists its packages and matches them against the feeds.",
      entry: 'functions/patch-scan/handler.ts',
      factory: 'functions/patch-scan/function.ts',
      memoryMb: 2048,
      timeoutSeconds: 900,
      concurrency: 2,
      trigger: {
        kind: 'queue',
        queue: {
          name: 'patch-scan-requests',
          batchSize: 1,
          visibilityTimeoutSeconds: 960,
          maxReceiveCount: 3,
          rules: [
            {
              name: 'patch-scan-requested',
              description: 'Patch scan requests from the portal and from patching policy schedules.',
              pattern: outboardEvents('Patch Scan Requested'),
            },
          ],
        },
      },
      emits: ['Patch Scan Completed', 'Patch Scan Failed'],
      access: { registry: 'readwrite', objects: 'readwrite', connector: true },
    },
    {
      name: 'ingest',
      description:
        'Parses the raw syslog and Windows records receipt queued, attributes them to guests, archives them once each and raises alerts from the detection rules.',
      entry: 'functions/ingest/handler.ts',
      factory: 'functions/ingest/function.ts',
      memoryMb: 1024,
      timeoutSeconds: 60,
      concurrency: 2,
      trigger: {
        kind: 'queue',
        queue: {
          name: 'ingest-records',
          batchSize: 10,
          // No batching window: every message is already a batch (a receiver's cut of up to 5,000
          // records, or an HTTP body), and under load the queue fills batches of ten anyway; waiting
          // for more would only delay the last records of a burst by the window.
          maxBatchingWindowSeconds: 0,
          visibilityTimeoutSeconds: 120,
          maxReceiveCount: 5,
          retentionSeconds: 345_600,
        },
      },
      emits: ['Monitor Alert Raised'],
      access: { registry: 'read', objects: 'readwrite', archive: 'readwrite', monitorState: true },
    },
    {
      name: 'monitor-sweep',
      description:
        'Raises "guest silent" alerts for guests with monitoring enabled that have sent nothing for longer than their policy allows.',
      entry: 'functions/monitor-sweep/handler.ts',
      factory: 'functions/monitor-sweep/function.ts',
      memoryMb: 512,
      timeoutSeconds: 120,
      concurrency: 1,
      trigger: { kind: 'schedule', expression: 'rate(1 minute)', timezone: 'UTC' },
      emits: ['Monitor Alert Raised'],
      access: { registry: 'read', objects: 'readwrite', monitorState: true },
    },
    {
      name: 'av-dispatch',
      description:
        "Plans an anti-virus scan: picks the restore point or takes a scan-only snapshot, walks the guest's files, skips what the policy excludes or what is unchanged since the last clean scan, and sends bounded scan tasks.",
      entry: 'functions/av-dispatch/handler.ts',
      factory: 'functions/av-dispatch/function.ts',
      memoryMb: 2048,
      timeoutSeconds: 900,
      concurrency: 2,
      trigger: {
        kind: 'queue',
        queue: {
          name: 'av-scan-requests',
          batchSize: 1,
          visibilityTimeoutSeconds: 960,
          maxReceiveCount: 3,
          rules: [
            {
              name: 'av-scan-requested',
              description: 'Anti-virus scan requests from the portal and from antivirus policy schedules.',
              pattern: outboardEvents('AV Scan Requested'),
            },
            {
              name: 'av-scan-after-backup',
              description:
                'Each completed backup: its restore point is scanned if the guest has antivirus with scanAfterBackup.',
              pattern: outboardEvents('Backup Completed'),
            },
          ],
        },
      },
      emits: ['AV Scan Completed', 'Malware Detected'],
      access: { registry: 'readwrite', objects: 'readwrite', connector: true, sendsTo: ['av-scan-tasks'] },
    },
    {
      name: 'av-scan',
      description:
        'Scans the files of one task from the snapshot with the engine the policy names, records each verdict, and completes the job when the last task has reported.',
      entry: 'functions/av-scan/handler.ts',
      factory: 'functions/av-scan/function.ts',
      memoryMb: 3008,
      timeoutSeconds: 900,
      concurrency: 2,
      packaging: 'container',
      trigger: {
        kind: 'queue',
        queue: {
          name: 'av-scan-tasks',
          batchSize: 1,
          visibilityTimeoutSeconds: 960,
          maxReceiveCount: 3,
        },
      },
      emits: ['AV Scan Completed', 'Malware Detected'],
      access: { registry: 'readwrite', objects: 'readwrite', connector: true },
    },
    {
      name: 'av-object-scan',
      description:
        'Scans each object created in a watched bucket (S3 Object Created events) with the engine its registration names, stores the verdict and emits Object Scan Completed.',
      entry: 'functions/av-object-scan/handler.ts',
      factory: 'functions/av-object-scan/function.ts',
      memoryMb: 3008,
      timeoutSeconds: 300,
      concurrency: 2,
      packaging: 'container',
      trigger: {
        kind: 'queue',
        queue: {
          name: 'av-object-events',
          batchSize: 5,
          visibilityTimeoutSeconds: 360,
          maxReceiveCount: 3,
          rules: [
            {
              name: 'av-object-created',
              description:
                "Objects created in any bucket (S3 events on the account's default bus; the runtime's bucket poller locally); those of unwatched buckets are ignored.",
              pattern: { source: [S3_EVENT_SOURCE], 'detail-type': [OBJECT_CREATED] },
            },
          ],
        },
      },
      emits: ['Object Scan Completed'],
      access: { registry: 'none', objects: 'readwrite', watchedBuckets: true },
    },
    {
      name: 'feed-sync',
      description:
        'Imports the upstream package and advisory feeds listed in OUTBOARD_FEED_URLS and saves the feed index patch scans read.',
      entry: 'functions/feed-sync/handler.ts',
      factory: 'functions/feed-sync/function.ts',
      memoryMb: 3008,
      timeoutSeconds: 900,
      concurrency: 1,
      trigger: { kind: 'schedule', expression: 'rate(6 hours)', timezone: 'UTC' },
      access: { objects: 'readwrite' },
    },
  ],
});

export function findFunction(name: string): FunctionSpec {
  const fn = topology.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`topology: no function named "${name}"`);
  return fn;
}

export type RuleTarget =
  | { kind: 'queue'; queue: string; function: string }
  | { kind: 'function'; function: string };

/** Every bus rule of the topology, with the queue or function it feeds. */
export function busRules(t: Topology = topology): { rule: RuleSpec; target: RuleTarget }[] {
  const out: { rule: RuleSpec; target: RuleTarget }[] = [];
  for (const fn of t.functions) {
    const trigger = fn.trigger;
    if (trigger.kind === 'queue') {
      for (const rule of trigger.queue.rules) {
        out.push({ rule, target: { kind: 'queue', queue: trigger.queue.name, function: fn.name } });
      }
    } else if (trigger.kind === 'rule') {
      out.push({ rule: trigger.rule, target: { kind: 'function', function: fn.name } });
    }
  }
  return out;
}
