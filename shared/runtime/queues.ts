import { asyncInvokeQueue } from '../adapters/local/bus.ts';
import type { QueueConfig } from '../adapters/local/sqlite-queue.ts';
import type { FunctionSpec, Topology } from '../topology.ts';

/** Dead-letter queues keep messages 14 days, the SQS maximum, like the CDK stack's. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Lambda retries a failed asynchronous invocation twice. */
export const ASYNC_MAX_ATTEMPTS = 3;

export function deadLetterQueueName(queue: string): string {
  return `${queue}-dlq`;
}

export interface FunctionQueue {
  fn: FunctionSpec;
  queue: string;
  /** 'sqs': the function gets an SQSEvent batch; 'async': one event per invocation (EventBridge → Lambda). */
  mode: 'sqs' | 'async';
  batchSize: number;
  maxBatchingWindowSeconds: number;
}

/** Every queue the local runtime keeps for a topology, with its dead-letter queue. */
export function queueConfigs(topology: Topology): QueueConfig[] {
  const out: QueueConfig[] = [];
  const withDlq = (config: Omit<QueueConfig, 'deadLetterQueue'>) => {
    const dlq = deadLetterQueueName(config.name);
    out.push({ ...config, deadLetterQueue: dlq });
    out.push({ name: dlq, visibilityTimeoutSeconds: 30, retentionSeconds: DLQ_RETENTION_SECONDS });
  };
  for (const fn of topology.functions) {
    const t = fn.trigger;
    if (t.kind === 'queue') {
      withDlq({
        name: t.queue.name,
        visibilityTimeoutSeconds: t.queue.visibilityTimeoutSeconds,
        maxReceiveCount: t.queue.maxReceiveCount,
        retentionSeconds: t.queue.retentionSeconds,
      });
    } else if (t.kind === 'rule' || t.kind === 'schedule') {
      withDlq({
        name: asyncInvokeQueue(fn.name),
        visibilityTimeoutSeconds: fn.timeoutSeconds + 30,
        maxReceiveCount: ASYNC_MAX_ATTEMPTS,
        retentionSeconds: 6 * 3600,
      });
    }
  }
  return out;
}

/** The queue each function consumes, and how. */
export function functionQueues(topology: Topology): FunctionQueue[] {
  const out: FunctionQueue[] = [];
  for (const fn of topology.functions) {
    const t = fn.trigger;
    if (t.kind === 'queue') {
      out.push({
        fn,
        queue: t.queue.name,
        mode: 'sqs',
        batchSize: t.queue.batchSize,
        maxBatchingWindowSeconds: t.queue.maxBatchingWindowSeconds,
      });
    } else if (t.kind === 'rule' || t.kind === 'schedule') {
      out.push({
        fn,
        queue: asyncInvokeQueue(fn.name),
        mode: 'async',
        batchSize: 1,
        maxBatchingWindowSeconds: 0,
      });
    }
  }
  return out;
}
