/**
 * The shapes of the syslog parsers: the message every parser returns (JSON-serializable, one shape for
 * RFC 5424, RFC 3164 and lines neither recognises), the options a listener passes, and the flags that
 * say what a parser had to tolerate. Parsers never throw and never drop a record: whatever they cannot
 * place ends up in `message`, with a flag; the caller keeps the raw record beside the result.
 */

/**
 * Every flag a parser may set, with what it means. Parsers follow syslog-ng's habit of tagging a
 * problem instead of failing on it. A record with no flag followed its RFC to the letter.
 */
export const SYSLOG_FLAGS = {
  /** The text did not start with `<PRI>`: PRI 13 (user.notice) is assumed (RFC 3164 §4.3.3). */
  pri_missing: 'no <PRI>; 13 (user.notice) assumed',
  /**
   * `<` started a PRI that is not one: no closing `>`, no digits, something else inside (the whole line
   * becomes the message, format `unknown`), or more than 3 digits or a value over 191 (the header after
   * it is still parsed). PRI 13 is assumed either way.
   */
  invalid_pri: 'PRI malformed or out of range 0-191; 13 (user.notice) assumed',
  /** A PRI with a leading zero (`<002>`): RFC 5424's ABNF allows it, RFC 3164 does not. Value kept. */
  pri_nonstandard: 'PRI with leading zeros; value kept',
  /** An RFC 6587 octet count (`48 <13>…`) leaked in front of the record (UDP or HTTP); stripped. */
  unexpected_framing: 'octet-counting frame length in front of the record; stripped',
  /** No PRI and no timestamp: the whole line is the message (format `unknown`), RFC 3164 relay rule. */
  headerless: 'no PRI and no timestamp; the whole line is the message',
  /** parseRfc5424 found no VERSION after the PRI, so the record was parsed as RFC 3164. */
  version_missing: 'no RFC 5424 VERSION after the PRI; parsed as RFC 3164',
  /** The record had no timestamp (RFC 5424 NILVALUE, or none in a BSD line): the receive time is used. */
  missing_timestamp: 'no timestamp; the receive time is used',
  /**
   * The timestamp did not validate (day of month, leap year, hour, `:60`, lower-case `t`/`z`, bad offset,
   * a BSD date no year fits): `timestampText` keeps it, the receive time is used.
   */
  invalid_timestamp: 'timestamp failed validation; kept as text, the receive time is used',
  /**
   * A timestamp outside its RFC's strict grammar was accepted: more than 6 fraction digits (kept), an
   * offset without colon (`+0200`) or without minutes, a BSD month not written `Mmm`, a BSD day not
   * space-padded, a fraction or a year after a BSD time, a Cisco `*`/`.` clock marker or zone name, a
   * space for the `T` of an RFC 3339 time in a BSD line.
   */
  timestamp_nonstandard: 'timestamp accepted outside the strict grammar',
  /** The timestamp had no zone (all BSD times, RFC 5424 without offset): `defaultTimeZone` applied. */
  tz_assumed: 'timestamp without zone; the listener default zone applied',
  /** `defaultTimeZone` names no zone this runtime knows: UTC was used instead. */
  tz_unknown: 'the configured default time zone is unknown; UTC used',
  /**
   * HOSTNAME breaks its RFC: RFC 5424, characters outside printable ASCII or more than 255; RFC 3164,
   * characters other than letters, digits, `.`, `-`, `_`, `:` or `%`. Kept as received.
   */
  hostname_invalid: 'hostname has characters or a length its RFC forbids; kept',
  /** A BSD listener expects a hostname but the record has none (no timestamp, or a tag in its place). */
  hostname_missing: 'BSD record without the hostname the listener expects',
  /** APP-NAME longer than 48 or not printable ASCII; kept. */
  appname_invalid: 'APP-NAME too long or not printable ASCII; kept',
  /** PROCID longer than 128 or not printable ASCII; kept. */
  procid_invalid: 'PROCID too long or not printable ASCII; kept',
  /** MSGID longer than 32 or not printable ASCII; kept. */
  msgid_invalid: 'MSGID too long or not printable ASCII; kept',
  /** The RFC 5424 header ended before its last field; the missing fields are null. */
  header_incomplete: 'RFC 5424 header ends early; missing fields are null',
  /** RFC 5424 header fields separated by more than one space; the extra spaces were skipped. */
  header_whitespace: 'RFC 5424 header fields separated by several spaces',
  /**
   * STRUCTURED-DATA broke its grammar. Tolerated when it could still be read (unquoted values as ESXi
   * sends, an unescaped `]` inside quotes, an SD-ID or PARAM-NAME over 32 characters or with characters
   * outside printable ASCII, extra spaces); otherwise the elements before the bad one are kept and the
   * text from the bad one on is the message. Also set when neither `-` nor `[` stands where SD belongs.
   */
  sd_invalid: 'structured data broke the grammar; read tolerantly or left in the message',
  /** An SD-ID appeared twice in one record (§6.3.2): the first element is kept, the repeat ignored. */
  sd_duplicate_id: 'repeated SD-ID; the first element kept',
  /** rsyslog `#ooo` control-character escapes (`#012` for LF) were decoded in the message. */
  control_chars_unescaped: 'rsyslog #ooo control-character escapes decoded in the message',
  /**
   * Set by the receiver, never by a parser: the record was longer than the listener's maximum and was
   * cut (RFC 5426 allows it; the record is kept, not dropped).
   */
  truncated: 'record cut at the listener maximum size (set by the receiver)',
  /** A parser bug was caught: the whole text is the message. Fuzzing treats it as a failure. */
  parser_error: 'internal parser error caught; the whole text is the message',
} as const;

