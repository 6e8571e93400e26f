/**
 * The syslog severity (RFC 5424: 0 emergency … 7 debug) of a Windows event, with the reason it was
 * chosen. Level alone lies: 1102 (the Security log was cleared) is Level 4, Information, and security
 * audit events are Level 0 whatever happened, their outcome being in Keywords. So, in order:
 *
 * 1. A table keyed by (provider, EventID) — the provider decides what an EventID means; the channel is
 *    used when the event names no provider:
 *
 *    | Provider (channel)                         | EventID        | Severity                          |
 *    |--------------------------------------------|----------------|-----------------------------------|
 *    | Microsoft-Windows-Eventlog (Security)      | 1102           | critical: audit log cleared       |
 *    | Microsoft-Windows-Eventlog (System)        | 104            | critical: an event log cleared    |
 *    | Microsoft-Windows-Eventlog (Security)      | 1100           | warning: event logging shut down  |
 *    | Microsoft-Windows-Security-Auditing        | 4625           | warning: failed logon             |
 *    | Microsoft-Windows-Security-Auditing        | 4740           | warning: account locked out       |
 *    | Microsoft-Windows-Security-Auditing        | 4719           | warning: audit policy changed     |
 *    | Microsoft-Windows-Security-Auditing        | 4728 4732 4756 | warning when the group is a       |
 *    |                                            |                | privileged one (Administrators,   |
 *    |                                            |                | Domain/Enterprise/Schema Admins…),|
 *    |                                            |                | else notice: member added         |
 *    | Microsoft-Windows-Security-Auditing        | 4720           | notice: account created           |
 *    | Microsoft-Windows-Security-Auditing        | 4726 4724      | notice: account deleted / reset   |
 *    | Microsoft-Windows-Security-Auditing        | 4697           | notice: service installed         |
 *    | Microsoft-Windows-Security-Auditing        | 4698           | notice: scheduled task created    |
 *    | Service Control Manager (System)           | 7045           | notice: service installed         |
 *    | Service Control Manager (System)           | 7031 7034      | error: service crashed            |
 *    | EventLog (System)                          | 6008           | error: unexpected shutdown        |
 *    | Microsoft-Windows-Kernel-Power (System)    | 41             | error: rebooted without a clean   |
 *    |                                            |                | shutdown                          |
 *    | User32 (System)                            | 1074           | notice: shutdown/restart by a     |
 *    |                                            |                | process or user                   |
 *
 * 2. An audit failure (Keywords bit 0x0010000000000000) is a warning, unless Level says worse.
 * 3. Level: 1 critical, 2 error, 3 warning, 4 informational, 5 verbose → debug, 6–255 (reserved and
 *    provider-defined, more verbose still) → debug, 0 or none → informational (audit success included).
 */
import { SEVERITIES } from '../../contracts/monitoring.ts';
import type { WindowsEvent } from './types.ts';

/** Severity keywords by number: the monitoring contract's `SEVERITIES`. */
export const SEVERITY_NAMES = SEVERITIES;

export type SyslogSeverity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface WindowsSeverity {
  severity: SyslogSeverity;
  name: (typeof SEVERITY_NAMES)[SyslogSeverity];
  reason: string;
}

type SeverityEvent = Pick<
  WindowsEvent,
  'provider' | 'channel' | 'eventId' | 'level' | 'keywords' | 'auditResult' | 'eventData'
>;

interface Rule {
  /** Lower-case provider names; the rule applies when the event's provider is one of them. */
  providers: readonly string[];
  /** The channel that stands in for the provider when the event names none. */
  channel: string;
  severity: SyslogSeverity | ((event: SeverityEvent) => SyslogSeverity);
  what: string;
}

const EVENTLOG = ['microsoft-windows-eventlog'];
const AUDITING = ['microsoft-windows-security-auditing'];
const SCM = ['service control manager'];

/**
 * SIDs of groups whose new members matter most: BUILTIN\Administrators, Account Operators,
 * Server Operators, Backup Operators; Domain Admins (-512), Schema Admins (-518), Enterprise Admins (-519).
 */
function privilegedGroup(event: SeverityEvent): SyslogSeverity {
  const sid = event.eventData.TargetSid;
  if (typeof sid !== 'string') return 5;
  const s = sid.trim().toUpperCase();
  if (['S-1-5-32-544', 'S-1-5-32-548', 'S-1-5-32-549', 'S-1-5-32-551'].includes(s)) return 4;
  return /^S-1-5-21-\d+-\d+-\d+-(512|518|519)$/.test(s) ? 4 : 5;
}

