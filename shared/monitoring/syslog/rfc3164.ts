/**
 * RFC 3164 (BSD) syslog as devices really send it: `<PRI>TIMESTAMP SP HOSTNAME SP TAG CONTENT`, scanned
 * on char codes in one pass.
 *
 * - TIMESTAMP: `Mmm dd hh:mm:ss` and its variants (see timestamp.ts), or RFC 3339 (rsyslog's
 *   ForwardFormat); the year, when absent, from the receive time; the zone from the listener.
 * - HOSTNAME: only when the listener expects one (`expectHostname`, false for local sockets), and only
 *   when a timestamp precedes it (syslog-ng's rule: `<15> openvpn[2499]: …` has no host); a word that
 *   ends in `:`, holds `[` or starts with `%` is the tag, not a host. AIX's `Message forwarded from
 *   HOST:` names the host.
 * - TAG: a word ending in `:` or `name[pid]` (with or without `:`); any other first word is content
 *   (`Use the BFG!` has no tag). A Cisco `%FAC-SEV-MNEMONIC` tag is split out; a Cisco sequence number
 *   (`<189>65536: `) before the timestamp is kept.
 * - CONTENT: after one space; a leading strictly valid SD element with parameters (rsyslog's `[origin
 *   …]`) is read as structured data.
 * - No PRI and no timestamp: the whole line is the message (RFC 3164 §4.3.3, rsyslog's headerless).
 * Never throws, never drops a record.
 */
import {
  guarded,
  head,
  newMessage,
  PRI_MALFORMED,
  PRI_MISSING,
  readHead,
  receivedAtOf,
  setMessage,
  useReceivedTime,
  wholeRecord,
} from './record.ts';
import { scanStructuredData, sdScan } from './structured-data.ts';
import {
  isSpacedDateTime,
  looksLikeRfc3339,
  STAMP_INVALID,
  STAMP_NONE,
  STAMP_OK,
  type StampStatus,
  scanBsd,
  scanRfc3339,
  stamp,
} from './timestamp.ts';
import type { SyslogMessage, SyslogParseOptions } from './types.ts';

const SP = 32;
const PERCENT = 37;
const DASH = 45;
const COLON = 58;
const OPEN = 91;
const CLOSE = 93;

const MAX_SEQUENCE_DIGITS = 10;
const AIX_FORWARDED = 'Message forwarded from ';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, digits and `.-_:%` (IPv4, IPv6 with zone, names with or without domain). */
function isHostnameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 58) ||
    c === 46 ||
    c === DASH ||
    c === 95 ||
    c === PERCENT
  );
}

function skipSpaces(text: string, p: number, end: number): number {
  while (p < end && text.charCodeAt(p) === SP) p++;
  return p;
}

function wordEnd(text: string, p: number, end: number): number {
  while (p < end && text.charCodeAt(p) !== SP) p++;
  return p;
}

/** Splits a Cisco `%FACILITY-SEVERITY-MNEMONIC` program name (text[start] is `%`). */
function ciscoMnemonic(text: string, start: number, end: number, msg: SyslogMessage): void {
  for (let i = start + 2; i + 3 < end; i++) {
    if (text.charCodeAt(i) !== DASH || text.charCodeAt(i + 2) !== DASH) continue;
    const severity = text.charCodeAt(i + 1) - 48;
    if (severity < 0 || severity > 7) continue;
    msg.ciscoMnemonic = {
      facility: text.slice(start + 1, i),
      severity,
      mnemonic: text.slice(i + 3, end),
    };
    return;
  }
}

/**
 * Reads a tag at `p` (the word up to the next space): `name:`, `name[pid]:` or `name[pid]`. Returns
 * where the content starts, or `p` when the word is no tag.
 */
function readTag(text: string, p: number, end: number, msg: SyslogMessage): number {
  const q = wordEnd(text, p, end);
  if (q === p) return p;
  const colon = text.charCodeAt(q - 1) === COLON;
  const bodyEnd = colon ? q - 1 : q;
  if (bodyEnd === p) return p;
  let open = -1;
  for (let i = p; i < bodyEnd; i++) {
    if (text.charCodeAt(i) === OPEN) {
      open = i;
      break;
    }
  }
  let nameEnd: number;
  if (open > p && text.charCodeAt(bodyEnd - 1) === CLOSE && bodyEnd - 1 > open) {
    nameEnd = open;
    if (bodyEnd - 1 > open + 1) msg.procId = text.slice(open + 1, bodyEnd - 1);
  } else if (colon && open === -1) {
    nameEnd = bodyEnd;
  } else {
    return p;
  }
  msg.appName = text.slice(p, nameEnd);
  if (text.charCodeAt(p) === PERCENT) ciscoMnemonic(text, p, nameEnd, msg);
  return q < end ? q + 1 : q;
}

