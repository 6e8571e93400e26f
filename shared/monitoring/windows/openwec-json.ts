/**
 * OpenWEC's JSON output, one object per line, to WindowsEvent with the collector's metadata:
 *
 * - the `Json` format: `{System, EventData | UserData | BinaryEventData | DebugData | ProcessingErrorData,
 *   RenderingInfo, OpenWEC: {IpAddress, TimeReceived, Principal | Client, Node, Subscription, Error}}`,
 *   where UserData is the XML text of the UserData element's content (parsed here and flattened);
 * - the `RawJson` format: `{meta: <the OpenWEC object>, data: "<Event …>"}`, whose XML is read by the
 *   Event XML reader.
 *
 * Shapes follow cea-sec/openwec doc/formats.md and server/src/formats/json.rs. Every object is strict:
 * a key this reader does not know is an error, not silently dropped. EventRecordID keeps every digit
 * of its 64 bits (read from the JSON text when a JavaScript number cannot hold it). When OpenWEC could
 * not parse the event (its `Error` object, with no System), the XML it kept in `Error.OriginalContent`
 * is parsed here instead.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { FieldMap, readUserData } from './body.ts';
import { WindowsEventParseError } from './errors.ts';
import { eventFromXml } from './event-xml.ts';
import { buildSystem } from './system.ts';
import { parseWindowsTime } from './time.ts';
import type { WindowsCollectorInfo, WindowsEvent, WindowsFields, WindowsParseResult } from './types.ts';
import type { XmlLimits } from './xml.ts';
import { parseXml } from './xml.ts';

export interface OpenWecJsonOptions {
  /** Characters in one line (default 4 MiB). */
  maxRecordSize?: number;
  /** Limits for the XML inside a record (RawJson data, UserData, Error.OriginalContent). */
  limits?: Partial<XmlLimits>;
}

const DEFAULT_MAX_RECORD = 4 * 1024 * 1024;

const uint = (max: number) => z.number().int().min(0).max(max);
const u8 = uint(0xff);
const u16 = uint(0xffff);
const u32 = uint(0xffffffff);

const Provider = z.strictObject({
  Name: z.string().optional(),
  Guid: z.string().optional(),
  EventSourceName: z.string().optional(),
});

const System = z.strictObject({
  Provider: Provider.optional(),
  EventID: u32,
  EventIDQualifiers: u16.optional(),
  Version: u8.optional(),
  Level: u8.optional(),
  Task: u16.optional(),
  Opcode: u8.optional(),
  Keywords: z.string().optional(),
  TimeCreated: z.string().optional(),
  /** The number's digits as written (see `parseJson`). */
  EventRecordID: z
    .string()
    .regex(/^[0-9]{1,20}$/, 'an unsigned integer')
    .optional(),
  Correlation: z
    .strictObject({ ActivityID: z.string().optional(), RelatedActivityID: z.string().optional() })
    .optional(),
  Execution: z
    .strictObject({
      ProcessID: u32,
      ThreadID: u32,
      ProcessorID: u8.optional(),
      SessionID: u32.optional(),
      KernelTime: u32.optional(),
      UserTime: u32.optional(),
      ProcessorTime: z.number().int().min(0).optional(),
    })
    .optional(),
  Channel: z.string().optional(),
  Computer: z.string(),
  Container: z.string().optional(),
  UserID: z.string().optional(),
});

const RenderingInfo = z.strictObject({
  Message: z.string().optional(),
  Level: z.string().optional(),
  Task: z.string().optional(),
  Opcode: z.string().optional(),
  Channel: z.string().optional(),
  Provider: z.string().optional(),
  Keywords: z.array(z.string()).optional(),
  Culture: z.string().optional(),
});

const DebugData = z.strictObject({
  SequenceNumber: u32.optional(),
  FlagsName: z.string().optional(),
  LevelName: z.string().optional(),
  Component: z.string(),
  SubComponent: z.string().optional(),
  FileLine: z.string().optional(),
  Function: z.string().optional(),
  Message: z.string(),
});

const ProcessingErrorData = z.strictObject({
  ErrorCode: u32,
  DataItemName: z.string(),
  EventPayload: z.string(),
});

const ERROR_TYPES = [
  'RawContentRecovered',
  'FailedToRecoverRawContent',
  'Unrecoverable',
  'FailedToFeedEvent',
  'Unknown',
] as const;

