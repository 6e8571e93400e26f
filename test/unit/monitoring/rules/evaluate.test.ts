import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../../../shared/contracts/monitoring.ts';
import {
  AlertDraft,
  type CompiledRule,
  evaluateRules,
  loadRulePack,
  type RuleState,
  RuleStateEntry,
  stateKeysFor,
  suppressKey,
  windowKey,
} from '../../../../shared/monitoring/rules/index.ts';
import { GUEST, OTHER_GUEST, syslogEvent, T0, TENANT } from './factory.ts';

const SEC = 1000;
const MIN = 60 * SEC;

function rules(...defs: Record<string, unknown>[]): CompiledRule[] {
  return [...loadRulePack({ formatVersion: 1, rules: defs }, 'tenant:test').rules];
}

const sudoFailure = {
  id: 'test.sudo-failure',
  title: 'sudo authentication failure',
  severity: 'warning',
  kind: 'match',
  match: {
    all: [
      { field: 'app', equals: 'sudo' },
      { field: 'message', contains: 'incorrect password' },
    ],
  },
  extract: { user: { field: 'message', regex: '^\\s*(?<user>\\S+) : ' } },
  suppress: { seconds: 900, groupBy: ['extract.user'] },
};

const sshBurst = {
  id: 'test.ssh-burst',
  title: 'SSH password guessing',
  severity: 'warning',
  kind: 'threshold',
  match: {
    all: [
      { field: 'app', equals: 'sshd' },
      { field: 'message', startsWith: 'Failed password for ' },
    ],
  },
  extract: { user: { field: 'message', regex: 'for (?:invalid user )?(?<user>\\S+) from' } },
  threshold: { count: 5, windowSeconds: 60, groupBy: ['extract.user'] },
};

const sudo = (user: string, at = T0, extra: Partial<Parameters<typeof syslogEvent>[0]> = {}) =>
  syslogEvent({
    app: 'sudo',
    procId: null,
    facility: 'authpriv',
    severity: 'notice',
    message: `   ${user} : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=/usr/bin/id`,
    at,
    ...extra,
  });

const failedSsh = (user: string, at: number, extra: Partial<Parameters<typeof syslogEvent>[0]> = {}) =>
  syslogEvent({
    app: 'sshd',
    facility: 'authpriv',
    message: `Failed password for ${user} from 203.0.113.9 port ${40000 + (at % 1000)} ssh2`,
    at,
    ...extra,
  });

/** Evaluates batches in turn, threading the state, and returns every call's result. */
function run(
  compiled: CompiledRule[],
  batches: { events: MonitorEvent[]; now: number }[],
  state: RuleState = {},
) {
  const results = [];
  let current = state;
  for (const batch of batches) {
    const result = evaluateRules(compiled, batch.events, current, batch.now);
    for (const alert of result.alerts) AlertDraft.parse(alert);
    for (const key of result.changedKeys) RuleStateEntry.parse(result.state[key]);
    results.push(result);
    current = result.state;
  }
  return results;
}

