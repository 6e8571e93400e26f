/**
 * The ingest queue's messages: what receipt writes and the ingest function reads. Two kinds:
 *
 * - a batch of raw records from the syslog listeners (JSON, `kind: "records"`), written by the local
 *   runtime's receivers (or an equivalent TCP collector on AWS);
 * - an HTTP ingest body exactly as `POST /v1/ingest` received it, with its content type, sender
 *   address and tenant in message attributes. On AWS, API Gateway writes these straight to SQS
 *   (no function in the hot path of receipt); the local runtime writes the same message.
 */
import { z } from 'zod';

/** Largest body `POST /v1/ingest` takes: what one SQS message can carry, with room for attributes. */
export const MAX_INGEST_BODY_BYTES = 240 * 1024;

export const RawRecord = z.strictObject({
  text: z.string(),
  /** Epoch milliseconds at receipt. */
  receivedAt: z.number().int().nonnegative(),
  transport: z.enum(['udp', 'tcp', 'tls']),
  listener: z.string().min(1).max(64),
  remoteAddress: z.string().max(64),
  remotePort: z.number().int().min(0).max(65_535),
  tlsPeer: z
    .strictObject({
      subject: z.string().max(2048),
      fingerprint256: z.string().max(128),
      authorized: z.boolean(),
    })
    .optional(),
  truncated: z.literal(true).optional(),
  originalBytes: z.number().int().nonnegative().optional(),
  framing: z.enum(['octet-counting', 'lf', 'datagram']).optional(),
  flags: z.array(z.string().max(64)).max(16).optional(),
});
export type RawRecord = z.infer<typeof RawRecord>;

export const RecordsMessage = z.strictObject({
  kind: z.literal('records'),
  /** Whether BSD (RFC 3164) lines of the listener carry a hostname (a per-listener setting; default true). */
  expectHostname: z.boolean().optional(),
  records: z.array(RawRecord).min(1).max(20_000),
});
export type RecordsMessage = z.infer<typeof RecordsMessage>;

/** Content types `POST /v1/ingest` accepts, and the record format each one means. */
export const INGEST_CONTENT_TYPES = {
  'text/plain': 'syslog',
  'application/xml': 'windows-xml',
  'text/xml': 'windows-xml',
  'application/x-ndjson': 'json',
  'application/json': 'json',
} as const;
export type IngestContentType = keyof typeof INGEST_CONTENT_TYPES;
export type IngestFormat = (typeof INGEST_CONTENT_TYPES)[IngestContentType];

/** `Content-Type: text/plain; charset=utf-8` → `text/plain`, if it is one we take. */
export function ingestContentType(header: string | undefined): IngestContentType | undefined {
  const base = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(INGEST_CONTENT_TYPES, base) ? (base as IngestContentType) : undefined;
}

/** Message attribute names of an HTTP ingest message (SQS message attributes; the same locally). */
export const INGEST_ATTRIBUTES = {
  contentType: 'content-type',
  sourceIp: 'source-ip',
  tenantId: 'tenant-id',
  requestId: 'request-id',
} as const;

/**
 * A JSON event of our own shape, for senders that are neither syslog nor Windows (one object per line
 * of an NDJSON body, or an array). OpenWEC's JSON is recognised by its `System` object instead.
 */
export const JsonEventInput = z.strictObject({
  message: z.string().max(65_536),
  host: z.string().min(1).max(255).optional(),
  time: z.iso.datetime({ offset: true }).optional(),
  app: z.string().min(1).max(128).optional(),
  severity: z
    .enum(['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'])
    .optional(),
  facility: z.string().max(16).optional(),
  fields: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
});
export type JsonEventInput = z.infer<typeof JsonEventInput>;

const TRANSPORTS = new Set(['udp', 'tcp', 'tls']);
const FRAMINGS = new Set(['octet-counting', 'lf', 'datagram']);

/**
 * `RecordsMessage.safeParse` by hand: the same rules, checked field by field without building zod
 * issues for the common valid case, because batches of thousands of records arrive at receipt rate.
 * Returns the first problem's path and message; `RecordsMessage` stays the documented schema.
 */
export function parseRecordsMessage(
  value: unknown,
): { ok: true; value: RecordsMessage } | { ok: false; path: string; message: string } {
  const fail = (path: string, message: string) => ({ ok: false as const, path, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('', 'not an object');
  const m = value as Record<string, unknown>;
  for (const k of Object.keys(m))
    if (k !== 'kind' && k !== 'records' && k !== 'expectHostname') return fail(k, 'unknown key');
  if (m.kind !== 'records') return fail('kind', 'must be "records"');
  if (m.expectHostname !== undefined && typeof m.expectHostname !== 'boolean')
    return fail('expectHostname', 'not a boolean');
  const records = m.records;
  if (!Array.isArray(records) || records.length < 1 || records.length > 20_000)
    return fail('records', 'must be an array of 1 to 20000 records');
  for (let i = 0; i < records.length; i++) {
    const problem = recordProblem(records[i]);
    if (problem) return fail(`records.${i}.${problem[0]}`, problem[1]);
  }
  return { ok: true, value: m as RecordsMessage };
}

const RECORD_KEYS = new Set([
  'text',
  'receivedAt',
  'transport',
  'listener',
  'remoteAddress',
  'remotePort',
  'tlsPeer',
  'truncated',
  'originalBytes',
  'framing',
  'flags',
]);

function recordProblem(value: unknown): [string, string] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['', 'not an object'];
  const r = value as Record<string, unknown>;
  for (const k in r) if (!RECORD_KEYS.has(k)) return [k, 'unknown key'];
  if (typeof r.text !== 'string') return ['text', 'not a string'];
  if (!Number.isSafeInteger(r.receivedAt) || (r.receivedAt as number) < 0)
    return ['receivedAt', 'not epoch ms'];
  if (!TRANSPORTS.has(r.transport as string)) return ['transport', 'not udp, tcp or tls'];
  if (typeof r.listener !== 'string' || r.listener.length < 1 || r.listener.length > 64)
    return ['listener', 'not a name of 1-64 characters'];
  if (typeof r.remoteAddress !== 'string' || r.remoteAddress.length > 64)
    return ['remoteAddress', 'not an address'];
  const port = r.remotePort;
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65_535)
    return ['remotePort', 'not a port'];
  if (r.tlsPeer !== undefined) {
    const p = r.tlsPeer as Record<string, unknown> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      Object.keys(p).some((k) => k !== 'subject' && k !== 'fingerprint256' && k !== 'authorized') ||
      typeof p.subject !== 'string' ||
      p.subject.length > 2048 ||
      typeof p.fingerprint256 !== 'string' ||
      p.fingerprint256.length > 128 ||
      typeof p.authorized !== 'boolean'
    )
      return ['tlsPeer', 'not {subject, fingerprint256, authorized}'];
  }
  if (r.truncated !== undefined && r.truncated !== true) return ['truncated', 'only true or absent'];
  if (
    r.originalBytes !== undefined &&
    (!Number.isSafeInteger(r.originalBytes) || (r.originalBytes as number) < 0)
  )
    return ['originalBytes', 'not a byte count'];
  if (r.framing !== undefined && !FRAMINGS.has(r.framing as string))
    return ['framing', 'not a known framing'];
  if (r.flags !== undefined) {
    const f = r.flags;
    if (!Array.isArray(f) || f.length > 16 || f.some((x) => typeof x !== 'string' || x.length > 64))
      return ['flags', 'not up to 16 short strings'];
  }
  return undefined;
}
