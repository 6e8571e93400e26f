/**
 * What the Windows event parsers produce: `WindowsEvent`, one shape whether the event came as Event XML
 * (as Windows Event Forwarding collectors write it) or as OpenWEC JSON, and the per-record result of a
 * batch, which keeps the raw text of a record it could not read instead of dropping it.
 *
 * Field names follow the Event schema (event.xsd) in camelCase; EventData and UserData keep the
 * provider's own names so that rules written against Windows names (Sigma) need no mapping.
 */
import type { WindowsEventParseError } from './errors.ts';

/** A field value: text, or every value in order when a name repeats (and for unnamed `Data`). */
export type WindowsFieldValue = string | string[];
export type WindowsFields = Record<string, WindowsFieldValue>;

export interface WindowsTime {
  /** Exactly as written (Windows writes 7 fraction digits: 100 ns). */
  original: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SS.fff…Z`: at least 3 fraction digits, every digit written kept. */
  iso: string;
  /** Milliseconds since 1970 (sub-millisecond digits truncated; they stay in `iso`). */
  epochMs: number;
}

export interface WindowsProvider {
  name: string | null;
  guid: string | null;
  /** Classic providers registered under another name (`EventSourceName`). */
  eventSourceName: string | null;
}

export interface WindowsExecution {
  processId: number | null;
  threadId: number | null;
  processorId: number | null;
  sessionId: number | null;
  kernelTime: number | null;
  userTime: number | null;
  processorTime: number | null;
}

export interface WindowsRenderingInfo {
  message: string | null;
  level: string | null;
  task: string | null;
  opcode: string | null;
  channel: string | null;
  provider: string | null;
  keywords: string[];
  culture: string | null;
}

/** Who handed us the event, when it came through a collector (OpenWEC's `OpenWEC` object). */
export interface WindowsCollectorInfo {
  kind: 'openwec';
  /** The Windows client's address as the collector saw it. */
  ipAddress: string;
  timeReceived: WindowsTime;
  /** The client's Kerberos principal or TLS subject (`Client`, formerly `Principal`). */
  client: string | null;
  /** The OpenWEC node, when the collector names its nodes. */
  node: string | null;
  subscription: {
    uuid: string;
    version: string;
    name: string;
    uri: string | null;
    revision: string | null;
    clientRevision: string | null;
    serverRevision: string | null;
  };
  /** The collector's own parse error, with the event text it received. */
  error: { type: string; message: string | null; originalContent: string } | null;
}

export type WindowsEventSource = 'event-xml' | 'openwec-json' | 'openwec-raw-json';

export interface WindowsEvent {
  source: WindowsEventSource;
  provider: WindowsProvider;
  /** EventID masked to its low 16 bits: 7036, never 1073748860. */
  eventId: number;
  /** The `Qualifiers` (high 16 bits of classic event ids), when present. */
  qualifiers: number | null;
  /** The 32-bit value older tools show: `qualifiers << 16 | eventId`. */
  eventIdRaw: number;
  version: number | null;
  level: number | null;
  task: number | null;
  opcode: number | null;
  /** As written, e.g. `0x8020000000000000`. */
  keywords: string | null;
  /** From Keywords: 0x0020000000000000 audit success, 0x0010000000000000 audit failure. */
  auditResult: 'success' | 'failure' | null;
  timeCreated: WindowsTime | null;
  /** EventRecordID in decimal without leading zeros (a 64-bit counter: text, not a number). */
  eventRecordId: string | null;
  correlation: { activityId: string | null; relatedActivityId: string | null };
  execution: WindowsExecution | null;
  channel: string | null;
  /** The only element the schema requires: FQDN or NetBIOS name, as the machine wrote it. */
  computer: string;
  container: string | null;
  /** Security UserID (a SID). */
  userId: string | null;
  /** EventData: `Data Name=` → value; unnamed `Data` in order under `Data` (string[]); `Binary` as hex. */
  eventData: WindowsFields;
  /** `<EventData Name="…">`, which a few providers write. */
  eventDataName: string | null;
  /** UserData flattened by path below it: `LogFileCleared.SubjectUserName`; attributes as `path@name`. */
  userData: WindowsFields;
  /** The UserData element's child (`LogFileCleared`), the name that says what its fields mean. */
  userDataRoot: string | null;
  /** BinaryEventData, DebugData and ProcessingErrorData flattened the same way (`ProcessingErrorData.ErrorCode`). */
  extraData: WindowsFields;
  rendering: WindowsRenderingInfo | null;
  collector: WindowsCollectorInfo | null;
  /** What was tolerated (see WINDOWS_EVENT_FLAGS). */
  flags: string[];
  /** The record as received: the event's XML text, or the OpenWEC JSON line. */
  raw: string;
}

/**
 * Flags a parsed event may carry: each names something the parser tolerated instead of failing.
 */
export const WINDOWS_EVENT_FLAGS = {
  raw_content_recovered:
    'the XML was invalid from RenderingInfo on (a truncated rendering): it was cut there and closed, as OpenWEC does',
  invalid_xml_char: 'the XML holds characters XML 1.0 forbids (control characters, lone surrogates); kept',
  unexpected_namespace:
    'the Event element is not in the event namespace http://schemas.microsoft.com/win/2004/08/events/event',
  event_id_32bit: 'EventID carried the qualifiers in its high 16 bits; they were split off',
  time_created_missing: 'no TimeCreated SystemTime',
  time_created_invalid: 'TimeCreated SystemTime is not a valid timestamp (the original is in raw)',
  invalid_field:
    'a System field (Level, Task, Opcode, Version, Keywords, EventRecordID, Execution …) was malformed and is null',
  duplicate_element: 'a System element appeared twice; the first was kept',
  unknown_element: 'an element the Event schema does not define was ignored',
  unexpected_text: 'text where the schema has only elements was ignored',
  user_data_invalid:
    'OpenWEC UserData text is not well-formed XML; userData is empty (the original is in raw)',
  collector_parse_error:
    'the collector reported a parse error (collector.error); when it sent no System, the event was read here from the XML it kept',
} as const;

export type WindowsEventFlag = keyof typeof WINDOWS_EVENT_FLAGS;

/** One record of a batch: its event, or why it could not be read and its raw text. */
export type WindowsParseResult =
  | { ok: true; event: WindowsEvent; offset: number }
  | { ok: false; error: WindowsEventParseError; raw: string; offset: number };
