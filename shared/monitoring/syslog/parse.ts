/**
 * One entry point for a listener that does not know what its senders speak: RFC 5424 when the PRI is
 * followed by a VERSION (1–3 digits, no leading zero) and a space, RFC 3164 otherwise; a line without
 * PRI and timestamp is kept whole (RFC 3164 §4.3.3). Never throws.
 */
import { guarded, head, newMessage, PRI_MALFORMED, PRI_MISSING, readHead, wholeRecord } from './record.ts';
import { parseRfc3164Body } from './rfc3164.ts';
import { parseRfc5424Body, versionLength } from './rfc5424.ts';
import type { SyslogMessage, SyslogParseOptions } from './types.ts';

function parse(text: string, options: SyslogParseOptions | undefined): SyslogMessage {
  const msg = newMessage();
  readHead(text, msg);
  if (head.pri === PRI_MALFORMED) return wholeRecord(msg, text, options);
  if (head.pri !== PRI_MISSING && versionLength(text, head.body, head.end) > 0) {
    return parseRfc5424Body(text, head.body, head.end, msg, options);
  }
  return parseRfc3164Body(text, msg, options);
}

/** Parses one syslog record of either format (after transport framing). Never throws. */
export function parseSyslog(text: string, options?: SyslogParseOptions): SyslogMessage {
  return guarded(parse, text, options);
}
