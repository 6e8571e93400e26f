import { describe, expect, it } from 'vitest';
import { WindowsEventParseError } from '../../../../shared/monitoring/windows/errors.ts';
import { parseEventXml } from '../../../../shared/monitoring/windows/event-xml.ts';
import { minimalEvent, windowsFixture } from './fixtures.ts';

const BASIC = "<EventID>1</EventID><Computer>h</Computer><TimeCreated SystemTime='2024-01-01T00:00:00Z'/>";

function refusal(text: string): WindowsEventParseError {
  try {
    parseEventXml(text);
  } catch (e) {
    expect(e).toBeInstanceOf(WindowsEventParseError);
    return e as WindowsEventParseError;
  }
  throw new Error('expected a refusal');
}

describe('Event XML: System', () => {
  it('reads every System field of a 4624 logon', () => {
    const e = parseEventXml(windowsFixture('4624-logon.xml'));
    expect(e).toMatchObject({
      source: 'event-xml',
      provider: {
        name: 'Microsoft-Windows-Security-Auditing',
        guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
        eventSourceName: null,
      },
      eventId: 4624,
      qualifiers: null,
      eventIdRaw: 4624,
      version: 2,
      level: 0,
      task: 12544,
      opcode: 0,
      keywords: '0x8020000000000000',
      auditResult: 'success',
      timeCreated: {
        original: '2024-03-05T09:14:27.4113251Z',
        iso: '2024-03-05T09:14:27.4113251Z',
        epochMs: Date.UTC(2024, 2, 5, 9, 14, 27, 411),
      },
      eventRecordId: '1849212',
      correlation: { activityId: '{6A0E3E5C-6E0B-0002-9A3E-0E6A0B6ED001}', relatedActivityId: null },
      execution: { processId: 716, threadId: 3904, processorId: null, sessionId: null },
      channel: 'Security',
      computer: 'dc01.corp.example.com',
      userId: null,
      rendering: null,
      collector: null,
      flags: [],
    });
    expect(e.eventData).toMatchObject({
      TargetUserName: 'jdoe',
      TargetDomainName: 'CORP',
      LogonType: '3',
      IpAddress: '10.20.0.57',
      ImpersonationLevel: '%%1833',
      ElevatedToken: '%%1842',
    });
    expect(Object.keys(e.eventData)).toHaveLength(27);
    expect(e.raw).toBe(windowsFixture('4624-logon.xml'));
  });

  it('masks a 7036 to its low 16 bits and keeps the qualifiers and the 32-bit value', () => {
    const e = parseEventXml(windowsFixture('7036-service-state.xml'));
    expect([e.eventId, e.qualifiers, e.eventIdRaw]).toEqual([7036, 16384, 1073748860]);
    expect(e.provider.eventSourceName).toBe('Service Control Manager');
    expect(e.eventData).toEqual({
      param1: 'Windows Update',
      param2: 'running',
      Binary: '770075006100750073006500720076002F0034000000',
    });
  });

  it('splits qualifiers off an EventID written as the 32-bit value', () => {
    const e = parseEventXml(minimalEvent('<EventID>1073748869</EventID><Computer>h</Computer>'));
    expect([e.eventId, e.qualifiers, e.eventIdRaw]).toEqual([7045, 16384, 1073748869]);
    expect(e.flags).toEqual(expect.arrayContaining(['event_id_32bit', 'time_created_missing']));
  });

  it('reads the Security UserID, and Kernel-Power 41 with its Level 1', () => {
    const e = parseEventXml(windowsFixture('41-kernel-power.xml'));
    expect(e).toMatchObject({ eventId: 41, version: 8, level: 1, task: 63, userId: 'S-1-5-18' });
    expect(e.keywords).toBe('0x8000400000000002');
    expect(e.auditResult).toBeNull();
    expect(e.eventData.BugcheckCode).toBe('0');
  });

  it('refuses an event without Computer, EventID or System, saying which', () => {
    expect(refusal(minimalEvent('<EventID>1</EventID>')).message).toMatch(
      /event at offset \d+ .*: no Computer element/,
    );
    expect(refusal(minimalEvent('<EventID>1</EventID><Computer>  </Computer>')).reason).toBe(
      'Computer is empty',
    );
    expect(refusal(minimalEvent('<Computer>h</Computer>')).reason).toBe('no EventID');
    expect(refusal(minimalEvent('<EventID>-1</EventID><Computer>h</Computer>')).reason).toBe(
      'EventID "-1" is not an unsigned 32-bit number',
    );
    expect(refusal(minimalEvent('<EventID>4294967296</EventID><Computer>h</Computer>')).reason).toMatch(
      /32-bit/,
    );
    expect(refusal('<Event/>').reason).toBe('no <System> element');
    expect(refusal('<Events><Event/></Events>').reason).toBe('root element <Events>, expected <Event>');
  });

  it('turns a malformed optional field into null with a flag instead of failing', () => {
    const e = parseEventXml(
      minimalEvent(
        `${BASIC}<Level>high</Level><Task>70000</Task><Keywords>8020</Keywords><EventRecordID>18446744073709551616</EventRecordID><Execution ProcessID='x' ThreadID='4'/>`,
      ),
    );
    expect(e).toMatchObject({
      level: null,
      task: null,
      keywords: '8020',
      auditResult: null,
      eventRecordId: null,
    });
    expect(e.execution).toMatchObject({ processId: null, threadId: 4 });
    expect(e.flags).toEqual(['invalid_field']);
  });

  it('keeps the largest EventRecordID exactly and drops leading zeros (JSON writes none)', () => {
    const max = parseEventXml(minimalEvent(`${BASIC}<EventRecordID>18446744073709551615</EventRecordID>`));
    expect(max.eventRecordId).toBe('18446744073709551615');
    expect(parseEventXml(minimalEvent(`${BASIC}<EventRecordID>007</EventRecordID>`)).eventRecordId).toBe('7');
  });

  it('decodes the audit outcome from Keywords', () => {
    const kw = (k: string) => parseEventXml(minimalEvent(`${BASIC}<Keywords>${k}</Keywords>`)).auditResult;
    expect(kw('0x8020000000000000')).toBe('success');
    expect(kw('0x8010000000000000')).toBe('failure');
    expect(kw('0x4020000000000000')).toBe('success');
    expect(kw('0x8080000000000000')).toBeNull();
    expect(kw('0x8030000000000000')).toBeNull();
  });

  it('flags a missing or invalid TimeCreated, and a duplicate or unknown element', () => {
    expect(parseEventXml(minimalEvent('<EventID>1</EventID><Computer>h</Computer>')).flags).toEqual([
      'time_created_missing',
    ]);
    const bad = parseEventXml(
      minimalEvent(
        "<EventID>1</EventID><Computer>h</Computer><TimeCreated SystemTime='2003-09-31T22:14:15Z'/>",
      ),
    );
    expect(bad.timeCreated).toBeNull();
    expect(bad.flags).toEqual(['time_created_invalid']);
    const odd = parseEventXml(minimalEvent(`${BASIC}<EventID>2</EventID><Mystery/>`, '<Extra/>'));
    expect(odd.eventId).toBe(1);
    expect(odd.flags.sort()).toEqual(['duplicate_element', 'unknown_element']);
  });

  it('flags an Event outside the event namespace, and reads a prefixed one', () => {
    expect(parseEventXml(minimalEvent(BASIC, '', '')).flags).toEqual(['unexpected_namespace']);
    const prefixed = parseEventXml(
      `<e:Event xmlns:e='http://schemas.microsoft.com/win/2004/08/events/event'><e:System><e:EventID>5</e:EventID><e:Computer>h</e:Computer><e:TimeCreated SystemTime='2024-01-01T00:00:00Z'/></e:System></e:Event>`,
    );
    expect(prefixed.eventId).toBe(5);
    expect(prefixed.flags).toEqual([]);
  });

  it('reads the forwarder bookmark event 111 (no channel, no record id)', () => {
    const e = parseEventXml(
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-EventForwarder'/><EventID>111</EventID><TimeCreated SystemTime='2023-02-14T09:14:23.175Z'/><Computer>win10.windomain.local</Computer></System><SubscriptionBookmarkEvent><SubscriptionId></SubscriptionId></SubscriptionBookmarkEvent></Event>",
    );
    expect(e).toMatchObject({ eventId: 111, channel: null, eventRecordId: null, execution: null, flags: [] });
  });
});

