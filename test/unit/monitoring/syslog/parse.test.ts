import { describe, expect, it } from 'vitest';
import {
  FACILITY_NAMES,
  facilityName,
  parseRfc3164,
  parseRfc5424,
  parseSyslog,
  SEVERITY_NAMES,
  severityName,
  unescapeControlChars,
} from '../../../../shared/monitoring/syslog/index.ts';

const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);
const parse = (line: string, options = {}) => parseSyslog(line, { receivedAt: RECEIVED, ...options });

describe('parseSyslog: which format', () => {
  it.each([
    ['<34>1 2003-10-11T22:14:15.003Z host su - ID47 - m', 'rfc5424'],
    ['<34>12 - - - - - -', 'rfc5424'],
    ['<34>999 - - - - - -', 'rfc5424'],
    ['<34>Oct 11 22:14:15 host su: m', 'rfc3164'],
    ['<34>1990 Oct 22 10:52:01 host', 'rfc3164'],
    ['<34>01 - - - - - -', 'rfc3164'],
    ['<34>1000 - - - - - -', 'rfc3164'],
    ['<34>1', 'rfc3164'],
    ['<34>1-', 'rfc3164'],
    ['<189>65536: x', 'rfc3164'],
    ['<34>2019-02-13T21:53:30Z host app: m', 'rfc3164'],
    ['no header at all', 'unknown'],
    ['<34 no closing bracket', 'unknown'],
    ['', 'unknown'],
  ])('%j → %s', (line, format) => {
    expect(parse(line).format).toBe(format);
  });

  it('gives the same result as the format-specific parser', () => {
    const five = '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - [a b="c"] m';
    const three = '<13>Feb  5 17:32:18 10.0.0.99 sshd[1]: m';
    expect(parse(five)).toEqual(parseRfc5424(five, { receivedAt: RECEIVED }));
    expect(parse(three)).toEqual(parseRfc3164(three, { receivedAt: RECEIVED }));
  });
});

describe('parseSyslog: PRI', () => {
  it.each([
    ['<0>', 0, 0, 0, []],
    ['<7>', 7, 0, 7, []],
    ['<8>', 8, 1, 0, []],
    ['<191>', 191, 23, 7, []],
    ['<05>', 5, 0, 5, ['pri_nonstandard']],
    ['<000>', 0, 0, 0, ['pri_nonstandard']],
    ['<192>', 13, 1, 5, ['invalid_pri']],
    ['<999>', 13, 1, 5, ['invalid_pri']],
    ['<0191>', 13, 1, 5, ['invalid_pri']],
  ] as const)('%s → pri %i (facility %i, severity %i)', (pri, value, facility, severity, flags) => {
    const m = parse(`${pri}1 - host - - - - m`);
    expect(m).toMatchObject({
      format: 'rfc5424',
      pri: value,
      facility,
      severity,
      hostname: 'host',
      message: 'm',
    });
    expect(m.flags).toEqual([...flags, 'missing_timestamp']);
  });

  it.each(['<>1 - - - - - -', '<a>1 - - - - - -', '<-1>1 - - - - - -', '<1234567890123>1 -', '<', '<13'])(
    '%j is malformed: whole line, 13 assumed',
    (line) => {
      expect(parse(line)).toMatchObject({
        format: 'unknown',
        pri: 13,
        message: line,
        flags: ['invalid_pri'],
      });
    },
  );

  it('assumes 13 for a line without PRI', () => {
    expect(parse('Oct 11 22:14:15 host app: m')).toMatchObject({ pri: 13, facility: 1, severity: 5 });
  });
});

