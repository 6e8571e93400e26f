import { describe, expect, it } from 'vitest';
import { parseRfc3164, type SyslogMessage } from '../../../../shared/monitoring/syslog/index.ts';

/** Receive time of every case unless one says otherwise: 2024-06-01T12:00:00Z. */
const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);
const RECEIVED_ISO = '2024-06-01T12:00:00.000Z';

const parse = (line: string, options = {}) => parseRfc3164(line, { receivedAt: RECEIVED, ...options });

interface Case {
  name: string;
  line: string;
  options?: Parameters<typeof parseRfc3164>[1];
  expected: Partial<SyslogMessage>;
}

/** The RFC 3164 hard cases of docs/reference/event-ingestion.md §2 (numbers in the names). */
const HARD_CASES: Case[] = [
  {
    name: '22: host and tag; the year is inferred (October is in the future in June, so last year)',
    line: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    expected: {
      format: 'rfc3164',
      pri: 34,
      facility: 4,
      severity: 2,
      version: null,
      timestamp: '2023-10-11T22:14:15.000Z',
      timestampText: 'Oct 11 22:14:15',
      timestampMs: Date.UTC(2023, 9, 11, 22, 14, 15),
      timeSource: 'event',
      hostname: 'mymachine',
      appName: 'su',
      procId: null,
      msgId: null,
      structuredData: null,
      message: "'su root' failed for lonvick on /dev/pts/8",
      messageAbsent: false,
      flags: ['tz_assumed'],
    },
  },
  {
    name: '23: a word without : or [ is no tag',
    line: '<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!',
    expected: {
      timestamp: '2024-02-05T17:32:18.000Z',
      hostname: '10.0.0.99',
      appName: null,
      message: 'Use the BFG!',
      flags: ['tz_assumed'],
    },
  },
  {
    name: '23: non-ASCII host flagged, no tag taken from a colon-less word',
    line: '<46>Jan 5 10:01:00 Übergröße außerplanmäßig größenordnungsmäßig',
    expected: {
      timestamp: '2024-01-05T10:01:00.000Z',
      hostname: 'Übergröße',
      appName: null,
      message: 'außerplanmäßig größenordnungsmäßig',
      flags: ['timestamp_nonstandard', 'tz_assumed', 'hostname_invalid'],
    },
  },
  {
    name: '24: a zone name after the time is the host (strict)',
    line: "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time",
    expected: {
      timestamp: '2023-08-24T05:34:00.000Z',
      hostname: 'CST',
      appName: null,
      message: "1987 mymachine myproc[10]: %% It's time",
      flags: ['tz_assumed'],
    },
  },
  {
    name: '25: no valid timestamp: the text after PRI is content',
    line: "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
    expected: {
      pri: 0,
      timeSource: 'received',
      timestamp: RECEIVED_ISO,
      hostname: null,
      appName: null,
      message: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
      flags: ['missing_timestamp', 'hostname_missing'],
    },
  },
  {
    name: '26: Cisco ASA: year before the time, trailing colon, no host, %FAC-SEV-MNEMONIC',
    line: '<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 3 for outside',
    expected: {
      timestamp: '2007-04-15T21:28:13.000Z',
      timestampText: 'Apr 15 2007 21:28:13',
      hostname: null,
      appName: '%PIX-6-302014',
      ciscoMnemonic: { facility: 'PIX', severity: 6, mnemonic: '302014' },
      message: 'Teardown TCP connection 3 for outside',
      flags: ['tz_assumed', 'hostname_missing'],
    },
  },
  {
    name: '27: year after the time',
    line: '<190>Apr 15 21:28:13 2007 linksys app: msg',
    expected: {
      timestamp: '2007-04-15T21:28:13.000Z',
      timestampText: 'Apr 15 21:28:13 2007',
      hostname: 'linksys',
      appName: 'app',
      message: 'msg',
      flags: ['timestamp_nonstandard', 'tz_assumed'],
    },
  },
  {
    name: '27: Cisco sequence number alone',
    line: '<189>65536: ',
    expected: {
      pri: 189,
      sequenceId: '65536',
      timeSource: 'received',
      message: '',
      messageAbsent: true,
      flags: ['missing_timestamp', 'hostname_missing'],
    },
  },
  {
    name: '28: AIX "Message forwarded from" names the host',
    line: '<38>Sep 22 10:11:56 Message forwarded from cdaix66: sshd[679960]: Accepted publickey for root',
    expected: {
      hostname: 'cdaix66',
      appName: 'sshd',
      procId: '679960',
      message: 'Accepted publickey for root',
      flags: ['tz_assumed'],
    },
  },
  {
    name: '29: an upper-case month is accepted, flagged',
    line: '<190>NOV 22 00:00:33 192.168.33.8-1 CMDLOGGER[165319912]: cmd',
    expected: {
      timestamp: '2023-11-22T00:00:33.000Z',
      hostname: '192.168.33.8-1',
      appName: 'CMDLOGGER',
      procId: '165319912',
      message: 'cmd',
      flags: ['timestamp_nonstandard', 'tz_assumed'],
    },
  },
  {
    name: '30: no timestamp means no host (syslog-ng rule): program and pid',
    line: '<15> openvpn[2499]: PTHREAD support initialized',
    expected: {
      hostname: null,
      appName: 'openvpn',
      procId: '2499',
      message: 'PTHREAD support initialized',
      timeSource: 'received',
      flags: ['missing_timestamp', 'hostname_missing'],
    },
  },
  {
    name: '30: no timestamp and no tag: all content',
    line: '<38>User logged into the appliance.',
    expected: { hostname: null, appName: null, message: 'User logged into the appliance.' },
  },
  {
    name: '31: a listener that expects a hostname reads one',
    line: '<13>Jan  1 14:40:51 alma korte: message',
    expected: { hostname: 'alma', appName: 'korte', message: 'message', flags: ['tz_assumed'] },
  },
  {
    name: '31: a local-socket listener (no hostname): the first word is not a tag without its colon',
    line: '<13>Jan  1 14:40:51 alma korte: message',
    options: { expectHostname: false },
    expected: { hostname: null, appName: null, message: 'alma korte: message', flags: ['tz_assumed'] },
  },
  {
    name: '31: a local-socket listener reads the tag right after the timestamp',
    line: '<13>Jan  1 14:40:51 alma[77]: message',
    options: { expectHostname: false },
    expected: { hostname: null, appName: 'alma', procId: '77', message: 'message', flags: ['tz_assumed'] },
  },
  {
    name: '32: a PRI without > is no PRI: whole line, 13 assumed',
    line: '<189 Feb  3 12:34:56 host program[pid]: message',
    expected: {
      format: 'unknown',
      pri: 13,
      facility: 1,
      severity: 5,
      timeSource: 'received',
      hostname: null,
      appName: null,
      message: '<189 Feb  3 12:34:56 host program[pid]: message',
      flags: ['invalid_pri'],
    },
  },
  {
    name: '33: rsyslog ForwardFormat: RFC 3339 time, origin SD read from the content',
    line: '<190>2019-02-13T21:53:30.605850+00:00 74794bfb6795 liblogging-stdlog:  [origin software="rsyslogd" swVersion="8.24.0"] start',
    expected: {
      timestamp: '2019-02-13T21:53:30.605850Z',
      timestampText: '2019-02-13T21:53:30.605850+00:00',
      hostname: '74794bfb6795',
      appName: 'liblogging-stdlog',
      structuredData: { origin: { software: 'rsyslogd', swVersion: '8.24.0' } },
      message: 'start',
      flags: [],
    },
  },
  {
    name: '33: brackets without SD-ID stay in the message',
    line: '<190>2019-02-13T21:53:30Z host liblogging-stdlog: [software="rsyslogd"] start',
    expected: { structuredData: null, message: '[software="rsyslogd"] start', flags: [] },
  },
  {
    name: '34: rsyslog #012-style escapes are decoded in the message',
    line: '<13>Oct 11 22:14:15 host app: line1#012line2#011tabbed, issue #123 stays',
    expected: {
      message: 'line1\nline2\ttabbed, issue #123 stays',
      flags: ['tz_assumed', 'control_chars_unescaped'],
    },
  },
];

