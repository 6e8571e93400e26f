/**
 * Syslog record parsers (RFC 5424, RFC 3164 / BSD, and detection between them): hand-written, strict
 * then tolerant, never throwing, never dropping a record. See types.ts for the message and its flags.
 */
export { unescapeControlChars } from './escapes.ts';
export {
  FACILITY_NAMES,
  type FacilityName,
  facilityName,
  SEVERITY_NAMES,
  type SeverityName,
  severityName,
} from './names.ts';
export { parseSyslog } from './parse.ts';
export { parseRfc3164 } from './rfc3164.ts';
export { parseRfc5424 } from './rfc5424.ts';
export { isValidTimeZone } from './time.ts';
export {
  type CiscoMnemonic,
  SYSLOG_FLAGS,
  type SyslogFlag,
  type SyslogFormat,
  type SyslogMessage,
  type SyslogParseOptions,
  type SyslogStructuredData,
} from './types.ts';
