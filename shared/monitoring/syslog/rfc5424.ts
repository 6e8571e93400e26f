/**
 * RFC 5424 syslog messages: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP
 * STRUCTURED-DATA [SP MSG]`, scanned on char codes in one pass. Strict first: every rule of §6 is
 * checked (PRI 0–191, VERSION 1–999, printable-ASCII header fields within their maximum lengths,
 * NILVALUE, the timestamp rules of §6.2.3, the SD grammar, the BOM). Then tolerant: a field that breaks
 * a rule is kept and flagged, a field that cannot be read is null and flagged, and text that fits
 * nowhere stays in the message. Never throws, never drops a record.
 */

import {
  guarded,
  head,
  newMessage,
  PRI_MALFORMED,
  PRI_MISSING,
  readHead,
  setMessage,
  useReceivedTime,
  wholeRecord,
} from './record.ts';
import { parseRfc3164Body } from './rfc3164.ts';
import { scanStructuredData, sdScan } from './structured-data.ts';
import { STAMP_OK, scanRfc3339, stamp } from './timestamp.ts';
import type { SyslogMessage, SyslogParseOptions } from './types.ts';

const SP = 32;
const DASH = 45;
const OPEN = 91;

const MAX_HOSTNAME = 255;
const MAX_APP_NAME = 48;
const MAX_PROCID = 128;
const MAX_MSGID = 32;

/** Length of an RFC 5424 VERSION and its space at `pos` (`1 ` → 2), or 0 when there is none. */
export function versionLength(text: string, pos: number, end: number): number {
  const first = text.charCodeAt(pos);
  if (first < 49 || first > 57) return 0;
  let i = pos + 1;
  while (i < end && i - pos < 3) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return text.charCodeAt(i) === SP && i < end ? i - pos + 1 : 0;
}

/** Skips the space at `p` that ends a header field, and any more (flagged). */
function skipSeparator(text: string, p: number, end: number, msg: SyslogMessage): number {
  p++;
  if (p < end && text.charCodeAt(p) === SP) {
    if (!msg.flags.includes('header_whitespace')) msg.flags.push('header_whitespace');
    while (p < end && text.charCodeAt(p) === SP) p++;
  }
  return p;
}

/**
 * Parses the rest of an RFC 5424 record from `pos`, where versionLength found a VERSION, into `msg`
 * (PRI already set).
 */
export function parseRfc5424Body(
  text: string,
  pos: number,
  end: number,
  msg: SyslogMessage,
  options: SyslogParseOptions | undefined,
): SyslogMessage {
  msg.format = 'rfc5424';
  let p = pos;
  let version = 0;
  for (let c = text.charCodeAt(p); c !== SP; c = text.charCodeAt(++p)) version = version * 10 + c - 48;
  msg.version = version;
  p = skipSeparator(text, p, end, msg);
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each up to a space.
  for (let field = 0; field < 5; field++) {
    if (p >= end) {
      msg.flags.push('header_incomplete');
      if (field === 0) {
        msg.flags.push('missing_timestamp');
        useReceivedTime(msg, options);
      }
      return msg;
    }
    let q = p;
    let printable = true;
    if (field === 0) {
      // The timestamp scanner validates every character itself.
      q = text.indexOf(' ', p);
      if (q === -1 || q > end) q = end;
    } else {
      while (q < end) {
        const c = text.charCodeAt(q);
        if (c === SP) break;
        if (c < 33 || c > 126) printable = false;
        q++;
      }
    }
    const nil = q - p === 1 && text.charCodeAt(p) === DASH;
    switch (field) {
      case 0:
        if (nil) {
          msg.flags.push('missing_timestamp');
          useReceivedTime(msg, options);
        } else if (scanRfc3339(text, p, q, options?.defaultTimeZone) === STAMP_OK) {
          msg.timestampText = text.slice(p, q);
          msg.timestamp = stamp.iso;
          msg.timestampMs = stamp.ms;
          msg.timeSource = 'event';
          if (stamp.nonstandard) msg.flags.push('timestamp_nonstandard');
          if (stamp.tzAssumed) msg.flags.push('tz_assumed');
          if (stamp.zoneUnknown) msg.flags.push('tz_unknown');
        } else {
          msg.timestampText = text.slice(p, q);
          msg.flags.push('invalid_timestamp');
          useReceivedTime(msg, options);
        }
        break;
      case 1:
        if (!nil) {
          msg.hostname = text.slice(p, q);
          if (!printable || q - p > MAX_HOSTNAME) msg.flags.push('hostname_invalid');
        }
        break;
      case 2:
        if (!nil) {
          msg.appName = text.slice(p, q);
          if (!printable || q - p > MAX_APP_NAME) msg.flags.push('appname_invalid');
        }
        break;
      case 3:
        if (!nil) {
          msg.procId = text.slice(p, q);
          if (!printable || q - p > MAX_PROCID) msg.flags.push('procid_invalid');
        }
        break;
      default:
        if (!nil) {
          msg.msgId = text.slice(p, q);
          if (!printable || q - p > MAX_MSGID) msg.flags.push('msgid_invalid');
        }
    }
    p = skipSeparator(text, q, end, msg);
  }
  // STRUCTURED-DATA
  if (p >= end) {
    msg.flags.push('header_incomplete');
    return msg;
  }
  const c = text.charCodeAt(p);
  if (c === DASH) {
    p++;
  } else if (c === OPEN) {
    scanStructuredData(text, p, end, false);
    msg.structuredData = sdScan.data;
    if (sdScan.deviated) msg.flags.push('sd_invalid');
    if (sdScan.duplicateId) msg.flags.push('sd_duplicate_id');
    p = sdScan.end;
    if (sdScan.failed) {
      // The element that broke and what follows it stay as the message, unparsed.
      if (!sdScan.deviated) msg.flags.push('sd_invalid');
      setMessage(msg, text, p, end, options);
      return msg;
    }
  } else {
    // Neither `-` nor `[`: senders that leave SD out; all of it is the message.
    msg.flags.push('sd_invalid');
    setMessage(msg, text, p, end, options);
    return msg;
  }
  // [SP MSG]
  if (p >= end) return msg;
  if (text.charCodeAt(p) === SP) {
    setMessage(msg, text, p + 1, end, options);
  } else {
    // Text glued to the SD (`-x`, `[a="1"]x`): it is the message.
    if (!sdScan.deviated || c === DASH) msg.flags.push('sd_invalid');
    setMessage(msg, text, c === DASH ? p - 1 : p, end, options);
  }
  return msg;
}

function parse(text: string, options: SyslogParseOptions | undefined): SyslogMessage {
  const msg = newMessage();
  readHead(text, msg);
  if (head.pri === PRI_MALFORMED) return wholeRecord(msg, text, options);
  if (head.pri !== PRI_MISSING) {
    const n = versionLength(text, head.body, head.end);
    if (n > 0) return parseRfc5424Body(text, head.body, head.end, msg, options);
  }
  msg.flags.push('version_missing');
  return parseRfc3164Body(text, msg, options);
}

/**
 * Parses one RFC 5424 record (after transport framing). A record without VERSION is parsed as RFC 3164
 * with the flag `version_missing`. Never throws.
 */
export function parseRfc5424(text: string, options?: SyslogParseOptions): SyslogMessage {
  return guarded(parse, text, options);
}