describe('parseRfc3164: the hard cases', () => {
  it.each(HARD_CASES)('$name', ({ line, options, expected }) => {
    expect(parse(line, options)).toMatchObject(expected);
  });
});

describe('parseRfc3164: tags', () => {
  it.each([
    ['sshd[123]: msg', 'sshd', '123', 'msg'],
    ['sshd[123] msg', 'sshd', '123', 'msg'],
    ['postfix/smtpd[9]: connect', 'postfix/smtpd', '9', 'connect'],
    ['CRON: x', 'CRON', null, 'x'],
    ['sshd[]: empty pid', 'sshd', null, 'empty pid'],
    ['a:b[12]: colon in name', 'a:b', '12', 'colon in name'],
    ['OX-XXX-CONTEUDO:rpd: juniper', 'OX-XXX-CONTEUDO:rpd', null, 'juniper'],
    ['su:', 'su', null, ''],
  ])('%s → tag %s pid %s', (content, tag, pid, message) => {
    const m = parse(`<13>Oct 11 22:14:15 host ${content}`);
    expect(m).toMatchObject({ hostname: 'host', appName: tag, procId: pid, message });
  });

  it.each([
    'Connection closed by peer',
    'http://example.com/x is up',
    '[123]: no name',
    'a[1]b: pid then text',
    'foo[bar: unclosed',
  ])('%s has no tag', (content) => {
    const m = parse(`<13>Oct 11 22:14:15 host ${content}`);
    expect(m).toMatchObject({ hostname: 'host', appName: null, procId: null, message: content });
  });

  it('keeps spaces after the first one in the content', () => {
    expect(parse('<13>Oct 11 22:14:15 host app:   indented').message).toBe('  indented');
  });

  it('reads an absent content as absent', () => {
    expect(parse('<13>Oct 11 22:14:15 host')).toMatchObject({
      hostname: 'host',
      appName: null,
      messageAbsent: true,
    });
    expect(parse('<13>Oct 11 22:14:15 host app:')).toMatchObject({ appName: 'app', messageAbsent: true });
  });

  it('does not take a kernel timestamp or a key list for structured data', () => {
    for (const content of ['[ 123.456] usb 1-1: new', '[12345.678] eth0 up', '[a] [b c="d"] x']) {
      const m = parse(`<13>Oct 11 22:14:15 host kernel: ${content}`);
      expect(m.structuredData).toBeNull();
      expect(m.message).toBe(content);
    }
  });

  it('reads rsyslog SD only when asked to', () => {
    const line = '<13>Oct 11 22:14:15 host rsyslogd: [origin software="rsyslogd"] start';
    expect(parse(line).structuredData).toEqual({ origin: { software: 'rsyslogd' } });
    expect(parse(line, { structuredDataInRfc3164: false })).toMatchObject({
      structuredData: null,
      message: '[origin software="rsyslogd"] start',
    });
  });

  it('flags a repeated SD-ID in BSD content too', () => {
    expect(parse('<13>Oct 11 22:14:15 host a: [x k="1"][x k="2"] m')).toMatchObject({
      structuredData: { x: { k: '1' } },
      message: 'm',
      flags: ['tz_assumed', 'sd_duplicate_id'],
    });
  });
});

