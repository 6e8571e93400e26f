/**
 * What every syslog parser does the same way: the empty message, the start of a record (transport
 * residue, a leaked octet count, the PRI), the receive time as the event time, and the message text
 * (BOM, rsyslog escapes).
 */
import { unescapeControlChars } from './escapes.ts';
import { isoOfMs } from './time.ts';
import type { SyslogMessage, SyslogParseOptions } from './types.ts';

const SP = 32;
const LT = 60;
const GT = 62;
const BOM = 0xfeff;

/** RFC 3164 §4.3.3: a relay gives a record without a usable PRI this one (user.notice). */
export const DEFAULT_PRI = 13;
const MAX_PRI = 191;
/** An octet count longer than this is not taken for framing (syslog-ng's limit). */
const MAX_FRAME_DIGITS = 10;
/** Digits of a `<…>` read before it is declared malformed. */
const MAX_PRI_DIGITS = 12;

export function newMessage(): SyslogMessage {
  return {
    format: 'unknown',
    pri: DEFAULT_PRI,
    facility: DEFAULT_PRI >> 3,
    severity: DEFAULT_PRI & 7,
    version: null,
    timestamp: null,
    timestampText: null,
    timestampMs: null,
    timeSource: 'received',
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: '',
    messageAbsent: true,
    flags: [],
  };
}

export const PRI_OK = 0;
export const PRI_MISSING = 1;
/** `<` that does not open a PRI: the whole record is the message. */
export const PRI_MALFORMED = 2;

/** Where the last readHead found things. */
export const head = {
  /** Start of the record proper (after a leaked octet count). */
  start: 0,
  /** After the PRI (== start when there is none). */
  body: 0,
  /** End of the record without trailing LF, CR and NUL. */
  end: 0,
  pri: PRI_OK as typeof PRI_OK | typeof PRI_MISSING | typeof PRI_MALFORMED,
};

function utf8Length(text: string, start: number): number {
  let n = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * A leaked RFC 6587 octet count: 1–10 digits without leading zero and a space, then either a `<`
 * or exactly as many octets as the count says (`5 aaaaa`). Returns where the record starts.
 */
function skipFraming(text: string, end: number, msg: SyslogMessage): number {
  const first = text.charCodeAt(0);
  if (first < 49 || first > 57) return 0;
  let i = 1;
  let count = first - 48;
  while (i < end && i <= MAX_FRAME_DIGITS) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    count = count * 10 + d;
    i++;
  }
  if (i > MAX_FRAME_DIGITS || text.charCodeAt(i) !== SP || i + 1 >= end) return 0;
  if (text.charCodeAt(i + 1) !== LT && utf8Length(text, i + 1) !== count) return 0;
  msg.flags.push('unexpected_framing');
  return i + 1;
}

/** Fills PRI, facility and severity, and `head`. */
export function readHead(text: string, msg: SyslogMessage): void {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end--;
  }
  head.end = end;
  const start = skipFraming(text, end, msg);
  head.start = start;
  head.body = start;
  if (text.charCodeAt(start) !== LT || start >= end) {
    head.pri = PRI_MISSING;
    msg.flags.push('pri_missing');
    return;
  }
  let i = start + 1;
  let value = 0;
  while (i < end && i - start <= MAX_PRI_DIGITS) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    i++;
  }
  const digits = i - start - 1;
  if (digits === 0 || i >= end || text.charCodeAt(i) !== GT) {
    head.pri = PRI_MALFORMED;
    msg.flags.push('invalid_pri');
    return;
  }
  head.pri = PRI_OK;
  head.body = i + 1;
  if (digits > 3 || value > MAX_PRI) {
    msg.flags.push('invalid_pri');
    return;
  }
  if (digits > 1 && text.charCodeAt(start + 1) === 48) msg.flags.push('pri_nonstandard');
  msg.pri = value;
  msg.facility = value >> 3;
  msg.severity = value & 7;
}

/** The receive time (the option when it is a usable epoch-ms number, else now). */
export function receivedAtOf(options: SyslogParseOptions | undefined): number {
  const at = options?.receivedAt;
  return typeof at === 'number' && Number.isFinite(at) && Math.abs(at) <= 8.64e15
    ? Math.floor(at)
    : Date.now();
}

/** The record has no usable timestamp: the receive time stands in. */
export function useReceivedTime(msg: SyslogMessage, options: SyslogParseOptions | undefined): void {
  const at = receivedAtOf(options);
  msg.timeSource = 'received';
  msg.timestampMs = at;
  msg.timestamp = isoOfMs(at);
}

/** Sets `message` to text[start, end): a leading BOM marks UTF-8 and goes; `#ooo` escapes are decoded. */
export function setMessage(
  msg: SyslogMessage,
  text: string,
  start: number,
  end: number,
  options: SyslogParseOptions | undefined,
): void {
  msg.messageAbsent = false;
  if (start < end && text.charCodeAt(start) === BOM) {
    msg.encoding = 'utf8';
    start++;
  }
  if (start >= end) {
    msg.message = '';
    return;
  }
  let message = text.slice(start, end);
  if (options?.decodeControlCharEscapes !== false && message.indexOf('#') !== -1) {
    const decoded = unescapeControlChars(message);
    if (decoded !== message) {
      msg.flags.push('control_chars_unescaped');
      message = decoded;
    }
  }
  msg.message = message;
}

/** Nothing recognisable: the whole record (after any framing) is the message. */
export function wholeRecord(
  msg: SyslogMessage,
  text: string,
  options: SyslogParseOptions | undefined,
): SyslogMessage {
  msg.format = 'unknown';
  useReceivedTime(msg, options);
  setMessage(msg, text, head.start, head.end, options);
  if (head.start >= head.end) msg.messageAbsent = true;
  return msg;
}

/**
 * Runs a parser with a last-resort net: a bug that throws yields the whole text as the message, flagged
 * `parser_error`, instead of an exception that would lose the record.
 */
export function guarded(
  parser: (text: string, options: SyslogParseOptions | undefined) => SyslogMessage,
  text: string,
  options: SyslogParseOptions | undefined,
): SyslogMessage {
  let input = '';
  try {
    input = typeof text === 'string' ? text : String(text);
    return parser(input, options);
  } catch {
    const msg = newMessage();
    msg.flags.push('parser_error');
    msg.message = input;
    msg.messageAbsent = input.length === 0;
    try {
      useReceivedTime(msg, options);
    } catch {
      // the record without a time is still a record
    }
    return msg;
  }
}
