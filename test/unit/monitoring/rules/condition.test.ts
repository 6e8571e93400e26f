import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../../../shared/contracts/monitoring.ts';
import { compileCondition } from '../../../../shared/monitoring/rules/condition.ts';
import { Condition } from '../../../../shared/monitoring/rules/schema.ts';
import { failedLogonFields, kernelEvent, securityEvent, syslogEvent } from './factory.ts';

const test = (condition: unknown, event: MonitorEvent) => compileCondition(Condition.parse(condition))(event);

const failedLogon = securityEvent(4625, failedLogonFields('Administrator'), { severity: 'notice' });
const sshd = syslogEvent({
  app: 'sshd',
  facility: 'authpriv',
  message: 'Failed password for root from 203.0.113.9 port 41234 ssh2',
  structuredData: {
    'origin@32473.1': { ip: ['192.0.2.10', '198.51.100.2'], software: 'rsyslogd' },
    timeQuality: { tzKnown: '1' },
  },
  flags: ['missing_timestamp'],
});

describe('string operators', () => {
  it('equals is exact unless ignoreCase', () => {
    expect(test({ field: 'app', equals: 'sshd' }, sshd)).toBe(true);
    expect(test({ field: 'app', equals: 'SSHD' }, sshd)).toBe(false);
    expect(test({ field: 'app', equals: 'SSHD', ignoreCase: true }, sshd)).toBe(true);
    expect(test({ field: 'app', equals: 'ssh' }, sshd)).toBe(false);
  });

  it('contains, startsWith and endsWith, with and without case', () => {
    expect(test({ field: 'message', contains: 'Failed password' }, sshd)).toBe(true);
    expect(test({ field: 'message', contains: 'failed PASSWORD' }, sshd)).toBe(false);
    expect(test({ field: 'message', contains: 'failed PASSWORD', ignoreCase: true }, sshd)).toBe(true);
    expect(test({ field: 'message', startsWith: 'Failed' }, sshd)).toBe(true);
    expect(test({ field: 'message', startsWith: 'password' }, sshd)).toBe(false);
    expect(test({ field: 'message', endsWith: 'SSH2', ignoreCase: true }, sshd)).toBe(true);
  });

  it('regex matches, honours ignoreCase and never matches a missing field', () => {
    expect(test({ field: 'message', regex: 'port \\d+ ssh2$' }, sshd)).toBe(true);
    expect(test({ field: 'message', regex: '^failed' }, sshd)).toBe(false);
    expect(test({ field: 'message', regex: '^failed', ignoreCase: true }, sshd)).toBe(true);
    expect(test({ field: 'msgId', regex: '.?' }, sshd)).toBe(false);
  });

  it('in matches any listed value', () => {
    expect(test({ field: 'app', in: ['sshd', 'sshd-session'] }, sshd)).toBe(true);
    expect(test({ field: 'app', in: ['sudo', 'su'] }, sshd)).toBe(false);
    expect(test({ field: 'facility', in: ['AUTHPRIV'], ignoreCase: true }, sshd)).toBe(true);
  });
});

describe('numbers', () => {
  it('equals and in compare eventId as a number and as text', () => {
    expect(test({ field: 'eventId', equals: 4625 }, failedLogon)).toBe(true);
    expect(test({ field: 'eventId', equals: '4625' }, failedLogon)).toBe(true);
    expect(test({ field: 'eventId', equals: 4624 }, failedLogon)).toBe(false);
    expect(test({ field: 'eventId', in: [4624, 4625] }, failedLogon)).toBe(true);
    expect(test({ field: 'eventId', in: [4720, 4726] }, failedLogon)).toBe(false);
  });

  it('compares numeric text fields, decimal and hex', () => {
    expect(test({ field: 'fields.LogonType', equals: 3 }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.LogonType', gte: 2, lte: 3 }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.LogonType', gt: 3 }, failedLogon)).toBe(false);
    expect(test({ field: 'fields.SubStatus', equals: 0xc000006a }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.SubStatus', gte: '0xC000006A', lt: '0xC000006B' }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.SubStatus', lt: '0xC0000064' }, failedLogon)).toBe(false);
  });

  it('a non-numeric value never satisfies a comparison', () => {
    expect(test({ field: 'fields.TargetUserName', gt: 0 }, failedLogon)).toBe(false);
    expect(test({ field: 'fields.TargetUserName', lt: 0 }, failedLogon)).toBe(false);
    expect(test({ field: 'fields.Missing', gte: 0 }, failedLogon)).toBe(false);
  });
});

describe('paths', () => {
  it('reads Windows fields by their EventData names', () => {
    expect(test({ field: 'fields.TargetUserName', equals: 'Administrator' }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.targetusername', equals: 'Administrator' }, failedLogon)).toBe(false);
  });

  it('reads structured data, SD-IDs with dots included, any value of a repeated parameter', () => {
    expect(test({ field: 'structuredData.origin@32473.1.ip', equals: '198.51.100.2' }, sshd)).toBe(true);
    expect(test({ field: 'structuredData.origin@32473.1.ip', equals: '192.0.2.10' }, sshd)).toBe(true);
    expect(test({ field: 'structuredData.origin@32473.1.software', startsWith: 'rsyslog' }, sshd)).toBe(true);
    expect(test({ field: 'structuredData.timeQuality.tzKnown', equals: 1 }, sshd)).toBe(true);
    expect(test({ field: 'structuredData.meta.sequenceId', exists: true }, sshd)).toBe(false);
    expect(test({ field: 'structuredData.origin@32473.1.ip', exists: true }, failedLogon)).toBe(false);
  });

  it('exists tells present from missing, null and empty lists', () => {
    expect(test({ field: 'fields.IpAddress', exists: true }, failedLogon)).toBe(true);
    expect(test({ field: 'fields.Nope', exists: false }, failedLogon)).toBe(true);
    expect(test({ field: 'facility', exists: false }, failedLogon)).toBe(true);
    expect(test({ field: 'flags', exists: true }, sshd)).toBe(true);
    expect(test({ field: 'flags', exists: true }, failedLogon)).toBe(false);
    expect(test({ field: 'flags', equals: 'missing_timestamp' }, sshd)).toBe(true);
  });
});

describe('combinators and severity', () => {
  it('all, any and not', () => {
    const appIs = (app: string) => ({ field: 'app', equals: app });
    expect(test({ all: [appIs('sshd'), { field: 'message', contains: 'root' }] }, sshd)).toBe(true);
    expect(test({ all: [appIs('sshd'), { field: 'message', contains: 'alice' }] }, sshd)).toBe(false);
    expect(test({ any: [appIs('sudo'), appIs('sshd')] }, sshd)).toBe(true);
    expect(test({ any: [appIs('sudo'), appIs('su')] }, sshd)).toBe(false);
    expect(test({ not: appIs('sudo') }, sshd)).toBe(true);
    expect(test({ not: { not: appIs('sudo') } }, sshd)).toBe(false);
  });

  it('severityAtLeast counts emergency as the most severe', () => {
    const oops = kernelEvent('Oops: 0000 [#1] PREEMPT SMP NOPTI', { severity: 'warning' });
    expect(test({ severityAtLeast: 'warning' }, oops)).toBe(true);
    expect(test({ severityAtLeast: 'notice' }, oops)).toBe(true);
    expect(test({ severityAtLeast: 'error' }, oops)).toBe(false);
    expect(test({ severityAtLeast: 'critical' }, failedLogon)).toBe(false);
  });
});