describe('parseRfc3164: hostnames', () => {
  it.each([
    ['web-01', []],
    ['db.example.com', []],
    ['2001:db8::1', []],
    ['fe80::1%eth0', []],
    ['host_name', []],
    ['host/relay', ['hostname_invalid']],
    ['hôte', ['hostname_invalid']],
  ])('%s', (host, flags) => {
    const m = parse(`<13>Oct 11 22:14:15 ${host} app: x`);
    expect(m.hostname).toBe(host);
    expect(m.flags).toEqual(['tz_assumed', ...flags]);
  });

  it('takes a tag in the hostname position for a missing hostname', () => {
    for (const [line, tag] of [
      ['<13>Oct 11 22:14:15 sshd[1]: x', 'sshd'],
      ['<13>Oct 11 22:14:15 su: x', 'su'],
    ]) {
      expect(parse(line as string)).toMatchObject({
        hostname: null,
        appName: tag,
        flags: ['tz_assumed', 'hostname_missing'],
      });
    }
  });

  it('skips the lone colon after a Cisco ASA device id', () => {
    expect(parse('<166>Mar 06 2024 09:20:36 FW01 : %ASA-6-302013: Built inbound')).toMatchObject({
      hostname: 'FW01',
      appName: '%ASA-6-302013',
      ciscoMnemonic: { facility: 'ASA', severity: 6, mnemonic: '302013' },
      message: 'Built inbound',
    });
  });

  it('flags a hostname expected after the timestamp but missing', () => {
    expect(parse('<13>Oct 11 22:14:15')).toMatchObject({
      hostname: null,
      flags: ['tz_assumed', 'hostname_missing'],
    });
  });
});

