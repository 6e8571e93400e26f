import { describe, expect, it } from 'vitest';
import { parseRfc5424, type SyslogMessage } from '../../../../shared/monitoring/syslog/index.ts';

/** Receive time of every case: 2024-06-01T12:00:00Z. */
const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);
const RECEIVED_ISO = '2024-06-01T12:00:00.000Z';

const parse = (line: string, options = {}) => parseRfc5424(line, { receivedAt: RECEIVED, ...options });

interface Case {
  name: string;
  line: string;
  options?: Parameters<typeof parseRfc5424>[1];
  expected: Partial<SyslogMessage>;
}

/** The RFC 5424 hard cases of docs/reference/event-ingestion.md §2 (numbers in the names). */
const HARD_CASES: Case[] = [
  {
    name: '1: BOM at the start of MSG is stripped and marks UTF-8',
    line: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
    expected: {
      format: 'rfc5424',
      pri: 34,
      facility: 4,
      severity: 2,
      version: 1,
      timestamp: '2003-10-11T22:14:15.003Z',
      timestampText: '2003-10-11T22:14:15.003Z',
      timestampMs: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      timeSource: 'event',
      hostname: 'mymachine.example.com',
      appName: 'su',
      procId: null,
      msgId: 'ID47',
      structuredData: null,
      message: "'su root' failed for lonvick on /dev/pts/8",
      messageAbsent: false,
      encoding: 'utf8',
      flags: [],
    },
  },
  {
    name: '2: offset converted to UTC, microseconds kept, PROCID a string',
    line: "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    expected: {
      pri: 165,
      facility: 20,
      severity: 5,
      timestamp: '2003-08-24T12:14:15.000003Z',
      timestampText: '2003-08-24T05:14:15.000003-07:00',
      timestampMs: Date.UTC(2003, 7, 24, 12, 14, 15, 0),
      hostname: '192.0.2.1',
      appName: 'myproc',
      procId: '8710',
      msgId: null,
      message: "%% It's time to make the do-nuts.",
      flags: [],
    },
  },
  {
    name: '3: two SD elements and no MSG (absent, not empty)',
    line: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    expected: {
      appName: 'evntslog',
      structuredData: {
        'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
        'examplePriority@32473': { class: 'high' },
      },
      message: '',
      messageAbsent: true,
      flags: [],
    },
  },
  {
    name: '4: NILVALUE everywhere; the receive time stands in',
    line: '<10>1 - - - - - -',
    expected: {
      pri: 10,
      version: 1,
      timestamp: RECEIVED_ISO,
      timestampText: null,
      timestampMs: RECEIVED,
      timeSource: 'received',
      hostname: null,
      appName: null,
      procId: null,
      msgId: null,
      structuredData: null,
      message: '',
      messageAbsent: true,
      flags: ['missing_timestamp'],
    },
  },
  {
    name: '4: PRI 0 is valid',
    line: '<0>1 - - - - - -',
    expected: { pri: 0, facility: 0, severity: 0, flags: ['missing_timestamp'] },
  },
  {
    name: '4: PRI 192 is invalid: 13 assumed, the header still read',
    line: '<192>1 - host app - - -',
    expected: { pri: 13, hostname: 'host', appName: 'app', flags: ['invalid_pri', 'missing_timestamp'] },
  },
  {
    name: '5: leading zeros in PRI: the value, flagged',
    line: '<002>1 - - - - - -',
    expected: { pri: 2, facility: 0, severity: 2, flags: ['pri_nonstandard', 'missing_timestamp'] },
  },
  {
    name: '6: SD escapes of ] " and \\',
    line: '<29>2 2016-01-15T01:00:43Z some-host-name SEKRETPROGRAM prg - [meta escape="\\]\\"\\\\"]',
    expected: {
      version: 2,
      hostname: 'some-host-name',
      appName: 'SEKRETPROGRAM',
      procId: 'prg',
      structuredData: { meta: { escape: ']"\\' } },
      messageAbsent: true,
      flags: [],
    },
  },
  {
    name: '7: a backslash before another character is kept with it',
    line: '<29>8 2016-01-15T01:00:43Z hn S - - [meta es="\\n"] 127.0.0.1',
    expected: { version: 8, structuredData: { meta: { es: '\\n' } }, message: '127.0.0.1', flags: [] },
  },
  {
    name: '8: an unescaped ] inside quotes is read, flagged',
    line: '<29>3 2016-01-15T01:00:43Z hn S - - [meta escape="]"] x',
    expected: { structuredData: { meta: { escape: ']' } }, message: 'x', flags: ['sd_invalid'] },
  },
  {
    name: '8: a quote in the wrong place: SD unreadable, kept raw as the message',
    line: '<29>3 2016-01-15T01:00:43Z hn S - - [a i=""ok"]',
    expected: { structuredData: null, message: '[a i=""ok"]', messageAbsent: false, flags: ['sd_invalid'] },
  },
  {
    name: '9: a repeated SD-ID keeps the first element',
    line: '<165>3 2003-10-11T22:14:15.003Z example.com evnts - ID27 [id1 a="first"][id1 a="second"]',
    expected: { structuredData: { id1: { a: 'first' } }, messageAbsent: true, flags: ['sd_duplicate_id'] },
  },
  {
    name: '9: a repeated empty SD-ID',
    line: '<165>3 2003-10-11T22:14:15.003Z example.com evnts - ID27 [id1][id1]',
    expected: { structuredData: { id1: {} }, flags: ['sd_duplicate_id'] },
  },
  {
    name: '10: a repeated PARAM-NAME keeps every value',
    line: '<1>1 - - - - - [id a="1" a="2" a="3" b="x"]',
    expected: { structuredData: { id: { a: ['1', '2', '3'], b: 'x' } }, flags: ['missing_timestamp'] },
  },
  {
    name: '11: a space between elements: the second element is MSG',
    line: '<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [exampleSDID@0 iut="3"] [eventSource="Application"] An application event',
    expected: {
      timestamp: '2006-10-29T00:59:59.156Z',
      structuredData: { 'exampleSDID@0': { iut: '3' } },
      message: '[eventSource="Application"] An application event',
      flags: [],
    },
  },
  {
    name: '12: unquoted values (ESXi) are read, flagged',
    line: '<166>1 2020-01-01T00:00:00.000Z esx Hostd - - [Originator@6876 sub=Vimsvc.ha-eventmgr opID=esxui-13c6-6b16 user=root] Event',
    expected: {
      structuredData: {
        'Originator@6876': { sub: 'Vimsvc.ha-eventmgr', opID: 'esxui-13c6-6b16', user: 'root' },
      },
      message: 'Event',
      flags: ['sd_invalid'],
    },
  },
  {
    name: '12: a parameter without value is not dropped: the text stays in MSG',
    line: '<13>1 2019-02-13T19:48:34+00:00 74794bfb6795 root 8449 - [incorrect x] qwerty',
    expected: {
      procId: '8449',
      structuredData: null,
      message: '[incorrect x] qwerty',
      flags: ['sd_invalid'],
    },
  },
  {
    name: '13: a 33-character SD-ID is kept, flagged',
    line: '<1>1 - - - - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i="long_33"]',
    expected: {
      structuredData: { aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: { i: 'long_33' } },
      flags: ['missing_timestamp', 'sd_invalid'],
    },
  },
  {
    name: '14: a lower-case t is invalid (JavaScript Date accepts it)',
    line: '<29>1 2006-01-02t15:04:05Z - - - - -',
    expected: {
      timestamp: RECEIVED_ISO,
      timestampText: '2006-01-02t15:04:05Z',
      timeSource: 'received',
      flags: ['invalid_timestamp'],
    },
  },
  {
    name: '14: a leap second is invalid',
    line: '<29>1 2006-01-02T23:59:60Z - - - - -',
    expected: { timeSource: 'received', timestampText: '2006-01-02T23:59:60Z', flags: ['invalid_timestamp'] },
  },
  {
    name: '15: more than 6 fraction digits: kept, flagged',
    line: '<7>1 2003-08-24T05:14:15.000000003-07:00 h a - - - x',
    expected: {
      timestamp: '2003-08-24T12:14:15.000000003Z',
      timeSource: 'event',
      message: 'x',
      flags: ['timestamp_nonstandard'],
    },
  },
  {
    name: '16: no offset: the listener zone, flagged',
    line: '<134>1 2009-10-16T11:51:56 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - - msg',
    options: { defaultTimeZone: 'Europe/Copenhagen' },
    expected: {
      timestamp: '2009-10-16T09:51:56.000Z',
      timestampText: '2009-10-16T11:51:56',
      timeSource: 'event',
      appName: 'MSExchange_ADAccess',
      flags: ['tz_assumed'],
    },
  },
  {
    name: '17: September 31 is invalid (JavaScript Date rolls it over to October)',
    line: '<101>11 2003-09-31T22:14:15.003Z',
    expected: {
      version: 11,
      timeSource: 'received',
      timestampText: '2003-09-31T22:14:15.003Z',
      flags: ['invalid_timestamp', 'header_incomplete'],
    },
  },
  {
    name: '18: a newline in the header is kept and flagged',
    line: '<1>1 - host\nname - - - -',
    expected: { hostname: 'host\nname', flags: ['missing_timestamp', 'hostname_invalid'] },
  },
  {
    name: '19: a colon in APP-NAME is legal',
    line: '<28>1 2020-05-22T14:59:09.250-03:00 OX-XXX-MX204 OX-XXX-CONTEUDO:rpd 6589 - - bgp_listen_accept: Connection attempt',
    expected: {
      timestamp: '2020-05-22T17:59:09.250Z',
      hostname: 'OX-XXX-MX204',
      appName: 'OX-XXX-CONTEUDO:rpd',
      procId: '6589',
      message: 'bgp_listen_accept: Connection attempt',
      flags: [],
    },
  },
  {
    name: '20: a slash in HOSTNAME is the whole token',
    line: '<110>1 2009-05-03T14:00:39.529966+02:00 host.example.org/relay.example.org syslogd 2138 - - relayed',
    expected: {
      timestamp: '2009-05-03T12:00:39.529966Z',
      hostname: 'host.example.org/relay.example.org',
      procId: '2138',
      message: 'relayed',
      flags: [],
    },
  },
  {
    name: '21: a bad timestamp does not stop the rest of the header',
    line: '<1>1 A host app 12 ID - hello',
    expected: {
      pri: 1,
      version: 1,
      timestampText: 'A',
      timeSource: 'received',
      hostname: 'host',
      appName: 'app',
      procId: '12',
      msgId: 'ID',
      message: 'hello',
      flags: ['invalid_timestamp'],
    },
  },
];

