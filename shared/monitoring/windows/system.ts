/**
 * The System part of a Windows event, from the values as found — text from Event XML, numbers from
 * OpenWEC JSON — to the typed fields of WindowsEvent. Computer and EventID are required (an event without
 * them cannot be attributed or matched); any other malformed field becomes null with a flag, so one
 * odd value does not cost the whole record.
 */
import { parseWindowsTime } from './time.ts';
import type { WindowsEvent, WindowsExecution } from './types.ts';

type Scalar = string | number | undefined;

export interface SystemInput {
  providerName?: string | undefined;
  providerGuid?: string | undefined;
  eventSourceName?: string | undefined;
  eventId?: Scalar;
  qualifiers?: Scalar;
  version?: Scalar;
  level?: Scalar;
  task?: Scalar;
  opcode?: Scalar;
  keywords?: string | undefined;
  timeCreated?: string | undefined;
  eventRecordId?: Scalar;
  activityId?: string | undefined;
  relatedActivityId?: string | undefined;
  execution?:
    | {
        processId?: Scalar;
        threadId?: Scalar;
        processorId?: Scalar;
        sessionId?: Scalar;
        kernelTime?: Scalar;
        userTime?: Scalar;
        processorTime?: Scalar;
      }
    | undefined;
  channel?: string | undefined;
  computer?: string | undefined;
  container?: string | undefined;
  userId?: string | undefined;
}

export type SystemFields = Pick<
  WindowsEvent,
  | 'provider'
  | 'eventId'
  | 'qualifiers'
  | 'eventIdRaw'
  | 'version'
  | 'level'
  | 'task'
  | 'opcode'
  | 'keywords'
  | 'auditResult'
  | 'timeCreated'
  | 'eventRecordId'
  | 'correlation'
  | 'execution'
  | 'channel'
  | 'computer'
  | 'container'
  | 'userId'
>;

const AUDIT_SUCCESS = 0x0020000000000000n;
const AUDIT_FAILURE = 0x0010000000000000n;
const U64_MAX = 0xffffffffffffffffn;

/**
 * Builds the System fields; `fail` is called (and must throw) when Computer or EventID is missing or
 * unusable. Tolerated problems are added to `flags`.
 */
export function buildSystem(
  input: SystemInput,
  flags: Set<string>,
  fail: (reason: string) => never,
): SystemFields {
  const computer = input.computer?.trim() ?? '';
  if (computer === '') fail(input.computer === undefined ? 'no Computer element' : 'Computer is empty');

  const id = unsigned(input.eventId, 0xffffffff);
  if (id === undefined) fail('no EventID');
  if (id === null) fail(`EventID ${JSON.stringify(String(input.eventId))} is not an unsigned 32-bit number`);
  let qualifiers = number(input.qualifiers, 0xffff, flags);
  if (id > 0xffff) {
    flags.add('event_id_32bit');
    qualifiers ??= Math.floor(id / 0x10000);
  }
  const eventId = id & 0xffff;

  const keywords = text(input.keywords);
  let auditResult: SystemFields['auditResult'] = null;
  if (keywords !== null) {
    if (/^0x[0-9A-Fa-f]{1,16}$/.test(keywords)) {
      const bits = BigInt(keywords);
      const success = (bits & AUDIT_SUCCESS) !== 0n;
      const failure = (bits & AUDIT_FAILURE) !== 0n;
      auditResult = success && !failure ? 'success' : failure && !success ? 'failure' : null;
    } else flags.add('invalid_field');
  }

  let timeCreated: SystemFields['timeCreated'] = null;
  const timeText = text(input.timeCreated);
  if (timeText === null) flags.add('time_created_missing');
  else {
    timeCreated = parseWindowsTime(timeText);
    if (timeCreated === null) flags.add('time_created_invalid');
  }

  return {
    provider: {
      name: text(input.providerName),
      guid: text(input.providerGuid),
      eventSourceName: text(input.eventSourceName),
    },
    eventId,
    qualifiers,
    eventIdRaw: (qualifiers ?? 0) * 0x10000 + eventId,
    version: number(input.version, 0xff, flags),
    level: number(input.level, 0xff, flags),
    task: number(input.task, 0xffff, flags),
    opcode: number(input.opcode, 0xff, flags),
    keywords,
    auditResult,
    timeCreated,
    eventRecordId: recordId(input.eventRecordId, flags),
    correlation: { activityId: text(input.activityId), relatedActivityId: text(input.relatedActivityId) },
    execution: input.execution ? execution(input.execution, flags) : null,
    channel: text(input.channel),
    computer,
    container: text(input.container),
    userId: text(input.userId),
  };
}

function execution(e: NonNullable<SystemInput['execution']>, flags: Set<string>): WindowsExecution {
  const u32 = 0xffffffff;
  return {
    processId: number(e.processId, u32, flags),
    threadId: number(e.threadId, u32, flags),
    processorId: number(e.processorId, 0xff, flags),
    sessionId: number(e.sessionId, u32, flags),
    kernelTime: number(e.kernelTime, u32, flags),
    userTime: number(e.userTime, u32, flags),
    processorTime: number(e.processorTime, Number.MAX_SAFE_INTEGER, flags),
  };
}

/** Trimmed text, null when absent or empty. */
function text(value: string | undefined): string | null {
  if (value === undefined) return null;
  const t = value.trim();
  return t === '' ? null : t;
}

/** undefined when absent or empty, null when malformed or above `max`. */
function unsigned(value: Scalar, max: number): number | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= max ? value : null;
  const t = value.trim();
  if (t === '') return undefined;
  if (!/^[0-9]{1,20}$/.test(t)) return null;
  const n = Number(t);
  return n <= max ? n : null;
}

function number(value: Scalar, max: number, flags: Set<string>): number | null {
  const n = unsigned(value, max);
  if (n === null) flags.add('invalid_field');
  return n ?? null;
}

function recordId(value: Scalar, flags: Set<string>): string | null {
  if (value === undefined) return null;
  const t =
    typeof value === 'number'
      ? Number.isSafeInteger(value) && value >= 0
        ? String(value)
        : ''
      : value.trim();
  if (typeof value === 'string' && t === '') return null;
  if (!/^[0-9]{1,20}$/.test(t) || BigInt(t) > U64_MAX) {
    flags.add('invalid_field');
    return null;
  }
  return BigInt(t).toString();
}
