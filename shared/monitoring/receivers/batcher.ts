/**
 * Gathers received records into batches for the sink and tells the receivers when to hold back.
 *
 * A batch is cut when it reaches `maxRecords`, when one more record would take its JSON over `maxBytes`
 * (sizes are exact, see json-size.ts), or `maxAgeMs` after its first record. Cut batches go to the sink
 * one at a time, in order. A failing sink is retried with a doubling backoff, the same batch again,
 * until it succeeds or `close()` gives up: records are never dropped here without being counted.
 *
 * The batcher is over its limit while a batch is being retried, while `maxPendingBatches` batches wait
 * for (or are in) the sink, or while the records it holds reach `maxBufferedBytes`; `onPressure` is
 * told each time that changes, so the receivers pause their sockets (and drop, counting, datagrams).
 */

import { ReceiverCloseError } from './errors.ts';
import { rawRecordJsonBytes } from './json-size.ts';
import type { ReceiverLogger } from './options.ts';
import { type RawRecord, RECEIVER_FLAGS, type RecordSink } from './types.ts';

export interface BatcherOptions {
  maxRecords: number;
  maxBytes: number;
  maxAgeMs: number;
  maxPendingBatches: number;
  maxBufferedBytes: number;
  retryInitialMs: number;
  retryMaxMs: number;
  sink: RecordSink;
  /** Called with `true` when the batcher goes over its limit and `false` when it is back under. */
  onPressure?: (overLimit: boolean) => void;
  logger?: ReceiverLogger;
}

export interface BatcherStats {
  /** Batches the sink persisted, and the records and JSON bytes in them. */
  batches: number;
  persistedRecords: number;
  persistedBytes: number;
  /** Batches cut and not yet persisted (one of them may be in the sink). */
  pendingBatches: number;
  /** Records held (pending batches and the one being filled), and their JSON bytes. */
  bufferedRecords: number;
  bufferedBytes: number;
  /** Sink calls that failed (each retried). */
  sinkFailures: number;
  /** Records cut further to fit a batch alone. */
  shrunkToBatch: number;
}

interface Batch {
  records: RawRecord[];
  bytes: number;
}

/** JSON of an array: `[` and `]` plus one comma per record after the first: 1 + Σ(size + 1). */
const EMPTY_BATCH_BYTES = 1;

export class RecordBatcher {
  readonly #o: BatcherOptions;
  #current: RawRecord[] = [];
  #currentBytes = EMPTY_BATCH_BYTES;
  #ageTimer: NodeJS.Timeout | undefined;
  readonly #queue: Batch[] = [];
  #queuedBytes = 0;
  #queuedRecords = 0;
  #pumping = false;
  #failing = false;
  #overLimit = false;
  #closed = false;
  #stopped = false;
  #retryTimer: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  #lastError: unknown;
  #idleWaiters: (() => void)[] = [];
  readonly #stats = { batches: 0, persistedRecords: 0, persistedBytes: 0, sinkFailures: 0, shrunkToBatch: 0 };

  constructor(options: BatcherOptions) {
    this.#o = options;
  }

  /** Whether the receivers should hold back (pause sockets, drop datagrams) right now. */
  get overLimit(): boolean {
    return this.#overLimit;
  }

  stats(): BatcherStats {
    return {
      ...this.#stats,
      pendingBatches: this.#queue.length,
      bufferedRecords: this.#queuedRecords + this.#current.length,
      bufferedBytes: this.#bufferedBytes(),
    };
  }

