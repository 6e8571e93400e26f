/**
 * Syslog parsers under fuzz. The input bytes are decoded as UTF-8 (invalid sequences become U+FFFD, as a
 * receiver decodes them) and parsed with several listener settings. The parsers never throw, so every
 * exception is a failure; so is a result that breaks an invariant of SyslogMessage (checked below and
 * thrown as an InvariantError).
 */
import { isDeepStrictEqual } from 'node:util';
import { parseRfc3164, parseRfc5424, parseSyslog } from '../../../shared/monitoring/syslog/index.ts';
import { SYSLOG_FLAGS, type SyslogMessage } from '../../../shared/monitoring/syslog/types.ts';
import type { FuzzTarget } from '../target.ts';

export class InvariantError extends Error {
  override name = 'InvariantError';
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** A receive time just after New Year, where BSD year inference turns over. */
const NEW_YEAR = Date.UTC(2025, 0, 1, 0, 30, 0);
const MID_YEAR = Date.UTC(2024, 6, 15, 12, 0, 0);

const ISO = /^([+-]\d{6}|\d{4})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,}Z$/;
const FORMATS = new Set(['rfc5424', 'rfc3164', 'unknown']);

function fail(what: string, msg: SyslogMessage): never {
  throw new InvariantError(`${what}: ${JSON.stringify(msg).slice(0, 600)}`);
}

const optionalText = (v: unknown) => v === null || (typeof v === 'string' && v.length > 0);

/** Throws InvariantError when `msg` is not a well-formed result for `text`. */
export function checkInvariants(msg: SyslogMessage, text: string): void {
  const json = JSON.stringify(msg);
  if (!isDeepStrictEqual(JSON.parse(json), msg)) fail('not the same after a JSON round trip', msg);
  if (!FORMATS.has(msg.format)) fail('unknown format', msg);
  if (typeof msg.message !== 'string') fail('message is not a string', msg);
  if (msg.message.length > text.length) fail('message longer than the input', msg);
  if (msg.messageAbsent && msg.message !== '') fail('messageAbsent with a message', msg);
  if (!Number.isInteger(msg.pri) || msg.pri < 0 || msg.pri > 191) fail('pri out of range', msg);
  if (msg.facility !== msg.pri >> 3 || msg.severity !== (msg.pri & 7)) fail('facility/severity ≠ pri', msg);
  if (msg.version !== null && (!Number.isInteger(msg.version) || msg.version < 1 || msg.version > 999))
    fail('version out of range', msg);
  if ((msg.version !== null) !== (msg.format === 'rfc5424')) fail('version and format disagree', msg);
  for (const field of ['hostname', 'appName', 'procId', 'msgId', 'timestampText'] as const)
    if (!optionalText(msg[field])) fail(`${field} is neither null nor a non-empty string`, msg);
  if (msg.timestamp !== null) {
    if (!ISO.test(msg.timestamp)) fail('timestamp is not normalized ISO 8601 UTC', msg);
    if (typeof msg.timestampMs !== 'number' || !Number.isFinite(msg.timestampMs))
      fail('timestamp without timestampMs', msg);
    if (!msg.timestamp.startsWith('+') && !msg.timestamp.startsWith('-')) {
      const ms = Date.parse(`${msg.timestamp.slice(0, 23)}Z`);
      if (ms !== msg.timestampMs) fail('timestamp and timestampMs disagree', msg);
    }
  } else if (msg.timestampMs !== null) {
    fail('timestampMs without timestamp', msg);
  }
  if (msg.timeSource === 'event' && (msg.timestampText === null || msg.timestamp === null))
    fail('event time without timestamp text', msg);
  const seen = new Set<string>();
  for (const flag of msg.flags) {
    if (!Object.hasOwn(SYSLOG_FLAGS, flag)) fail(`unknown flag ${flag}`, msg);
    if (flag === 'parser_error' || flag === 'truncated') fail(`flag ${flag} set`, msg);
    if (seen.has(flag)) fail(`flag ${flag} twice`, msg);
    seen.add(flag);
  }
  if (msg.structuredData !== null) {
    if (typeof msg.structuredData !== 'object' || Object.keys(msg.structuredData).length === 0)
      fail('structuredData neither null nor a non-empty object', msg);
    for (const element of Object.values(msg.structuredData)) {
      for (const value of Object.values(element)) {
        const ok =
          typeof value === 'string' ||
          (Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === 'string'));
        if (!ok) fail('SD value is neither a string nor an array of strings', msg);
      }
    }
  }
  if (msg.sequenceId !== undefined && !/^\d{1,10}$/.test(msg.sequenceId)) fail('bad sequenceId', msg);
  if (msg.ciscoMnemonic !== undefined) {
    const { severity, facility, mnemonic } = msg.ciscoMnemonic;
    if (!Number.isInteger(severity) || severity < 0 || severity > 7 || !facility || !mnemonic)
      fail('bad Cisco mnemonic', msg);
  }
}

