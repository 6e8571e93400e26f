/**
 * Normalization: every received record becomes one canonical MonitorEvent (shared/contracts/monitoring.ts),
 * whatever its format and transport, attributed to a guest when its sender is known. Nothing is
 * dropped: a record no parser understood is still an event, with its raw text as the message and a
 * flag saying why.
 *
 * Event ids are the archive's deduplication keys, so they are derived from what identifies the record,
 * never from when or how often it arrived:
 * - Windows: (tenant, Computer, Channel, EventRecordID) — forwarding is at least once and a channel
 *   added to a subscription replays its history;
 * - syslog and JSON: (sender, raw text), the sender being the attributed guest, else the source address.
 *   A sender's retransmission after a dropped connection is archived once; so are two byte-identical
 *   lines from one sender within the claim horizon (their timestamps, pids and sequence numbers
 *   normally tell them apart).
 */
import { hash } from 'node:crypto';
import { type IngestFormat, JsonEventInput, type RawRecord } from '../contracts/ingest.ts';
import { FACILITIES, type Facility, type MonitorEvent, type Severity } from '../contracts/monitoring.ts';
import type { Attribution, SenderDirectory } from './attribution.ts';
import { facilityName, parseSyslog, type SyslogMessage, severityName } from './syslog/index.ts';
import {
  parseEventXmlBatch,
  parseOpenWecJson,
  type WindowsEvent,
  windowsDedupeKey,
  windowsSeverity,
} from './windows/index.ts';

export interface NormalizeOptions {
  directory: SenderDirectory;
  /** Zone of timestamps that carry none (BSD syslog). */
  defaultTimeZone?: string;
}

/** What receipt knew about an HTTP ingest body. */
export interface HttpReceipt {
  receivedAt: number;
  sourceIp: string;
  /** The caller's tenant (provider estate): only its guests may be matched. */
  tenantId?: string;
}

const eventId = (scope: string, key: string) =>
  hash('sha256', `${scope}\u0000${key}`, 'base64url').slice(0, 32);

const scopeOf = (a: Attribution | null, sourceAddress: string) =>
  a ? `g:${a.tenantId}/${a.guestId}` : `a:${sourceAddress}`;

/** Epoch ms → ISO text; records of one batch share receive times, so the last few are remembered. */
const isoCache = new Map<number, string>();
function iso(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size > 1024) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
}

function attributionFields(a: Attribution | null) {
  return {
    tenantId: a?.tenantId ?? null,
    guestId: a?.guestId ?? null,
    attributedBy: a?.by ?? null,
  } as const;
}

const NO_FLAGS: readonly string[] = Object.freeze([]);

function syslogEvent(
  parsed: SyslogMessage,
  raw: string,
  receipt: {
    receivedAt: number;
    transport: MonitorEvent['transport'];
    listener: string;
    sourceAddress: string;
    attribution: Attribution | null;
    extraFlags: readonly string[];
  },
): MonitorEvent {
  const fields: Record<string, string> = {};
  if (parsed.sequenceId !== undefined) fields.sequenceId = parsed.sequenceId;
  if (parsed.ciscoMnemonic) {
    fields['cisco.facility'] = parsed.ciscoMnemonic.facility;
    fields['cisco.severity'] = String(parsed.ciscoMnemonic.severity);
    fields['cisco.mnemonic'] = parsed.ciscoMnemonic.mnemonic;
  }
  if (parsed.encoding) fields.encoding = parsed.encoding;
  fields.format = parsed.format;
  return {
    id: eventId(scopeOf(receipt.attribution, receipt.sourceAddress), raw),
    time:
      parsed.timestampMs !== null && parsed.timeSource === 'event'
        ? iso(parsed.timestampMs)
        : iso(receipt.receivedAt),
    timeText: parsed.timestampText,
    timeSource: parsed.timeSource,
    receivedAt: iso(receipt.receivedAt),
    tenantId: receipt.attribution?.tenantId ?? null,
    guestId: receipt.attribution?.guestId ?? null,
    attributedBy: receipt.attribution?.by ?? null,
    host: parsed.hostname,
    sourceKind: 'syslog',
    transport: receipt.transport,
    listener: receipt.listener,
    sourceAddress: receipt.sourceAddress || null,
    severity: severityName(parsed.severity) as Severity,
    facility: facilityName(parsed.facility) as Facility,
    app: parsed.appName,
    procId: parsed.procId,
    msgId: parsed.msgId,
    eventId: null,
    channel: null,
    recordId: null,
    message: parsed.message,
    structuredData: parsed.structuredData,
    fields,
    // The parse is this event's alone, so its flags array is taken over, not copied.
    flags: receipt.extraFlags.length === 0 ? parsed.flags : [...parsed.flags, ...receipt.extraFlags],
    raw,
  };
}