const TABLE = new Map<number, Rule[]>();
function rule(ids: number[], r: Rule): void {
  for (const id of ids) TABLE.set(id, [...(TABLE.get(id) ?? []), r]);
}
rule([1102], {
  providers: EVENTLOG,
  channel: 'Security',
  severity: 2,
  what: 'the Security audit log was cleared',
});
rule([104], { providers: EVENTLOG, channel: 'System', severity: 2, what: 'an event log was cleared' });
rule([1100], {
  providers: EVENTLOG,
  channel: 'Security',
  severity: 4,
  what: 'the event logging service shut down',
});
rule([4625], { providers: AUDITING, channel: 'Security', severity: 4, what: 'an account failed to log on' });
rule([4740], { providers: AUDITING, channel: 'Security', severity: 4, what: 'an account was locked out' });
rule([4719], { providers: AUDITING, channel: 'Security', severity: 4, what: 'the audit policy was changed' });
rule([4728, 4732, 4756], {
  providers: AUDITING,
  channel: 'Security',
  severity: privilegedGroup,
  what: 'a member was added to a security group',
});
rule([4720], { providers: AUDITING, channel: 'Security', severity: 5, what: 'a user account was created' });
rule([4726], { providers: AUDITING, channel: 'Security', severity: 5, what: 'a user account was deleted' });
rule([4724], {
  providers: AUDITING,
  channel: 'Security',
  severity: 5,
  what: "an account's password was reset",
});
rule([4697], { providers: AUDITING, channel: 'Security', severity: 5, what: 'a service was installed' });
rule([4698], { providers: AUDITING, channel: 'Security', severity: 5, what: 'a scheduled task was created' });
rule([7045], { providers: SCM, channel: 'System', severity: 5, what: 'a service was installed' });
rule([7031], {
  providers: SCM,
  channel: 'System',
  severity: 3,
  what: 'a service terminated unexpectedly (recovery action taken)',
});
rule([7034], { providers: SCM, channel: 'System', severity: 3, what: 'a service terminated unexpectedly' });
rule([6008], {
  providers: ['eventlog'],
  channel: 'System',
  severity: 3,
  what: 'the previous shutdown was unexpected',
});
rule([41], {
  providers: ['microsoft-windows-kernel-power'],
  channel: 'System',
  severity: 3,
  what: 'the system rebooted without cleanly shutting down first',
});
rule([1074], {
  providers: ['user32'],
  channel: 'System',
  severity: 5,
  what: 'a process or user shut down or restarted the system',
});

const LEVEL_NAMES = ['LogAlways', 'Critical', 'Error', 'Warning', 'Information', 'Verbose'];

export function windowsSeverity(event: SeverityEvent): WindowsSeverity {
  const matched = tableRule(event);
  if (matched) {
    const severity = typeof matched.severity === 'function' ? matched.severity(event) : matched.severity;
    const who = event.provider.name ?? event.channel ?? '';
    return result(severity, `${who} ${event.eventId}: ${matched.what}`);
  }
  const fromLevel = levelSeverity(event.level);
  if (event.auditResult === 'failure' && fromLevel > 4)
    return result(4, `audit failure (Keywords ${event.keywords})`);
  const levelName =
    event.level === null
      ? 'no Level'
      : `Level ${event.level} (${LEVEL_NAMES[event.level] ?? 'provider-defined'})`;
  if ((event.level === 0 || event.level === null) && event.auditResult === 'success')
    return result(6, `audit success (Keywords ${event.keywords}), ${levelName}`);
  return result(fromLevel, levelName);
}

function tableRule(event: SeverityEvent): Rule | undefined {
  const rules = TABLE.get(event.eventId);
  if (!rules) return undefined;
  const provider = event.provider.name?.toLowerCase();
  return rules.find((r) =>
    provider === undefined ? r.channel === event.channel : r.providers.includes(provider),
  );
}

function levelSeverity(level: number | null): SyslogSeverity {
  switch (level) {
    case 1:
      return 2;
    case 2:
      return 3;
    case 3:
      return 4;
    case null:
    case 0:
    case 4:
      return 6;
    default:
      return 7;
  }
}

function result(severity: SyslogSeverity, reason: string): WindowsSeverity {
  return { severity, name: SEVERITY_NAMES[severity], reason };
}