describe('Event XML: EventData, UserData, RenderingInfo', () => {
  it('keeps %% insert strings raw and unescapes entities in a 4688 command line', () => {
    const e = parseEventXml(windowsFixture('4688-process-entities.xml'));
    expect(e.eventData.TokenElevationType).toBe('%%1936');
    expect(e.eventData.CommandLine).toBe(
      '"C:\\Windows\\system32\\cmd.exe" /c echo a & b > C:\\Temp\\out.txt && type <in.txt',
    );
  });

  it('keeps multi-line values as Windows writes them (4720 UserAccountControl)', () => {
    const e = parseEventXml(windowsFixture('4720-user-created.xml'));
    expect(e.eventData.UserAccountControl).toBe('\n\t\t%%2080\n\t\t%%2082\n\t\t%%2084');
    expect(e.eventData.SamAccountName).toBe('svc-backup2');
  });

  it('puts unnamed Data of a classic provider in order under Data, empty ones included', () => {
    const e = parseEventXml(windowsFixture('6008-unexpected-shutdown.xml'));
    expect(e.eventData.Data).toEqual(['10:38:52 PM', '\u200e3/\u200e4/\u200e2024', '', '', '62731', '', '']);
    expect(e.eventData.Binary).toMatch(/^E807/);
    expect([e.eventId, e.qualifiers, e.level]).toEqual([6008, 32768, 2]);
  });

  it('reads CDATA, character references and comments inside Data', () => {
    const e = parseEventXml(windowsFixture('cdata-application.xml'));
    expect(e.eventData).toEqual({ Data: ['<invoice id="42"> & friends ', 'café ☃ 😀 tab\tend', 'abc'] });
  });

  it('flattens UserData of a 1102 by path and names its root', () => {
    const e = parseEventXml(windowsFixture('1102-log-cleared.xml'));
    expect(e.userDataRoot).toBe('LogFileCleared');
    expect(e.userData).toEqual({
      'LogFileCleared.SubjectUserSid': 'S-1-5-21-3623811015-3361044348-30300820-500',
      'LogFileCleared.SubjectUserName': 'dadmin',
      'LogFileCleared.SubjectDomainName': 'CORP',
      'LogFileCleared.SubjectLogonId': '0x3e4a1f',
    });
    expect(e.eventData).toEqual({});
    expect([e.level, e.auditResult]).toEqual([4, 'success']);
  });

  it('flattens nested UserData, attributes and repeated names; empty leaves are kept', () => {
    const e = parseEventXml(
      minimalEvent(
        BASIC,
        "<UserData><Op xmlns='urn:x' Kind='k'><Item>1</Item><Item>2</Item><Inner><Deep A='b'>v</Deep></Inner><Empty/></Op></UserData>",
      ),
    );
    expect(e.userData).toEqual({
      'Op@Kind': 'k',
      'Op.Item': ['1', '2'],
      'Op.Inner.Deep@A': 'b',
      'Op.Inner.Deep': 'v',
      'Op.Empty': '',
    });
    expect(
      parseEventXml(windowsFixture('104-system-log-cleared.xml')).userData['LogFileCleared.BackupPath'],
    ).toBe('');
  });

  it('keeps field names such as __proto__ as plain keys', () => {
    const e = parseEventXml(minimalEvent(BASIC, "<EventData><Data Name='__proto__'>x</Data></EventData>"));
    expect(Object.getPrototypeOf(e.eventData)).toBe(Object.prototype);
    expect(Object.keys(e.eventData)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(e.eventData, '__proto__')?.value).toBe('x');
  });

  it('reads DebugData and ProcessingErrorData into extraData, and EventData Name', () => {
    const e = parseEventXml(
      minimalEvent(
        BASIC,
        '<ProcessingErrorData><ErrorCode>15005</ErrorCode><DataItemName>Foo</DataItemName><EventPayload>0A00</EventPayload></ProcessingErrorData>',
      ),
    );
    expect(e.extraData).toEqual({
      'ProcessingErrorData.ErrorCode': '15005',
      'ProcessingErrorData.DataItemName': 'Foo',
      'ProcessingErrorData.EventPayload': '0A00',
    });
    const named = parseEventXml(
      minimalEvent(
        BASIC,
        "<EventData Name='TaskRegisteredEvent'><Data Name='TaskName'>\\Updater</Data></EventData>",
      ),
    );
    expect(named.eventDataName).toBe('TaskRegisteredEvent');
    expect(named.eventData).toEqual({ TaskName: '\\Updater' });
  });

  it('reads RenderingInfo; the message has its CRLFs normalized to LF', () => {
    const e = parseEventXml(windowsFixture('4625-failed-logon-rendered.xml'));
    expect(e.rendering).toMatchObject({
      level: 'Information',
      task: 'Logon',
      opcode: 'Info',
      channel: 'Security',
      provider: 'Microsoft Windows security auditing.',
      keywords: ['Audit Failure'],
      culture: 'en-US',
    });
    expect(e.rendering?.message).toMatch(
      /^An account failed to log on\.\n\nSubject:\n\tSecurity ID:\t\tS-1-0-0\n/,
    );
    expect(e.rendering?.message).not.toContain('\r');
    expect(e.auditResult).toBe('failure');
    expect(e.eventData.LogonProcessName).toBe('NtLmSsp ');
  });

  it('gives null for empty RenderingInfo elements, as OpenWEC omits them', () => {
    const e = parseEventXml(
      minimalEvent(
        BASIC,
        "<RenderingInfo Culture='en-US'><Message>up 6 s</Message><Level>Information</Level><Task></Task><Opcode/><Channel></Channel><Provider></Provider><Keywords><Keyword>Classic</Keyword></Keywords></RenderingInfo>",
      ),
    );
    expect(e.rendering).toEqual({
      message: 'up 6 s',
      level: 'Information',
      task: null,
      opcode: null,
      channel: null,
      provider: null,
      keywords: ['Classic'],
      culture: 'en-US',
    });
  });
});

