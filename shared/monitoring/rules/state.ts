/**
 * Rule state: what the evaluators remember between calls, as independent entries under string keys so
 * a store can keep one row per key (SQLite, DynamoDB) and update it read-modify-write.
 *
 * Keys (`|` never occurs in rule ids, tenant ids or guest ids; `-` stands for "unattributed"):
 *   `w|<rule>|<tenant>|<guest>|<group>`  sliding window of a threshold rule (receipt times, ≤ count)
 *   `s|<rule>|<tenant>|<guest>|<group>`  suppression of a match or threshold rule's alerts
 *   `a|<rule>|<tenant>|<guest>`          absence (silence) tracking of a guest
 * `<group>` is `-` for an empty group-by list, else the first 20 hex digits of the SHA-256 of the
 * group's values as JSON. Every entry carries `v`, bumped on each write (for a conditional put), and
 * `expiresAt` (epoch ms; null = keep), after which it means nothing: a store may delete it then (a
 * DynamoDB TTL) and the evaluators treat an expired entry as absent.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const Millis = z.number().int().min(0);

export const WindowEntry = z.strictObject({
  kind: z.literal('window'),
  /** Receipt times (epoch ms) of the most recent matching events, ascending, at most the rule's count. */
  times: z.array(Millis).max(1000),
  expiresAt: Millis,
  v: z.number().int().min(1),
});
export type WindowEntry = z.infer<typeof WindowEntry>;

export const SuppressEntry = z.strictObject({
  kind: z.literal('suppress'),
  /** The alert that opened the current suppression period. */
  alertId: z.string(),
  raisedAt: Millis,
  /** Matches before this time (receipt time, epoch ms) are suppressed. */
  until: Millis,
  /** Matches suppressed since `alertId` was raised; reported by the next alert of the group. */
  suppressed: z.number().int().min(0),
  lastSuppressedAt: Millis.nullable(),
  expiresAt: Millis,
  v: z.number().int().min(1),
});
export type SuppressEntry = z.infer<typeof SuppressEntry>;

export const AbsenceEntry = z.strictObject({
  kind: z.literal('absence'),
  /** Start (epoch ms) of the silence an alert was raised for; a different start is a new silence. */
  alertedSilenceStart: Millis.nullable(),
  lastAlertId: z.string().nullable(),
  lastAlertAt: Millis.nullable(),
  /** Start of the last silence that was suppressed (counted once), and how many were since the last alert. */
  suppressedSilenceStart: Millis.nullable(),
  suppressed: z.number().int().min(0),
  expiresAt: z.null(),
  v: z.number().int().min(1),
});
export type AbsenceEntry = z.infer<typeof AbsenceEntry>;

export const RuleStateEntry = z.discriminatedUnion('kind', [WindowEntry, SuppressEntry, AbsenceEntry]);
export type RuleStateEntry = z.infer<typeof RuleStateEntry>;

/** The state the evaluators read and return: entries by key. A subset (the keys of one call) is enough. */
export type RuleState = Readonly<Record<string, RuleStateEntry>>;

/** How long a suppression entry outlives its period, so its suppressed count reaches the next alert. */
export const SUPPRESS_RETENTION_MS = 7 * 86_400_000;

const part = (id: string | null): string => id ?? '-';

/** The canonical text of a group's values, and its short form used in keys. */
export function groupKeyOf(values: readonly (string | null)[]): string {
  return JSON.stringify(values);
}

/** Digests of group keys already computed, for the length of one evaluation (optional). */
export type DigestCache = Map<string, string>;

function groupDigest(values: readonly (string | null)[], cache: DigestCache | undefined): string {
  if (values.length === 0) return '-';
  const text = groupKeyOf(values);
  const known = cache?.get(text);
  if (known !== undefined) return known;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 20);
  cache?.set(text, digest);
  return digest;
}

export function windowKey(
  ruleId: string,
  tenantId: string | null,
  guestId: string | null,
  group: readonly (string | null)[],
  cache?: DigestCache,
): string {
  return `w|${ruleId}|${part(tenantId)}|${part(guestId)}|${groupDigest(group, cache)}`;
}

export function suppressKey(
  ruleId: string,
  tenantId: string | null,
  guestId: string | null,
  group: readonly (string | null)[],
  cache?: DigestCache,
): string {
  return `s|${ruleId}|${part(tenantId)}|${part(guestId)}|${groupDigest(group, cache)}`;
}

export function absenceKey(ruleId: string, tenantId: string, guestId: string): string {
  return `a|${ruleId}|${tenantId}|${guestId}`;
}

/** An entry as written, before its version is set. */
export type UnversionedEntry = RuleStateEntry extends infer E
  ? E extends RuleStateEntry
    ? Omit<E, 'v'>
    : never
  : never;

/** The entry if it is of the wanted kind and live at `at` (not expired), else undefined. */
export function liveOf<K extends RuleStateEntry['kind']>(
  entry: RuleStateEntry | undefined,
  kind: K,
  at: number,
): Extract<RuleStateEntry, { kind: K }> | undefined {
  if (entry === undefined || entry.kind !== kind) return undefined;
  if (entry.expiresAt !== null && entry.expiresAt <= at) return undefined;
  return entry as Extract<RuleStateEntry, { kind: K }>;
}

/** A live entry of the wanted kind under `key`, or undefined (absent, expired at `at`, or another kind). */
export function liveEntry<K extends RuleStateEntry['kind']>(
  state: RuleState,
  key: string,
  kind: K,
  at: number,
): Extract<RuleStateEntry, { kind: K }> | undefined {
  return liveOf(Object.hasOwn(state, key) ? state[key] : undefined, kind, at);
}

/** Keys of entries that have expired at `now`: a store without TTLs may delete them. */
export function expiredKeys(state: RuleState, now: number): string[] {
  return Object.keys(state).filter((key) => {
    const expiresAt = state[key]!.expiresAt;
    return expiresAt !== null && expiresAt <= now;
  });
}

/** The `v` a new write of `key` carries: one more than whatever is stored there, live or expired. */
export function nextVersion(state: RuleState, key: string): number {
  return (Object.hasOwn(state, key) ? state[key]!.v : 0) + 1;
}

/** A deterministic id for an alert: the same inputs (a redelivered batch) give the same id. */
export function alertIdOf(...parts: readonly (string | number | null)[]): string {
  return `alr_${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}