/** One record from a syslog listener. */
export function normalizeRawRecord(
  record: RawRecord,
  options: NormalizeOptions & { expectHostname?: boolean },
): MonitorEvent {
  const expectHostname = options.expectHostname ?? true;
  const parsed = parseSyslog(
    record.text,
    options.defaultTimeZone
      ? { receivedAt: record.receivedAt, expectHostname, defaultTimeZone: options.defaultTimeZone }
      : { receivedAt: record.receivedAt, expectHostname },
  );
  const attribution = options.directory.attribute(
    record.tlsPeer?.authorized
      ? {
          certificateFingerprint: record.tlsPeer.fingerprint256,
          sourceAddress: record.remoteAddress,
          hostname: parsed.hostname,
        }
      : { sourceAddress: record.remoteAddress, hostname: parsed.hostname },
  );
  let extraFlags = record.flags ?? NO_FLAGS;
  if (record.truncated && !extraFlags.includes('truncated')) extraFlags = [...extraFlags, 'truncated'];
  const event = syslogEvent(parsed, record.text, {
    receivedAt: record.receivedAt,
    transport: record.transport,
    listener: record.listener,
    sourceAddress: record.remoteAddress,
    attribution,
    extraFlags,
  });
  if (record.truncated && record.originalBytes !== undefined)
    event.fields.originalBytes = String(record.originalBytes);
  return event;
}

function windowsFields(w: WindowsEvent): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = { ...w.eventData, ...w.userData, ...w.extraData };
  const put = (name: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && !(name in fields)) fields[name] = String(value);
  };
  put('Provider_Name', w.provider.name);
  put('Provider_Guid', w.provider.guid);
  put('Level', w.level);
  put('Task', w.task);
  put('Opcode', w.opcode);
  put('Keywords', w.keywords);
  put('AuditResult', w.auditResult);
  put('Qualifiers', w.qualifiers);
  put('UserID', w.userId);
  put('ProcessID', w.execution?.processId);
  put('ThreadID', w.execution?.threadId);
  put('ActivityID', w.correlation.activityId);
  if (w.userDataRoot) put('UserData', w.userDataRoot);
  if (w.collector) {
    put('Collector.IpAddress', w.collector.ipAddress);
    put('Collector.Subscription', w.collector.subscription.name);
    put('Collector.Client', w.collector.client);
  }
  return fields;
}

function windowsMessage(w: WindowsEvent): string {
  if (w.rendering?.message) return w.rendering.message;
  const data = Object.entries(w.eventData)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join(' ');
  return `${w.provider.name ?? w.channel ?? 'Windows'} event ${w.eventId}${data ? `: ${data}` : ''}`;
}

function windowsEvent(w: WindowsEvent, receipt: HttpReceipt, options: NormalizeOptions): MonitorEvent {
  const attribution = options.directory.attribute({
    sourceAddress: w.collector ? '' : receipt.sourceIp,
    hostname: w.computer,
    ...(receipt.tenantId ? { tenantId: receipt.tenantId } : {}),
  });
  const time = w.timeCreated;
  return {
    id: eventId(`w:${attribution?.tenantId ?? receipt.tenantId ?? '-'}`, windowsDedupeKey(w)),
    time: time ? time.iso.replace(/(\.\d{3})\d*Z$/, '$1Z') : iso(receipt.receivedAt),
    timeText: time?.original ?? null,
    timeSource: time ? 'event' : 'received',
    receivedAt: iso(receipt.receivedAt),
    ...attributionFields(attribution),
    host: w.computer,
    sourceKind: 'windows',
    transport: 'http',
    listener: 'http',
    sourceAddress: receipt.sourceIp || null,
    severity: windowsSeverity(w).name,
    facility: null,
    app: w.provider.name,
    procId:
      w.execution?.processId === null || w.execution?.processId === undefined
        ? null
        : String(w.execution.processId),
    msgId: null,
    eventId: w.eventId,
    channel: w.channel,
    recordId: w.eventRecordId,
    message: windowsMessage(w),
    structuredData: null,
    fields: windowsFields(w),
    flags: [...w.flags],
    raw: w.raw,
  };
}