describe('parseRfc3164: Cisco IOS', () => {
  it('reads sequence number, clock marker, milliseconds, UTC zone and mnemonic', () => {
    expect(
      parse('<189>38: *Mar  1 18:46:11.123 UTC: %SYS-5-CONFIG_I: Configured from console by vty0'),
    ).toMatchObject({
      sequenceId: '38',
      timestamp: '2024-03-01T18:46:11.123Z',
      timestampText: '*Mar  1 18:46:11.123 UTC',
      timeSource: 'event',
      hostname: null,
      appName: '%SYS-5-CONFIG_I',
      ciscoMnemonic: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I' },
      message: 'Configured from console by vty0',
      flags: ['timestamp_nonstandard', 'hostname_missing'],
    });
  });

  it('takes a local zone name before a mnemonic as text, with the listener zone', () => {
    const m = parse('<189>12: .Mar  1 18:46:11 CET: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up', {
      defaultTimeZone: 'Europe/Paris',
    });
    expect(m).toMatchObject({
      timestamp: '2024-03-01T17:46:11.000Z',
      timestampText: '.Mar  1 18:46:11 CET',
      ciscoMnemonic: { facility: 'LINK', severity: 3, mnemonic: 'UPDOWN' },
      flags: ['timestamp_nonstandard', 'tz_assumed', 'hostname_missing'],
    });
  });

  it('does not take a short upper-case tag for a zone name', () => {
    expect(parse('<13>Oct 11 22:14:15 host CRON: job')).toMatchObject({
      hostname: 'host',
      appName: 'CRON',
      message: 'job',
    });
    expect(parse('<13>Oct 11 22:14:15 CRON: job')).toMatchObject({ hostname: null, appName: 'CRON' });
  });

  it('leaves a mnemonic without a severity digit unsplit', () => {
    const m = parse('<189>Oct 11 22:14:15 %ODD-X-THING: x');
    expect(m.appName).toBe('%ODD-X-THING');
    expect(m.ciscoMnemonic).toBeUndefined();
  });
});

describe('parseRfc3164: timestamps', () => {
  it.each([
    ['Oct  1 22:14:15', '2023-10-01T22:14:15.000Z', []],
    ['Oct 01 22:14:15', '2023-10-01T22:14:15.000Z', []],
    ['Oct 1 22:14:15', '2023-10-01T22:14:15.000Z', ['timestamp_nonstandard']],
    ['oct 11 22:14:15', '2023-10-11T22:14:15.000Z', ['timestamp_nonstandard']],
    ['Oct 11 22:14:15.123456', '2023-10-11T22:14:15.123456Z', ['timestamp_nonstandard']],
    ['Oct 11 2020 22:14:15', '2020-10-11T22:14:15.000Z', []],
    ['2020-10-11T22:14:15Z', '2020-10-11T22:14:15.000Z', []],
    ['2020-10-11T22:14:15', '2020-10-11T22:14:15.000Z', []],
    ['2020-10-11 22:14:15', '2020-10-11T22:14:15.000Z', ['timestamp_nonstandard']],
    ['2020-10-11 22:14:15.5+02:00', '2020-10-11T20:14:15.500Z', ['timestamp_nonstandard']],
  ])('%s → %s', (ts, iso, extra) => {
    const m = parse(`<13>${ts} host app: x`);
    expect(m).toMatchObject({ timestamp: iso, timestampText: ts, timeSource: 'event', hostname: 'host' });
    const tz = /(Z|[+-]\d\d:\d\d)$/.test(ts) ? [] : ['tz_assumed'];
    expect(m.flags).toEqual([...extra, ...tz]);
  });

  it.each([
    ['Feb 30 12:00:00'],
    ['Apr 31 12:00:00'],
    ['Oct 11 24:00:00'],
    ['Oct 11 23:60:00'],
    ['Oct 11 23:59:60'],
    ['Oct  0 23:59:59'],
    ['Feb 29 2023 12:00:00'],
    ['2020-13-11T22:14:15Z'],
    ['2020-10-11t22:14:15Z'],
    ['2020-10-11 25:14:15'],
  ])('%s is invalid: kept as text, host still read', (ts) => {
    const m = parse(`<13>${ts} host app: x`);
    expect(m).toMatchObject({
      timestamp: RECEIVED_ISO,
      timestampText: ts,
      timeSource: 'received',
      hostname: 'host',
      appName: 'app',
      message: 'x',
    });
    expect(m.flags).toContain('invalid_timestamp');
  });

  it.each(['Foo 11 22:14:15', 'Oct 11 22:14', 'Oct 11 2:14:15', 'Oct 11 22:14:15x', 'Oct11 22:14:15'])(
    '%s is not a timestamp: all content',
    (text) => {
      const m = parse(`<13>${text} host app: x`);
      expect(m).toMatchObject({ timeSource: 'received', timestampText: null, hostname: null });
      expect(m.flags).toEqual(['missing_timestamp', 'hostname_missing']);
    },
  );

  it('applies the listener zone, as IANA name or fixed offset', () => {
    const line = '<13>May  4 09:00:00 host app: x';
    expect(parse(line, { defaultTimeZone: 'America/New_York' }).timestamp).toBe('2024-05-04T13:00:00.000Z');
    expect(parse(line, { defaultTimeZone: 'Europe/Paris' }).timestamp).toBe('2024-05-04T07:00:00.000Z');
    expect(parse(line, { defaultTimeZone: 330 }).timestamp).toBe('2024-05-04T03:30:00.000Z');
    expect(parse(line, { defaultTimeZone: -90 }).timestamp).toBe('2024-05-04T10:30:00.000Z');
    expect(parse('<13>Jan  4 09:00:00 host app: x', { defaultTimeZone: 'Europe/Paris' }).timestamp).toBe(
      '2024-01-04T08:00:00.000Z',
    );
  });
});

