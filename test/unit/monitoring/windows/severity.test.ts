import { describe, expect, it } from 'vitest';
import { windowsDedupeKey } from '../../../../shared/monitoring/windows/dedupe.ts';
import { parseEventXml, parseEventXmlBatch } from '../../../../shared/monitoring/windows/event-xml.ts';
import { parseOpenWecJson } from '../../../../shared/monitoring/windows/openwec-json.ts';
import { windowsSeverity } from '../../../../shared/monitoring/windows/severity.ts';
import type { WindowsEvent } from '../../../../shared/monitoring/windows/types.ts';
import { windowsFixture } from './fixtures.ts';

type SeverityInput = Parameters<typeof windowsSeverity>[0];

/** An event as the severity table sees it; defaults: an informational application event. */
function event(
  over: Omit<Partial<SeverityInput>, 'provider'> & { provider?: string | null } = {},
): SeverityInput {
  const { provider = 'Some Provider', ...rest } = over;
  return {
    provider: { name: provider, guid: null, eventSourceName: null },
    channel: 'Application',
    eventId: 1,
    level: 4,
    keywords: '0x80000000000000',
    auditResult: null,
    eventData: {},
    ...rest,
  };
}

const AUDITING = 'Microsoft-Windows-Security-Auditing';

describe('Windows severity', () => {
  it.each([
    [
      '1102-log-cleared.xml',
      2,
      'critical',
      'Microsoft-Windows-Eventlog 1102: the Security audit log was cleared',
    ],
    ['104-system-log-cleared.xml', 2, 'critical', 'Microsoft-Windows-Eventlog 104: an event log was cleared'],
    ['4625-failed-logon-rendered.xml', 4, 'warning', `${AUDITING} 4625: an account failed to log on`],
    ['4732-admin-group-add.xml', 4, 'warning', `${AUDITING} 4732: a member was added to a security group`],
    ['4720-user-created.xml', 5, 'notice', `${AUDITING} 4720: a user account was created`],
    ['7045-service-installed.xml', 5, 'notice', 'Service Control Manager 7045: a service was installed'],
    ['41-kernel-power.xml', 3, 'error', expect.stringMatching(/^Microsoft-Windows-Kernel-Power 41: /)],
    ['6008-unexpected-shutdown.xml', 3, 'error', 'EventLog 6008: the previous shutdown was unexpected'],
    [
      '4624-logon.xml',
      6,
      'informational',
      'audit success (Keywords 0x8020000000000000), Level 0 (LogAlways)',
    ],
    ['7036-service-state.xml', 6, 'informational', 'Level 4 (Information)'],
    ['cdata-application.xml', 4, 'warning', 'Level 3 (Warning)'],
  ])('%s → %i %s', (file, severity, name, reason) => {
    expect(windowsSeverity(parseEventXml(windowsFixture(file)))).toEqual({ severity, name, reason });
  });

  it('rates the pretty batch: 7034 and 7031 are errors, 7036 informational', () => {
    const rated = parseEventXmlBatch(windowsFixture('batch-events-pretty.xml')).map((r) =>
      r.ok ? [r.event.eventId, windowsSeverity(r.event).name] : r.error.message,
    );
    expect(rated).toEqual([
      [7036, 'informational'],
      [7034, 'error'],
      [7031, 'error'],
    ]);
  });

  it.each([
    [4740, 4],
    [4719, 4],
    [4726, 5],
    [4724, 5],
    [4697, 5],
    [4698, 5],
  ])('Security %i → %i', (eventId, severity) => {
    expect(
      windowsSeverity(event({ provider: AUDITING, channel: 'Security', eventId, level: 0 })).severity,
    ).toBe(severity);
  });

  it('rates service crashes, the logging service shutting down and a shutdown by a process', () => {
    const scm = { provider: 'Service Control Manager', channel: 'System' };
    expect(windowsSeverity(event({ ...scm, eventId: 7031, level: 2 })).severity).toBe(3);
    expect(windowsSeverity(event({ ...scm, eventId: 7034, level: 2 })).severity).toBe(3);
    expect(windowsSeverity(event({ provider: 'Microsoft-Windows-Eventlog', eventId: 1100 })).severity).toBe(
      4,
    );
    expect(windowsSeverity(event({ provider: 'User32', channel: 'System', eventId: 1074 })).severity).toBe(5);
  });

  it('warns on additions to privileged groups only', () => {
    const add = (TargetSid: string, eventId = 4728) =>
      windowsSeverity(
        event({ provider: AUDITING, channel: 'Security', eventId, level: 0, eventData: { TargetSid } }),
      ).severity;
    expect(add('S-1-5-32-544', 4732)).toBe(4);
    expect(add('S-1-5-32-551', 4732)).toBe(4);
    expect(add('S-1-5-21-3623811015-3361044348-30300820-512')).toBe(4);
    expect(add('S-1-5-21-3623811015-3361044348-30300820-519', 4756)).toBe(4);
    expect(add('S-1-5-21-3623811015-3361044348-30300820-1130')).toBe(5);
    expect(add('S-1-5-32-555', 4732)).toBe(5);
  });

  it('keys the table by provider: the same EventID from another provider falls back to Level', () => {
    expect(
      windowsSeverity(event({ provider: 'Some Driver', channel: 'System', eventId: 41, level: 4 })),
    ).toEqual({
      severity: 6,
      name: 'informational',
      reason: 'Level 4 (Information)',
    });
    expect(windowsSeverity(event({ provider: 'MyApp', eventId: 1102, level: 4 })).severity).toBe(6);
  });

  it('uses the channel when the event names no provider', () => {
    const anon = event({ provider: null, channel: 'Security', eventId: 4625, level: 0 });
    expect(windowsSeverity(anon)).toMatchObject({
      severity: 4,
      reason: 'Security 4625: an account failed to log on',
    });
    expect(windowsSeverity({ ...anon, channel: 'Application' }).severity).toBe(6);
  });

  it('takes audit failures as warnings unless Level says worse, and audit success as informational', () => {
    const audit = { provider: AUDITING, channel: 'Security', eventId: 5152, level: 0 };
    expect(
      windowsSeverity(event({ ...audit, auditResult: 'failure', keywords: '0x8010000000000000' })),
    ).toEqual({
      severity: 4,
      name: 'warning',
      reason: 'audit failure (Keywords 0x8010000000000000)',
    });
    expect(windowsSeverity(event({ ...audit, level: 2, auditResult: 'failure' })).severity).toBe(3);
    expect(windowsSeverity(event({ ...audit, auditResult: 'success' })).severity).toBe(6);
  });

  it.each([
    [1, 2, 'Level 1 (Critical)'],
    [2, 3, 'Level 2 (Error)'],
    [3, 4, 'Level 3 (Warning)'],
    [4, 6, 'Level 4 (Information)'],
    [5, 7, 'Level 5 (Verbose)'],
    [0, 6, 'Level 0 (LogAlways)'],
    [16, 7, 'Level 16 (provider-defined)'],
    [null, 6, 'no Level'],
  ])('Level %s → %i', (level, severity, reason) => {
    expect(windowsSeverity(event({ level }))).toMatchObject({ severity, reason });
  });
});

