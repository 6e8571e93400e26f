/**
 * The ingest pipeline: one batch of ingest-queue messages in, archived events and alerts out.
 *
 *   decode (receiver batch or HTTP body) → normalize + attribute (shared/monitoring/normalize.ts)
 *   → claim each event id for this message → archive what this message holds (once per event)
 *   → last-seen per guest → detection rules over the new events → alerts (bus + store) → rule state
 *
 * Delivery is at least once at every step, and each step is idempotent on redelivery of the same
 * message: the claims are owned by the message id, the archive objects are named after it, and alert
 * ids are derived from rule, guest, group and period. An event another message already claimed (a
 * sender's retransmission, a Windows channel replayed) is not archived again and not counted twice.
 * Alerts are published before the rule state that records them, so a crash in between repeats an
 * alert (same id) rather than losing it.
 */
import type { SQSRecord } from 'aws-lambda';
import { makeEvent } from '../../contracts/events.ts';
import {
  INGEST_ATTRIBUTES,
  INGEST_CONTENT_TYPES,
  type IngestFormat,
  ingestContentType,
  parseRecordsMessage,
} from '../../contracts/ingest.ts';
import type { Alert, MonitorEvent } from '../../contracts/monitoring.ts';
import { MalformedRequestError } from '../../contracts/queue-record.ts';
import type { Deps } from '../../deps.ts';
import { saveAlert } from '../../monitoring/alert-store.ts';
import { writeArchive } from '../../monitoring/archive/writer.ts';
import type { SenderDirectory } from '../../monitoring/attribution.ts';
import { normalizeHttpBody, normalizeRawRecord } from '../../monitoring/normalize.ts';
import {
  type AlertDraft,
  type CompiledRule,
  evaluateHits,
  findHits,
  type RuleState,
  RuleStateEntry,
  stateKeysOfHits,
} from '../../monitoring/rules/index.ts';

/**
 * How long an event id stays claimed: a retransmission or replay later than this is archived again.
 * A day covers a sender's retransmissions and the usual WEF replay of a newly added channel.
 */
export const CLAIM_TTL_MS = 86_400_000;
/** Rule state lives at most this long without being written (windows and suppressions are shorter). */
const RULE_STATE_TTL_MS = 8 * 86_400_000;
const CAS_ATTEMPTS = 4;

type IngestDeps = Pick<Deps, 'archive' | 'objects' | 'monitorState' | 'bus' | 'logger' | 'clock'>;

export interface IngestContext {
  directory: SenderDirectory;
  /** The rules for a guest: built-in and its tenant's, less those its policy disabled. */
  rulesFor: (tenantId: string, guestId: string) => readonly CompiledRule[];
}

/** One queue message, decoded and normalized. MalformedRequestError when it is neither kind. */
export function decodeIngestMessage(record: SQSRecord, directory: SenderDirectory): MonitorEvent[] {
  const attribute = (name: string) => record.messageAttributes?.[name]?.stringValue;
  const contentType = attribute(INGEST_ATTRIBUTES.contentType);
  if (contentType !== undefined) {
    const type = ingestContentType(contentType);
    if (!type)
      throw new MalformedRequestError(
        `message ${record.messageId}: content type "${contentType}" is not one ingest reads`,
      );
    const format: IngestFormat = INGEST_CONTENT_TYPES[type];
    const tenantId = attribute(INGEST_ATTRIBUTES.tenantId);
    return normalizeHttpBody(
      record.body,
      format,
      {
        receivedAt: Number(record.attributes.SentTimestamp) || Date.now(),
        sourceIp: attribute(INGEST_ATTRIBUTES.sourceIp) ?? '',
        ...(tenantId ? { tenantId } : {}),
      },
      { directory },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    throw new MalformedRequestError(
      `message ${record.messageId}: neither an HTTP ingest body nor JSON records`,
    );
  }
  const parsed = parseRecordsMessage(json);
  if (!parsed.ok)
    throw new MalformedRequestError(
      `message ${record.messageId}: invalid records batch: ${parsed.path || '(message)'}: ${parsed.message}`,
    );
  const expectHostname = parsed.value.expectHostname ?? true;
  return parsed.value.records.map((r) => normalizeRawRecord(r, { directory, expectHostname }));
}

/** The object-name-safe form of a message id (SQS ids are UUIDs; the local queue's too). */
const ownerOf = (messageId: string) => messageId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);

export interface IngestOutcome {
  /** Message ids that failed and must be redelivered. */
  failed: string[];
  received: number;
  archived: number;
  duplicates: number;
  unattributed: number;
  alerts: number;
}

/** A message's events without repeats within it (the first of each id). */
function uniqueEvents(events: MonitorEvent[]): MonitorEvent[] {
  const seen = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const id = events[i]!.id;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    // A repeat (rare): keep the first of each id from here on.
    const unique = events.slice(0, i);
    for (let j = i + 1; j < events.length; j++) {
      const e = events[j]!;
      if (!seen.has(e.id)) {
        seen.add(e.id);
        unique.push(e);
      }
    }
    return unique;
  }
  return events;
}