describe('match rules', () => {
  it('raise an alert carrying the rule, the guest, the group and the event', () => {
    const event = sudo('alice');
    const [result] = run(rules(sudoFailure), [{ events: [event], now: T0 + 5 * SEC }]);
    expect(result?.alerts).toHaveLength(1);
    const alert = result!.alerts[0]!;
    expect(alert).toMatchObject({
      rule: {
        id: 'test.sudo-failure',
        title: 'sudo authentication failure',
        kind: 'match',
        source: 'tenant',
      },
      severity: 'warning',
      tenantId: TENANT,
      guestId: GUEST,
      host: 'web-1',
      group: { 'extract.user': 'alice' },
      groupKey: '["alice"]',
      count: 1,
      eventsOmitted: 0,
      firstEventAt: event.time,
      lastEventAt: event.time,
      threshold: null,
      absence: null,
      suppression: {
        seconds: 900,
        until: new Date(T0 + 900 * SEC).toISOString(),
        suppressedSincePrevious: 0,
        previousAlertId: null,
      },
      raisedAt: new Date(T0 + 5 * SEC).toISOString(),
      summary: 'sudo authentication failure on web-1 for extract.user=alice',
    });
    expect(alert.alertId).toMatch(/^alr_[0-9a-f]{32}$/);
    expect(alert.events).toEqual([
      { id: event.id, time: event.time, host: 'web-1', app: 'sudo', eventId: null, message: event.message },
    ]);
    const key = suppressKey('test.sudo-failure', TENANT, GUEST, ['alice']);
    expect(result?.changedKeys).toEqual([key]);
    expect(result?.state[key]).toMatchObject({
      kind: 'suppress',
      alertId: alert.alertId,
      suppressed: 0,
      v: 1,
    });
  });

  it('make one alert of a storm in one batch, events in receipt order', () => {
    const events = [sudo('alice', T0 + 2 * SEC), sudo('alice', T0), sudo('alice', T0 + SEC)];
    const [result] = run(rules(sudoFailure), [{ events, now: T0 + 10 * SEC }]);
    expect(result?.alerts).toHaveLength(1);
    expect(result?.alerts[0]?.count).toBe(3);
    expect(result?.alerts[0]?.events.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id, events[0]!.id]);
    expect(result?.alerts[0]?.summary).toMatch(/\(3 events\)$/);
  });

  it('order events whose receive time does not parse by their own times', () => {
    const events = [T0 + 2 * SEC, T0, T0 + SEC].map((at) => ({
      ...sudo('alice', at),
      receivedAt: 'not a time',
    }));
    const [result] = run(rules(sudoFailure), [{ events, now: T0 + 10 * SEC }]);
    expect(result?.alerts[0]?.events.map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id, events[0]!.id]);
  });

  it('count later matches as suppressed until the period ends, then report them', () => {
    const compiled = rules(sudoFailure);
    const [first, second, third] = run(compiled, [
      { events: [sudo('alice', T0)], now: T0 },
      { events: [sudo('alice', T0 + 5 * MIN), sudo('alice', T0 + 10 * MIN)], now: T0 + 10 * MIN },
      { events: [sudo('alice', T0 + 15 * MIN + SEC)], now: T0 + 16 * MIN },
    ]);
    expect(first?.alerts).toHaveLength(1);
    expect(second?.alerts).toEqual([]);
    const key = suppressKey('test.sudo-failure', TENANT, GUEST, ['alice']);
    expect(second?.state[key]).toMatchObject({ suppressed: 2, lastSuppressedAt: T0 + 10 * MIN, v: 2 });
    expect(third?.alerts).toHaveLength(1);
    expect(third?.alerts[0]?.suppression).toMatchObject({
      suppressedSincePrevious: 2,
      previousAlertId: first?.alerts[0]?.alertId,
    });
    expect(third?.alerts[0]?.alertId).not.toBe(first?.alerts[0]?.alertId);
    expect(third?.state[key]).toMatchObject({ suppressed: 0, v: 3 });
  });

  it('suppress per group, per guest, and keep unattributed events apart', () => {
    const events = [
      sudo('alice'),
      sudo('bob'),
      sudo('alice', T0, { guestId: OTHER_GUEST, host: 'web-2' }),
      sudo('alice', T0, { guestId: null, tenantId: null, host: 'unknown-box' }),
    ];
    const [result] = run(rules(sudoFailure), [{ events, now: T0 }]);
    expect(result?.alerts.map((a) => [a.tenantId, a.guestId, a.group['extract.user']])).toEqual([
      [TENANT, GUEST, 'alice'],
      [TENANT, GUEST, 'bob'],
      [TENANT, OTHER_GUEST, 'alice'],
      [null, null, 'alice'],
    ]);
    expect(result?.changedKeys).toContain(suppressKey('test.sudo-failure', null, null, ['alice']));
    expect(suppressKey('test.sudo-failure', null, null, ['alice'])).toMatch(
      /^s\|test\.sudo-failure\|-\|-\|[0-9a-f]{20}$/,
    );
  });

  it('with a zero suppression period, raise an alert per match', () => {
    const compiled = rules({ ...sudoFailure, suppress: { seconds: 0 } });
    const [result] = run(compiled, [{ events: [sudo('alice'), sudo('alice', T0 + 1)], now: T0 }]);
    expect(result?.alerts.map((a) => a.count)).toEqual([1, 1]);
    expect(result?.alerts[1]?.suppression.previousAlertId).toBe(result?.alerts[0]?.alertId);
  });

  it('skip disabled rules and events that match nothing', () => {
    const compiled = rules({ ...sudoFailure, enabled: false });
    expect(run(compiled, [{ events: [sudo('alice')], now: T0 }])[0]).toMatchObject({
      alerts: [],
      changedKeys: [],
    });
    const other = syslogEvent({
      app: 'sudo',
      message: 'pam_unix(sudo:session): session opened for user root',
    });
    expect(run(rules(sudoFailure), [{ events: [other], now: T0 }])[0]?.alerts).toEqual([]);
  });
});

