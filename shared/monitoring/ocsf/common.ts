/**
 * What every projected event shares: the class and activity header, severity, time, metadata, device
 * and raw data; and a reader of the event's `fields` that remembers which ones a class mapping used,
 * so the rest can go to `unmapped`.
 */
import { type MonitorEvent, SEVERITIES, type Severity } from '../../contracts/monitoring.ts';
import {
  OCSF_CATEGORIES,
  OCSF_SEVERITIES,
  OCSF_VERSION,
  type OcsfClass,
  type OcsfEvent,
  type OcsfObject,
  type OcsfSeverityId,
} from './types.ts';

/** Syslog severity 0-7 to OCSF: 0→6 Fatal, 1-2→5 Critical, 3→4 High, 4→3 Medium, 5→2 Low, 6-7→1 Informational. */
const BY_SYSLOG_RANK: readonly OcsfSeverityId[] = [6, 5, 5, 4, 3, 2, 1, 1];

export function ocsfSeverityId(severity: Severity): OcsfSeverityId {
  return BY_SYSLOG_RANK[SEVERITIES.indexOf(severity)] ?? 0;
}

export const PRODUCT: OcsfObject = Object.freeze({
  name: 'Outboard',
  vendor_name: 'Outboard',
  feature: Object.freeze({ name: 'Monitoring' }),
});

/** Epoch ms of an ISO time, or undefined. */
export function epochMs(text: string | null): number | undefined {
  if (text === null) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Drops keys whose value is undefined (OCSF omits unknown attributes rather than writing null). */
export function compact<T extends OcsfObject>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** `compact`, and undefined when nothing is left. */
export function nonEmpty(object: OcsfObject): OcsfObject | undefined {
  const out = compact(object);
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Reads Windows EventData / UserData values by name. A name is looked up as is, then as the last
 * segment of a nested key (`LogFileCleared.SubjectUserName`), since a parser may keep UserData's
 * element path. Windows writes `-` for an empty value: that reads as absent.
 */
export class FieldReader {
  readonly #fields: MonitorEvent['fields'];
  readonly #used = new Set<string>();
  constructor(event: MonitorEvent) {
    this.#fields = event.fields;
  }

  text(name: string): string | undefined {
    let key: string | undefined = Object.hasOwn(this.#fields, name) ? name : undefined;
    if (key === undefined) {
      key = Object.keys(this.#fields).find((k) => k.endsWith(`.${name}`) || k.endsWith(`/${name}`));
    }
    if (key === undefined) return undefined;
    this.#used.add(key);
    const value = this.#fields[key]!;
    const first = typeof value === 'string' ? value : value[0];
    return first === undefined || first === '' || first === '-' ? undefined : first;
  }

  /** A decimal or 0x-hex integer field (process ids, ports, NTSTATUS codes). */
  integer(name: string): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    if (/^-?\d{1,15}$/.test(text)) return Number(text);
    if (/^0x[0-9a-f]{1,13}$/i.test(text)) return Number.parseInt(text.slice(2), 16);
    return undefined;
  }

  /** The fields no mapping read, or undefined when there are none. */
  rest(): Record<string, string | string[]> | undefined {
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(this.#fields)) {
      if (!this.#used.has(key)) out[key] = typeof value === 'string' ? value : [...value];
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
}

/** The NULL SID, which Windows writes where there is no account (a failed logon's unknown subject). */
const NULL_SID = 'S-1-0-0';

/**
 * An OCSF user from Windows' `<prefix>UserName`, `<prefix>UserSid` (or `<prefix>Sid`) and
 * `<prefix>DomainName`; `-` and the NULL SID read as absent.
 */
export function windowsUser(fields: FieldReader, prefix: 'Subject' | 'Target'): OcsfObject | undefined {
  const sid = fields.text(`${prefix}UserSid`) ?? fields.text(`${prefix}Sid`);
  return nonEmpty({
    name: fields.text(`${prefix}UserName`),
    uid: sid === NULL_SID ? undefined : sid,
    domain: fields.text(`${prefix}DomainName`),
  });
}

/** The part of a Windows or POSIX path after the last separator. */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return cut === -1 ? path : path.slice(cut + 1);
}

export function fileObject(path: string | undefined): OcsfObject | undefined {
  return path === undefined ? undefined : { name: baseName(path), path, type_id: 1, type: 'Regular File' };
}

/** The event-level values no class maps, under their canonical names, plus the unread fields. */
function unmappedOf(event: MonitorEvent, fields: FieldReader): OcsfObject | undefined {
  return nonEmpty({
    facility: event.facility ?? undefined,
    procId: event.procId ?? undefined,
    msgId: event.msgId ?? undefined,
    recordId: event.recordId ?? undefined,
    structuredData: event.structuredData ?? undefined,
    fields: fields.rest(),
    flags: event.flags.length > 0 ? [...event.flags] : undefined,
    transport: event.transport,
    listener: event.listener,
    sourceAddress: event.sourceAddress ?? undefined,
    attributedBy: event.attributedBy ?? undefined,
    timeSource: event.timeSource,
  });
}

function deviceOf(event: MonitorEvent): OcsfObject {
  const attributed = event.guestId !== null;
  return compact({
    hostname: event.host ?? undefined,
    uid: event.guestId ?? undefined,
    type_id: attributed ? 6 : 0,
    type: attributed ? 'Virtual' : 'Unknown',
    os: event.sourceKind === 'windows' ? { name: 'Windows', type_id: 100, type: 'Windows' } : undefined,
  });
}

export interface Activity {
  readonly cls: OcsfClass;
  readonly id: number;
  readonly name: string;
}

/** The header, metadata, device, raw data and unmapped values of a projected event; the class adds the rest. */
export function projectedEvent(
  event: MonitorEvent,
  activity: Activity,
  fields: FieldReader,
  body: OcsfObject,
): OcsfEvent {
  const { cls } = activity;
  const severityId = ocsfSeverityId(event.severity);
  const time = epochMs(event.time) ?? epochMs(event.receivedAt) ?? 0;
  const base: OcsfEvent = {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: cls.category,
    category_name: OCSF_CATEGORIES[cls.category],
    class_uid: cls.uid,
    class_name: cls.name,
    type_uid: cls.uid * 100 + activity.id,
    type_name: `${cls.name}: ${activity.name}`,
    severity_id: severityId,
    severity: OCSF_SEVERITIES[severityId],
    time,
    message: event.message,
    ...body,
    device: deviceOf(event),
    metadata: compact({
      version: OCSF_VERSION,
      product: PRODUCT,
      profiles: ['host'],
      uid: event.id,
      tenant_uid: event.tenantId ?? undefined,
      log_name: event.channel ?? event.facility ?? undefined,
      log_provider: event.app ?? undefined,
      log_level: event.severity,
      event_code: event.eventId !== null ? String(event.eventId) : (event.msgId ?? undefined),
      original_time: event.timeText ?? undefined,
      logged_time: epochMs(event.receivedAt),
      is_truncated: event.flags.includes('truncated') ? true : undefined,
    }),
    raw_data: event.raw,
  };
  const unmapped = unmappedOf(event, fields);
  if (unmapped !== undefined) base.unmapped = unmapped;
  return compact(base);
}
