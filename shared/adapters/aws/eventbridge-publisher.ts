/**
 * EventPublisher on an EventBridge bus: PutEvents in batches of at most 10 entries and 256 KiB.
 *
 * Before anything is sent every detail is checked against the event catalogue and every entry's size
 * against the PutEvents limit, so an event the bus would refuse fails the whole call with nothing
 * published. Entries the bus fails anyway (throttling, internal errors) are retried with exponential
 * backoff; if some still fail, EventPublishError names them. PutEvents is not transactional: entries
 * it accepted stay published (consumers are idempotent on the detail's ids).
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type OutboardEvent, parseEventDetail } from '../../contracts/events.ts';
import type { EventPublisher } from '../../ports.ts';
import { batchBy, sleep as realSleep, type Sleep, utf8Length } from './util.ts';

export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

export class EventPublishError extends Error {
  override name = 'EventPublishError';
  readonly failed: { index: number; detailType: string; code: string; message: string }[];

  constructor(busName: string, total: number, failed: EventPublishError['failed']) {
    const list = failed.map((f) => `#${f.index} "${f.detailType}" (${f.code}: ${f.message})`).join(', ');
    super(
      `bus "${busName}": ${failed.length} of ${total} events were not published after retries: ${list}; the other events were published`,
    );
    this.failed = failed;
  }
}

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** Bus name or ARN. */
  busName: string;
  /** Retries of failed entries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff delay; doubles each retry (default 100 ms). */
  baseDelayMs?: number;
  sleep?: Sleep;
}

interface Pending {
  index: number;
  entry: PutEventsRequestEntry;
  bytes: number;
}

/** The size PutEvents counts for an entry. */
function entrySize(entry: PutEventsRequestEntry): number {
  return (
    utf8Length(entry.Source ?? '') +
    utf8Length(entry.DetailType ?? '') +
    utf8Length(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8Length(r), 0)
  );
}

export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #sleep: Sleep;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#busName = options.busName;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#baseDelayMs = options.baseDelayMs ?? 100;
    this.#sleep = options.sleep ?? realSleep;
  }

  async publish(events: OutboardEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pending = events.map((event, index) => this.#toEntry(event, index, events.length));
    const failed: EventPublishError['failed'] = [];
    for (const batch of batchBy(pending, PUT_EVENTS_MAX_ENTRIES, PUT_EVENTS_MAX_BYTES, (p) => p.bytes)) {
      failed.push(...(await this.#publishBatch(batch)));
    }
    if (failed.length > 0) throw new EventPublishError(this.#busName, events.length, failed);
  }

  #toEntry(event: OutboardEvent, index: number, total: number): Pending {
    const parsed = parseEventDetail(event.detailType, event.detail);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.message}`);
      throw new InvalidEventError(
        `event #${index} "${event.detailType}" does not match the catalogue (${issues.join('; ')}); none of the ${total} events were published`,
      );
    }
    const entry: PutEventsRequestEntry = {
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      EventBusName: this.#busName,
      ...(event.resources && event.resources.length > 0 ? { Resources: event.resources } : {}),
    };
    const bytes = entrySize(entry);
    if (bytes > PUT_EVENTS_MAX_BYTES) {
      throw new InvalidEventError(
        `event #${index} "${event.detailType}" is ${bytes} bytes, more than EventBridge takes (${PUT_EVENTS_MAX_BYTES}); none of the ${total} events were published`,
      );
    }
    return { index, entry, bytes };
  }

  /** Sends one batch, retrying the entries the bus failed. Returns what still failed. */
  async #publishBatch(batch: Pending[]): Promise<EventPublishError['failed']> {
    let remaining = batch;
    let lastResults: PutEventsResultEntry[] = [];
    for (let attempt = 0; ; attempt++) {
      const out = await this.#client.send(new PutEventsCommand({ Entries: remaining.map((p) => p.entry) }));
      lastResults = out.Entries ?? [];
      if (!out.FailedEntryCount) return [];
      // Results are in request order; a failed entry has an ErrorCode instead of an EventId.
      const next = remaining.filter((_, i) => {
        const result = lastResults[i];
        return result === undefined || result.ErrorCode !== undefined || result.EventId === undefined;
      });
      if (attempt >= this.#maxRetries || next.length === 0) {
        return next.map((p) => {
          const result = lastResults[remaining.indexOf(p)];
          return {
            index: p.index,
            detailType: p.entry.DetailType ?? '',
            code: result?.ErrorCode ?? 'unknown',
            message: result?.ErrorMessage ?? 'no result for this entry',
          };
        });
      }
      remaining = next;
      await this.#sleep(this.#baseDelayMs * 2 ** attempt);
    }
  }
}