/** A record no parser could read: kept whole, as the message, flagged. */
function unparsedEvent(
  raw: string,
  kind: MonitorEvent['sourceKind'],
  flag: string,
  detail: string,
  receipt: HttpReceipt,
  options: NormalizeOptions,
): MonitorEvent {
  const attribution = options.directory.attribute({
    sourceAddress: receipt.sourceIp,
    ...(receipt.tenantId ? { tenantId: receipt.tenantId } : {}),
  });
  return {
    id: eventId(scopeOf(attribution, receipt.sourceIp), raw),
    time: iso(receipt.receivedAt),
    timeText: null,
    timeSource: 'received',
    receivedAt: iso(receipt.receivedAt),
    ...attributionFields(attribution),
    host: null,
    sourceKind: kind,
    transport: 'http',
    listener: 'http',
    sourceAddress: receipt.sourceIp || null,
    severity: 'notice',
    facility: null,
    app: null,
    procId: null,
    msgId: null,
    eventId: null,
    channel: null,
    recordId: null,
    message: raw,
    structuredData: null,
    fields: { parseError: detail.slice(0, 1000) },
    flags: [flag],
    raw,
  };
}

function jsonEvent(
  input: JsonEventInput,
  raw: string,
  receipt: HttpReceipt,
  options: NormalizeOptions,
): MonitorEvent {
  const attribution = options.directory.attribute({
    sourceAddress: receipt.sourceIp,
    hostname: input.host ?? null,
    ...(receipt.tenantId ? { tenantId: receipt.tenantId } : {}),
  });
  const facility = (FACILITIES as readonly string[]).includes(input.facility ?? '')
    ? (input.facility as Facility)
    : null;
  const timeMs = input.time ? Date.parse(input.time) : undefined;
  return {
    id: eventId(scopeOf(attribution, receipt.sourceIp), raw),
    time: iso(timeMs ?? receipt.receivedAt),
    timeText: input.time ?? null,
    timeSource: input.time ? 'event' : 'received',
    receivedAt: iso(receipt.receivedAt),
    ...attributionFields(attribution),
    host: input.host ?? null,
    sourceKind: 'json',
    transport: 'http',
    listener: 'http',
    sourceAddress: receipt.sourceIp || null,
    severity: input.severity ?? 'informational',
    facility,
    app: input.app ?? null,
    procId: null,
    msgId: null,
    eventId: null,
    channel: null,
    recordId: null,
    message: input.message,
    structuredData: null,
    fields: input.fields ?? {},
    flags: input.facility && !facility ? ['facility_unknown'] : [],
    raw,
  };
}

/** Lines of a body, LF or CRLF, blank ones skipped. */
function lines(body: string): string[] {
  return body
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim() !== '');
}

function jsonLines(body: string): string[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) {
    try {
      const array = JSON.parse(trimmed) as unknown;
      if (Array.isArray(array)) return array.map((item) => JSON.stringify(item));
    } catch {
      // Not one JSON array: read it line by line, as NDJSON.
    }
  }
  return lines(body);
}

/** An HTTP ingest body, in the format its content type named. */
export function normalizeHttpBody(
  body: string,
  format: IngestFormat,
  receipt: HttpReceipt,
  options: NormalizeOptions,
): MonitorEvent[] {
  if (format === 'syslog') {
    return lines(body).map((line) => {
      const parsed = parseSyslog(line, {
        receivedAt: receipt.receivedAt,
        ...(options.defaultTimeZone ? { defaultTimeZone: options.defaultTimeZone } : {}),
      });
      const attribution = options.directory.attribute({
        sourceAddress: receipt.sourceIp,
        hostname: parsed.hostname,
        ...(receipt.tenantId ? { tenantId: receipt.tenantId } : {}),
      });
      return syslogEvent(parsed, line, {
        receivedAt: receipt.receivedAt,
        transport: 'http',
        listener: 'http',
        sourceAddress: receipt.sourceIp,
        attribution,
        extraFlags: [],
      });
    });
  }
  if (format === 'windows-xml') {
    return parseEventXmlBatch(body).map((r) =>
      r.ok
        ? windowsEvent(r.event, receipt, options)
        : unparsedEvent(r.raw, 'windows', 'unparsed_xml', r.error.message, receipt, options),
    );
  }
  // JSON: OpenWEC's records carry a System object; anything else must be our own JSON event shape.
  const out: MonitorEvent[] = [];
  for (const line of jsonLines(body)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      out.push(unparsedEvent(line, 'json', 'unparsed_json', (error as Error).message, receipt, options));
      continue;
    }
    if (typeof value === 'object' && value !== null && ('System' in value || 'meta' in value)) {
      for (const r of parseOpenWecJson(line)) {
        out.push(
          r.ok
            ? windowsEvent(r.event, receipt, options)
            : unparsedEvent(r.raw, 'windows', 'unparsed_openwec', r.error.message, receipt, options),
        );
      }
      continue;
    }
    const parsed = JsonEventInput.safeParse(value);
    out.push(
      parsed.success
        ? jsonEvent(parsed.data, line, receipt, options)
        : unparsedEvent(
            line,
            'json',
            'unparsed_json',
            parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; '),
            receipt,
            options,
          ),
    );
  }
  return out;
}
