import { afterAll, describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../../../shared/contracts/monitoring.ts';
import {
  combineRulePacks,
  evaluateAbsence,
  evaluateRules,
  loadBuiltinRulePacks,
} from '../../../../shared/monitoring/rules/index.ts';
import {
  ADMIN_SUBJECT,
  failedLogonFields,
  GUEST,
  kernelEvent,
  scmEvent,
  securityEvent,
  syslogEvent,
  T0,
  TENANT,
  windowsEvent,
} from './factory.ts';

const SEC = 1000;
const packs = loadBuiltinRulePacks();
const builtin = combineRulePacks(...packs);
const covered = new Set<string>();

/** Rule ids that raise an alert for this batch, evaluated from empty state. */
function firing(events: MonitorEvent[]): string[] {
  const last = Math.max(...events.map((e) => Date.parse(e.receivedAt)));
  return evaluateRules(builtin, events, {}, last).alerts.map((a) => a.rule.id);
}

/** Each event alone raises `id` (and only it). */
function expectEach(id: string, events: MonitorEvent[]): void {
  covered.add(id);
  for (const event of events) expect(firing([event]), event.message || event.raw).toEqual([id]);
}

/** No event raises `id`, alone. */
function expectNone(id: string, events: MonitorEvent[]): void {
  for (const event of events) expect(firing([event]), event.message || event.raw).not.toContain(id);
}

describe('the built-in packs', () => {
  it('load, with unique built-in ids and origin builtin', () => {
    expect(packs.map((p) => p.source)).toEqual([
      'builtin/windows.json',
      'builtin/linux.json',
      'builtin/common.json',
    ]);
    const ids = builtin.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of builtin) {
      expect(rule.id.startsWith('builtin.')).toBe(true);
      expect(rule.origin).toBe('builtin');
      expect(rule.enabled).toBe(true);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });
});

describe('builtin.windows.failed-logon-burst', () => {
  const id = 'builtin.windows.failed-logon-burst';
  const failures = (user: string, n: number, stepSec: number, extra: Record<string, string> = {}) =>
    Array.from({ length: n }, (_, i) =>
      securityEvent(4625, failedLogonFields(user, extra), {
        at: T0 + i * stepSec * SEC,
        message: 'An account failed to log on.',
        severity: 'notice',
      }),
    );

  it('fires on 10 failed logons for one account within 5 minutes', () => {
    covered.add(id);
    expect(firing(failures('Administrator', 10, 20))).toEqual([id]);
    const [alert] = evaluateRules(builtin, failures('Administrator', 10, 20), {}, T0 + 200 * SEC).alerts;
    expect(alert?.group).toEqual({ 'fields.TargetUserName': 'Administrator' });
    expect(alert?.count).toBe(10);
  });

  it('does not fire on 9, on 10 over more than 5 minutes, on 10 spread over accounts, or on successes', () => {
    expect(firing(failures('Administrator', 9, 20))).toEqual([]);
    expect(firing(failures('Administrator', 10, 34))).toEqual([]);
    const sprayed = [...failures('alice', 5, 10), ...failures('bob', 5, 10)];
    expect(firing(sprayed)).toEqual([]);
    const successes = Array.from({ length: 12 }, (_, i) =>
      securityEvent(4624, { TargetUserName: 'Administrator', LogonType: '3' }, { at: T0 + i * SEC }),
    );
    expect(firing(successes)).toEqual([]);
  });

  it('does not count history replayed by Windows Event Forwarding', () => {
    const replay = Array.from({ length: 12 }, (_, i) =>
      securityEvent(4625, failedLogonFields('Administrator'), {
        at: T0 + i * 10,
        eventAt: T0 - 90 * 86_400_000 + i * 60_000,
      }),
    );
    expect(firing(replay)).toEqual([]);
  });
});

describe('builtin.linux.ssh-failed-password-burst', () => {
  const id = 'builtin.linux.ssh-failed-password-burst';
  const lines = (messages: string[], app = 'sshd') =>
    messages.map((message, i) =>
      syslogEvent({ app, facility: 'authpriv', message, at: T0 + i * 7 * SEC, procId: String(2210 + i) }),
    );
  const failed = (user: string, i: number) =>
    `Failed password for ${user} from 203.0.113.7 port ${40100 + i} ssh2`;

  it('fires on 10 failed passwords for one user within 5 minutes, invalid users and sshd-session included', () => {
    covered.add(id);
    const mixed = [
      ...lines(
        Array.from(
          { length: 5 },
          (_, i) => `Failed password for invalid user admin from 203.0.113.7 port ${40100 + i} ssh2`,
        ),
      ),
      ...lines(
        Array.from(
          { length: 5 },
          (_, i) =>
            `Failed keyboard-interactive/pam for invalid user admin from 203.0.113.7 port ${40200 + i} ssh2`,
        ),
        'sshd-session',
      ),
    ];
    const [alert] = evaluateRules(builtin, mixed, {}, T0 + 60 * SEC).alerts;
    expect(alert?.rule.id).toBe(id);
    expect(alert?.group).toEqual({ 'extract.user': 'admin' });
    expect(firing(lines(Array.from({ length: 10 }, (_, i) => failed('root', i))))).toEqual([id]);
  });

  it('does not fire on accepted logins, "Invalid user" notices, other users, or other programs', () => {
    expect(
      firing(
        lines(
          Array.from(
            { length: 10 },
            (_, i) => `Accepted password for deploy from 198.51.100.4 port ${50000 + i} ssh2`,
          ),
        ),
      ),
    ).toEqual([]);
    expect(
      firing(
        lines(Array.from({ length: 10 }, (_, i) => `Invalid user admin from 203.0.113.7 port ${40100 + i}`)),
      ),
    ).toEqual([]);
    expect(firing(lines(Array.from({ length: 10 }, (_, i) => failed(`user${i % 5}`, i))))).toEqual([]);
    expect(
      firing(
        lines(
          Array.from({ length: 10 }, (_, i) => failed('root', i)),
          'sshguard',
        ),
      ),
    ).toEqual([]);
  });
});

describe('builtin.linux.pam-auth-failure-burst', () => {
  const id = 'builtin.linux.pam-auth-failure-burst';
  const lines = (app: string, message: string, n = 10) =>
    Array.from({ length: n }, (_, i) =>
      syslogEvent({ app, facility: 'authpriv', message, at: T0 + i * 5 * SEC }),
    );

  it('fires on 10 PAM authentication failures for one user within 5 minutes', () => {
    covered.add(id);
    const su = lines(
      'su',
      'pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root',
    );
    const [alert] = evaluateRules(builtin, su, {}, T0 + 60 * SEC).alerts;
    expect(alert?.rule.id).toBe(id);
    expect(alert?.group).toEqual({ 'extract.user': 'root' });
    const sudo = lines(
      'sudo',
      'pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob',
    );
    expect(firing(sudo)).toEqual([id]);
  });

  it('leaves sshd (counted by the SSH rule) and other PAM lines alone', () => {
    const sshd = lines(
      'sshd',
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
    );
    expect(firing(sshd)).toEqual([]);
    expect(
      firing(lines('sudo', 'pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)')),
    ).toEqual([]);
    expect(firing(lines('su', 'pam_unix(su:auth): auth could not identify password for [alice]'))).toEqual(
      [],
    );
    expect(
      firing(
        lines(
          'su',
          'pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root',
          9,
        ),
      ),
    ).toEqual([]);
  });
});

describe('builtin.windows.account-created', () => {
  const id = 'builtin.windows.account-created';
  const created = (user: string, extra = {}) =>
    securityEvent(
      4720,
      {
        TargetUserName: user,
        TargetDomainName: 'CORP',
        TargetSid: 'S-1-5-21-3623811015-3361044348-30300820-1105',
        ...ADMIN_SUBJECT,
        PrivilegeList: '-',
        SamAccountName: user,
        DisplayName: '%%1793',
        UserAccountControl: '%%2080 %%2082 %%2084',
      },
      { message: 'A user account was created.', ...extra },
    );

  it('fires on 4720', () => {
    expectEach(id, [created('svc-backup'), created('helpdesk2')]);
  });

  it('ignores enabling an account and a 4720 of another provider', () => {
    expectNone(id, [
      securityEvent(4722, { TargetUserName: 'svc-backup', ...ADMIN_SUBJECT }),
      windowsEvent({ eventId: 4720, provider: 'Contoso Inventory', channel: 'Application', fields: {} }),
    ]);
  });

  it('suppresses per account', () => {
    const alerts = evaluateRules(builtin, [created('a'), created('b'), created('a')], {}, T0).alerts;
    expect(alerts.map((a) => [a.group['fields.TargetUserName'], a.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('builtin.windows.account-locked-out', () => {
  const id = 'builtin.windows.account-locked-out';
  it('fires on 4740 and not on 4767 (unlocked)', () => {
    const fields = {
      TargetUserName: 'jdoe',
      TargetDomainName: 'WS-042',
      TargetSid: 'S-1-5-21-3623811015-3361044348-30300820-1107',
      SubjectUserSid: 'S-1-5-18',
      SubjectUserName: 'DC01$',
      SubjectDomainName: 'CORP',
      SubjectLogonId: '0x3e7',
    };
    expectEach(id, [securityEvent(4740, fields, { message: 'A user account was locked out.' })]);
    expectNone(id, [securityEvent(4767, fields, { message: 'A user account was unlocked.' })]);
  });
});

describe('builtin.windows.privileged-group-member-added and security-group-member-added', () => {
  const privileged = 'builtin.windows.privileged-group-member-added';
  const ordinary = 'builtin.windows.security-group-member-added';
  const added = (eventId: number, group: string, groupSid: string) =>
    securityEvent(eventId, {
      MemberName: eventId === 4732 ? '-' : 'CN=Mallory,OU=Staff,DC=corp,DC=example,DC=com',
      MemberSid: 'S-1-5-21-3623811015-3361044348-30300820-1109',
      TargetUserName: group,
      TargetDomainName: eventId === 4732 ? 'Builtin' : 'CORP',
      TargetSid: groupSid,
      ...ADMIN_SUBJECT,
      PrivilegeList: '-',
    });

  it('raise critical for Administrators, Domain, Schema and Enterprise Admins', () => {
    expectEach(privileged, [
      added(4732, 'Administrators', 'S-1-5-32-544'),
      added(4732, 'Backup Operators', 'S-1-5-32-551'),
      added(4728, 'Domain Admins', 'S-1-5-21-3623811015-3361044348-30300820-512'),
      added(4756, 'Enterprise Admins', 'S-1-5-21-3623811015-3361044348-30300820-519'),
      added(4756, 'Schema Admins', 'S-1-5-21-3623811015-3361044348-30300820-518'),
    ]);
  });

  it('raise notice for other security groups, RID 5120 included', () => {
    expectEach(ordinary, [
      added(4732, 'Remote Desktop Users', 'S-1-5-32-555'),
      added(4728, 'Finance', 'S-1-5-21-3623811015-3361044348-30300820-5120'),
    ]);
  });

  it('ignore removals', () => {
    expectNone(privileged, [added(4733, 'Administrators', 'S-1-5-32-544')]);
    expectNone(ordinary, [added(4729, 'Finance', 'S-1-5-21-3623811015-3361044348-30300820-5120')]);
  });
});

describe('builtin.windows.audit-log-cleared', () => {
  const id = 'builtin.windows.audit-log-cleared';
  const cleared = (
    eventId: number,
    channel: string,
    fields: Record<string, string>,
    provider = 'Microsoft-Windows-Eventlog',
  ) => windowsEvent({ eventId, provider, channel, fields, severity: 'critical' });

  it('fires on 1102 (Security) and 104 (System)', () => {
    expectEach(id, [
      cleared(1102, 'Security', {
        'LogFileCleared.SubjectUserSid': ADMIN_SUBJECT.SubjectUserSid,
        'LogFileCleared.SubjectUserName': 'Administrator',
        'LogFileCleared.SubjectDomainName': 'CORP',
        'LogFileCleared.SubjectLogonId': '0x3e7a1',
      }),
      cleared(104, 'System', {
        'LogFileCleared.SubjectUserName': 'Administrator',
        'LogFileCleared.SubjectDomainName': 'CORP',
        'LogFileCleared.Channel': 'Application',
        'LogFileCleared.BackupPath': '',
      }),
    ]);
  });

  it('ignores the logging service stopping, and 104 of another provider', () => {
    expectNone(id, [
      cleared(1100, 'Security', {}),
      cleared(104, 'System', { param1: 'x' }, 'Microsoft-Windows-Kernel-Boot'),
    ]);
  });
});

describe('builtin.windows.service-crashed', () => {
  const id = 'builtin.windows.service-crashed';
  it('fires on 7034 and 7031 from the Service Control Manager', () => {
    expectEach(id, [
      scmEvent(7034, { param1: 'Print Spooler', param2: '1' }, { severity: 'error' }),
      scmEvent(
        7031,
        {
          param1: 'Windows Update',
          param2: '1',
          param3: '60000',
          param4: '1',
          param5: 'Restart the service',
        },
        { severity: 'error' },
      ),
    ]);
  });

  it('ignores state changes and 7034 of other providers', () => {
    expectNone(id, [
      scmEvent(7036, { param1: 'Print Spooler', param2: 'stopped' }),
      windowsEvent({ eventId: 7034, provider: 'Contoso Agent', channel: 'Application', fields: {} }),
    ]);
  });

  it('suppresses per service', () => {
    const events = [
      scmEvent(7034, { param1: 'Print Spooler', param2: '1' }),
      scmEvent(7034, { param1: 'Print Spooler', param2: '2' }, { at: T0 + SEC }),
      scmEvent(7034, { param1: 'W3SVC', param2: '1' }, { at: T0 + 2 * SEC }),
    ];
    expect(
      evaluateRules(builtin, events, {}, T0).alerts.map((a) => [a.group['fields.param1'], a.count]),
    ).toEqual([
      ['Print Spooler', 2],
      ['W3SVC', 1],
    ]);
  });
});

describe('builtin.windows.service-installed', () => {
  const id = 'builtin.windows.service-installed';
  it('fires on 7045 and 4697', () => {
    expectEach(id, [
      scmEvent(7045, {
        ServiceName: 'PSEXESVC',
        ImagePath: '%SystemRoot%\\PSEXESVC.exe',
        ServiceType: 'user mode service',
        StartType: 'demand start',
        AccountName: 'LocalSystem',
      }),
      securityEvent(4697, {
        ...ADMIN_SUBJECT,
        ServiceName: 'updsvc',
        ServiceFileName: 'C:\\ProgramData\\updsvc.exe',
        ServiceType: '0x10',
        ServiceStartType: '2',
        ServiceAccount: 'LocalSystem',
      }),
    ]);
  });

  it('ignores start-type changes', () => {
    expectNone(id, [
      scmEvent(7040, { param1: 'Background Intelligent Transfer Service', param2: 'auto start' }),
    ]);
  });
});

describe('builtin.linux.kernel-oops-or-panic', () => {
  const id = 'builtin.linux.kernel-oops-or-panic';
  it('fires on oopses, BUGs and panics from the kernel', () => {
    expectEach(id, [
      kernelEvent('Oops: 0000 [#1] SMP PTI'),
      kernelEvent(
        'Oops: general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI',
      ),
      kernelEvent('[ 4521.881234] BUG: kernel NULL pointer dereference, address: 0000000000000010'),
      kernelEvent('BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:1234]'),
      kernelEvent('Kernel panic - not syncing: Fatal exception in interrupt', { severity: 'emergency' }),
    ]);
  });

  it('ignores applications saying "Oops" and ordinary kernel messages', () => {
    expectNone(id, [
      syslogEvent({ app: 'node', message: 'Oops: something went wrong while rendering /checkout' }),
      kernelEvent(
        'ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0.LPCB.EC0], AE_NOT_FOUND (20210730/psargs-330)',
      ),
      kernelEvent('usb 1-1: new high-speed USB device number 2 using xhci_hcd', {
        severity: 'informational',
      }),
      kernelEvent('ieee80211 phy0: DEBUG: reconfiguring queues'),
    ]);
  });
});

describe('builtin.linux.oom-kill', () => {
  const id = 'builtin.linux.oom-kill';
  it('fires on the OOM killer lines, old and new wording, cgroup OOMs included', () => {
    expectEach(id, [
      kernelEvent(
        'Out of memory: Killed process 2314 (java) total-vm:8123456kB, anon-rss:3901234kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:8123kB oom_score_adj:0',
      ),
      kernelEvent('Out of memory: Kill process 2314 (java) score 912 or sacrifice child'),
      kernelEvent(
        'java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
      ),
      kernelEvent(
        'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=2314,uid=1001',
      ),
      kernelEvent(
        'Memory cgroup out of memory: Killed process 4321 (node) total-vm:1234567kB, anon-rss:512000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2048kB oom_score_adj:0',
      ),
    ]);
  });

  it('makes one alert of the lines of one OOM kill', () => {
    const lines = [
      kernelEvent(
        'java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
      ),
      kernelEvent(
        'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task=java,pid=2314,uid=1001',
        { at: T0 + 1 },
      ),
      kernelEvent('Out of memory: Killed process 2314 (java) total-vm:8123456kB, anon-rss:3901234kB', {
        at: T0 + 2,
      }),
    ];
    expect(evaluateRules(builtin, lines, {}, T0).alerts.map((a) => [a.rule.id, a.count])).toEqual([[id, 3]]);
  });

  it('ignores applications running out of memory on their own', () => {
    expectNone(id, [
      syslogEvent({ app: 'java', message: 'java.lang.OutOfMemoryError: Java heap space' }),
      syslogEvent({ app: 'postgres', message: 'ERROR:  out of memory: Killed query 42' }),
    ]);
  });
});

describe('builtin.linux.filesystem-error', () => {
  const id = 'builtin.linux.filesystem-error';
  it('fires on ext4, XFS and Btrfs errors and read-only remounts', () => {
    expectEach(id, [
      kernelEvent(
        'EXT4-fs error (device sda1): ext4_find_entry:1463: inode #2: comm ls: reading directory lblock 0',
      ),
      kernelEvent('EXT4-fs (dm-0): Remounting filesystem read-only'),
      kernelEvent(
        'XFS (sdb1): metadata I/O error in "xfs_trans_read_buf_map" at daddr 0x1a2b8 len 8 error 5',
      ),
      kernelEvent('XFS (dm-2): Corruption detected. Unmount and run xfs_repair'),
      kernelEvent('BTRFS error (device vdb): bdev /dev/vdb errs: wr 0, rd 1, flush 0, corrupt 0, gen 0'),
    ]);
  });

  it('ignores mounts and remount options', () => {
    expectNone(id, [
      kernelEvent('EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.', {
        severity: 'informational',
      }),
      kernelEvent('XFS (sdb1): Mounting V5 Filesystem', { severity: 'notice' }),
      kernelEvent('EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro', { severity: 'informational' }),
    ]);
  });
});

describe('builtin.linux.disk-io-error', () => {
  const id = 'builtin.linux.disk-io-error';
  it('fires on block-layer and buffer I/O errors', () => {
    expectEach(id, [
      kernelEvent(
        'blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0',
      ),
      kernelEvent('I/O error, dev vda, sector 1953525160 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2'),
      kernelEvent('Buffer I/O error on dev sdb1, logical block 0, async page read'),
      kernelEvent(
        'critical medium error, dev sdb, sector 12345 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0',
      ),
    ]);
  });

  it('ignores disk attach messages and smartd reports', () => {
    expectNone(id, [
      kernelEvent('sd 2:0:0:0: [sdb] Attached SCSI disk', { severity: 'notice' }),
      syslogEvent({
        app: 'smartd',
        message: 'Device: /dev/sda [SAT], 8 Currently unreadable (pending) sectors',
      }),
    ]);
  });
});

describe('builtin.time-jump', () => {
  const id = 'builtin.time-jump';
  const kernelGeneral = (delta: string) =>
    windowsEvent({
      eventId: 1,
      provider: 'Microsoft-Windows-Kernel-General',
      channel: 'System',
      fields: {
        NewTime: '2025-03-04T11:00:00.5000000Z',
        OldTime: '2025-03-04T10:00:00.3770000Z',
        TimeDeltaInMs: delta,
        Reason: '1',
        ProcessName: '\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe',
        ProcessID: '1432',
      },
    });
  const timeChanged = (processName: string) =>
    securityEvent(4616, {
      ...ADMIN_SUBJECT,
      PreviousTime: '2025-03-04T10:00:00.0000000Z',
      NewTime: '2025-03-04T12:00:00.0000000Z',
      ProcessId: '0x1f3c',
      ProcessName: processName,
    });

  it('fires on clock steps reported by systemd, chronyd, ntpd and Windows', () => {
    expectEach(id, [
      syslogEvent({ app: 'systemd', procId: '1', message: 'Time has been changed' }),
      syslogEvent({
        app: 'chronyd',
        facility: 'daemon',
        message: 'System clock wrong by 3602.412345 seconds',
      }),
      syslogEvent({ app: 'chronyd', message: 'System clock was stepped by 3602.412345 seconds' }),
      syslogEvent({ app: 'ntpd', facility: 'ntp', message: '0.0.0.0 061c 0c clock_step +3601.907522 s' }),
      kernelGeneral('3600123'),
      kernelGeneral('-7200000'),
      timeChanged('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'),
    ]);
  });

  it('ignores small Windows corrections, the time service and VMware Tools, and ordinary NTP chatter', () => {
    expectNone(id, [
      kernelGeneral('1289'),
      kernelGeneral('-45'),
      timeChanged('C:\\Windows\\System32\\svchost.exe'),
      timeChanged('C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe'),
      syslogEvent({ app: 'chronyd', message: 'Selected source 192.0.2.123 (2.pool.ntp.org)' }),
      syslogEvent({ app: 'chronyd', message: 'System clock TAI offset set to 37 seconds' }),
      syslogEvent({
        app: 'systemd-timesyncd',
        message: 'Initial clock synchronization to Tue 2025-03-04 10:00:01.123456 UTC.',
      }),
    ]);
  });
});

describe('builtin.guest-silent', () => {
  const id = 'builtin.guest-silent';
  it('raises after 30 minutes of silence', () => {
    covered.add(id);
    const guests = [
      {
        tenantId: TENANT,
        guestId: GUEST,
        host: 'web-1',
        monitoringEnabledAt: '2025-01-01T00:00:00.000Z',
        lastEventAt: new Date(T0).toISOString(),
      },
    ];
    expect(evaluateAbsence(builtin, guests, {}, T0 + 29 * 60 * SEC).alerts).toEqual([]);
    const alerts = evaluateAbsence(builtin, guests, {}, T0 + 30 * 60 * SEC).alerts;
    expect(alerts.map((a) => [a.rule.id, a.rule.source, a.severity, a.suppression.seconds])).toEqual([
      [id, 'builtin', 'warning', 3600],
    ]);
  });
});

afterAll(() => {
  // Every built-in rule has a test with positive events above.
  expect([...covered].sort()).toEqual(builtin.map((r) => r.id).sort());
});