describe('Windows deduplication key', () => {
  it('is (Computer lower-cased, Channel, EventRecordID), the same from XML and from OpenWEC JSON', () => {
    const xml = parseEventXml(windowsFixture('4625-failed-logon-rendered.xml'));
    const [json] = parseOpenWecJson(windowsFixture('openwec.jsonl'));
    if (!json?.ok) throw new Error('expected an event');
    expect(windowsDedupeKey(xml)).toBe('web01.corp.example.com\u0000Security\u00001849230');
    expect(windowsDedupeKey(json.event)).toBe(windowsDedupeKey(xml));
  });

  it('does not unify the FQDN and NetBIOS names of one machine (nothing in the event links them)', () => {
    const base = { channel: 'Security', eventRecordId: '5', raw: '' };
    expect(windowsDedupeKey({ ...base, computer: 'WIN10' })).not.toBe(
      windowsDedupeKey({ ...base, computer: 'win10.windomain.local' }),
    );
    expect(windowsDedupeKey({ ...base, computer: 'WIN10' })).toBe(
      windowsDedupeKey({ ...base, computer: 'win10' }),
    );
  });

  it('falls back to a hash of the raw record when there is no EventRecordID', () => {
    const bookmark = (raw: string): Pick<WindowsEvent, 'computer' | 'channel' | 'eventRecordId' | 'raw'> => ({
      computer: 'h',
      channel: null,
      eventRecordId: null,
      raw,
    });
    const [computer, channel, record] = windowsDedupeKey(bookmark('<a/>')).split('\u0000');
    expect([computer, channel]).toEqual(['h', '']);
    expect(record).toMatch(/^raw:[0-9a-f]{32}$/);
    expect(windowsDedupeKey(bookmark('<a/>'))).toBe(windowsDedupeKey(bookmark('<a/>')));
    expect(windowsDedupeKey(bookmark('<a/>'))).not.toBe(windowsDedupeKey(bookmark('<b/>')));
  });
});
