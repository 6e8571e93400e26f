/**
 * The event bus, locally, with EventBridge semantics: PutEvents entries are validated as EventBridge
 * validates them, every event is archived, and each rule of the topology whose pattern matches sends
 * the event to its target. Archive and target deliveries are written in one SQLite transaction with
 * the queue messages, so an accepted event is never lost and never half-delivered.
 *
 * Targets are queues (the event envelope becomes the message body, as an EventBridge → SQS target
 * delivers it) or functions (asynchronous invocation: an internal queue per function, retried like
 * Lambda's async invocation and kept in its own dead-letter queue).
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { EVENT_SOURCE, type OutboardEvent } from '../../contracts/events.ts';
import { compilePattern, type EventMatcher } from '../../eventbridge/pattern/index.ts';
import {
  buildEventEnvelope,
  type EventEnvelope,
  type PutEventsRequestEntry,
  putEvents,
  RESERVED_SOURCE_PREFIX,
} from '../../eventbridge/put-events.ts';
import type { EventPublisher } from '../../ports.ts';
import type { RuleSpec, RuleTarget } from '../../topology.ts';
import { migrate, transaction } from './sqlite.ts';
import type { SqliteQueue } from './sqlite-queue.ts';

const MIGRATIONS = [
  `CREATE TABLE bus_archive (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     time TEXT NOT NULL,
     source TEXT NOT NULL,
     detail_type TEXT NOT NULL,
     event TEXT NOT NULL
   );
   CREATE INDEX bus_archive_time ON bus_archive (time);`,
];

export class PutEventsRejectedError extends Error {
  override name = 'PutEventsRejectedError';
  readonly results: unknown[];
  constructor(message: string, results: unknown[]) {
    super(message);
    this.results = results;
  }
}

export interface BusRule {
  rule: RuleSpec;
  target: RuleTarget;
}

/** The internal queue that carries asynchronous invocations of a function targeted by a rule. */
export function asyncInvokeQueue(functionName: string): string {
  return `async-${functionName}`;
}

export type DeliveredEvent = EventEnvelope & { 'replay-name'?: string };

export interface LocalBusOptions {
  busName?: string;
  account?: string;
  region?: string;
  now?: () => Date;
}

export class LocalBus implements EventPublisher {
  readonly busName: string;
  private readonly db: DatabaseSync;
  private readonly queue: SqliteQueue;
  private readonly rules: { name: string; matcher: EventMatcher; target: RuleTarget }[];
  private readonly account: string;
  private readonly region: string;
  private readonly now: () => Date;

  constructor(db: DatabaseSync, queue: SqliteQueue, rules: BusRule[], options: LocalBusOptions = {}) {
    this.db = db;
    this.queue = queue;
    this.busName = options.busName ?? 'outboard';
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'local';
    this.now = options.now ?? (() => new Date());
    this.rules = rules.map(({ rule, target }) => ({
      name: rule.name,
      matcher: compilePattern(rule.pattern),
      target,
    }));
    migrate(db, 'bus', MIGRATIONS);
  }

  async publish(events: OutboardEvent[]): Promise<void> {
    this.putEntries(
      events.map((e) => ({
        Source: EVENT_SOURCE,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        Resources: e.resources ?? [],
        EventBusName: this.busName,
      })),
    );
  }

  /**
   * PutEvents: all entries are validated first; if any is rejected none is written (stricter than
   * EventBridge's per-entry partial success, so a caller never has to resend part of a batch).
   */
  putEntries(entries: PutEventsRequestEntry[]): DeliveredEvent[] {
    const outcome = putEvents(entries, {
      account: this.account,
      region: this.region,
      newId: randomUUID,
      now: this.now,
    });
    if (outcome.response.FailedEntryCount > 0) {
      const reasons = outcome.response.Entries.flatMap((r, i) =>
        r.ErrorCode ? [`entry ${i}: ${r.ErrorCode}: ${r.ErrorMessage}`] : [],
      );
      throw new PutEventsRejectedError(
        `PutEvents rejected, nothing was published: ${reasons.join('; ')}`,
        outcome.response.Entries,
      );
    }
    return this.deliver(outcome.accepted.map((a) => a.envelope));
  }

