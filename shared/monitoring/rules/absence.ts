/**
 * The absence evaluator, for the scheduled checker: which monitored guests have been silent for at
 * least a rule's `silentMinutes`. Absence needs the inventory of guests that should be sending (a
 * series that never arrived cannot go missing), so the caller passes them with their last event's
 * receipt time; silence counts from that or from when monitoring was enabled, whichever is later.
 *
 * One alert per silence: once raised for a silence that began at T, the guest is not reported again
 * until events resume (its silence start moves) and it falls silent again. Suppression limits that to
 * one alert per guest per suppression period: a new silence within the period of the previous alert
 * is counted as suppressed (once) and alerted when the period ends if the guest is still silent.
 * Pure: `now` is given, nothing is read or written but the returned state.
 */
import type { AlertDraft } from './alert.ts';
import type { CompiledAbsenceRule, CompiledRule } from './compiled.ts';
import type { RuleEvaluation } from './evaluate.ts';
import {
  absenceKey,
  alertIdOf,
  liveEntry,
  nextVersion,
  type RuleState,
  type RuleStateEntry,
} from './state.ts';

export interface MonitoredGuest {
  tenantId: string;
  guestId: string;
  /** For the alert's text and `host`; the guest id is used when absent. */
  host?: string | null;
  /** When monitoring was switched on (ISO text or epoch ms). */
  monitoringEnabledAt: string | number;
  /** Receipt time of the guest's last event (ISO text or epoch ms), null if it never sent one. */
  lastEventAt: string | number | null;
}

function millis(value: string | number, what: string, guestId: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new Error(`absence check: ${what} of guest ${guestId} is not a time: ${String(value)}`);
  return ms;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function activeAbsenceRules(rules: readonly CompiledRule[]): CompiledAbsenceRule[] {
  return rules.filter((r): r is CompiledAbsenceRule => r.enabled && r.kind === 'absence');
}

/** The state keys `evaluateAbsence` reads for these rules and guests, sorted. */
export function absenceStateKeysFor(
  rules: readonly CompiledRule[],
  guests: readonly MonitoredGuest[],
): string[] {
  const keys: string[] = [];
  for (const rule of activeAbsenceRules(rules)) {
    for (const guest of guests) keys.push(absenceKey(rule.id, guest.tenantId, guest.guestId));
  }
  return keys.sort();
}

/** Raises an alert for each guest silent for a rule's `silentMinutes` (see the file comment). */
export function evaluateAbsence(
  rules: readonly CompiledRule[],
  guests: readonly MonitoredGuest[],
  state: RuleState,
  now: number,
): RuleEvaluation {
  const alerts: AlertDraft[] = [];
  const written = new Map<string, RuleStateEntry>();
  for (const rule of activeAbsenceRules(rules)) {
    const silentMs = rule.silentMinutes * 60_000;
    const suppressMs = rule.suppressSeconds * 1000;
    for (const guest of guests) {
      const enabledAt = millis(guest.monitoringEnabledAt, 'monitoringEnabledAt', guest.guestId);
      const lastAt =
        guest.lastEventAt === null ? null : millis(guest.lastEventAt, 'lastEventAt', guest.guestId);
      const silenceStart = Math.max(enabledAt, lastAt ?? enabledAt);
      if (now - silenceStart < silentMs) continue;
      const key = absenceKey(rule.id, guest.tenantId, guest.guestId);
      const entry = liveEntry(state, key, 'absence', now);
      if (entry?.alertedSilenceStart === silenceStart) continue;
      const v = nextVersion(state, key);
      const previousAt = entry?.lastAlertAt ?? null;
      if (entry !== undefined && previousAt !== null && now < previousAt + suppressMs) {
        if (entry.suppressedSilenceStart !== silenceStart) {
          written.set(key, {
            ...entry,
            suppressedSilenceStart: silenceStart,
            suppressed: entry.suppressed + 1,
            v,
          });
        }
        continue;
      }
      const alertId = alertIdOf(rule.id, guest.tenantId, guest.guestId, silenceStart);
      written.set(key, {
        kind: 'absence',
        alertedSilenceStart: silenceStart,
        lastAlertId: alertId,
        lastAlertAt: now,
        suppressedSilenceStart: null,
        suppressed: 0,
        expiresAt: null,
        v,
      });
      const host = guest.host ?? null;
      const minutes = Math.floor((now - silenceStart) / 60_000);
      alerts.push({
        alertId,
        rule: {
          id: rule.id,
          title: rule.title,
          kind: 'absence',
          source: rule.origin,
          pack: rule.source,
          tags: [...rule.tags],
        },
        severity: rule.severity,
        tenantId: guest.tenantId,
        guestId: guest.guestId,
        host,
        summary: `${rule.title}: no events from ${host ?? guest.guestId} for ${minutes} min (since ${iso(silenceStart)}${lastAt === null ? ', never sent any' : ''})`,
        group: {},
        groupKey: '[]',
        count: 0,
        events: [],
        eventsOmitted: 0,
        firstEventAt: null,
        lastEventAt: lastAt === null ? null : iso(lastAt),
        threshold: null,
        absence: { silentMinutes: rule.silentMinutes, silentSince: iso(silenceStart) },
        suppression: {
          seconds: rule.suppressSeconds,
          until: iso(now + suppressMs),
          suppressedSincePrevious: entry?.suppressed ?? 0,
          previousAlertId: entry?.lastAlertId ?? null,
        },
        raisedAt: iso(now),
      });
    }
  }
  const next: Record<string, RuleStateEntry> = { ...state };
  for (const [key, entry] of written) next[key] = entry;
  return { alerts, state: next, changedKeys: [...written.keys()] };
}