export async function ingestBatch(
  deps: IngestDeps,
  records: SQSRecord[],
  ctx: IngestContext,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = {
    failed: [],
    received: 0,
    archived: 0,
    duplicates: 0,
    unattributed: 0,
    alerts: 0,
  };
  const decoded: { record: SQSRecord; owner: string; events: MonitorEvent[] }[] = [];
  for (const record of records) {
    try {
      const events = decodeIngestMessage(record, ctx.directory);
      decoded.push({ record, owner: ownerOf(record.messageId), events: uniqueEvents(events) });
      outcome.received += events.length;
    } catch (error) {
      deps.logger.error(
        'ingest message could not be decoded; it stays on the queue for the dead-letter queue',
        {
          messageId: record.messageId,
          error: String(error),
        },
      );
      outcome.failed.push(record.messageId);
    }
  }
  // Claims of the whole batch at once (one write locally); each message then archives what it holds.
  // A message whose archive write fails is redelivered and finds its claims still its own.
  const held = await deps.monitorState.claimEventsOfMany(
    decoded.map((d) => ({ owner: d.owner, ids: d.events.map((e) => e.id) })),
    deps.clock.now().getTime() + CLAIM_TTL_MS,
  );
  const retentionOf = (tenantId: string, guestId: string) =>
    ctx.directory.find(tenantId, guestId)?.policy.retentionDays ?? 90;
  const archived: MonitorEvent[] = [];
  for (const { record, owner, events } of decoded) {
    const mine = held.get(owner);
    const fresh = events.filter((e) => mine?.has(e.id));
    try {
      await writeArchive(deps.archive, fresh, owner, retentionOf);
      outcome.archived += fresh.length;
      outcome.unattributed += fresh.filter((e) => e.guestId === null).length;
      archived.push(...fresh);
    } catch (error) {
      deps.logger.error('ingest message could not be archived; it will be redelivered', {
        messageId: record.messageId,
        error: String(error),
      });
      outcome.failed.push(record.messageId);
    }
  }
  outcome.duplicates =
    outcome.received -
    outcome.archived -
    decoded
      .filter((d) => outcome.failed.includes(d.record.messageId))
      .reduce((n, d) => n + d.events.length, 0);
  if (archived.length === 0) return outcome;

  const lastSeen = new Map<string, { tenantId: string; guestId: string; at: number }>();
  let lastText = '';
  let at = 0;
  for (const e of archived) {
    if (!e.tenantId || !e.guestId) continue;
    if (e.receivedAt !== lastText) {
      lastText = e.receivedAt;
      at = Date.parse(e.receivedAt);
    }
    const key = `${e.tenantId}/${e.guestId}`;
    if ((lastSeen.get(key)?.at ?? -1) < at)
      lastSeen.set(key, { tenantId: e.tenantId, guestId: e.guestId, at });
  }
  await deps.monitorState.recordLastSeen([...lastSeen.values()]);

  outcome.alerts = await evaluateAndRaise(deps, archived, ctx);
  return outcome;
}

/** Runs the rules over attributed events, guest by guest, with optimistic retries on the state. */
async function evaluateAndRaise(
  deps: IngestDeps,
  events: MonitorEvent[],
  ctx: IngestContext,
): Promise<number> {
  const byGuest = new Map<string, MonitorEvent[]>();
  for (const e of events) {
    if (!e.tenantId || !e.guestId) continue; // unattributed: archived and counted, no guest to alert for
    const key = `${e.tenantId}/${e.guestId}`;
    const list = byGuest.get(key);
    if (list) list.push(e);
    else byGuest.set(key, [e]);
  }
  if (byGuest.size === 0) return 0;
  // Matching is done once; a retry after a version conflict re-reads the state and re-evaluates.
  const found = deps.clock.now().getTime();
  const groups = [...byGuest.values()].map((list) => ({
    hits: findHits(ctx.rulesFor(list[0]!.tenantId!, list[0]!.guestId!), list, found),
  }));
  const keys = [...new Set(groups.flatMap((g) => stateKeysOfHits(g.hits)))];
  if (keys.length === 0) return 0;
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.monitorState.getRuleState(keys);
    const state: Record<string, RuleStateEntry> = {};
    for (const [key, entry] of stored) {
      if (entry.value === '') continue;
      const parsed = RuleStateEntry.safeParse(JSON.parse(entry.value));
      if (parsed.success) state[key] = { ...parsed.data, v: entry.version } as RuleStateEntry;
    }
    const now = deps.clock.now().getTime();
    const alerts: AlertDraft[] = [];
    const changed = new Map<string, RuleStateEntry>();
    for (const group of groups) {
      const result = evaluateHits(group.hits, state as RuleState, now);
      alerts.push(...result.alerts);
      for (const key of result.changedKeys) changed.set(key, result.state[key]!);
    }
    await raise(deps, alerts);
    const ok = await deps.monitorState.putRuleState(
      [...changed].map(([key, entry]) => ({
        key,
        value: JSON.stringify(entry),
        version: stored.get(key)?.version ?? 0,
      })),
      now + RULE_STATE_TTL_MS,
    );
    if (ok) return alerts.length;
    if (attempt >= CAS_ATTEMPTS) {
      deps.logger.warn(
        'rule state kept changing under this batch; its alerts stand, its window updates were dropped',
        {
          attempts: attempt,
        },
      );
      return alerts.length;
    }
  }
}

/** Publishes each alert and stores it for the portal (both idempotent on the alert id). */
export async function raise(deps: Pick<Deps, 'bus' | 'objects'>, drafts: AlertDraft[]): Promise<void> {
  const alerts: Alert[] = [];
  for (const d of drafts) {
    if (!d.tenantId || !d.guestId) continue;
    alerts.push({ ...d, tenantId: d.tenantId, guestId: d.guestId });
  }
  if (alerts.length === 0) return;
  for (let i = 0; i < alerts.length; i += 10) {
    await deps.bus.publish(
      alerts
        .slice(i, i + 10)
        .map(({ tenantId, ...alert }) =>
          makeEvent('Monitor Alert Raised', { ...alert, tenantId, correlationId: alert.alertId }),
        ),
    );
  }
  await Promise.all(alerts.map((a) => saveAlert(deps.objects, a)));
}