describe('parseSyslog: transport residue', () => {
  it('strips a leaked octet count, flagged', () => {
    expect(parse('48 <1>1 2003-10-11T22:14:15.003Z host.local - - - -')).toMatchObject({
      format: 'rfc5424',
      pri: 1,
      hostname: 'host.local',
      flags: ['unexpected_framing'],
    });
    expect(parse('5 aaaaa')).toMatchObject({
      message: 'aaaaa',
      flags: ['unexpected_framing', 'pri_missing', 'missing_timestamp', 'headerless'],
    });
    expect(parse('8 hellø x')).toMatchObject({
      message: 'hellø x',
      flags: expect.arrayContaining(['unexpected_framing']),
    });
  });

  it.each(['99999999999 a', '3 apples and pears', ' 5 aaaaa', '05 aaaaa', '5 ', '12'])(
    '%j is not framing',
    (line) => {
      const m = parse(line);
      expect(m.flags).not.toContain('unexpected_framing');
      expect(m.message).toBe(line);
    },
  );

  it('drops trailing LF, CR and NUL only', () => {
    expect(parse('<13>Oct 11 22:14:15 host app: m\r\n').message).toBe('m');
    expect(parse('<13>Oct 11 22:14:15 host app: m\0').message).toBe('m');
    expect(parse('<13>Oct 11 22:14:15 host app: m \t').message).toBe('m \t');
    expect(parse('\n')).toMatchObject({ message: '', messageAbsent: true });
  });
});

describe('parseSyslog: never throws, never drops', () => {
  it('returns a record for anything it is handed', () => {
    for (const input of [undefined, null, 42, {}, Symbol('x')] as unknown as string[]) {
      const m = parseSyslog(input, { receivedAt: RECEIVED });
      expect(typeof m.message).toBe('string');
      expect(m.flags).not.toContain('parser_error');
    }
    expect(parseSyslog(null as unknown as string).message).toBe('null');
  });

  it('handles a large record in linear time', () => {
    const big = `<13>1 - h a - - - ${'x#012'.repeat(200_000)}`;
    const m = parse(big);
    expect(m.message).toHaveLength(1_000_000 - 600_000);
  });
});

describe('unescapeControlChars', () => {
  it.each([
    ['line1#012line2', 'line1\nline2'],
    ['tab#011x#015#012', 'tab\tx\r\n'],
    ['#000start', '\0start'],
    ['del#177', 'del\x7f'],
    ['#037unit', '\x1funit'],
    ['issue #123, #040 and #200 stay', 'issue #123, #040 and #200 stay'],
    ['#01', '#01'],
    ['#0128', '\n8'],
    ['##012', '#\n'],
    ['#08a', '#08a'],
    ['no escapes', 'no escapes'],
    ['', ''],
  ])('%j → %j', (text, expected) => {
    expect(unescapeControlChars(text)).toBe(expected);
  });

  it('is applied to the message unless the listener turns it off', () => {
    const line = '<13>1 - - - - - - a#012b';
    expect(parse(line)).toMatchObject({
      message: 'a\nb',
      flags: ['missing_timestamp', 'control_chars_unescaped'],
    });
    expect(parse(line, { decodeControlCharEscapes: false })).toMatchObject({
      message: 'a#012b',
      flags: ['missing_timestamp'],
    });
  });
});

describe('facility and severity names', () => {
  it('names every facility and severity', () => {
    expect(Array.from({ length: 24 }, (_, i) => facilityName(i))).toEqual([...FACILITY_NAMES]);
    expect(facilityName(0)).toBe('kern');
    expect(facilityName(4)).toBe('auth');
    expect(facilityName(10)).toBe('authpriv');
    expect(facilityName(13)).toBe('security');
    expect(facilityName(15)).toBe('solaris-cron');
    expect(facilityName(23)).toBe('local7');
    expect(Array.from({ length: 8 }, (_, i) => severityName(i))).toEqual([...SEVERITY_NAMES]);
    expect(severityName(0)).toBe('emergency');
    expect(severityName(6)).toBe('informational');
  });

  it('answers null outside the ranges', () => {
    for (const n of [-1, 24, 1.5, Number.NaN]) expect(facilityName(n)).toBeNull();
    for (const n of [-1, 8, 0.5, Number.POSITIVE_INFINITY]) expect(severityName(n)).toBeNull();
  });
});