describe('threshold rules', () => {
  it('fire when the window holds count matches, not before', () => {
    const compiled = rules(sshBurst);
    const four = [0, 10, 20, 30].map((s) => failedSsh('root', T0 + s * SEC));
    const [quiet] = run(compiled, [{ events: four, now: T0 + 30 * SEC }]);
    expect(quiet?.alerts).toEqual([]);
    const wKey = windowKey('test.ssh-burst', TENANT, GUEST, ['root']);
    expect(quiet?.state[wKey]).toMatchObject({
      kind: 'window',
      times: [0, 10, 20, 30].map((s) => T0 + s * SEC),
    });

    const [, loud] = run(compiled, [
      { events: four, now: T0 + 30 * SEC },
      { events: [failedSsh('root', T0 + 40 * SEC)], now: T0 + 40 * SEC },
    ]);
    expect(loud?.alerts).toHaveLength(1);
    expect(loud?.alerts[0]).toMatchObject({
      count: 5,
      eventsOmitted: 4,
      group: { 'extract.user': 'root' },
      threshold: {
        count: 5,
        windowSeconds: 60,
        groupValues: { 'extract.user': 'root' },
        windowStartedAt: new Date(T0).toISOString(),
      },
      summary:
        'SSH password guessing: 5 matching events for extract.user=root on web-1 (threshold 5 within 60s)',
    });
    expect(loud?.alerts[0]?.events).toHaveLength(1);
  });

  it('slide: matches spread wider than the window never fire', () => {
    const compiled = rules(sshBurst);
    const events = Array.from({ length: 30 }, (_, i) => failedSsh('root', T0 + i * 16 * SEC));
    const [result] = run(compiled, [{ events, now: T0 + 30 * 16 * SEC }]);
    expect(result?.alerts).toEqual([]);
    const entry = result?.state[windowKey('test.ssh-burst', TENANT, GUEST, ['root'])];
    expect(entry?.kind === 'window' && entry.times.length).toBe(4);
  });

  it('slide: a burst across what a fixed bucket would split still fires', () => {
    const compiled = rules(sshBurst);
    const events = [50, 55, 58, 62, 65].map((s) => failedSsh('root', T0 + s * SEC));
    const [result] = run(compiled, [{ events, now: T0 + 65 * SEC }]);
    expect(result?.alerts).toHaveLength(1);
    expect(result?.alerts[0]?.events).toHaveLength(5);
  });

  it('count groups apart', () => {
    const compiled = rules(sshBurst);
    const events = [
      ...[0, 1, 2].map((s) => failedSsh('root', T0 + s * SEC)),
      ...[3, 4, 5].map((s) => failedSsh('admin', T0 + s * SEC)),
      ...[6, 7].map((s) => failedSsh('root', T0 + s * SEC, { guestId: OTHER_GUEST })),
    ];
    expect(run(compiled, [{ events, now: T0 + 10 * SEC }])[0]?.alerts).toEqual([]);
  });

  it('keep at most count times per group, however long the storm', () => {
    const compiled = rules({ ...sshBurst, suppress: { seconds: 60 } });
    const events = Array.from({ length: 1000 }, (_, i) => failedSsh('root', T0 + i * 100));
    const [result] = run(compiled, [{ events, now: T0 + 100 * SEC }]);
    const entry = result?.state[windowKey('test.ssh-burst', TENANT, GUEST, ['root'])];
    expect(entry?.kind === 'window' && entry.times.length).toBe(5);
    // 100 s of storm with a 60 s suppression period: an alert at 0.4 s (the 5th match) that the next 599
    // matches join, then one at 60.4 s when the period ends, counting the window 60.0-60.4 s.
    expect(result?.alerts.map((a) => a.threshold?.windowStartedAt)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 60_000).toISOString(),
    ]);
    expect(result?.alerts[0]?.count).toBe(5 + 599);
    expect(result?.alerts[0]?.eventsOmitted).toBe(604 - 20);
    expect(result?.alerts[0]?.events).toHaveLength(20);
  });

  it('after the suppression period, a storm that goes on raises again; suppressed matches are reported', () => {
    const compiled = rules(sshBurst);
    const burst = (from: number) => Array.from({ length: 6 }, (_, i) => failedSsh('root', from + i * SEC));
    const [first, second, third] = run(compiled, [
      { events: burst(T0), now: T0 + 6 * SEC },
      { events: burst(T0 + 10 * MIN), now: T0 + 11 * MIN },
      { events: burst(T0 + 16 * MIN), now: T0 + 17 * MIN },
    ]);
    expect(first?.alerts.map((a) => a.count)).toEqual([6]);
    expect(second?.alerts).toEqual([]);
    expect(third?.alerts).toHaveLength(1);
    expect(third?.alerts[0]?.suppression.suppressedSincePrevious).toBe(2);
  });

  it('ignore replayed history older than maxLagSeconds', () => {
    const compiled = rules({ ...sshBurst, maxLagSeconds: 3600 });
    const replay = Array.from({ length: 10 }, (_, i) =>
      failedSsh('root', T0 + i * SEC, { eventAt: T0 - 30 * 86_400_000 + i * 3_600_000 }),
    );
    expect(run(compiled, [{ events: replay, now: T0 + 10 * SEC }])[0]).toMatchObject({
      alerts: [],
      changedKeys: [],
    });
    const live = Array.from({ length: 5 }, (_, i) =>
      failedSsh('root', T0 + i * SEC, { eventAt: T0 + i * SEC - 2000 }),
    );
    expect(run(compiled, [{ events: live, now: T0 + 10 * SEC }])[0]?.alerts).toHaveLength(1);
  });
});

