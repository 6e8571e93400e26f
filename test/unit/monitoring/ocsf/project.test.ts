import { describe, expect, it } from 'vitest';
import { OCSF_VERSION, type OcsfEvent, toOcsf } from '../../../../shared/monitoring/ocsf/index.ts';
import {
  ADMIN_SUBJECT,
  failedLogonFields,
  GUEST,
  kernelEvent,
  securityEvent,
  syslogEvent,
  T0,
  TENANT,
  windowsEvent,
} from '../rules/factory.ts';

/** The invariants every projected event keeps. */
function expectBase(ocsf: OcsfEvent, classUid: number, categoryUid: number, activityId: number): void {
  expect(ocsf.class_uid).toBe(classUid);
  expect(ocsf.category_uid).toBe(categoryUid);
  expect(ocsf.activity_id).toBe(activityId);
  expect(ocsf.type_uid).toBe(classUid * 100 + activityId);
  expect(ocsf.metadata.version).toBe(OCSF_VERSION);
  expect(ocsf.metadata.product).toMatchObject({ name: 'Outboard', vendor_name: 'Outboard' });
  expect(typeof ocsf.time).toBe('number');
  expect(JSON.parse(JSON.stringify(ocsf))).toEqual(ocsf);
  for (const value of Object.values(ocsf)) expect(value).not.toBeUndefined();
}

describe('Base Event', () => {
  it('keeps a plain syslog record with its metadata, device, raw line and leftovers', () => {
    const event = syslogEvent({
      app: 'CRON',
      procId: '4412',
      facility: 'cron',
      severity: 'informational',
      message: '(root) CMD (/usr/local/bin/backup.sh)',
      at: T0 + 250,
      eventAt: T0,
      structuredData: { 'meta@32473': { sequenceId: '17' } },
      flags: ['truncated'],
    });
    const ocsf = toOcsf(event);
    expectBase(ocsf, 0, 0, 0);
    expect(ocsf).toMatchObject({
      class_name: 'Base Event',
      category_name: 'Uncategorized',
      type_name: 'Base Event: Unknown',
      severity_id: 1,
      severity: 'Informational',
      time: T0,
      message: '(root) CMD (/usr/local/bin/backup.sh)',
      raw_data: event.raw,
      device: { hostname: 'web-1', uid: GUEST, type_id: 6, type: 'Virtual' },
      metadata: {
        uid: event.id,
        tenant_uid: TENANT,
        log_name: 'cron',
        log_provider: 'CRON',
        log_level: 'informational',
        original_time: event.timeText,
        logged_time: T0 + 250,
        is_truncated: true,
        profiles: ['host'],
      },
      unmapped: {
        facility: 'cron',
        procId: '4412',
        structuredData: { 'meta@32473': { sequenceId: '17' } },
        flags: ['truncated'],
        transport: 'tcp',
        listener: 'syslog-tcp',
        sourceAddress: '192.0.2.10',
        attributedBy: 'source-address',
        timeSource: 'event',
      },
    });
    expect(ocsf.metadata).not.toHaveProperty('event_code');
    expect(ocsf).not.toHaveProperty('status_id');
  });

  it('maps syslog severities to OCSF severity ids', () => {
    const ids = (
      ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const
    ).map((severity) => toOcsf(syslogEvent({ app: 'x', message: 'm', severity })).severity_id);
    expect(ids).toEqual([6, 5, 5, 4, 3, 2, 1, 1]);
  });

  it('marks an unattributed sender as an unknown device and omits the tenant', () => {
    const ocsf = toOcsf(kernelEvent('EXT4-fs error (device sda1): x', { at: T0 }));
    expect(ocsf.class_uid).toBe(0);
    const unattributed = toOcsf(
      syslogEvent({
        app: 'sshd',
        message: 'Server listening on 0.0.0.0 port 22.',
        tenantId: null,
        guestId: null,
      }),
    );
    expect(unattributed.device).toEqual({ hostname: 'web-1', type_id: 0, type: 'Unknown' });
    expect(unattributed.metadata).not.toHaveProperty('tenant_uid');
    expect(unattributed.class_uid).toBe(0);
  });
});