describe('parseRfc5424: the hard cases', () => {
  it.each(HARD_CASES)('$name', ({ line, options, expected }) => {
    expect(parse(line, options)).toMatchObject(expected);
  });
});

describe('parseRfc5424: the header rules of §6', () => {
  it('accepts VERSION up to three digits and reads the rest of the header', () => {
    expect(parse('<1>999 - h - - - -')).toMatchObject({
      version: 999,
      hostname: 'h',
      flags: ['missing_timestamp'],
    });
  });

  it('parses a line without VERSION as RFC 3164, flagged', () => {
    const m = parse('<34>Oct 11 22:14:15 mymachine su: hello');
    expect(m).toMatchObject({ format: 'rfc3164', version: null, hostname: 'mymachine', appName: 'su' });
    expect(m.flags).toContain('version_missing');
    expect(parse('<34>0 - - - - - -')).toMatchObject({ format: 'rfc3164', version: null });
    expect(parse('<34>1000 - - - - - -')).toMatchObject({ format: 'rfc3164' });
  });

  it.each([
    ['hostname', 255, 'hostname_invalid'],
    ['appName', 48, 'appname_invalid'],
    ['procId', 128, 'procid_invalid'],
    ['msgId', 32, 'msgid_invalid'],
  ] as const)('keeps %s at its maximum of %i, flags one more', (field, max, flag) => {
    const fields = ['-', '-', '-', '-'];
    const index = ['hostname', 'appName', 'procId', 'msgId'].indexOf(field);
    fields[index] = 'x'.repeat(max);
    const ok = parse(`<13>1 - ${fields.join(' ')} - m`);
    expect(ok[field]).toBe('x'.repeat(max));
    expect(ok.flags).toEqual(['missing_timestamp']);
    fields[index] = 'x'.repeat(max + 1);
    const long = parse(`<13>1 - ${fields.join(' ')} - m`);
    expect(long[field]).toBe('x'.repeat(max + 1));
    expect(long.flags).toEqual(['missing_timestamp', flag]);
    expect(long.message).toBe('m');
  });

  it('flags header characters outside printable ASCII but keeps them', () => {
    const m = parse('<13>1 - hôst äpp p\u0001d msg\u00a0id - x');
    expect(m).toMatchObject({ hostname: 'hôst', appName: 'äpp', procId: 'p\u0001d', msgId: 'msg\u00a0id' });
    expect(m.flags).toEqual([
      'missing_timestamp',
      'hostname_invalid',
      'appname_invalid',
      'procid_invalid',
      'msgid_invalid',
    ]);
  });

  it('skips extra spaces between header fields, flagged', () => {
    const m = parse('<13>1  2003-10-11T22:14:15Z   host  app - -  -   two spaces kept');
    expect(m).toMatchObject({
      hostname: 'host',
      appName: 'app',
      procId: null,
      msgId: null,
      structuredData: null,
    });
    expect(m.message).toBe('  two spaces kept');
    expect(m.flags).toEqual(['header_whitespace']);
  });

  it('keeps what it read of a header that ends early, flagged', () => {
    expect(parse('<13>1 2003-10-11T22:14:15Z host')).toMatchObject({
      hostname: 'host',
      appName: null,
      timeSource: 'event',
      messageAbsent: true,
      flags: ['header_incomplete'],
    });
    expect(parse('<13>1 ')).toMatchObject({
      timeSource: 'received',
      flags: ['header_incomplete', 'missing_timestamp'],
    });
    expect(parse('<13>1 - h a p m')).toMatchObject({
      msgId: 'm',
      flags: ['missing_timestamp', 'header_incomplete'],
    });
  });

  it('tells an empty MSG from an absent one', () => {
    expect(parse('<13>1 - - - - - -')).toMatchObject({ message: '', messageAbsent: true });
    expect(parse('<13>1 - - - - - - ')).toMatchObject({ message: '', messageAbsent: false });
    expect(parse('<13>1 - - - - - - \uFEFF')).toMatchObject({
      message: '',
      messageAbsent: false,
      encoding: 'utf8',
    });
  });

  it('keeps a MSG without BOM as is, with no encoding', () => {
    const m = parse('<13>1 - - - - - - caf\u00e9 \uFEFF inside');
    expect(m.message).toBe('caf\u00e9 \uFEFF inside');
    expect(m.encoding).toBeUndefined();
  });

  it('keeps newlines inside MSG and drops only the transport residue at the end', () => {
    expect(parse('<13>1 - - - - - - line one\nline two\r\n').message).toBe('line one\nline two');
    expect(parse('<13>1 - - - - - - nul-terminated\0').message).toBe('nul-terminated');
  });

  it('takes text where SD belongs as the message when it is neither - nor [', () => {
    expect(parse('<13>1 - h a - - hello world')).toMatchObject({
      structuredData: null,
      message: 'hello world',
      flags: ['missing_timestamp', 'sd_invalid'],
    });
    expect(parse('<13>1 - h a - - -glued')).toMatchObject({
      message: '-glued',
      flags: ['missing_timestamp', 'sd_invalid'],
    });
    expect(parse('<13>1 - h a - - [a b="c"]glued')).toMatchObject({
      structuredData: { a: { b: 'c' } },
      message: 'glued',
      flags: ['missing_timestamp', 'sd_invalid'],
    });
  });
});