/** Parses a BSD record after readHead into `msg` (PRI already set). */
export function parseRfc3164Body(
  text: string,
  msg: SyslogMessage,
  options: SyslogParseOptions | undefined,
): SyslogMessage {
  const end = head.end;
  const priMissing = head.pri === PRI_MISSING;
  let p = head.body;
  msg.format = 'rfc3164';
  if (!priMissing) {
    // Cisco sequence number: `<189>65536: …`
    if (isDigit(text.charCodeAt(p))) {
      let q = p + 1;
      while (q < end && q - p <= MAX_SEQUENCE_DIGITS && isDigit(text.charCodeAt(q))) q++;
      if (q - p <= MAX_SEQUENCE_DIGITS && text.charCodeAt(q) === COLON && q < end) {
        if (q + 1 === end || text.charCodeAt(q + 1) === SP) {
          msg.sequenceId = text.slice(p, q);
          p = q + 1;
        }
      }
    }
    p = skipSpaces(text, p, end);
  }

  // TIMESTAMP
  const tsStart = p;
  let status: StampStatus = STAMP_NONE;
  const c = text.charCodeAt(p);
  if (p >= end) {
    status = STAMP_NONE;
  } else if (isDigit(c)) {
    if (looksLikeRfc3339(text, p)) {
      const spaced = isSpacedDateTime(text, p);
      const q = wordEnd(text, spaced ? p + 11 : p, end);
      status = scanRfc3339(text, p, q, options?.defaultTimeZone, spaced);
      if (status === STAMP_INVALID) {
        stamp.end = q;
        stamp.textEnd = q;
      }
    }
  } else {
    status = scanBsd(text, p, end, options?.defaultTimeZone, receivedAtOf(options));
  }

  const expectHostname = options?.expectHostname !== false;
  if (status === STAMP_NONE) {
    msg.flags.push('missing_timestamp');
    if (priMissing) {
      msg.flags.push('headerless');
      return wholeRecord(msg, text, options);
    }
    useReceivedTime(msg, options);
    if (expectHostname) msg.flags.push('hostname_missing');
  } else {
    msg.timestampText = text.slice(tsStart, stamp.textEnd);
    if (status === STAMP_OK) {
      msg.timestamp = stamp.iso;
      msg.timestampMs = stamp.ms;
      msg.timeSource = 'event';
      if (stamp.nonstandard) msg.flags.push('timestamp_nonstandard');
      if (stamp.tzAssumed) msg.flags.push('tz_assumed');
      if (stamp.zoneUnknown) msg.flags.push('tz_unknown');
    } else {
      msg.flags.push('invalid_timestamp');
      useReceivedTime(msg, options);
    }
    p = skipSpaces(text, stamp.end, end);

    // HOSTNAME
    if (text.startsWith(AIX_FORWARDED, p)) {
      const from = p + AIX_FORWARDED.length;
      const q = wordEnd(text, from, end);
      const hostEnd = q > from && text.charCodeAt(q - 1) === COLON ? q - 1 : q;
      if (hostEnd > from) {
        msg.hostname = text.slice(from, hostEnd);
        p = skipSpaces(text, q, end);
      }
    } else if (expectHostname) {
      const q = wordEnd(text, p, end);
      let tag = q === p || text.charCodeAt(q - 1) === COLON || text.charCodeAt(p) === PERCENT;
      let valid = true;
      for (let i = p; i < q && !tag; i++) {
        const h = text.charCodeAt(i);
        if (h === OPEN) tag = true;
        else if (!isHostnameChar(h)) valid = false;
      }
      if (tag) {
        msg.flags.push('hostname_missing');
      } else {
        msg.hostname = text.slice(p, q);
        if (!valid) msg.flags.push('hostname_invalid');
        p = skipSpaces(text, q, end);
        // Cisco ASA with a device id: `FW01 : %ASA-6-302013: …`
        if (text.charCodeAt(p) === COLON && (p + 1 === end || text.charCodeAt(p + 1) === SP) && p < end) {
          p = skipSpaces(text, p + 1, end);
        }
      }
    }
  }

  // TAG
  p = readTag(text, p, end, msg);

  // Structured data at the start of the content (rsyslog's `[origin software="rsyslogd" …]`).
  if (options?.structuredDataInRfc3164 !== false) {
    const s = skipSpaces(text, p, end);
    if (text.charCodeAt(s) === OPEN && s < end) {
      scanStructuredData(text, s, end, true);
      const after = sdScan.end;
      if (
        sdScan.data !== null &&
        !sdScan.failed &&
        sdScan.firstParams > 0 &&
        (after === end || text.charCodeAt(after) === SP)
      ) {
        msg.structuredData = sdScan.data;
        if (sdScan.duplicateId) msg.flags.push('sd_duplicate_id');
        p = after < end ? after + 1 : after;
      }
    }
  }

  // CONTENT
  if (p < end) setMessage(msg, text, p, end, options);
  return msg;
}

function parse(text: string, options: SyslogParseOptions | undefined): SyslogMessage {
  const msg = newMessage();
  readHead(text, msg);
  if (head.pri === PRI_MALFORMED) return wholeRecord(msg, text, options);
  return parseRfc3164Body(text, msg, options);
}

/** Parses one RFC 3164 (BSD) record (after transport framing). Never throws. */
export function parseRfc3164(text: string, options?: SyslogParseOptions): SyslogMessage {
  return guarded(parse, text, options);
}