describe('Authentication (3002)', () => {
  it('maps a failed Windows logon (4625): Logon, failure, reason, user, source, logon type', () => {
    const event = securityEvent(4625, failedLogonFields('Administrator'), { severity: 'notice' });
    const ocsf = toOcsf(event);
    expectBase(ocsf, 3002, 3, 1);
    expect(ocsf).toMatchObject({
      class_name: 'Authentication',
      category_name: 'Identity & Access Management',
      type_name: 'Authentication: Logon',
      status_id: 2,
      status: 'Failure',
      status_code: '0xC000006A',
      status_detail: 'Wrong password',
      user: { name: 'Administrator', domain: 'CORP' },
      logon_type_id: 3,
      logon_type: 'Network',
      is_remote: true,
      logon_process: { name: 'NtLmSsp' },
      auth_protocol_id: 1,
      auth_protocol: 'NTLM',
      src_endpoint: { ip: '203.0.113.45', port: 51234, hostname: 'KALI' },
      dst_endpoint: { hostname: 'DC01.corp.example.com', uid: GUEST },
      device: { os: { name: 'Windows', type_id: 100 } },
      metadata: {
        event_code: '4625',
        log_name: 'Security',
        log_provider: 'Microsoft-Windows-Security-Auditing',
      },
    });
    expect(ocsf).not.toHaveProperty('actor');
    expect(ocsf.user).not.toHaveProperty('uid');
    expect(ocsf.unmapped).toMatchObject({
      fields: { FailureReason: '%%2313', TransmittedServices: '-', KeyLength: '0' },
      recordId: event.recordId,
    });
    expect(ocsf.unmapped).not.toHaveProperty('fields.TargetUserName');
  });

  it('maps a successful RDP logon (4624) and a logoff (4634)', () => {
    const logon = toOcsf(
      securityEvent(4624, {
        SubjectUserSid: 'S-1-5-18',
        SubjectUserName: 'DC01$',
        SubjectDomainName: 'CORP',
        SubjectLogonId: '0x3e7',
        TargetUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
        TargetUserName: 'alice',
        TargetDomainName: 'CORP',
        TargetLogonId: '0x8d2f1a',
        LogonType: '10',
        LogonProcessName: 'User32 ',
        AuthenticationPackageName: 'Negotiate',
        WorkstationName: 'DC01',
        IpAddress: '198.51.100.23',
        IpPort: '0',
      }),
    );
    expectBase(logon, 3002, 3, 1);
    expect(logon).toMatchObject({
      status_id: 1,
      status: 'Success',
      user: { name: 'alice', domain: 'CORP' },
      actor: { user: { name: 'DC01$', uid: 'S-1-5-18' } },
      logon_type_id: 10,
      logon_type: 'Remote Interactive',
      is_remote: true,
      auth_protocol_id: 99,
      auth_protocol: 'Negotiate',
      session: { uid: '0x8d2f1a' },
      src_endpoint: { ip: '198.51.100.23', hostname: 'DC01' },
    });
    expect(logon).not.toHaveProperty('status_code');
    expect(logon.src_endpoint).not.toHaveProperty('port');
    const logoff = toOcsf(
      securityEvent(4634, { TargetUserName: 'alice', TargetLogonId: '0x8d2f1a', LogonType: '2' }),
    );
    expectBase(logoff, 3002, 3, 2);
    expect(logoff).toMatchObject({
      activity_name: 'Logoff',
      status_id: 1,
      is_remote: false,
      logon_type_id: 2,
    });
  });

  it('maps sshd logon lines, repeated ones with their count', () => {
    const accepted = toOcsf(
      syslogEvent({
        app: 'sshd',
        facility: 'authpriv',
        message:
          'Accepted publickey for deploy from 198.51.100.4 port 50522 ssh2: ED25519 SHA256:Cj0vT1yx2bLm4Vj0xGgWzcq9W1k',
      }),
    );
    expectBase(accepted, 3002, 3, 1);
    expect(accepted).toMatchObject({
      status_id: 1,
      user: { name: 'deploy' },
      auth_protocol_id: 99,
      auth_protocol: 'publickey',
      service: { name: 'sshd' },
      src_endpoint: { ip: '198.51.100.4', port: 50522 },
      dst_endpoint: { hostname: 'web-1' },
      is_remote: true,
    });
    const failed = toOcsf(
      syslogEvent({
        app: 'sshd-session',
        message:
          'message repeated 3 times: [ Failed password for invalid user admin from 203.0.113.7 port 40112 ssh2]',
      }),
    );
    expect(failed).toMatchObject({
      status_id: 2,
      status: 'Failure',
      status_detail: 'User does not exist',
      user: { name: 'admin' },
      count: 3,
      src_endpoint: { ip: '203.0.113.7', port: 40112 },
    });
  });

  it('leaves other sshd lines and look-alikes from other programs as Base Events', () => {
    const other = [
      syslogEvent({ app: 'sshd', message: 'Invalid user admin from 203.0.113.7 port 40112' }),
      syslogEvent({
        app: 'sshd',
        message: 'Connection closed by authenticating user root 203.0.113.7 port 41234 [preauth]',
      }),
      syslogEvent({ app: 'myapp', message: 'Failed password for root from 203.0.113.7 port 22 ssh2' }),
      securityEvent(4625, {}, {}),
    ];
    expect(other.map((e) => toOcsf(e).class_uid)).toEqual([0, 0, 0, 3002]);
  });
});

