import { describe, expect, it } from 'vitest';
import {
  AbsenceEntry,
  AlertDraft,
  absenceKey,
  absenceStateKeysFor,
  type CompiledRule,
  evaluateAbsence,
  loadRulePack,
  type MonitoredGuest,
  type RuleState,
} from '../../../../shared/monitoring/rules/index.ts';
import { GUEST, OTHER_GUEST, T0, TENANT } from './factory.ts';

const MIN = 60_000;

const silentRule = {
  id: 'test.silent',
  title: 'Guest silent',
  severity: 'warning',
  kind: 'absence',
  absence: { silentMinutes: 30 },
  suppress: { seconds: 3600 },
};

function rules(...defs: Record<string, unknown>[]): CompiledRule[] {
  return [...loadRulePack({ formatVersion: 1, rules: defs }, 'tenant:test').rules];
}

const guest = (lastEventAt: number | null, overrides: Partial<MonitoredGuest> = {}): MonitoredGuest => ({
  tenantId: TENANT,
  guestId: GUEST,
  host: 'web-1',
  monitoringEnabledAt: new Date(T0 - 24 * 60 * MIN).toISOString(),
  lastEventAt: lastEventAt === null ? null : new Date(lastEventAt).toISOString(),
  ...overrides,
});

function check(compiled: CompiledRule[], guests: MonitoredGuest[], state: RuleState, now: number) {
  const result = evaluateAbsence(compiled, guests, state, now);
  for (const alert of result.alerts) AlertDraft.parse(alert);
  for (const key of result.changedKeys) AbsenceEntry.parse(result.state[key]);
  return result;
}

describe('evaluateAbsence', () => {
  const compiled = rules(silentRule);
  const key = absenceKey('test.silent', TENANT, GUEST);

  it('raises nothing before silentMinutes, an alert at silentMinutes', () => {
    expect(check(compiled, [guest(T0)], {}, T0 + 29 * MIN + 59_999).alerts).toEqual([]);
    const result = check(compiled, [guest(T0)], {}, T0 + 30 * MIN);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      rule: { id: 'test.silent', kind: 'absence', source: 'tenant' },
      tenantId: TENANT,
      guestId: GUEST,
      host: 'web-1',
      count: 0,
      events: [],
      group: {},
      lastEventAt: new Date(T0).toISOString(),
      absence: { silentMinutes: 30, silentSince: new Date(T0).toISOString() },
      suppression: { seconds: 3600, suppressedSincePrevious: 0, previousAlertId: null },
      summary: `Guest silent: no events from web-1 for 30 min (since ${new Date(T0).toISOString()})`,
    });
    expect(result.changedKeys).toEqual([key]);
    expect(result.state[key]).toMatchObject({ alertedSilenceStart: T0, lastAlertAt: T0 + 30 * MIN, v: 1 });
  });

  it('raises one alert per silence however often it runs', () => {
    const first = check(compiled, [guest(T0)], {}, T0 + 30 * MIN);
    let state = first.state;
    for (let minute = 35; minute <= 300; minute += 5) {
      const again = check(compiled, [guest(T0)], state, T0 + minute * MIN);
      expect(again.alerts).toEqual([]);
      expect(again.changedKeys).toEqual([]);
      state = again.state;
    }
  });

  it('re-arms when events resume, and suppresses a new silence within the period (once)', () => {
    const first = check(compiled, [guest(T0)], {}, T0 + 30 * MIN);
    // Events resumed at +40 min, then stopped again: silent from +40 to +70, within the hour of the first alert.
    const during = check(compiled, [guest(T0 + 40 * MIN)], first.state, T0 + 70 * MIN);
    expect(during.alerts).toEqual([]);
    expect(during.state[key]).toMatchObject({ suppressed: 1, suppressedSilenceStart: T0 + 40 * MIN, v: 2 });
    const stillDuring = check(compiled, [guest(T0 + 40 * MIN)], during.state, T0 + 80 * MIN);
    expect(stillDuring.changedKeys).toEqual([]);
    // The period ends at +90 min; the guest is still silent: the silence is alerted, the suppression reported.
    const after = check(compiled, [guest(T0 + 40 * MIN)], stillDuring.state, T0 + 90 * MIN);
    expect(after.alerts).toHaveLength(1);
    expect(after.alerts[0]?.suppression).toMatchObject({
      suppressedSincePrevious: 1,
      previousAlertId: first.alerts[0]?.alertId,
    });
    expect(after.alerts[0]?.absence?.silentSince).toBe(new Date(T0 + 40 * MIN).toISOString());
  });

  it('counts from when monitoring was enabled for a guest that never sent, or re-enabled after its last event', () => {
    const enabled = T0 - 10 * MIN;
    const never = guest(null, { monitoringEnabledAt: enabled });
    expect(check(compiled, [never], {}, T0 + 19 * MIN).alerts).toEqual([]);
    const alert = check(compiled, [never], {}, T0 + 20 * MIN).alerts[0];
    expect(alert).toMatchObject({
      lastEventAt: null,
      absence: { silentSince: new Date(enabled).toISOString() },
    });
    expect(alert?.summary).toMatch(/never sent any\)$/);
    const reenabled = guest(T0 - 600 * MIN, { monitoringEnabledAt: T0 });
    expect(check(compiled, [reenabled], {}, T0 + 29 * MIN).alerts).toEqual([]);
  });

  it('takes times as epoch ms too, and refuses a guest whose times are not times', () => {
    const g = guest(null, { monitoringEnabledAt: T0, lastEventAt: T0 + MIN });
    expect(check(compiled, [g], {}, T0 + 31 * MIN).alerts).toHaveLength(1);
    expect(() => check(compiled, [guest(null, { monitoringEnabledAt: 'yesterday' })], {}, T0)).toThrow(
      /monitoringEnabledAt of guest gst_0123456789ab is not a time: yesterday/,
    );
  });

  it('handles guests apart, skips disabled and non-absence rules, names the keys it reads', () => {
    const mixed = [
      ...rules(silentRule, { ...silentRule, id: 'test.silent-off', enabled: false }),
      ...rules({
        id: 'test.any',
        title: 'x',
        severity: 'notice',
        kind: 'match',
        match: { field: 'app', equals: 'x' },
      }),
    ];
    const guests = [guest(T0), guest(T0 + 20 * MIN, { guestId: OTHER_GUEST, host: null })];
    const result = check(mixed, guests, {}, T0 + 45 * MIN);
    expect(result.alerts.map((a) => a.guestId)).toEqual([GUEST]);
    expect(absenceStateKeysFor(mixed, guests)).toEqual(
      [key, absenceKey('test.silent', TENANT, OTHER_GUEST)].sort(),
    );
    const later = check(mixed, guests, result.state, T0 + 50 * MIN);
    expect(later.alerts.map((a) => [a.guestId, a.host])).toEqual([[OTHER_GUEST, null]]);
    expect(later.alerts[0]?.summary).toContain(`no events from ${OTHER_GUEST}`);
  });
});