export type SyslogFlag = keyof typeof SYSLOG_FLAGS;

/** Which grammar the record followed; `unknown` when no header was recognised. */
export type SyslogFormat = 'rfc5424' | 'rfc3164' | 'unknown';

/** SD-ID → PARAM-NAME → value; a PARAM-NAME repeated inside one element keeps every value, in order. */
export type SyslogStructuredData = Record<string, Record<string, string | string[]>>;

/** Cisco's `%FACILITY-SEVERITY-MNEMONIC` (`%PIX-6-302014`, `%SYS-5-CONFIG_I`). */
export interface CiscoMnemonic {
  facility: string;
  /** 0 (emergencies) to 7 (debugging), Cisco's own severity, which may differ from the PRI's. */
  severity: number;
  mnemonic: string;
}

export interface SyslogMessage {
  format: SyslogFormat;
  /**
   * PRIVAL 0–191. Never null: a record without a usable PRI gets 13 (user.notice), as RFC 3164 relays
   * do, with `pri_missing` or `invalid_pri` in `flags`.
   */
  pri: number;
  /** pri >> 3: 0–23 (see facilityName). */
  facility: number;
  /** pri & 7: 0–7 (see severityName). */
  severity: number;
  /** RFC 5424 VERSION (1–999); null for other formats. */
  version: number | null;
  /**
   * The event time, ISO 8601 UTC with every fraction digit the sender wrote and at least three
   * (`2003-08-24T12:14:15.000003Z`). The receive time when `timeSource` is `received`.
   */
  timestamp: string | null;
  /** The timestamp exactly as written, also when it was invalid; null when the record had none. */
  timestampText: string | null;
  /** `timestamp` as epoch milliseconds (the fraction truncated to milliseconds). */
  timestampMs: number | null;
  /** `event` when the record's own timestamp is used, `received` when it had no valid one. */
  timeSource: 'event' | 'received';
  hostname: string | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG (program name). */
  appName: string | null;
  /** RFC 5424 PROCID, or the pid in a BSD tag's brackets. Always a string. */
  procId: string | null;
  msgId: string | null;
  structuredData: SyslogStructuredData | null;
  /** MSG / CONTENT, after BOM removal and `#ooo` unescaping; '' when absent. */
  message: string;
  /** True when the record had no MSG at all (not even an empty one after the separating space). */
  messageAbsent: boolean;
  /** Set to `utf8` when MSG started with a BOM (RFC 5424 §6.4); absent when the encoding is unknown. */
  encoding?: 'utf8';
  /** A Cisco sequence number (`<189>65536: …`). */
  sequenceId?: string;
  /** A Cisco `%FAC-SEV-MNEMONIC` program name, split. */
  ciscoMnemonic?: CiscoMnemonic;
  flags: SyslogFlag[];
}

export interface SyslogParseOptions {
  /**
   * When the record was received, epoch milliseconds. Default: now. Used as the event time when the
   * record has none, and to infer the year of BSD timestamps (a December message received in early
   * January is from last year; a date more than a day in the future is from last year).
   */
  readonly receivedAt?: number;
  /**
   * The zone of timestamps that carry none (every BSD timestamp, RFC 5424 ones without offset): an
   * IANA name (`Europe/Paris`, `UTC`) or a fixed offset in minutes east of UTC (`120`). Default UTC.
   * An unknown name falls back to UTC with the flag `tz_unknown` (validate it with isValidTimeZone).
   */
  readonly defaultTimeZone?: string | number;
  /**
   * Whether BSD records carry a HOSTNAME after the timestamp: true for network listeners, false for a
   * local socket (`<13>Jan  1 14:40:51 alma: …` has none). Default true.
   */
  readonly expectHostname?: boolean;
  /** Decode rsyslog's `#ooo` control-character escapes (`#012` is LF) in the message. Default true. */
  readonly decodeControlCharEscapes?: boolean;
  /**
   * Read a leading structured-data element from BSD content, as rsyslog's ForwardFormat sends
   * `[origin software="rsyslogd" …]`; only an element that is strictly valid and has a parameter
   * counts, so `[12345.678]` from the kernel stays in the message. Default true.
   */
  readonly structuredDataInRfc3164?: boolean;
}