describe('Account Change (3001)', () => {
  const change = (eventId: number, extra: Record<string, string> = {}) =>
    toOcsf(
      securityEvent(eventId, {
        TargetUserName: 'svc-backup',
        TargetDomainName: 'CORP',
        TargetSid: 'S-1-5-21-3623811015-3361044348-30300820-1105',
        ...ADMIN_SUBJECT,
        ...extra,
      }),
    );

  it.each([
    [4720, 1, 'Create'],
    [4722, 2, 'Enable'],
    [4723, 3, 'Password Change'],
    [4724, 4, 'Password Reset'],
    [4725, 5, 'Disable'],
    [4726, 6, 'Delete'],
  ])('maps %i to activity %i %s with the target user and the acting admin', (eventId, activityId, name) => {
    const ocsf = change(eventId);
    expectBase(ocsf, 3001, 3, activityId);
    expect(ocsf).toMatchObject({
      activity_name: name,
      class_name: 'Account Change',
      user: { name: 'svc-backup', uid: 'S-1-5-21-3623811015-3361044348-30300820-1105', domain: 'CORP' },
      actor: { user: { name: 'Administrator', domain: 'CORP' } },
    });
  });

  it('maps a lockout (4740) to Lock, with the caller computer as the source', () => {
    const ocsf = change(4740, { TargetUserName: 'jdoe', TargetDomainName: 'WS-042' });
    expectBase(ocsf, 3001, 3, 9);
    expect(ocsf).toMatchObject({
      activity_name: 'Lock',
      user: { name: 'jdoe' },
      src_endpoint: { hostname: 'WS-042' },
    });
    expect(ocsf.user).not.toHaveProperty('domain');
  });
});

describe('Group Management (3006)', () => {
  it('maps member additions and removals with the group and the member', () => {
    const fields = {
      MemberName: 'CN=Mallory,OU=Staff,DC=corp,DC=example,DC=com',
      MemberSid: 'S-1-5-21-3623811015-3361044348-30300820-1109',
      TargetUserName: 'Domain Admins',
      TargetDomainName: 'CORP',
      TargetSid: 'S-1-5-21-3623811015-3361044348-30300820-512',
      ...ADMIN_SUBJECT,
    };
    const added = toOcsf(securityEvent(4728, fields));
    expectBase(added, 3006, 3, 3);
    expect(added).toMatchObject({
      activity_name: 'Add User',
      group: { name: 'Domain Admins', uid: fields.TargetSid, domain: 'CORP', type: 'Global' },
      user: { name: fields.MemberName, uid: fields.MemberSid },
      actor: { user: { name: 'Administrator' } },
    });
    const local = toOcsf(
      securityEvent(4732, { ...fields, MemberName: '-', TargetUserName: 'Administrators' }),
    );
    expect(local).toMatchObject({
      activity_id: 3,
      group: { type: 'Local' },
      user: { uid: fields.MemberSid },
    });
    expect(local.user).not.toHaveProperty('name');
    expectBase(toOcsf(securityEvent(4757, fields)), 3006, 3, 4);
  });
});

