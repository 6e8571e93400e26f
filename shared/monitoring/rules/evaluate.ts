/**
 * The event evaluator: runs match and threshold rules over a batch of events, against the state of
 * earlier batches, and returns the alerts raised and the state entries to write back. Pure and
 * deterministic: no clock (`now` is given), no I/O, inputs not modified.
 *
 * Time. Windows and suppression periods run on the events' receipt time (`receivedAt`), not their own
 * time: Windows Event Forwarding replays history and guests' clocks drift, while receipt times come
 * from our receivers and move forward. (A rule's `maxLagSeconds` drops replayed history outright.) The
 * batch is processed in receipt-time order.
 *
 * Thresholds. Per (rule, tenant, guest, group) the state keeps the receipt times of at most `count`
 * recent matching events, those within `windowSeconds` of the newest: memory is bounded by the rule,
 * and the window slides (no fixed buckets to split a burst). The rule fires when it holds `count`.
 *
 * Suppression. Per (rule, tenant, guest, suppression group) one alert per period: the first firing
 * raises it; later firings in the same batch join it (count, copied events); firings in later batches
 * before the period ends only bump the suppressed counter in the state, which the next alert reports.
 * Threshold windows are not emptied by firing, so a storm that outlasts the period raises again once
 * the period is over.
 *
 * Use: group a batch by tenant and call once per tenant with its rules (`combineRulePacks` of the
 * built-in pack and the tenant's); unattributed events with the built-in rules. With a per-key store,
 * read the entries `stateKeysFor` names, evaluate, and write back the entries of `changedKeys`.
 */
import type { MonitorEvent } from '../../contracts/monitoring.ts';
import {
  type AlertDraft,
  type AlertEvent,
  alertEventOf,
  groupText,
  MAX_ALERT_EVENTS,
  valuesByPath,
} from './alert.ts';
import type { CompiledEventRule, CompiledRule, Extracted } from './compiled.ts';
import { candidatesFor } from './dispatch.ts';
import {
  alertIdOf,
  type DigestCache,
  groupKeyOf,
  liveOf,
  nextVersion,
  type RuleState,
  type RuleStateEntry,
  SUPPRESS_RETENTION_MS,
  suppressKey,
  type UnversionedEntry,
  windowKey,
} from './state.ts';

export interface RuleEvaluation {
  /** Alerts raised, in the order they were raised. */
  alerts: AlertDraft[];
  /** The input state with the written entries replaced (the input object is not modified). */
  state: RuleState;
  /** Keys whose entries were written: the ones to store back. */
  changedKeys: string[];
}

const NO_EXTRACTIONS: Extracted = Object.freeze({});

/** Receipt time of an event in epoch ms: `receivedAt`, else its own time, else `fallback`. */
export function receiptTime(event: MonitorEvent, fallback: number): number {
  const received = Date.parse(event.receivedAt);
  if (!Number.isNaN(received)) return received;
  const own = Date.parse(event.time);
  return Number.isNaN(own) ? fallback : own;
}

function lagging(rule: CompiledEventRule, event: MonitorEvent, at: number): boolean {
  if (rule.maxLagMs === null || event.timeSource !== 'event') return false;
  const own = Date.parse(event.time);
  return !Number.isNaN(own) && at - own > rule.maxLagMs;
}

/** One (event, enabled event rule) match, with the event's receipt time and the rule's extractions. */
export interface RuleHit {
  rule: CompiledEventRule;
  event: MonitorEvent;
  at: number;
  extracted: Extracted;
}

/**
 * Every (event, enabled event rule) that matches, events in receipt-time order. Computed once per
 * batch: the state keys to read and the evaluation (retried on a version conflict) both use it.
 * `fallback` is the receipt time of an event whose own times do not parse.
 */
