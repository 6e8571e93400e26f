/**
 * The options of `startSyslogReceivers`, validated strictly (an unknown or misspelt key is an error)
 * with their defaults applied in one place.
 */
import { z } from 'zod';
import type { Logger } from '../../deps.ts';
import { ReceiverConfigError } from './errors.ts';
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './framing.ts';

/** An SQS message holds at most 256 KiB; a batch's JSON must fit in one. */
export const SQS_MESSAGE_LIMIT_BYTES = 256 * 1024;

/** What the receivers log: sink retries, rejected TLS handshakes, socket errors. */
export type ReceiverLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

const Port = z.number().int().min(0).max(65_535);
const Pem = z.union([z.string().min(1), z.instanceof(Uint8Array)]);
const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, ".", "_" or "-"');

const TlsListenerOptions = z
  .strictObject({
    /** Listener name on the records (default `syslog-tls`). */
    name: Name.default('syslog-tls'),
    port: Port,
    /** PEM text or bytes: the server certificate (chain), its key, and the CA that signs client certificates. */
    cert: Pem,
    key: Pem,
    ca: Pem.optional(),
    /** Ask clients for a certificate; records carry its identity in `tlsPeer` (verified or not). */
    requestClientCert: z.boolean().default(false),
    /** Refuse clients without a certificate that verifies against `ca`. */
    requireClientCert: z.boolean().default(false),
  })
  .refine((t) => !t.requireClientCert || t.ca !== undefined, {
    message: 'requireClientCert needs the CA that signs client certificates (ca)',
    path: ['ca'],
  });

const Options = z
  .strictObject({
    /** Listener name on UDP and TCP records (default `syslog`). */
    name: Name.default('syslog'),
    host: z.string().min(1).default('127.0.0.1'),
    /** UDP and TCP on the same number; 0 picks a free one (reported back). */
    port: Port,
    tls: TlsListenerOptions.optional(),
    /** Longest message kept whole (RFC 5425 asks for at least 2048, RFC 5426 for 480). */
    maxMessageBytes: z.number().int().min(480).default(DEFAULT_MAX_MESSAGE_BYTES),
    /** Largest octet count believed; a larger one is a framing error, not a frame to skip. */
    maxFrameBytes: z.number().int().min(1).default(DEFAULT_MAX_FRAME_BYTES),
    batchMaxRecords: z.number().int().min(1).default(5000),
    /** A batch's JSON (`JSON.stringify(records)`) stays at or under this many bytes. */
    batchMaxBytes: z
      .number()
      .int()
      .min(4096)
      .max(SQS_MESSAGE_LIMIT_BYTES)
      .default(200 * 1024),
    batchMaxAgeMs: z.number().int().min(1).default(200),
    /** Batches handed to the sink and not yet persisted before TCP reading pauses and UDP drops. */
    maxPendingBatches: z.number().int().min(1).default(4),
    /** Bytes (as JSON) buffered in all batches before the same; default (maxPendingBatches + 1) × batchMaxBytes. */
    maxBufferedBytes: z.number().int().min(1).optional(),
    /** Concurrent TCP and TLS connections per listener; more are refused. */
    maxConnections: z.number().int().min(1).default(1000),
    /** Backoff of a failing sink: first wait, doubling up to the maximum. */
    sinkRetryInitialMs: z.number().int().min(1).default(100),
    sinkRetryMaxMs: z.number().int().min(1).default(5000),
    /** How long `close()` waits for the sink to take the last batches before it rejects. */
    closeTimeoutMs: z.number().int().min(0).default(30_000),
    /** SO_RCVBUF asked for the UDP socket (the kernel may cap it). */
    udpReceiveBufferBytes: z
      .number()
      .int()
      .min(0)
      .default(4 * 1024 * 1024),
    logger: z
      .custom<ReceiverLogger>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          ['info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
        'a logger with info, warn and error methods',
      )
      .optional(),
  })
  .refine((o) => o.maxMessageBytes + 1024 <= o.batchMaxBytes, {
    message: 'batchMaxBytes must exceed maxMessageBytes by at least 1024 bytes, so a message fits a batch',
    path: ['batchMaxBytes'],
  })
  .refine((o) => o.tls === undefined || o.tls.port === 0 || o.tls.port !== o.port, {
    message: 'the TLS port must differ from the UDP/TCP port',
    path: ['tls', 'port'],
  });

export type SyslogReceiverOptions = z.input<typeof Options>;
export type ResolvedReceiverOptions = z.output<typeof Options> & { maxBufferedBytes: number };

/** Validates and completes the options; throws ReceiverConfigError naming every bad field. */
export function resolveReceiverOptions(options: SyslogReceiverOptions): ResolvedReceiverOptions {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new ReceiverConfigError(`syslog receivers not started, invalid options:\n${lines.join('\n')}`);
  }
  const o = parsed.data;
  return { ...o, maxBufferedBytes: o.maxBufferedBytes ?? (o.maxPendingBatches + 1) * o.batchMaxBytes };
}
