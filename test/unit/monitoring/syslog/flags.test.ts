import { describe, expect, it } from 'vitest';
import {
  parseRfc3164,
  parseRfc5424,
  parseSyslog,
  SYSLOG_FLAGS,
  type SyslogFlag,
  type SyslogParseOptions,
} from '../../../../shared/monitoring/syslog/index.ts';
import { guarded } from '../../../../shared/monitoring/syslog/record.ts';

const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);

type Parser = typeof parseSyslog;

/** One record that raises each flag a parser sets. */
const RAISES: [SyslogFlag, string, Parser?, SyslogParseOptions?][] = [
  ['pri_missing', 'Oct 11 22:14:15 host app: m'],
  ['invalid_pri', '<200>1 - - - - - -'],
  ['pri_nonstandard', '<01>1 - - - - - -'],
  ['unexpected_framing', '17 <13>1 - - - - - -'],
  ['headerless', 'plain text'],
  ['version_missing', '<13>Oct 11 22:14:15 host app: m', parseRfc5424],
  ['missing_timestamp', '<13>1 - - - - - -'],
  ['invalid_timestamp', '<13>1 2023-02-29T00:00:00Z - - - - -'],
  ['timestamp_nonstandard', '<13>1 2023-02-28T00:00:00.0000001Z - - - - -'],
  ['tz_assumed', '<13>Oct 11 22:14:15 host app: m'],
  ['tz_unknown', '<13>Oct 11 22:14:15 host app: m', parseRfc3164, { defaultTimeZone: 'Nowhere/Atlantis' }],
  ['hostname_invalid', '<13>1 - h\u00f6st - - - -'],
  ['hostname_missing', '<13>Oct 11 22:14:15 sshd[1]: m'],
  ['appname_invalid', `<13>1 - - ${'a'.repeat(49)} - - -`],
  ['procid_invalid', `<13>1 - - - ${'1'.repeat(129)} - -`],
  ['msgid_invalid', `<13>1 - - - - ${'m'.repeat(33)} -`],
  ['header_incomplete', '<13>1 - host app'],
  ['header_whitespace', '<13>1 -  - - - - -'],
  ['sd_invalid', '<13>1 - - - - - [x y=z]'],
  ['sd_duplicate_id', '<13>1 - - - - - [x][x]'],
  ['control_chars_unescaped', '<13>1 - - - - - - a#012b'],
];

describe('flags', () => {
  it.each(RAISES)('%s is raised by %j', (flag, line, parser = parseSyslog, options = {}) => {
    const m = parser(line, { receivedAt: RECEIVED, ...options });
    expect(m.flags).toContain(flag);
    expect(m.flags.every((f) => Object.hasOwn(SYSLOG_FLAGS, f))).toBe(true);
  });

  it('parser_error: a parser that throws still yields the record', () => {
    const m = guarded(
      () => {
        throw new Error('bug');
      },
      '<13>1 - - - - - - kept',
      { receivedAt: RECEIVED },
    );
    expect(m).toMatchObject({
      format: 'unknown',
      pri: 13,
      message: '<13>1 - - - - - - kept',
      messageAbsent: false,
      timestamp: '2024-06-01T12:00:00.000Z',
      timeSource: 'received',
      flags: ['parser_error'],
    });
  });

  it('every documented flag is raised by a parser, except truncated (the receiver sets it)', () => {
    const raised = new Set<string>([...RAISES.map(([flag]) => flag), 'parser_error', 'truncated']);
    expect(Object.keys(SYSLOG_FLAGS).sort()).toEqual([...raised].sort());
  });

  it('a record that follows its RFC has no flag', () => {
    expect(parseSyslog('<165>1 2003-10-11T22:14:15.003Z host app 1 ID [a b="c"] m').flags).toEqual([]);
    expect(parseSyslog('<13>1 - - - - - -').flags).toEqual(['missing_timestamp']);
  });
});