export function findHits(
  rules: readonly CompiledRule[],
  events: readonly MonitorEvent[],
  fallback: number,
): RuleHit[] {
  const active = rules.filter((r): r is CompiledEventRule => r.enabled && r.kind !== 'absence');
  if (active.length === 0 || events.length === 0) return [];
  const candidates = candidatesFor(active);
  // The events of a batch mostly share their receipt time and arrive in order: each distinct time
  // text is parsed once, and the events are reordered only when they are out of order.
  const at = new Float64Array(events.length);
  let lastText: string | undefined;
  let lastReceived = Number.NaN;
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.receivedAt !== lastText) {
      lastText = event.receivedAt;
      lastReceived = Date.parse(event.receivedAt);
    }
    // A receive time that does not parse falls back per event (to its own time, then `fallback`).
    at[i] = Number.isNaN(lastReceived) ? receiptTime(event, fallback) : lastReceived;
    if (i > 0 && at[i]! < at[i - 1]!) sorted = false;
  }
  let order: number[] | undefined;
  if (!sorted) {
    order = Array.from({ length: events.length }, (_, i) => i);
    order.sort((a, b) => at[a]! - at[b]! || a - b);
  }
  const hits: RuleHit[] = [];
  for (let n = 0; n < events.length; n++) {
    const i = order === undefined ? n : order[n]!;
    const event = events[i]!;
    for (const rule of candidates(event)) {
      if (!rule.matches(event)) continue;
      hits.push({
        rule,
        event,
        at: at[i]!,
        extracted: rule.hasExtractions ? rule.extract(event) : NO_EXTRACTIONS,
      });
    }
  }
  return hits;
}

/**
 * The state keys an `evaluateRules` call with the same rules and events may read (a superset: every
 * window and suppression key of every match), sorted.
 */
export function stateKeysFor(rules: readonly CompiledRule[], events: readonly MonitorEvent[]): string[] {
  return stateKeysOfHits(findHits(rules, events, 0));
}

/** `stateKeysFor` over hits already found. */
export function stateKeysOfHits(hits: readonly RuleHit[]): string[] {
  const keys = new Set<string>();
  for (const { rule, event, extracted } of hits) {
    if (rule.threshold !== null) {
      keys.add(
        windowKey(rule.id, event.tenantId, event.guestId, rule.threshold.groupBy.values(event, extracted)),
      );
    }
    keys.add(
      suppressKey(rule.id, event.tenantId, event.guestId, rule.suppressGroupBy.values(event, extracted)),
    );
  }
  return [...keys].sort();
}

interface PendingAlert {
  rule: CompiledEventRule;
  alertId: string;
  tenantId: string | null;
  guestId: string | null;
  host: string | null;
  groupValues: Record<string, string>;
  groupKey: string;
  count: number;
  events: AlertEvent[];
  threshold: AlertDraft['threshold'];
  until: number;
  suppressedSincePrevious: number;
  previousAlertId: string | null;
}

interface Sample {
  at: number;
  event: AlertEvent;
}

const iso = (ms: number): string => new Date(ms).toISOString();

interface FullWindow {
  values: (string | null)[];
  startedAt: number;
  batch: Sample[];
}

/** This batch's copies of the events counted in a full window. */
const inWindow = (full: FullWindow): AlertEvent[] =>
  full.batch.filter((s) => s.at >= full.startedAt).map((s) => s.event);

function thresholdOf(
  threshold: NonNullable<CompiledEventRule['threshold']>,
  full: FullWindow,
): AlertDraft['threshold'] {
  return {
    count: threshold.count,
    windowSeconds: threshold.windowMs / 1000,
    groupValues: valuesByPath(threshold.groupBy.paths, full.values),
    windowStartedAt: iso(full.startedAt),
  };
}

function summaryOf(p: PendingAlert): string {
  const where = p.host ?? p.guestId ?? 'an unattributed sender';
  const group = groupText(p.threshold?.groupValues ?? p.groupValues);
  const forGroup = group === '' ? '' : ` for ${group}`;
  if (p.threshold !== null) {
    const { count, windowSeconds } = p.threshold;
    return `${p.rule.title}: ${p.count} matching events${forGroup} on ${where} (threshold ${count} within ${windowSeconds}s)`;
  }
  return `${p.rule.title} on ${where}${forGroup}${p.count > 1 ? ` (${p.count} events)` : ''}`;
}

function finish(p: PendingAlert, now: number): AlertDraft {
  const times = p.events.map((e) => e.time).sort();
  return {
    alertId: p.alertId,
    rule: {
      id: p.rule.id,
      title: p.rule.title,
      kind: p.rule.kind,
      source: p.rule.origin,
      pack: p.rule.source,
      tags: [...p.rule.tags],
    },
    severity: p.rule.severity,
    tenantId: p.tenantId,
    guestId: p.guestId,
    host: p.host,
    summary: summaryOf(p),
    group: p.groupValues,
    groupKey: p.groupKey,
    count: p.count,
    events: p.events,
    eventsOmitted: Math.max(0, p.count - p.events.length),
    firstEventAt: times[0] ?? null,
    lastEventAt: times[times.length - 1] ?? null,
    threshold: p.threshold,
    absence: null,
    suppression: {
      seconds: p.rule.suppressSeconds,
      until: iso(p.until),
      suppressedSincePrevious: p.suppressedSincePrevious,
      previousAlertId: p.previousAlertId,
    },
    raisedAt: iso(now),
  };
}

