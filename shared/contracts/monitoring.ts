/**
 * The monitoring service's shapes: the canonical event every received record becomes (syslog or
 * Windows, whatever the transport), as archived and served by `GET /v1/guests/{id}/events`.
 *
 * One small internal schema on purpose: OCSF is the export view (shared/monitoring/ocsf), not the
 * model, because it is security-centric and still moving; this keeps the sender's own field names
 * (Windows EventData names, syslog SD-IDs) so rules written against them need no mapping.
 */
import { z } from 'zod';
import { GuestId, TenantId } from './common.ts';

/** Syslog severities by number (RFC 5424 §6.2.1), the names the API uses. */
export const SEVERITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Syslog facility keywords by number (RFC 5424 §6.2.1, the names syslog daemons use). */
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
export const Facility = z.enum(FACILITIES);
export type Facility = z.infer<typeof Facility>;

/** What kind of record the event came from. */
export const SourceKind = z.enum(['syslog', 'windows', 'json']);
export type SourceKind = z.infer<typeof SourceKind>;

/** How it reached us. */
export const Transport = z.enum(['udp', 'tcp', 'tls', 'http']);
export type Transport = z.infer<typeof Transport>;

const FieldValue = z.union([z.string(), z.array(z.string())]);

/** SD-ID → PARAM-NAME → value (a repeated parameter keeps every value, in order). */
export const StructuredData = z.record(z.string(), z.record(z.string(), FieldValue));
export type StructuredData = z.infer<typeof StructuredData>;

export const MonitorEvent = z.strictObject({
  /**
   * Stable identity, the archive's deduplication key: for Windows events a hash of (Computer,
   * Channel, EventRecordID); for syslog a hash of the sender and the raw record.
   */
  id: z.string().min(1).max(64),
  /** Event time, UTC, millisecond precision; the receive time when the record carries none. */
  time: z.string(),
  /** The timestamp exactly as the record wrote it (sub-millisecond digits, offsets), if it had one. */
  timeText: z.string().nullable(),
  timeSource: z.enum(['event', 'received']),
  /** When a receiver took the record in (the archive partitions by this). */
  receivedAt: z.string(),
  /** null when the sender matched no guest with monitoring enabled ("unattributed"). */
  tenantId: TenantId.nullable(),
  guestId: GuestId.nullable(),
  /** How the sender was matched to the guest: certificate, source address or hostname. */
  attributedBy: z.enum(['tls-certificate', 'source-address', 'hostname']).nullable(),
  host: z.string().nullable(),
  sourceKind: SourceKind,
  transport: Transport,
  listener: z.string(),
  sourceAddress: z.string().nullable(),
  severity: Severity,
  facility: Facility.nullable(),
  /** Syslog APP-NAME / tag, or the Windows provider name. */
  app: z.string().nullable(),
  procId: z.string().nullable(),
  msgId: z.string().nullable(),
  /** Windows: the EventID masked to its low 16 bits. */
  eventId: z.number().int().nullable(),
  /** Windows: the channel (Security, System, …). */
  channel: z.string().nullable(),
  /** Windows: EventRecordID, as text (it is a 64-bit counter). */
  recordId: z.string().nullable(),
  message: z.string(),
  /** Syslog structured data. */
  structuredData: StructuredData.nullable(),
  /** Windows EventData / UserData / System extras, and syslog extras such as a Cisco mnemonic. */
  fields: z.record(z.string(), FieldValue),
  /** What the parser had to tolerate (`invalid_pri`, `missing_timestamp`, `sd_invalid`, `truncated`, …). */
  flags: z.array(z.string()),
  /** The record as received (after transport framing). */
  raw: z.string(),
});
export type MonitorEvent = z.infer<typeof MonitorEvent>;

export const AlertId = z.string().regex(/^alr_[0-9a-z]{10,40}$/, 'an alert id (alr_…)');

/** Events copied into one alert at most. */
export const MAX_ALERT_EVENTS = 20;
/** Characters of an event's message copied into an alert. */
export const ALERT_MESSAGE_LIMIT = 1024;

/** The compact copy of a matching event an alert carries. */
export const AlertEvent = z.strictObject({
  id: z.string(),
  time: z.string(),
  host: z.string().nullable(),
  app: z.string().nullable(),
  eventId: z.number().int().nullable(),
  /** The message, cut to `ALERT_MESSAGE_LIMIT` characters. */
  message: z.string().max(ALERT_MESSAGE_LIMIT),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

const GroupValues = z.record(z.string(), z.string());

/**
 * An alert, as raised on the bus (`Monitor Alert Raised`), stored and served by
 * `GET /v1/guests/{id}/alerts`. Its id is derived from the rule, guest, group and suppression period,
 * so a batch evaluated twice raises the same alert, not a second one.
 */
export const AlertFields = {
  alertId: AlertId,
  rule: z.strictObject({
    id: z.string().min(1).max(128),
    title: z.string().min(1).max(300),
    kind: z.enum(['match', 'threshold', 'absence']),
    /** Whether the rule is one of ours or a tenant's. */
    source: z.enum(['builtin', 'tenant']),
    /** The rule pack it came from. */
    pack: z.string(),
    tags: z.array(z.string()),
  }),
  severity: Severity,
  guestId: GuestId,
  host: z.string().nullable(),
  /** One line for a notification: what, where, how many. */
  summary: z.string(),
  /** The rule's group-by values by path ('' for a path the event did not have); empty when ungrouped. */
  group: GroupValues,
  /** The group's canonical key: the JSON array of its values (null for missing ones). */
  groupKey: z.string(),
  /** Matching events this alert stands for (a threshold's window, or the matches in one batch). */
  count: z.number().int().min(0),
  /** Up to `MAX_ALERT_EVENTS` of the matching events; `GET /v1/guests/{id}/events` has them all. */
  events: z.array(AlertEvent).max(MAX_ALERT_EVENTS),
  /** `count` minus the events copied (earlier batches' events, or beyond the limit). */
  eventsOmitted: z.number().int().min(0),
  /** Event times (as the events state them) of the first and last copied events. */
  firstEventAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  threshold: z
    .strictObject({
      count: z.number().int(),
      windowSeconds: z.number().int(),
      groupValues: GroupValues,
      /** Receipt time of the oldest event counted in the window. */
      windowStartedAt: z.string(),
    })
    .nullable(),
  absence: z
    .strictObject({
      silentMinutes: z.number().int(),
      /** When the silence began: the last event's receipt, or when monitoring was enabled. */
      silentSince: z.string(),
    })
    .nullable(),
  suppression: z.strictObject({
    seconds: z.number().int(),
    /** Further matches of this group until then only count as suppressed. */
    until: z.string(),
    /** Matches (or silences) suppressed after the previous alert of this group. */
    suppressedSincePrevious: z.number().int().min(0),
    previousAlertId: z.string().nullable(),
  }),
  raisedAt: z.string(),
};

export const Alert = z.strictObject({ tenantId: TenantId, ...AlertFields });
export type Alert = z.infer<typeof Alert>;