const OpenWecMeta = z.strictObject({
  IpAddress: z.string().refine((s) => isIP(s) !== 0, 'an IP address'),
  TimeReceived: z.string(),
  Principal: z.string().optional(),
  Client: z.string().optional(),
  Node: z.string().optional(),
  Subscription: z.strictObject({
    Uuid: z.string(),
    Version: z.string(),
    Name: z.string(),
    Uri: z.string().optional(),
    Revision: z.string().optional(),
    ClientRevision: z.string().optional(),
    ServerRevision: z.string().optional(),
  }),
  Error: z
    .strictObject({
      OriginalContent: z.string(),
      Type: z.enum(ERROR_TYPES),
      Message: z.string().optional(),
    })
    .optional(),
});

const JsonRecord = z.strictObject({
  System: System.optional(),
  /** Checked by hand (readEventDataJson): arbitrary names, string values. */
  EventData: z.unknown().optional(),
  UserData: z.string().optional(),
  BinaryEventData: z.string().optional(),
  DebugData: DebugData.optional(),
  ProcessingErrorData: ProcessingErrorData.optional(),
  RenderingInfo: RenderingInfo.optional(),
  OpenWEC: OpenWecMeta,
});

const RawJsonRecord = z.strictObject({ meta: OpenWecMeta, data: z.string() });

/** Every non-blank line of `text` (LF or CRLF), in order; never throws. */
export function parseOpenWecJson(text: string, options: OpenWecJsonOptions = {}): WindowsParseResult[] {
  const out: WindowsParseResult[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, text.charCodeAt(end - 1) === 0x0d ? end - 1 : end);
    if (line.trim() !== '') {
      try {
        out.push({ ok: true, event: parseOpenWecRecord(line, options), offset: start });
      } catch (error) {
        if (!(error instanceof WindowsEventParseError)) throw error;
        out.push({ ok: false, error, raw: line, offset: start });
      }
    }
    start = end + 1;
  }
  return out;
}

/** One OpenWEC JSON object (Json or RawJson format); throws WindowsEventParseError. */
export function parseOpenWecRecord(record: string, options: OpenWecJsonOptions = {}): WindowsEvent {
  const max = options.maxRecordSize ?? DEFAULT_MAX_RECORD;
  if (record.length > max) fail(`record is ${record.length} characters, over the limit of ${max}`, 0);
  const value = parseJson(record);
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'meta' in value &&
    'data' in value
  ) {
    const raw = check(RawJsonRecord, value);
    const collector = collectorInfo(raw.meta);
    const event = xmlOrFail(raw.data, 'openwec-raw-json', options, 'data');
    return { ...event, collector, raw: record };
  }
  const json = check(JsonRecord, value);
  const collector = collectorInfo(json.OpenWEC);
  if (!json.System) {
    const kept = collector.error;
    if (!kept) fail('no System object and no OpenWEC.Error.OriginalContent to read the event from');
    const event = xmlOrFail(kept.originalContent, 'openwec-json', options, 'OpenWEC.Error.OriginalContent');
    return {
      ...event,
      collector,
      flags: [...new Set([...event.flags, 'collector_parse_error'])],
      raw: record,
    };
  }
  const flags = new Set<string>();
  if (collector.error)
    flags.add(
      collector.error.type === 'RawContentRecovered' ? 'raw_content_recovered' : 'collector_parse_error',
    );
  const s = json.System;
  const system = buildSystem(
    {
      providerName: s.Provider?.Name,
      providerGuid: s.Provider?.Guid,
      eventSourceName: s.Provider?.EventSourceName,
      eventId: s.EventID,
      qualifiers: s.EventIDQualifiers,
      version: s.Version,
      level: s.Level,
      task: s.Task,
      opcode: s.Opcode,
      keywords: s.Keywords,
      timeCreated: s.TimeCreated,
      eventRecordId: s.EventRecordID,
      activityId: s.Correlation?.ActivityID,
      relatedActivityId: s.Correlation?.RelatedActivityID,
      execution: s.Execution && {
        processId: s.Execution.ProcessID,
        threadId: s.Execution.ThreadID,
        processorId: s.Execution.ProcessorID,
        sessionId: s.Execution.SessionID,
        kernelTime: s.Execution.KernelTime,
        userTime: s.Execution.UserTime,
        processorTime: s.Execution.ProcessorTime,
      },
      channel: s.Channel,
      computer: s.Computer,
      container: s.Container,
      userId: s.UserID,
    },
    flags,
    (reason) => fail(`System: ${reason}`),
  );

  const userData = new FieldMap();
  let userDataRoot: string | null = null;
  if (json.UserData !== undefined) {
    try {
      const doc = parseXml(`<UserData>${json.UserData}</UserData>`, options.limits);
      for (const f of doc.flags) flags.add(f);
      userDataRoot = readUserData(doc.root, userData, flags);
    } catch (error) {
      if (!(error instanceof WindowsEventParseError)) throw error;
      flags.add('user_data_invalid');
    }
  }
  const extra = new FieldMap();
  if (json.BinaryEventData !== undefined) extra.add('BinaryEventData', json.BinaryEventData);
  for (const [part, data] of [
    ['DebugData', json.DebugData],
    ['ProcessingErrorData', json.ProcessingErrorData],
  ] as const) {
    if (data) for (const [k, v] of Object.entries(data)) extra.add(`${part}.${k}`, String(v));
  }
  const r = json.RenderingInfo;
  return {
    source: 'openwec-json',
    ...system,
    eventData: json.EventData === undefined ? {} : readEventDataJson(json.EventData),
    eventDataName: null,
    userData: userData.toObject(),
    userDataRoot,
    extraData: extra.toObject(),
    rendering: r
      ? {
          message: r.Message ?? null,
          level: r.Level ?? null,
          task: r.Task ?? null,
          opcode: r.Opcode ?? null,
          channel: r.Channel ?? null,
          provider: r.Provider ?? null,
          keywords: r.Keywords ?? [],
          culture: r.Culture ?? null,
        }
      : null,
    collector,
    flags: [...flags],
    raw: record,
  };
}

