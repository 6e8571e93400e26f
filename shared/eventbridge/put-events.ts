/**
 * PutEvents as EventBridge validates it: request-level limits (1-10 entries, 256 KB computed as AWS
 * documents in "Calculating PutEvents event entry size", shape constraints) fail the whole call; each entry
 * is then checked on its own and gets a `PutEventsResultEntry` with an `EventId` or an
 * `ErrorCode`/`ErrorMessage`, as the real API answers. All functions here are pure.
 */
import { randomUUID } from 'node:crypto';

/** A PutEvents entry, shaped as in `@aws-sdk/client-eventbridge`. */
export interface PutEventsRequestEntry {
  Time?: Date | undefined;
  Source?: string | undefined;
  Resources?: string[] | undefined;
  DetailType?: string | undefined;
  /** A JSON object, as text. */
  Detail?: string | undefined;
  EventBusName?: string | undefined;
  TraceHeader?: string | undefined;
}

/** The per-entry answer of PutEvents: `EventId` on success, `ErrorCode` and `ErrorMessage` on failure. */
export interface PutEventsResultEntry {
  EventId?: string | undefined;
  ErrorCode?: string | undefined;
  ErrorMessage?: string | undefined;
}

export const PUT_EVENTS_ERROR_CODES = {
  invalidArgument: 'InvalidArgument',
  malformedDetail: 'MalformedDetail',
  notAuthorizedForSource: 'NotAuthorizedForSourceException',
} as const;
export type PutEventsErrorCode = (typeof PUT_EVENTS_ERROR_CODES)[keyof typeof PUT_EVENTS_ERROR_CODES];

export const PUT_EVENTS_LIMITS = {
  minEntries: 1,
  maxEntries: 10,
  /** 256 KB: the total of `entrySize` over a request's entries may not exceed this. */
  maxRequestBytes: 256 * 1024,
  /** What a present `Time` counts for in `entrySize`. */
  timeBytes: 14,
  maxDetailTypeLength: 128,
  /** PutEvents only processes Detail JSON nested up to this many levels. */
  maxDetailDepth: 1100,
  minEventBusNameLength: 1,
  maxEventBusNameLength: 1600,
  minTraceHeaderLength: 1,
  maxTraceHeaderLength: 500,
} as const;

/** Sources starting with this are reserved for AWS services. */
export const RESERVED_SOURCE_PREFIX = 'aws.';

const EVENT_BUS_NAME =
  /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;

/**
 * Thrown when the whole PutEvents request is refused (the SDK's `ValidationException`): no entry is
 * processed. `code` is the AWS error code.
 */
export class PutEventsRequestError extends Error {
  override readonly name = 'PutEventsRequestError';
  readonly code = 'ValidationException';
}

function utf8Bytes(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
}

