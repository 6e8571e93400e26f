import { describe, expect, it } from 'vitest';
import { WindowsEventParseError } from '../../../../shared/monitoring/windows/errors.ts';
import { parseEventXml } from '../../../../shared/monitoring/windows/event-xml.ts';
import { parseOpenWecJson, parseOpenWecRecord } from '../../../../shared/monitoring/windows/openwec-json.ts';
import type { WindowsEvent } from '../../../../shared/monitoring/windows/types.ts';
import { windowsFixture } from './fixtures.ts';

const lines = windowsFixture('openwec.jsonl').trimEnd().split('\n');
/** A fixture line as an object the tests edit freely. */
// biome-ignore lint/suspicious/noExplicitAny: test edits of arbitrary JSON
const record = (i: number) => JSON.parse(lines[i]!) as Record<string, any>;

function events(text: string): WindowsEvent[] {
  return parseOpenWecJson(text).map((r) => {
    if (!r.ok) throw r.error;
    return r.event;
  });
}

function refusal(value: unknown): WindowsEventParseError {
  try {
    parseOpenWecRecord(typeof value === 'string' ? value : JSON.stringify(value));
  } catch (e) {
    expect(e).toBeInstanceOf(WindowsEventParseError);
    return e as WindowsEventParseError;
  }
  throw new Error('expected a refusal');
}

/** The fields both readers must agree on for the same event. */
const common = (e: WindowsEvent) => ({
  provider: e.provider,
  eventId: e.eventId,
  qualifiers: e.qualifiers,
  eventIdRaw: e.eventIdRaw,
  level: e.level,
  keywords: e.keywords,
  auditResult: e.auditResult,
  timeCreated: e.timeCreated,
  eventRecordId: e.eventRecordId,
  channel: e.channel,
  computer: e.computer,
  userData: e.userData,
  userDataRoot: e.userDataRoot,
});