/** Evaluates match and threshold rules over a batch (see the file comment for the semantics). */
export function evaluateRules(
  rules: readonly CompiledRule[],
  events: readonly MonitorEvent[],
  state: RuleState,
  now: number,
): RuleEvaluation {
  return evaluateHits(findHits(rules, events, now), state, now);
}

/** `evaluateRules` over hits already found (with `now` as their fallback receipt time). */
export function evaluateHits(hits: readonly RuleHit[], state: RuleState, now: number): RuleEvaluation {
  const written = new Map<string, RuleStateEntry>();
  const read = <K extends RuleStateEntry['kind']>(key: string, kind: K, at: number) =>
    liveOf(written.get(key) ?? (Object.hasOwn(state, key) ? state[key] : undefined), kind, at);
  const write = (key: string, entry: UnversionedEntry) => {
    const v = written.get(key)?.v ?? nextVersion(state, key);
    written.set(key, { ...entry, v } as RuleStateEntry);
  };
  const open = new Map<string, PendingAlert>();
  const samples = new Map<string, Sample[]>();
  const pending: PendingAlert[] = [];
  const digests: DigestCache = new Map();

  for (const { rule, event, at, extracted } of hits) {
    if (lagging(rule, event, at)) continue;
    let full: FullWindow | null = null;
    let counted = 1;
    if (rule.threshold !== null) {
      const { count, windowMs, groupBy } = rule.threshold;
      const values = groupBy.values(event, extracted);
      const wKey = windowKey(rule.id, event.tenantId, event.guestId, values, digests);
      const times = [...(read(wKey, 'window', at)?.times ?? [])];
      let slot = times.length;
      while (slot > 0 && times[slot - 1]! > at) slot -= 1;
      times.splice(slot, 0, at);
      const newest = times[times.length - 1]!;
      const kept = times.filter((t) => t > newest - windowMs).slice(-count);
      write(wKey, { kind: 'window', times: kept, expiresAt: newest + windowMs });
      if (at <= newest - windowMs) continue; // older than the window: does not count
      const batch = samples.get(wKey) ?? [];
      batch.push({ at, event: alertEventOf(event) });
      if (batch.length > MAX_ALERT_EVENTS) batch.shift();
      samples.set(wKey, batch);
      if (kept.length < count) continue;
      counted = kept.length;
      full = { values, startedAt: kept[0]!, batch };
    }

    const sValues = rule.suppressGroupBy.values(event, extracted);
    const sKey = suppressKey(rule.id, event.tenantId, event.guestId, sValues, digests);
    const joining = open.get(sKey);
    if (joining !== undefined && at < joining.until) {
      joining.count += 1;
      if (joining.events.length < MAX_ALERT_EVENTS) joining.events.push(alertEventOf(event));
      continue;
    }
    const previous = read(sKey, 'suppress', at);
    if (previous !== undefined && at < previous.until) {
      write(sKey, {
        ...previous,
        suppressed: previous.suppressed + 1,
        lastSuppressedAt: Math.max(previous.lastSuppressedAt ?? at, at),
      });
      continue;
    }
    const groupKey = groupKeyOf(sValues);
    const alertId = alertIdOf(rule.id, event.tenantId, event.guestId, groupKey, event.id);
    const until = at + rule.suppressSeconds * 1000;
    write(sKey, {
      kind: 'suppress',
      alertId,
      raisedAt: at,
      until,
      suppressed: 0,
      lastSuppressedAt: null,
      expiresAt: until + SUPPRESS_RETENTION_MS,
    });
    const alert: PendingAlert = {
      rule,
      alertId,
      tenantId: event.tenantId,
      guestId: event.guestId,
      host: event.host,
      groupValues: valuesByPath(rule.suppressGroupBy.paths, sValues),
      groupKey,
      count: counted,
      events: full === null ? [alertEventOf(event)] : inWindow(full),
      threshold: full === null || rule.threshold === null ? null : thresholdOf(rule.threshold, full),
      until,
      suppressedSincePrevious: previous?.suppressed ?? 0,
      previousAlertId: previous?.alertId ?? null,
    };
    open.set(sKey, alert);
    pending.push(alert);
  }

  const next: Record<string, RuleStateEntry> = { ...state };
  for (const [key, entry] of written) next[key] = entry;
  return { alerts: pending.map((p) => finish(p, now)), state: next, changedKeys: [...written.keys()] };
}