describe('Event XML: truncated RenderingInfo', () => {
  it('cuts at <RenderingInfo, closes the event and flags raw_content_recovered, keeping the raw text', () => {
    const text = windowsFixture('truncated-rendering.xml');
    const e = parseEventXml(text);
    expect(e.flags).toEqual(['raw_content_recovered']);
    expect(e.rendering).toBeNull();
    expect(e.eventData.TargetUserName).toBe('jdoe');
    expect(e.raw).toBe(text);
  });

  it('recovers a prefixed Event too, with its own end tag', () => {
    const e = parseEventXml(
      `<w:Event xmlns:w='http://schemas.microsoft.com/win/2004/08/events/event'><w:System><w:EventID>9</w:EventID><w:Computer>h</w:Computer></w:System><w:RenderingInfo Culture='en-US'><w:Message>cut`,
    );
    expect(e.eventId).toBe(9);
    expect(e.flags).toContain('raw_content_recovered');
  });

  it('does not recover an error that lies before RenderingInfo, nor when told not to', () => {
    const broken = windowsFixture('truncated-rendering.xml').replace('</EventData>', '</EventDta>');
    expect(refusal(broken).reason).toMatch(/end tag <\/EventDta> does not match <EventData>/);
    expect(() => parseEventXml(windowsFixture('truncated-rendering.xml'), { recover: false })).toThrow(
      /element <Message> not closed/,
    );
  });

  it('reports both failures when the cut text fails too', () => {
    const e = refusal(minimalEvent('<EventID>1</EventID>', '<Bad>').replace('</Event>', '<RenderingInfo><x'));
    expect(e.reason).toMatch(
      /^start tag <x> not closed; cut at <RenderingInfo \(offset \d+\) it still fails: end tag <\/Event> does not match <Bad>/,
    );
  });
});