describe('parseRfc3164: the year of a year-less timestamp', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    [
      'December message received on New Year',
      'Dec 31 23:59:59',
      '2025-01-01T00:00:05Z',
      '2024-12-31T23:59:59.000Z',
    ],
    [
      'January message received on New Year\u2019s Eve (sender ahead)',
      'Jan  1 00:00:05',
      '2024-12-31T23:59:58Z',
      '2025-01-01T00:00:05.000Z',
    ],
    [
      'a date less than a day ahead stays this year',
      'Jun  2 06:00:00',
      '2024-06-01T12:00:00Z',
      '2024-06-02T06:00:00.000Z',
    ],
    [
      'a date more than a day ahead is last year',
      'Jun  3 12:00:00',
      '2024-06-01T12:00:00Z',
      '2023-06-03T12:00:00.000Z',
    ],
    ['Feb 29 in a leap year', 'Feb 29 12:00:00', '2024-03-01T00:00:00Z', '2024-02-29T12:00:00.000Z'],
    [
      'Feb 29 the year after: the last leap year',
      'Feb 29 12:00:00',
      '2025-03-01T00:00:00Z',
      '2024-02-29T12:00:00.000Z',
    ],
    [
      'Feb 29 received on Feb 28 of a common year',
      'Feb 29 00:00:01',
      '2023-02-28T23:59:59Z',
      '2020-02-29T00:00:01.000Z',
    ],
    [
      'Feb 29 after a century without one (2100)',
      'Feb 29 00:00:00',
      '2101-01-01T00:00:00Z',
      '2096-02-29T00:00:00.000Z',
    ],
  ])('%s', (_name, ts, received, expected) => {
    expect(parse(`<13>${ts} host app: x`, { receivedAt: at(received) })).toMatchObject({
      timestamp: expected,
      timeSource: 'event',
    });
  });

  it('infers the year in the sender zone, not in UTC', () => {
    // 2024-12-31T23:30Z is already 2025-01-01 in Paris: a "Jan  1 00:15" message is from 2025.
    expect(
      parse('<13>Jan  1 00:15:00 host app: x', {
        receivedAt: Date.parse('2024-12-31T23:30:00Z'),
        defaultTimeZone: 'Europe/Paris',
      }).timestamp,
    ).toBe('2024-12-31T23:15:00.000Z');
  });
});

describe('parseRfc3164: records without PRI', () => {
  it('keeps a line without PRI and timestamp whole (headerless)', () => {
    expect(parse('just some text: here')).toMatchObject({
      format: 'unknown',
      pri: 13,
      hostname: null,
      appName: null,
      message: 'just some text: here',
      flags: ['pri_missing', 'missing_timestamp', 'headerless'],
    });
  });

  it('still reads the header of a log-file line without PRI', () => {
    expect(parse('Oct 11 22:14:15 host sshd[7]: Accepted')).toMatchObject({
      format: 'rfc3164',
      pri: 13,
      hostname: 'host',
      appName: 'sshd',
      procId: '7',
      message: 'Accepted',
      flags: ['pri_missing', 'tz_assumed'],
    });
  });

  it('does not read a Cisco sequence number without PRI', () => {
    expect(parse('12: hello')).toMatchObject({ format: 'unknown', message: '12: hello' });
  });
});
