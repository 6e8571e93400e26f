/**
 * Test factories for canonical monitoring events: syslog lines and Windows events as the parsers turn
 * them into `MonitorEvent`s (fields named as the senders name them), with realistic raw records.
 */
import type { Facility, MonitorEvent, Severity } from '../../../../shared/contracts/monitoring.ts';

export const TENANT = 'acme';
export const GUEST = 'gst_0123456789ab';
export const OTHER_GUEST = 'gst_ba9876543210';
/** 2025-03-04T10:00:00.000Z */
export const T0 = Date.UTC(2025, 2, 4, 10, 0, 0);

const iso = (ms: number) => new Date(ms).toISOString();

let counter = 0;
function nextId(): string {
  counter += 1;
  return `evt-${counter.toString(16).padStart(8, '0')}`;
}

export interface Timing {
  /** Receipt time in ms (default T0). */
  at?: number;
  /** Event time in ms (default: the receipt time). */
  eventAt?: number;
}

const SYSLOG_FACILITY_CODES: Partial<Record<Facility, number>> = {
  kern: 0,
  user: 1,
  daemon: 3,
  auth: 4,
  syslog: 5,
  cron: 9,
  authpriv: 10,
  ntp: 12,
};
const SEVERITY_CODES: Record<Severity, number> = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
};

export interface SyslogOptions extends Timing {
  app: string | null;
  message: string;
  host?: string | null;
  facility?: Facility | null;
  severity?: Severity;
  procId?: string | null;
  structuredData?: MonitorEvent['structuredData'];
  tenantId?: string | null;
  guestId?: string | null;
  flags?: string[];
  fields?: MonitorEvent['fields'];
}