describe('OpenWEC Json format', () => {
  it('reads every line of the fixture', () => {
    expect(events(windowsFixture('openwec.jsonl')).map((e) => e.eventId)).toEqual([
      4625, 1102, 7036, 6008, 111, 4624, 7045,
    ]);
  });

  it('maps a 4625 with its collector metadata, as the same event in XML', () => {
    const [e] = events(lines[0]!);
    expect(e!.collector).toEqual({
      kind: 'openwec',
      ipAddress: '10.20.0.31',
      timeReceived: {
        original: '2024-03-05T10:15:03.112+01:00',
        iso: '2024-03-05T09:15:03.112Z',
        epochMs: Date.UTC(2024, 2, 5, 9, 15, 3, 112),
      },
      client: 'WEB01$@CORP.EXAMPLE.COM',
      node: 'wec-a',
      subscription: {
        uuid: '8B18D83D-2964-4F35-AC3B-6F4E6FFA727B',
        version: '188BB736-9441-5C66-188B-B73694415C66',
        name: 'security-baseline',
        uri: '/wec/baseline',
        revision: null,
        clientRevision: '7',
        serverRevision: '7',
      },
      error: null,
    });
    expect(e!.source).toBe('openwec-json');
    expect(e!.raw).toBe(lines[0]);
    const xml = parseEventXml(windowsFixture('4625-failed-logon-rendered.xml'));
    expect(common(e!)).toEqual(common(xml));
    expect(e!.eventData).toEqual(xml.eventData);
    expect(e!.rendering).toEqual(xml.rendering);
    expect(e!.execution).toEqual(xml.execution);
  });

  it('parses the UserData text of a 1102 and flattens it as the XML reader does', () => {
    const [e] = events(lines[1]!);
    const xml = parseEventXml(windowsFixture('1102-log-cleared.xml'));
    expect(common(e!)).toEqual(common(xml));
    expect(e!.collector?.client).toBe('WEB01$@CORP.EXAMPLE.COM');
  });

  it('takes EventID and EventIDQualifiers apart, and keeps unnamed Data and Binary', () => {
    const [e7036] = events(lines[2]!);
    expect(common(e7036!)).toEqual(common(parseEventXml(windowsFixture('7036-service-state.xml'))));
    expect(e7036!.eventData.Binary).toBe('770075006100750073006500720076002F0034000000');
    const [e6008] = events(lines[3]!);
    expect(e6008!.eventData.Data).toEqual(['10:38:52 PM', '\u200e3/\u200e4/\u200e2024', '62731']);
    expect(e6008!.collector?.timeReceived.iso).toBe('2024-03-04T22:45:00.000000001Z');
  });

  it('reads the bookmark event 111 (no channel, record id or execution)', () => {
    const [e] = events(lines[4]!);
    expect(e).toMatchObject({ eventId: 111, channel: null, eventRecordId: null, execution: null, flags: [] });
    expect(e!.timeCreated?.iso).toBe('2024-03-05T08:00:00.175Z');
  });

  it('flags an event OpenWEC recovered from a cut RenderingInfo', () => {
    const [e] = events(lines[5]!);
    expect(e!.flags).toEqual(['raw_content_recovered']);
    expect(e!.collector?.error).toMatchObject({ type: 'RawContentRecovered' });
    expect(e!.collector?.error?.originalContent).toBe(windowsFixture('truncated-rendering.xml'));
  });

  it('reads the event from Error.OriginalContent when OpenWEC could not, and says so', () => {
    const [e] = events(lines[6]!);
    expect(e).toMatchObject({ source: 'openwec-json', eventId: 7045, eventRecordId: '88230', raw: lines[6] });
    expect(e!.execution).toMatchObject({ processId: null, threadId: 1712 });
    expect(e!.flags).toEqual(['collector_parse_error']);
    expect(e!.collector?.error?.type).toBe('FailedToFeedEvent');
    const unreadable = record(6);
    unreadable.OpenWEC.Error = { OriginalContent: '<Event><Sys', Type: 'Unrecoverable', Message: 'x' };
    expect(refusal(unreadable).reason).toMatch(/^OpenWEC.Error.OriginalContent: windows event xml/);
    delete unreadable.OpenWEC.Error;
    expect(refusal(unreadable).reason).toBe(
      'no System object and no OpenWEC.Error.OriginalContent to read the event from',
    );
  });

  it('keeps a 64-bit EventRecordID exactly, from the JSON text', () => {
    const big = record(2);
    const text = JSON.stringify(big).replace('"EventRecordID":88190', '"EventRecordID":18446744073709551615');
    expect(parseOpenWecRecord(text).eventRecordId).toBe('18446744073709551615');
    expect(refusal(text.replace('18446744073709551615', '1.5')).reason).toMatch(/System.EventRecordID/);
    expect(refusal(text.replace('18446744073709551615', '-3')).reason).toMatch(/System.EventRecordID/);
    expect(refusal(text.replace('18446744073709551615', '1e30')).reason).toMatch(/System.EventRecordID/);
    const spaced = text.replace(
      '"EventRecordID":18446744073709551615',
      '"EventRecordID" :\n 9007199254740993',
    );
    expect(parseOpenWecRecord(spaced).eventRecordId).toBe('9007199254740993');
    const quoted = text.replace('"param1":"Windows Update"', '"param1":"\\"EventRecordID\\":1"');
    expect(parseOpenWecRecord(quoted)).toMatchObject({
      eventRecordId: '18446744073709551615',
      eventData: { param1: '"EventRecordID":1' },
    });
  });

  it('flags UserData text that is not XML instead of losing the event', () => {
    const r = record(1);
    r.UserData = '<LogFileCleared><SubjectUserName>x</LogFileCleared>';
    const e = parseOpenWecRecord(JSON.stringify(r));
    expect(e.flags).toEqual(['user_data_invalid']);
    expect(e.userData).toEqual({});
  });

  it('skips blank lines, takes CRLF, and reports a bad line with its raw text and offset', () => {
    const text = `${lines[2]}\r\n\r\n   \nnot json\n${lines[4]}`;
    const results = parseOpenWecJson(text);
    expect(results.map((r) => (r.ok ? r.event.eventId : 'error'))).toEqual([7036, 'error', 111]);
    const bad = results[1]!;
    if (bad.ok) throw new Error('expected an error entry');
    expect(bad.raw).toBe('not json');
    expect(bad.offset).toBe(text.indexOf('not json'));
    expect(bad.error.reason).toMatch(/^not a JSON object: /);
  });

  it('refuses what it does not understand, saying where', () => {
    const withKey = (path: string[], key: string, value: unknown) => {
      const r = record(2);
      let at = r;
      for (const p of path) at = at[p];
      at[key] = value;
      return r;
    };
    expect(refusal(withKey([], 'Surprise', 1)).reason).toMatch(/\(record\): Unrecognized key: "Surprise"/);
    expect(refusal(withKey(['System'], 'Vesion', 0)).reason).toMatch(/System: Unrecognized key: "Vesion"/);
    expect(refusal(withKey(['OpenWEC', 'Subscription'], 'Extra', '')).reason).toMatch(/OpenWEC.Subscription/);
    expect(refusal(withKey(['System'], 'EventID', -1)).reason).toMatch(/System.EventID/);
    expect(refusal(withKey(['System'], 'Level', 256)).reason).toMatch(/System.Level/);
    expect(refusal(withKey(['OpenWEC'], 'IpAddress', 'wec-a')).reason).toMatch(
      /OpenWEC.IpAddress: an IP address/,
    );
    expect(refusal(withKey(['OpenWEC'], 'TimeReceived', '2024-02-30T00:00:00Z')).reason).toBe(
      'OpenWEC.TimeReceived "2024-02-30T00:00:00Z" is not an RFC 3339 timestamp',
    );
    expect(refusal(withKey(['EventData'], 'param1', 5)).reason).toBe('EventData.param1: expected a string');
    expect(refusal(withKey(['System'], 'Computer', ' ')).reason).toBe('System: Computer is empty');
    expect(refusal([1, 2]).reason).toMatch(/not an OpenWEC event: \(record\)/);
    expect(refusal('{"System":').reason).toMatch(/^not a JSON object/);
    const { OpenWEC: _, ...noMeta } = record(2);
    expect(refusal(noMeta).reason).toMatch(/OpenWEC/);
    expect(() => parseOpenWecRecord(lines[2]!, { maxRecordSize: 100 })).toThrow(/over the limit of 100/);
  });

  it('keeps EventData names such as __proto__ as plain keys', () => {
    const text = lines[2]!.replace('"param1"', '"__proto__"');
    const e = parseOpenWecRecord(text);
    expect(Object.getPrototypeOf(e.eventData)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(e.eventData, '__proto__')?.value).toBe('Windows Update');
  });
});

describe('OpenWEC RawJson format', () => {
  it('reads the XML in data with the collector metadata from meta', () => {
    const text = windowsFixture('openwec-rawjson.jsonl').trimEnd();
    const [e] = events(text);
    expect(e!.source).toBe('openwec-raw-json');
    expect(e!.raw).toBe(text);
    expect(e!.collector).toMatchObject({
      client: 'WEB01$@CORP.EXAMPLE.COM',
      node: 'wec-a',
      subscription: { revision: '7' },
    });
    const xml = parseEventXml(windowsFixture('4688-process-entities.xml').trimEnd());
    expect(common(e!)).toEqual(common(xml));
    expect(e!.eventData).toEqual(xml.eventData);
  });

  it('refuses unreadable XML in data, with the XML error', () => {
    const r = JSON.parse(windowsFixture('openwec-rawjson.jsonl'));
    r.data = '<Event><System>';
    expect(refusal(r).reason).toMatch(/^data: windows event xml at offset \d+ .*not closed/);
  });
});
