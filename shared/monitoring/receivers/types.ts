/**
 * The shapes the syslog receivers hand on: one `RawRecord` per received message, framed and decoded
 * but not parsed (parsing, attribution and normalization happen behind the ingest queue).
 */

/** How the record reached the receiver. */
export type ReceiverTransport = 'udp' | 'tcp' | 'tls';

/** How the record was cut out of its byte stream (RFC 6587 octet counting, LF trailer, or a datagram). */
export type Framing = 'octet-counting' | 'lf' | 'datagram';

/** The identity of the client certificate a TLS sender presented. */
export interface TlsPeer {
  /** The certificate's subject, one `ATTR=value` per RDN joined with `, ` (e.g. `O=Acme, CN=web-1`). */
  subject: string;
  /** SHA-256 fingerprint, upper-case hex pairs separated by colons (Node's `fingerprint256`). */
  fingerprint256: string;
  /** Whether the chain verified against the listener's CA. */
  authorized: boolean;
}

/** One received message. */
export interface RawRecord {
  /** The message, UTF-8 decoded (invalid bytes become U+FFFD), without its framing or trailer. */
  text: string;
  /** When the receiver read it, epoch milliseconds. */
  receivedAt: number;
  transport: ReceiverTransport;
  /** The listener's name: per-listener parsing settings (such as "BSD lines carry a hostname") key on it. */
  listener: string;
  /** The sender's address (IPv4-mapped IPv6 addresses are given as plain IPv4). */
  remoteAddress: string;
  remotePort: number;
  /** TLS only, when the client presented a certificate. */
  tlsPeer?: TlsPeer;
  /** Set when `text` holds only the first part of the message (the limit, or the connection ended). */
  truncated?: true;
  /** The message's full length in bytes when truncated. */
  originalBytes?: number;
  framing?: Framing;
  /** What the receiver had to tolerate; see `RECEIVER_FLAGS`. */
  flags?: string[];
}

/** Flags a receiver puts on a record. */
export const RECEIVER_FLAGS = {
  /** A TCP stream announced octet counting, then a header was malformed; the stream is read as LF-framed from here on. */
  framingError: 'framing_error',
  /** The connection ended (or the receiver closed) in the middle of a frame: `text` is what had arrived. */
  incompleteFrame: 'incomplete_frame',
  /** A datagram carried an RFC 6587 octet-count prefix whose length matched exactly; the prefix was removed. */
  unexpectedFraming: 'unexpected_framing',
  /** Cut further so that the record alone fits one batch (its JSON escaping outgrew `batchMaxBytes`). */
  batchLimit: 'truncated_to_batch_limit',
} as const;

/** One message cut out of a stream or datagram, before the receiver adds where it came from. */
export interface Frame {
  text: string;
  framing: Framing;
  truncated?: true;
  originalBytes?: number;
  flags?: string[];
}

/** Persists one batch durably (the ingest queue); rejects when it did not. */
export type RecordSink = (records: RawRecord[]) => Promise<void>;