  /** Adds one record to the batch being filled; cuts batches as their limits are reached. */
  add(record: RawRecord): void {
    if (this.#closed) throw new Error('record batcher: add after close (the record was not taken)');
    let size = rawRecordJsonBytes(record);
    if (EMPTY_BATCH_BYTES + size + 1 > this.#o.maxBytes) size = this.#shrink(record);
    if (this.#current.length > 0 && this.#currentBytes + size + 1 > this.#o.maxBytes) this.#cut();
    this.#current.push(record);
    this.#currentBytes += size + 1;
    if (this.#current.length >= this.#o.maxRecords) {
      this.#cut();
    } else {
      if (this.#current.length === 1) {
        this.#ageTimer = setTimeout(() => this.#cut(), this.#o.maxAgeMs);
        this.#ageTimer.unref();
      }
      this.#updatePressure();
    }
  }

  /** Cuts the batch being filled and resolves once every batch so far is persisted. */
  flush(): Promise<void> {
    this.#cut();
    return this.#whenIdle();
  }

  /**
   * Takes no more records, hands everything held to the sink and resolves once persisted; rejects with
   * ReceiverCloseError (and stops retrying) if that takes longer than `timeoutMs`.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    this.#cut();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.#whenIdle().then(() => 'idle' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'idle') return;
    this.#stopped = true;
    this.#retryTimer?.resolve();
    const records = this.#queuedRecords;
    const last =
      this.#lastError instanceof Error ? this.#lastError.message : String(this.#lastError ?? 'none');
    throw new ReceiverCloseError(
      `syslog receivers closed without persisting ${records} records in ${this.#queue.length} batches: ` +
        `the sink did not take them within ${timeoutMs} ms (last sink error: ${last})`,
      records,
      { cause: this.#lastError },
    );
  }

  #bufferedBytes(): number {
    return this.#queuedBytes + (this.#current.length > 0 ? this.#currentBytes : 0);
  }

  #updatePressure(): void {
    const over =
      this.#failing ||
      this.#queue.length >= this.#o.maxPendingBatches ||
      this.#bufferedBytes() >= this.#o.maxBufferedBytes;
    if (over !== this.#overLimit) {
      this.#overLimit = over;
      this.#o.onPressure?.(over);
    }
  }

  #cut(): void {
    clearTimeout(this.#ageTimer);
    this.#ageTimer = undefined;
    if (this.#current.length === 0) return;
    const batch = { records: this.#current, bytes: this.#currentBytes };
    this.#current = [];
    this.#currentBytes = EMPTY_BATCH_BYTES;
    this.#queue.push(batch);
    this.#queuedBytes += batch.bytes;
    this.#queuedRecords += batch.records.length;
    this.#updatePressure();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    let attempt = 0;
    while (this.#queue.length > 0 && !this.#stopped) {
      const batch = this.#queue[0]!;
      try {
        await this.#o.sink(batch.records);
      } catch (err) {
        this.#stats.sinkFailures++;
        this.#lastError = err;
        this.#failing = true;
        this.#updatePressure();
        const wait = Math.min(this.#o.retryMaxMs, this.#o.retryInitialMs * 2 ** Math.min(attempt, 30));
        attempt++;
        this.#o.logger?.warn('syslog sink failed; the batch is kept and retried', {
          records: batch.records.length,
          attempt,
          retryInMs: wait,
          error: err instanceof Error ? err.message : String(err),
        });
        await this.#sleep(wait);
        continue;
      }
      attempt = 0;
      this.#queue.shift();
      this.#queuedBytes -= batch.bytes;
      this.#queuedRecords -= batch.records.length;
      this.#stats.batches++;
      this.#stats.persistedRecords += batch.records.length;
      this.#stats.persistedBytes += batch.bytes;
      this.#failing = false;
      this.#updatePressure();
    }
    this.#pumping = false;
    if (this.#queue.length === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#retryTimer = undefined;
        resolve();
      }, ms);
      this.#retryTimer = {
        timer,
        resolve: () => {
          clearTimeout(timer);
          this.#retryTimer = undefined;
          resolve();
        },
      };
    });
  }

  #whenIdle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#pumping) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * A record whose JSON alone exceeds a batch (a message near the size limit full of characters JSON
   * escapes): its text is cut until it fits, and it is flagged. Returns its new size.
   */
  #shrink(record: RawRecord): number {
    this.#stats.shrunkToBatch++;
    if (record.originalBytes === undefined) record.originalBytes = Buffer.byteLength(record.text);
    record.truncated = true;
    record.flags = [...(record.flags ?? []), RECEIVER_FLAGS.batchLimit];
    const budget = this.#o.maxBytes - EMPTY_BATCH_BYTES - 1;
    let size = rawRecordJsonBytes(record);
    while (size > budget && record.text.length > 0) {
      // Cut in proportion, a little more than needed, then check again.
      let length = Math.floor((record.text.length * budget) / size) - 1;
      length = Math.max(0, Math.min(length, record.text.length - 1));
      const last = record.text.charCodeAt(length - 1);
      if (last >= 0xd800 && last <= 0xdbff) length--; // keep surrogate pairs whole
      record.text = record.text.slice(0, length);
      size = rawRecordJsonBytes(record);
    }
    return size;
  }
}