/** A syslog record as an RFC 3164 line from rsyslog would become. */
export function syslogEvent(o: SyslogOptions): MonitorEvent {
  const at = o.at ?? T0;
  const eventAt = o.eventAt ?? at;
  const facility = o.facility === undefined ? 'daemon' : o.facility;
  const severity = o.severity ?? 'informational';
  const host = o.host === undefined ? 'web-1' : o.host;
  const procId = o.procId === undefined ? '1234' : o.procId;
  const pri = (SYSLOG_FACILITY_CODES[facility ?? 'user'] ?? 1) * 8 + SEVERITY_CODES[severity];
  const d = new Date(eventAt);
  const stamp = `${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
  const tag = o.app === null ? '' : `${o.app}${procId === null ? '' : `[${procId}]`}: `;
  const attributed = o.guestId === undefined ? GUEST : o.guestId;
  return {
    id: nextId(),
    time: iso(eventAt),
    timeText: stamp,
    timeSource: 'event',
    receivedAt: iso(at),
    tenantId: o.tenantId === undefined ? TENANT : o.tenantId,
    guestId: attributed,
    attributedBy: attributed === null ? null : 'source-address',
    host,
    sourceKind: 'syslog',
    transport: 'tcp',
    listener: 'syslog-tcp',
    sourceAddress: '192.0.2.10',
    severity,
    facility,
    app: o.app,
    procId,
    msgId: null,
    eventId: null,
    channel: null,
    recordId: null,
    message: o.message,
    structuredData: o.structuredData ?? null,
    fields: o.fields ?? {},
    flags: o.flags ?? [],
    raw: `<${pri}>${stamp} ${host ?? ''} ${tag}${o.message}`,
  };
}

/** A kernel message as rsyslog's imklog forwards it. */
export function kernelEvent(message: string, timing: Timing & { severity?: Severity } = {}): MonitorEvent {
  return syslogEvent({
    ...timing,
    app: 'kernel',
    procId: null,
    facility: 'kern',
    severity: timing.severity ?? 'error',
    message,
  });
}

export interface WindowsOptions extends Timing {
  eventId: number;
  provider: string;
  channel: string;
  fields?: Record<string, string | string[]>;
  message?: string;
  severity?: Severity;
  host?: string;
  recordId?: number;
  tenantId?: string | null;
  guestId?: string | null;
}

const PROVIDER_GUIDS: Record<string, string> = {
  'Microsoft-Windows-Security-Auditing': '{54849625-5478-4994-a5ba-3e3b0328c30d}',
  'Microsoft-Windows-Eventlog': '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}',
  'Microsoft-Windows-Kernel-General': '{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}',
};

let record = 40_000;

/** A Windows event as the Event XML parser turns it into a canonical event. */
export function windowsEvent(o: WindowsOptions): MonitorEvent {
  const at = o.at ?? T0;
  const eventAt = o.eventAt ?? at;
  const host = o.host ?? 'DC01.corp.example.com';
  record += 1;
  const recordId = String(o.recordId ?? record);
  const fields = o.fields ?? {};
  const data = Object.entries(fields)
    .map(([name, value]) => `<Data Name="${name}">${Array.isArray(value) ? value.join(' ') : value}</Data>`)
    .join('');
  const guid = PROVIDER_GUIDS[o.provider];
  const providerXml =
    guid === undefined
      ? `<Provider Name="${o.provider}"/>`
      : `<Provider Name="${o.provider}" Guid="${guid}"/>`;
  const systemTime = `${new Date(eventAt).toISOString().slice(0, 23)}4567Z`;
  const attributed = o.guestId === undefined ? GUEST : o.guestId;
  return {
    id: nextId(),
    time: iso(eventAt),
    timeText: systemTime,
    timeSource: 'event',
    receivedAt: iso(at),
    tenantId: o.tenantId === undefined ? TENANT : o.tenantId,
    guestId: attributed,
    attributedBy: attributed === null ? null : 'tls-certificate',
    host,
    sourceKind: 'windows',
    transport: 'http',
    listener: 'ingest-http',
    sourceAddress: '192.0.2.20',
    severity: o.severity ?? 'informational',
    facility: null,
    app: o.provider,
    procId: '636',
    msgId: null,
    eventId: o.eventId,
    channel: o.channel,
    recordId,
    message: o.message ?? '',
    structuredData: null,
    fields,
    flags: [],
    raw: `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>${providerXml}<EventID>${o.eventId}</EventID><TimeCreated SystemTime="${systemTime}"/><EventRecordID>${recordId}</EventRecordID><Channel>${o.channel}</Channel><Computer>${host}</Computer></System><EventData>${data}</EventData></Event>`,
  };
}

/** A Security-channel audit event (Microsoft-Windows-Security-Auditing). */
export function securityEvent(
  eventId: number,
  fields: Record<string, string>,
  options: Omit<WindowsOptions, 'eventId' | 'provider' | 'channel' | 'fields'> = {},
): MonitorEvent {
  return windowsEvent({
    ...options,
    eventId,
    provider: 'Microsoft-Windows-Security-Auditing',
    channel: 'Security',
    fields,
  });
}

/** A System-channel event from the Service Control Manager. */
export function scmEvent(
  eventId: number,
  fields: Record<string, string>,
  options: Omit<WindowsOptions, 'eventId' | 'provider' | 'channel' | 'fields'> = {},
): MonitorEvent {
  return windowsEvent({
    ...options,
    eventId,
    provider: 'Service Control Manager',
    channel: 'System',
    fields,
  });
}

/** 4625 EventData as Windows Server writes it for a bad password over the network. */
export function failedLogonFields(
  user: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    SubjectUserSid: 'S-1-0-0',
    SubjectUserName: '-',
    SubjectDomainName: '-',
    SubjectLogonId: '0x0',
    TargetUserSid: 'S-1-0-0',
    TargetUserName: user,
    TargetDomainName: 'CORP',
    Status: '0xc000006d',
    FailureReason: '%%2313',
    SubStatus: '0xc000006a',
    LogonType: '3',
    LogonProcessName: 'NtLmSsp ',
    AuthenticationPackageName: 'NTLM',
    WorkstationName: 'KALI',
    TransmittedServices: '-',
    LmPackageName: '-',
    KeyLength: '0',
    ProcessId: '0x0',
    ProcessName: '-',
    IpAddress: '203.0.113.45',
    IpPort: '51234',
    ...overrides,
  };
}

/** Subject fields of an administrator acting on a domain controller. */
export const ADMIN_SUBJECT = {
  SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-500',
  SubjectUserName: 'Administrator',
  SubjectDomainName: 'CORP',
  SubjectLogonId: '0x3e7a1',
} as const;