/**
 * The size EventBridge counts for an entry: 14 bytes for a `Time` if present, plus the UTF-8 bytes of
 * `Source`, `DetailType`, `Detail` and each of `Resources`. `EventBusName` and `TraceHeader` are not counted.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? PUT_EVENTS_LIMITS.timeBytes : 0;
  size += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += utf8Bytes(r);
  return size;
}

function shapeError(value: unknown, member: string, constraint: string): PutEventsRequestError {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return new PutEventsRequestError(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function checkLength(value: unknown, member: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') throw shapeError(value, member, 'Member must be a string');
  if (value.length < min) {
    throw shapeError(value, member, `Member must have length greater than or equal to ${min}`);
  }
  if (value.length > max) {
    throw shapeError(value, member, `Member must have length less than or equal to ${max}`);
  }
}

/** Request-level checks: entry count, member shapes, then the total size. Throws `PutEventsRequestError`. */
export function checkPutEventsRequest(entries: readonly PutEventsRequestEntry[]): void {
  if (!Array.isArray(entries)) throw shapeError(entries, 'entries', 'Member must not be null');
  const { minEntries, maxEntries } = PUT_EVENTS_LIMITS;
  if (entries.length < minEntries) {
    throw shapeError([], 'entries', `Member must have length greater than or equal to ${minEntries}`);
  }
  if (entries.length > maxEntries) {
    throw new PutEventsRequestError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${maxEntries}`,
    );
  }
  let total = 0;
  entries.forEach((entry, i) => {
    const member = `entries.${i + 1}.member`;
    if (entry === null || typeof entry !== 'object') {
      throw shapeError(entry, member, 'Member must not be null');
    }
    const { EventBusName, TraceHeader } = entry;
    checkLength(
      EventBusName,
      `${member}.eventBusName`,
      PUT_EVENTS_LIMITS.minEventBusNameLength,
      PUT_EVENTS_LIMITS.maxEventBusNameLength,
    );
    if (typeof EventBusName === 'string' && !EVENT_BUS_NAME.test(EventBusName)) {
      throw shapeError(
        EventBusName,
        `${member}.eventBusName`,
        `Member must satisfy regular expression pattern: ${EVENT_BUS_NAME.source}`,
      );
    }
    checkLength(
      TraceHeader,
      `${member}.traceHeader`,
      PUT_EVENTS_LIMITS.minTraceHeaderLength,
      PUT_EVENTS_LIMITS.maxTraceHeaderLength,
    );
    total += entrySize(entry);
  });
  if (total > PUT_EVENTS_LIMITS.maxRequestBytes) {
    throw new PutEventsRequestError('Total size of the entries in the request is over the limit.');
  }
}

/** Nesting depth of a parsed JSON value (a scalar is 0, `{}` is 1), without recursion. */
function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) max = depth;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** Parses `Detail`; undefined unless it is the text of a JSON object EventBridge would process. */
export function parseDetail(detail: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  if (jsonDepth(parsed) > PUT_EVENTS_LIMITS.maxDetailDepth) return undefined;
  return parsed as Record<string, unknown>;
}

/** A failed entry's error, as PutEvents reports it. */
export interface PutEventsEntryError {
  ErrorCode: PutEventsErrorCode;
  ErrorMessage: string;
}

function invalid(parameter: string, reason: string): PutEventsEntryError {
  return {
    ErrorCode: PUT_EVENTS_ERROR_CODES.invalidArgument,
    ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
  };
}

function missing(value: unknown): boolean {
  return typeof value !== 'string' || value.length === 0;
}

/** Checks one entry as EventBridge does after the request passed; undefined when it would be accepted. */
export function validatePutEventsEntry(entry: PutEventsRequestEntry): PutEventsEntryError | undefined {
  for (const parameter of ['Source', 'DetailType', 'Detail'] as const) {
    if (missing(entry[parameter])) return invalid(parameter, `${parameter} is a required argument.`);
  }
  const source = entry.Source as string;
  const detailType = entry.DetailType as string;
  if (detailType.length > PUT_EVENTS_LIMITS.maxDetailTypeLength) {
    return invalid(
      'DetailType',
      `DetailType must be at most ${PUT_EVENTS_LIMITS.maxDetailTypeLength} characters long.`,
    );
  }
  if (source.startsWith(RESERVED_SOURCE_PREFIX)) {
    return {
      ErrorCode: PUT_EVENTS_ERROR_CODES.notAuthorizedForSource,
      ErrorMessage: 'Not authorized for the source.',
    };
  }
  if (parseDetail(entry.Detail as string) === undefined) {
    return { ErrorCode: PUT_EVENTS_ERROR_CODES.malformedDetail, ErrorMessage: 'Detail is malformed.' };
  }
  const { Resources, Time } = entry;
  if (Resources !== undefined && Resources !== null) {
    if (!Array.isArray(Resources) || Resources.some((r) => typeof r !== 'string')) {
      return invalid('Resources', 'Resources must be a list of strings.');
    }
  }
  if (Time !== undefined && Time !== null && !(Time instanceof Date && Number.isFinite(Time.getTime()))) {
    return invalid('Time', 'Time must be a valid timestamp.');
  }
  return undefined;
}

/** The outcome of validating a PutEvents request, in the order of the entries. */
export interface PutEventsValidation {
  /** `FailedEntryCount` of the response. */
  failed: number;
  /** `Entries` of the response: an `EventId` for each accepted entry, an error for each rejected one. */
  results: PutEventsResultEntry[];
}

/**
 * Validates a PutEvents request: throws `PutEventsRequestError` when the whole request is refused;
 * otherwise answers per entry, each accepted entry receiving an `EventId` from `newId`.
 */
export function validatePutEventsEntries(
  entries: readonly PutEventsRequestEntry[],
  newId: () => string = randomUUID,
): PutEventsValidation {
  checkPutEventsRequest(entries);
  let failed = 0;
  const results = entries.map((entry): PutEventsResultEntry => {
    const error = validatePutEventsEntry(entry);
    if (error === undefined) return { EventId: newId() };
    failed++;
    return { ErrorCode: error.ErrorCode, ErrorMessage: error.ErrorMessage };
  });
  return { failed, results };
}

/** The event as EventBridge delivers it to rule targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface EnvelopeContext {
  account: string;
  region: string;
  /** Event id generator (EventBridge uses UUIDs). */
  newId: () => string;
  /** Clock, for entries without `Time`. */
  now: () => Date;
}

/** RFC 3339 with second precision, as in EventBridge envelopes: `2017-12-22T18:43:48Z`. */
export function formatEventTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** Builds the delivered envelope of an entry that passed `validatePutEventsEntry`. */
export function buildEventEnvelope(entry: PutEventsRequestEntry, context: EnvelopeContext): EventEnvelope {
  const detail = parseDetail(entry.Detail ?? '');
  if (detail === undefined || missing(entry.Source) || missing(entry.DetailType)) {
    throw new TypeError('buildEventEnvelope needs an entry that passed validatePutEventsEntry');
  }
  return {
    version: '0',
    id: context.newId(),
    'detail-type': entry.DetailType as string,
    source: entry.Source as string,
    account: context.account,
    time: formatEventTime(entry.Time ?? context.now()),
    region: context.region,
    resources: [...(entry.Resources ?? [])],
    detail,
  };
}

export interface AcceptedEvent {
  /** Position of the entry in the request. */
  index: number;
  /** The bus named by the entry, if any (otherwise the default bus). */
  eventBusName: string | undefined;
  envelope: EventEnvelope;
}

export interface PutEventsOutcome {
  /** The PutEvents response. */
  response: { FailedEntryCount: number; Entries: PutEventsResultEntry[] };
  /** The envelopes of the accepted entries; each `EventId` in the response is its envelope's `id`. */
  accepted: AcceptedEvent[];
}

/**
 * Validates a request and builds the envelopes of the accepted entries in one go. Throws
 * `PutEventsRequestError` when the whole request is refused.
 */
export function putEvents(
  entries: readonly PutEventsRequestEntry[],
  context: EnvelopeContext,
): PutEventsOutcome {
  checkPutEventsRequest(entries);
  const accepted: AcceptedEvent[] = [];
  let failed = 0;
  const results = entries.map((entry, index): PutEventsResultEntry => {
    const error = validatePutEventsEntry(entry);
    if (error !== undefined) {
      failed++;
      return { ErrorCode: error.ErrorCode, ErrorMessage: error.ErrorMessage };
    }
    const envelope = buildEventEnvelope(entry, context);
    accepted.push({ index, eventBusName: entry.EventBusName, envelope });
    return { EventId: envelope.id };
  });
  return { response: { FailedEntryCount: failed, Entries: results }, accepted };
}