describe('parseRfc5424: structured data', () => {
  const sd = (text: string) => parse(`<13>1 - - - - - ${text}`);

  it('reads several elements and parameters, values with spaces and UTF-8', () => {
    expect(
      sd(
        '[timeQuality tzKnown="1" isSynced="0"][origin ip="192.0.2.1" ip="2001:db8::1" software="x y"][a@1 k="κόσμε"] m',
      ).structuredData,
    ).toEqual({
      timeQuality: { tzKnown: '1', isSynced: '0' },
      origin: { ip: ['192.0.2.1', '2001:db8::1'], software: 'x y' },
      'a@1': { k: 'κόσμε' },
    });
  });

  it('keeps empty values and every escape rule', () => {
    expect(sd('[a e="" q="\\"" b="\\\\" c="\\]" d="\\x" t="a\\\\\\"b" z="\\\\\\\\"]').structuredData).toEqual(
      {
        a: { e: '', q: '"', b: '\\', c: ']', d: '\\x', t: 'a\\"b', z: '\\\\' },
      },
    );
  });

  it('keeps the elements before one that breaks, and the rest as message', () => {
    expect(sd('[good a="1"][bad a=] tail')).toMatchObject({
      structuredData: { good: { a: '1' } },
      message: '[bad a=] tail',
      flags: ['missing_timestamp', 'sd_invalid'],
    });
  });

  it.each([
    ['[a b="unterminated]', 'an unterminated value'],
    ['[a b="c"', 'no closing bracket'],
    ['[ a="b"]', 'an empty SD-ID'],
    ['[a ="b"]', 'an empty PARAM-NAME'],
    ['[a b]', 'a PARAM-NAME without ='],
    ['[a b="c"d="e"]', 'no space between parameters'],
    ['[a"b c="d"]', 'a quote in the SD-ID'],
    ['[a b="c\\', 'a backslash at the end'],
  ])('keeps %s raw in the message (%s)', (text) => {
    const m = sd(text);
    expect(m.structuredData).toBeNull();
    expect(m.message).toBe(text);
    expect(m.flags).toEqual(['missing_timestamp', 'sd_invalid']);
  });

  it('finds escapes and unescaped ] wherever they fall among several values', () => {
    expect(sd('[a x="1" y="p\\"q" z="r]s"][b w="\\\\"] m \\ ] "').structuredData).toEqual({
      a: { x: '1', y: 'p"q', z: 'r]s' },
      b: { w: '\\' },
    });
    const clean = sd('[a x="1"][b y="2"] text with \\ and ] after');
    expect(clean).toMatchObject({ message: 'text with \\ and ] after', flags: ['missing_timestamp'] });
  });

  it('tolerates extra spaces and a space before ], flagged', () => {
    expect(sd('[a  b="1" ] m')).toMatchObject({
      structuredData: { a: { b: '1' } },
      message: 'm',
      flags: ['missing_timestamp', 'sd_invalid'],
    });
  });

  it('stores names such as __proto__ and constructor as plain keys', () => {
    const m = sd('[__proto__ constructor="1" __proto__="2" toString="3" toString="4" __proto__="5"]');
    expect(Object.keys(m.structuredData!)).toEqual(['__proto__']);
    const element = Object.getOwnPropertyDescriptor(m.structuredData, '__proto__')!.value;
    expect(Object.getPrototypeOf(m.structuredData)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(element)).toBe(Object.prototype);
    expect(JSON.stringify(element)).toBe('{"constructor":"1","__proto__":["2","5"],"toString":["3","4"]}');
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('reads a long run of elements in linear time', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `[e${i} k="${i}"]`).join('');
    const m = sd(`${many} end`);
    expect(Object.keys(m.structuredData!)).toHaveLength(5000);
    expect(m.message).toBe('end');
  });
});