  /**
   * An event of an AWS service (source `aws.*`), which PutEvents refuses from anyone else: locally it
   * stands in for the service's own delivery to the bus — the runtime's bucket poller uses it for S3's
   * `Object Created` (shared/runtime/bucket-events.ts). Archived and routed like any other event.
   */
  deliverServiceEvent(event: {
    source: string;
    detailType: string;
    detail: Record<string, unknown>;
    resources?: string[];
  }): DeliveredEvent {
    if (!event.source.startsWith(RESERVED_SOURCE_PREFIX)) {
      throw new PutEventsRejectedError(
        `deliverServiceEvent: source "${event.source}" is not an AWS service's (${RESERVED_SOURCE_PREFIX}*); use putEntries`,
        [],
      );
    }
    const envelope = buildEventEnvelope(
      {
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Resources: event.resources ?? [],
      },
      { account: this.account, region: this.region, newId: randomUUID, now: this.now },
    );
    return this.deliver([envelope])[0]!;
  }

  /** Archives the events and writes each rule target's message, in one transaction. */
  private deliver(delivered: DeliveredEvent[]): DeliveredEvent[] {
    const touched = transaction(this.db, () => {
      const insert = this.db.prepare(
        'INSERT INTO bus_archive (id, time, source, detail_type, event) VALUES (?, ?, ?, ?, ?)',
      );
      const queues = new Set<string>();
      for (const event of delivered) {
        const json = JSON.stringify(event);
        insert.run(event.id, event.time, event.source, event['detail-type'], json);
        for (const q of this.route(event, json)) queues.add(q);
      }
      return [...queues];
    });
    if (touched.length > 0) this.queue.notify(touched);
    return delivered;
  }

  /** Names of the rules an event matches (for tests and the CLI's `events test-pattern`). */
  matchingRules(event: unknown): string[] {
    return this.rules.filter((r) => r.matcher.matches(event)).map((r) => r.name);
  }

  /**
   * Replays archived events from [from, to) through the rules (all, or the named ones), as an
   * EventBridge archive replay does: each replayed event carries `replay-name`.
   */
  replay(options: { name: string; from: Date; to: Date; rules?: string[] }): number {
    const rows = this.db
      .prepare('SELECT event FROM bus_archive WHERE time >= ? AND time < ? ORDER BY seq')
      .all(options.from.toISOString(), options.to.toISOString()) as { event: string }[];
    const onlyRules = options.rules ? new Set(options.rules) : undefined;
    const touched = transaction(this.db, () => {
      const queues = new Set<string>();
      for (const row of rows) {
        const event = { ...(JSON.parse(row.event) as DeliveredEvent), 'replay-name': options.name };
        for (const q of this.route(event, JSON.stringify(event), onlyRules)) queues.add(q);
      }
      return [...queues];
    });
    if (touched.length > 0) this.queue.notify(touched);
    return rows.length;
  }

  archived(options: { limit?: number; detailType?: string } = {}): DeliveredEvent[] {
    const rows = options.detailType
      ? this.db
          .prepare('SELECT event FROM bus_archive WHERE detail_type = ? ORDER BY seq DESC LIMIT ?')
          .all(options.detailType, options.limit ?? 100)
      : this.db.prepare('SELECT event FROM bus_archive ORDER BY seq DESC LIMIT ?').all(options.limit ?? 100);
    return (rows as { event: string }[]).map((r) => JSON.parse(r.event) as DeliveredEvent);
  }

  private route(event: DeliveredEvent, json: string, only?: Set<string>): string[] {
    const queues: string[] = [];
    for (const rule of this.rules) {
      if (only && !only.has(rule.name)) continue;
      if (!rule.matcher.matches(event)) continue;
      const queue = rule.target.kind === 'queue' ? rule.target.queue : asyncInvokeQueue(rule.target.function);
      this.queue.sendInTransaction(queue, [{ body: json }]);
      queues.push(queue);
    }
    return queues;
  }
}