describe('state', () => {
  const compiled = rules(sudoFailure, sshBurst);
  const history = [
    ...Array.from({ length: 4 }, (_, i) => failedSsh('root', T0 + i * SEC)),
    sudo('alice', T0),
  ];
  const next = [failedSsh('root', T0 + 5 * SEC), sudo('alice', T0 + 6 * SEC), sudo('bob', T0 + 7 * SEC)];

  it('stateKeysFor names every key the evaluation reads: a subset of the state gives the same result', () => {
    const full = evaluateRules(compiled, history, {}, T0 + 4 * SEC).state;
    const unrelated: RuleState = {
      ...full,
      'w|other|acme|gst_0123456789ab|-': { kind: 'window', times: [T0], expiresAt: T0 + 86_400_000, v: 1 },
    };
    const keys = stateKeysFor(compiled, next);
    expect(keys).toEqual(
      [
        windowKey('test.ssh-burst', TENANT, GUEST, ['root']),
        suppressKey('test.ssh-burst', TENANT, GUEST, ['root']),
        suppressKey('test.sudo-failure', TENANT, GUEST, ['alice']),
        suppressKey('test.sudo-failure', TENANT, GUEST, ['bob']),
      ].sort(),
    );
    const subset = Object.fromEntries(keys.filter((k) => k in unrelated).map((k) => [k, unrelated[k]!]));
    const fromFull = evaluateRules(compiled, next, unrelated, T0 + 8 * SEC);
    const fromSubset = evaluateRules(compiled, next, subset, T0 + 8 * SEC);
    expect(fromSubset.alerts).toEqual(fromFull.alerts);
    expect(fromSubset.changedKeys).toEqual(fromFull.changedKeys);
    for (const key of fromFull.changedKeys) expect(fromSubset.state[key]).toEqual(fromFull.state[key]);
    expect(fromFull.alerts.map((a) => a.rule.id)).toEqual(['test.ssh-burst', 'test.sudo-failure']);
    expect(fromFull.changedKeys.every((k) => keys.includes(k))).toBe(true);
  });

  it('is pure and deterministic: inputs untouched, same inputs give the same output', () => {
    const state = structuredClone(evaluateRules(compiled, history, {}, T0 + 4 * SEC).state);
    const frozen = Object.freeze(
      Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Object.freeze(v)])),
    );
    const events = next.map((e) => Object.freeze({ ...e }));
    const a = evaluateRules(compiled, events, frozen, T0 + 8 * SEC);
    const b = evaluateRules(compiled, events, structuredClone(state), T0 + 8 * SEC);
    expect(a).toEqual(b);
    expect(frozen).toEqual(state);
    expect(JSON.parse(JSON.stringify(a.state))).toEqual(a.state);
  });

  it('treats expired entries as absent but versions over them', () => {
    const key = suppressKey('test.sudo-failure', TENANT, GUEST, ['alice']);
    const stale: RuleState = {
      [key]: {
        kind: 'suppress',
        alertId: 'alr_00000000000000000000000000000000',
        raisedAt: T0 - 30 * 86_400_000,
        until: T0 - 30 * 86_400_000 + 900_000,
        suppressed: 7,
        lastSuppressedAt: null,
        expiresAt: T0 - 86_400_000,
        v: 4,
      },
    };
    const result = evaluateRules(compiled, [sudo('alice')], stale, T0);
    expect(result.alerts[0]?.suppression).toMatchObject({
      suppressedSincePrevious: 0,
      previousAlertId: null,
    });
    expect(result.state[key]?.v).toBe(5);
  });

  it('gives the same alert id when a batch is evaluated again from the same state', () => {
    const once = evaluateRules(compiled, next, {}, T0 + 8 * SEC);
    const again = evaluateRules(compiled, next, {}, T0 + 9 * SEC);
    expect(again.alerts.map((a) => a.alertId)).toEqual(once.alerts.map((a) => a.alertId));
  });
});
