/**
 * The event source mapping, locally: polls one queue and invokes its function with batches, as Lambda's
 * SQS event source does. A batch whose invocation fails (error, timeout, crash) is left alone and
 * comes back after its visibility timeout; on success only the records named in `batchItemFailures`
 * stay, the rest are deleted. A response that is not a valid batch response fails the whole batch,
 * as on AWS.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SqliteQueue } from '../adapters/local/sqlite-queue.ts';
import type { Logger } from '../deps.ts';
import type { FunctionPool } from './function-pool.ts';
import type { FunctionQueue } from './queues.ts';

export interface PollerOptions {
  queue: SqliteQueue;
  binding: FunctionQueue;
  pool: FunctionPool;
  logger: Logger;
  /** Longest sleep between polls when nobody nudges (ms). */
  idlePollMs?: number;
}

/** Bodies longer than this are not parsed for a correlation id (record batches, not bus events). */
const CORRELATION_PARSE_LIMIT = 64 * 1024;

function correlationOf(record: SQSRecord): string | undefined {
  if (record.body.length > CORRELATION_PARSE_LIMIT || !record.body.includes('"correlationId"'))
    return undefined;
  try {
    const body = JSON.parse(record.body) as { detail?: { correlationId?: unknown } };
    return typeof body.detail?.correlationId === 'string' ? body.detail.correlationId : undefined;
  } catch {
    return undefined;
  }
}

function failedIds(value: unknown, batch: SQSRecord[]): Set<string> | undefined {
  if (value === null || value === undefined) return new Set();
  const response = value as Partial<SQSBatchResponse>;
  if (
    typeof value !== 'object' ||
    (response.batchItemFailures !== undefined && !Array.isArray(response.batchItemFailures))
  ) {
    return undefined;
  }
  const ids = new Set<string>();
  const known = new Set(batch.map((r) => r.messageId));
  for (const failure of response.batchItemFailures ?? []) {
    const id = failure?.itemIdentifier;
    // An empty or unknown identifier makes Lambda treat the whole batch as failed.
    if (typeof id !== 'string' || !known.has(id)) return undefined;
    ids.add(id);
  }
  return ids;
}

export class QueuePoller {
  private readonly o: PollerOptions;
  private running = false;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly batches = new Set<Promise<void>>();

  constructor(options: PollerOptions) {
    this.o = options;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  nudge(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Stops polling and waits for the batches in flight (their messages stay safe in the queue either way). */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
    await Promise.allSettled([...this.batches]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { queue, binding, pool } = this.o;
    const idle = this.o.idlePollMs ?? 1000;
    while (this.running) {
      if (this.inFlight >= pool.capacity) {
        await this.sleep(idle);
        continue;
      }
      let records: SQSRecord[];
      try {
        records = await this.collect();
      } catch (error) {
        this.o.logger.error('queue receive failed', { queue: binding.queue, error: String(error) });
        await this.sleep(idle);
        continue;
      }
      if (records.length === 0) {
        const next = queue.nextVisibleAt(binding.queue);
        const wait = next === undefined ? idle : Math.max(5, Math.min(idle, next - Date.now()));
        await this.sleep(wait);
        continue;
      }
      this.inFlight++;
      const batch = this.deliver(records).finally(() => {
        this.inFlight--;
        this.batches.delete(batch);
        this.nudge();
      });
      this.batches.add(batch);
    }
  }

  private async collect(): Promise<SQSRecord[]> {
    const { queue, binding } = this.o;
    const records = queue.receive(binding.queue, binding.batchSize).records;
    if (
      records.length === 0 ||
      records.length >= binding.batchSize ||
      binding.maxBatchingWindowSeconds === 0
    ) {
      return records;
    }
    const until = Date.now() + binding.maxBatchingWindowSeconds * 1000;
    while (this.running && records.length < binding.batchSize && Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
      records.push(...queue.receive(binding.queue, binding.batchSize - records.length).records);
    }
    return records;
  }

  private async deliver(records: SQSRecord[]): Promise<void> {
    const { queue, binding, pool, logger } = this.o;
    const event = binding.mode === 'sqs' ? { Records: records } : JSON.parse(records[0]!.body);
    const correlationIds = [...new Set(records.map(correlationOf).filter(Boolean))];
    const result = await pool.invoke(event);
    const context = {
      function: binding.fn.name,
      queue: binding.queue,
      records: records.length,
      correlationIds,
    };
    if (!result.ok) {
      logger.error('invocation failed; the batch returns to the queue after its visibility timeout', {
        ...context,
        error: result.error,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
      });
      return;
    }
    const failed = binding.mode === 'sqs' ? failedIds(result.value, records) : new Set<string>();
    if (failed === undefined) {
      logger.error('invalid batch response; the whole batch is retried', {
        ...context,
        response: result.value,
      });
      return;
    }
    const done = records.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle);
    queue.deleteBatch(binding.queue, done);
    logger.debug('batch delivered', { ...context, failed: failed.size, durationMs: result.durationMs });
  }
}