describe('Event Log Activity (1008)', () => {
  it('maps the Security log being cleared (1102), reading UserData fields', () => {
    const ocsf = toOcsf(
      windowsEvent({
        eventId: 1102,
        provider: 'Microsoft-Windows-Eventlog',
        channel: 'Security',
        severity: 'critical',
        fields: {
          'LogFileCleared.SubjectUserSid': ADMIN_SUBJECT.SubjectUserSid,
          'LogFileCleared.SubjectUserName': 'Administrator',
          'LogFileCleared.SubjectDomainName': 'CORP',
          'LogFileCleared.SubjectLogonId': '0x3e7a1',
        },
      }),
    );
    expectBase(ocsf, 1008, 1, 1);
    expect(ocsf).toMatchObject({
      activity_name: 'Clear',
      category_name: 'System Activity',
      severity_id: 5,
      log_name: 'Security',
      log_provider: 'Microsoft-Windows-Eventlog',
      actor: { user: { name: 'Administrator', uid: ADMIN_SUBJECT.SubjectUserSid, domain: 'CORP' } },
      status_id: 1,
    });
    expect(ocsf.unmapped).toMatchObject({ fields: { 'LogFileCleared.SubjectLogonId': '0x3e7a1' } });
  });

  it('maps another log being cleared (104) to the log it names, and the service stopping (1100) to Disable', () => {
    const cleared = toOcsf(
      windowsEvent({
        eventId: 104,
        provider: 'Microsoft-Windows-Eventlog',
        channel: 'System',
        fields: {
          'LogFileCleared.SubjectUserName': 'Administrator',
          'LogFileCleared.Channel': 'Windows PowerShell',
          'LogFileCleared.BackupPath': 'C:\\Backups\\ps.evtx',
        },
      }),
    );
    expectBase(cleared, 1008, 1, 1);
    expect(cleared).toMatchObject({
      log_name: 'Windows PowerShell',
      file: { name: 'ps.evtx', path: 'C:\\Backups\\ps.evtx', type_id: 1 },
    });
    const stopped = toOcsf(
      windowsEvent({ eventId: 1100, provider: 'Microsoft-Windows-Eventlog', channel: 'Security' }),
    );
    expectBase(stopped, 1008, 1, 4);
    const otherProvider = toOcsf(windowsEvent({ eventId: 104, provider: 'Contoso', channel: 'System' }));
    expect(otherProvider.class_uid).toBe(0);
  });
});

describe('Process Activity (1007)', () => {
  it('maps process creation (4688) with the new and parent process', () => {
    const ocsf = toOcsf(
      securityEvent(4688, {
        ...ADMIN_SUBJECT,
        NewProcessId: '0x1a2c',
        NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
        TokenElevationType: '%%1937',
        ProcessId: '0x0f10',
        CommandLine: 'cmd.exe /c whoami /all',
        TargetUserSid: 'S-1-0-0',
        ParentProcessName: 'C:\\Windows\\explorer.exe',
        MandatoryLabel: 'S-1-16-12288',
      }),
    );
    expectBase(ocsf, 1007, 1, 1);
    expect(ocsf).toMatchObject({
      activity_name: 'Launch',
      process: {
        pid: 0x1a2c,
        name: 'cmd.exe',
        cmd_line: 'cmd.exe /c whoami /all',
        file: { name: 'cmd.exe', path: 'C:\\Windows\\System32\\cmd.exe' },
        parent_process: { pid: 0x0f10, name: 'explorer.exe' },
      },
      actor: { user: { name: 'Administrator' }, process: { pid: 0x0f10 } },
    });
    expect(ocsf.unmapped).toMatchObject({
      fields: { TokenElevationType: '%%1937', MandatoryLabel: 'S-1-16-12288' },
    });
  });

  it('maps process exit (4689) to Terminate with the exit code', () => {
    const ocsf = toOcsf(
      securityEvent(4689, {
        ...ADMIN_SUBJECT,
        Status: '0x1',
        ProcessId: '0x1a2c',
        ProcessName: 'C:\\Windows\\System32\\cmd.exe',
      }),
    );
    expectBase(ocsf, 1007, 1, 2);
    expect(ocsf).toMatchObject({ exit_code: 1, process: { pid: 0x1a2c, name: 'cmd.exe' } });
  });

  it('does not take Security ids from other channels', () => {
    const lookalike = windowsEvent({
      eventId: 4688,
      provider: 'Contoso',
      channel: 'Application',
      fields: {},
    });
    expect(toOcsf(lookalike).class_uid).toBe(0);
  });
});