function fail(reason: string, position?: number): never {
  throw new WindowsEventParseError('openwec-json', reason, position);
}

/**
 * JSON.parse, with System.EventRecordID turned into its digits. JSON numbers lose digits past 2^53, so
 * a larger one is taken from the record's text: `"EventRecordID": <number>` can only be a key there (a
 * quote inside a JSON string is escaped), and it must be the only one.
 */
function parseJson(record: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch (error) {
    return fail(`not a JSON object: ${error instanceof Error ? error.message : String(error)}`);
  }
  const system = isObject(value) ? value.System : undefined;
  if (!isObject(system) || typeof system.EventRecordID !== 'number') return value;
  const id = system.EventRecordID;
  if (Number.isSafeInteger(id) && id >= 0) system.EventRecordID = String(id);
  else {
    const written = [...record.matchAll(RECORD_ID_NUMBER)];
    system.EventRecordID = written.length === 1 ? written[0]![1]! : String(id);
  }
  return value;
}

const RECORD_ID_NUMBER = /"EventRecordID"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`);
  const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
  return fail(`not an OpenWEC event: ${issues.join('; ')}${more}`);
}

function collectorInfo(meta: z.infer<typeof OpenWecMeta>): WindowsCollectorInfo {
  const timeReceived = parseWindowsTime(meta.TimeReceived);
  if (!timeReceived)
    fail(`OpenWEC.TimeReceived ${JSON.stringify(meta.TimeReceived)} is not an RFC 3339 timestamp`);
  const s = meta.Subscription;
  return {
    kind: 'openwec',
    ipAddress: meta.IpAddress,
    timeReceived,
    client: meta.Client ?? meta.Principal ?? null,
    node: meta.Node ?? null,
    subscription: {
      uuid: s.Uuid,
      version: s.Version,
      name: s.Name,
      uri: s.Uri ?? null,
      revision: s.Revision ?? null,
      clientRevision: s.ClientRevision ?? null,
      serverRevision: s.ServerRevision ?? null,
    },
    error: meta.Error
      ? {
          type: meta.Error.Type,
          message: meta.Error.Message ?? null,
          originalContent: meta.Error.OriginalContent,
        }
      : null,
  };
}

function xmlOrFail(
  xml: string,
  source: WindowsEvent['source'],
  options: OpenWecJsonOptions,
  where: string,
): WindowsEvent {
  try {
    return eventFromXml(xml, source, options.limits ? { limits: options.limits } : {});
  } catch (error) {
    if (!(error instanceof WindowsEventParseError)) throw error;
    return fail(`${where}: ${error.message}`);
  }
}

/** EventData as OpenWEC writes it: name → string, unnamed values under `Data` (string[]), `Binary` (string). */
function readEventDataJson(value: unknown): WindowsFields {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail('EventData: expected an object');
  const fields = new FieldMap();
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') fields.add(name, v);
    else if (name === 'Data' && Array.isArray(v) && v.every((x) => typeof x === 'string'))
      fields.addList(name, v);
    else fail(`EventData.${name}: expected a string${name === 'Data' ? ' or an array of strings' : ''}`);
  }
  return fields.toObject();
}