const seedLines = (lines: string[]) => async () => lines.map((l) => encoder.encode(l));

export const RFC5424_SEEDS = [
  "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
  "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
  '<10>1 - - - - - -',
  '<002>1 - - - - - -',
  '<29>2 2016-01-15T01:00:43Z some-host-name SEKRETPROGRAM prg - [meta escape="\\]\\"\\\\"]',
  '<29>8 2016-01-15T01:00:43Z hn S - - [meta es="\\n"] 127.0.0.1',
  '<29>3 2016-01-15T01:00:43Z hn S - - [meta escape="]"] x',
  '<165>3 2003-10-11T22:14:15.003Z example.com evnts - ID27 [id1][id1 a="1" a="2"]',
  '<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [exampleSDID@0 iut="3"] [eventSource="Application"] An application event',
  '<166>1 2020-01-01T00:00:00.000Z esx Hostd - - [Originator@6876 sub=Vimsvc.ha-eventmgr opID=esxui-13c6-6b16 user=root] Event',
  '<13>1 2019-02-13T19:48:34+00:00 74794bfb6795 root 8449 - [incorrect x] qwerty',
  '<7>1 2003-08-24T05:14:15.000000003-07:00 h a - - - x',
  '<134>1 2009-10-16T11:51:56 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - - msg',
  '<101>11 2003-09-31T22:14:15.003Z',
  '<28>1 2020-05-22T14:59:09.250-03:00 OX-XXX-MX204 OX-XXX-CONTEUDO:rpd 6589 - - bgp_listen_accept: x',
  '<110>1 2009-05-03T14:00:39.529966+02:00 host.example.org/relay.example.org syslogd 2138 - - relayed',
  '<1>1 A - - - - - -',
  '48 <1>1 2003-10-11T22:14:15.003Z host.local - - - - line#012two',
];

export const RFC3164_SEEDS = [
  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
  '<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!',
  "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time",
  "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
  '<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection',
  '<190>Apr 15 21:28:13 2007 linksys app: msg',
  '<189>65536: ',
  '<189>38: *Mar  1 18:46:11.123 UTC: %SYS-5-CONFIG_I: Configured from console by vty0',
  '<38>Sep 22 10:11:56 Message forwarded from cdaix66: sshd[679960]: Accepted publickey',
  '<190>NOV 22 00:00:33 192.168.33.8-1 CMDLOGGER[165319912]: hi',
  '<15> openvpn[2499]: PTHREAD support initialized',
  '<13>Jan  1 14:40:51 alma korte: message',
  '<189 Feb  3 12:34:56 host program[pid]: message',
  '<190>2019-02-13T21:53:30.605850+00:00 74794bfb6795 liblogging-stdlog:  [origin software="rsyslogd" swVersion="8.24.0"] start',
  '<13>Dec 31 23:59:59 host kernel: [ 12.5] line#012next',
  '<166>Mar 06 2024 09:20:36 FW01 : %ASA-6-302013: Built',
  'Feb 29 12:00:00 host cron[1]: no pri',
];

export const syslog5424Target: FuzzTarget = {
  name: 'syslog-rfc5424',
  seeds: seedLines(RFC5424_SEEDS),
  smokeIterations: 2000,
  isExpectedError: () => false,
  async run(input) {
    const text = decoder.decode(input);
    checkInvariants(parseRfc5424(text, { receivedAt: MID_YEAR }), text);
    checkInvariants(parseSyslog(text, { receivedAt: NEW_YEAR, defaultTimeZone: 'Europe/Paris' }), text);
  },
};

export const syslog3164Target: FuzzTarget = {
  name: 'syslog-rfc3164',
  seeds: seedLines(RFC3164_SEEDS),
  smokeIterations: 2000,
  isExpectedError: () => false,
  async run(input) {
    const text = decoder.decode(input);
    checkInvariants(parseRfc3164(text, { receivedAt: NEW_YEAR }), text);
    checkInvariants(
      parseRfc3164(text, {
        receivedAt: MID_YEAR,
        expectHostname: false,
        defaultTimeZone: 'America/New_York',
      }),
      text,
    );
    checkInvariants(parseSyslog(text, { receivedAt: NEW_YEAR, defaultTimeZone: -300 }), text);
  },
};
