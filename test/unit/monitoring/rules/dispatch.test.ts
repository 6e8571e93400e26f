import { describe, expect, it } from 'vitest';
import { type MonitorEvent, SourceKind } from '../../../../shared/contracts/monitoring.ts';
import { candidatesFor, constraintsOf } from '../../../../shared/monitoring/rules/dispatch.ts';
import {
  type CompiledEventRule,
  Condition,
  combineRulePacks,
  loadBuiltinRulePacks,
} from '../../../../shared/monitoring/rules/index.ts';
import { kernelEvent, scmEvent, securityEvent, syslogEvent, windowsEvent } from './factory.ts';

/** Constraints as plain data: null, or kind → sorted ids (null for any id). */
const of = (condition: unknown) => {
  const constraints = constraintsOf(Condition.parse(condition));
  if (constraints === null) return null;
  return Object.fromEntries(
    [...constraints].map(([kind, ids]) => [kind, ids === null ? null : [...ids].sort((a, b) => a - b)]),
  );
};

describe('constraintsOf', () => {
  it('reads leaf equals and in lists, numbers and digit strings', () => {
    const everyKind = (ids: number[]) => Object.fromEntries(SourceKind.options.map((kind) => [kind, ids]));
    expect(of({ field: 'eventId', equals: 4625 })).toEqual(everyKind([4625]));
    expect(of({ field: 'eventId', in: [4728, '4732'] })).toEqual(everyKind([4728, 4732]));
    expect(of({ field: 'eventId', in: [4728, '0x1274'] })).toBeNull();
    expect(of({ field: 'eventId', gte: 4000 })).toBeNull();
    expect(of({ field: 'sourceKind', equals: 'Windows', ignoreCase: true })).toEqual({ windows: null });
    expect(of({ field: 'sourceKind', equals: 'Windows' })).toEqual({ Windows: null });
  });

  it('intersects through all, unites through any, and gives up at not and unconstrained branches', () => {
    const kind = (k: string) => ({ field: 'sourceKind', equals: k });
    const id = (n: number) => ({ field: 'eventId', equals: n });
    expect(of({ all: [kind('windows'), { field: 'eventId', in: [1, 2, 3] }, id(2)] })).toEqual({
      windows: [2],
    });
    expect(of({ any: [{ all: [kind('windows'), id(1102)] }, { all: [kind('windows'), id(104)] }] })).toEqual({
      windows: [104, 1102],
    });
    expect(of({ any: [kind('syslog'), { all: [kind('windows'), id(4616)] }] })).toEqual({
      syslog: null,
      windows: [4616],
    });
    expect(of({ all: [kind('syslog'), kind('windows')] })).toEqual({});
    expect(of({ any: [id(1102), { field: 'app', equals: 'x' }] })).toBeNull();
    expect(of({ not: id(4625) })).toBeNull();
  });
});

describe('candidatesFor', () => {
  const rules = combineRulePacks(...loadBuiltinRulePacks()).filter(
    (r): r is CompiledEventRule => r.kind !== 'absence',
  );
  const events: MonitorEvent[] = [
    securityEvent(4625, { TargetUserName: 'x' }),
    securityEvent(4624, { TargetUserName: 'x' }),
    securityEvent(4732, { TargetSid: 'S-1-5-32-544' }),
    securityEvent(4616, { ProcessName: 'C:\\x.exe' }),
    scmEvent(7045, { ServiceName: 'x' }),
    windowsEvent({
      eventId: 1,
      provider: 'Microsoft-Windows-Kernel-General',
      channel: 'System',
      fields: { TimeDeltaInMs: '99999999' },
    }),
    windowsEvent({ eventId: 104, provider: 'Microsoft-Windows-Eventlog', channel: 'System' }),
    kernelEvent('Oops: 0000 [#1] SMP PTI'),
    kernelEvent('Out of memory: Killed process 1 (x)'),
    syslogEvent({ app: 'sshd', message: 'Failed password for root from 192.0.2.1 port 1 ssh2' }),
    syslogEvent({ app: 'systemd', message: 'Time has been changed' }),
    syslogEvent({ app: 'nginx', message: 'GET / 200' }),
  ];

  it('never leaves out a rule that matches, and runs few predicates per event', () => {
    const candidates = candidatesFor(rules);
    for (const event of events) {
      const matching = rules.filter((r) => r.matches(event)).map((r) => r.id);
      const offered = candidates(event).map((r) => r.id);
      expect(offered).toEqual(expect.arrayContaining(matching));
      expect(offered.length).toBeLessThanOrEqual(event.sourceKind === 'windows' ? 3 : 8);
    }
    expect(candidates(events[1]!).map((r) => r.id)).toEqual([]);
    expect(candidates(events[0]!).map((r) => r.id)).toEqual(['builtin.windows.failed-logon-burst']);
  });
});
