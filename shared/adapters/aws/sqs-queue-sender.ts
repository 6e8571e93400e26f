/**
 * QueueSender on SQS: SendMessageBatch in batches of at most 10 messages and 256 KiB.
 *
 * Queue names map to queue URLs through the map given to the constructor. Entry ids are the message's
 * position in the `send` call (`m0`, `m1`, …). Entries SQS fails that are not the sender's fault are
 * retried once; whatever still fails is reported in a QueueSendError. SQS has no transactions: the
 * other messages of the call were sent, so a caller that retries the whole call sends them again
 * (consumers are idempotent).
 */
import {
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { OutgoingMessage, QueueSender } from '../../ports.ts';
import { queueUrlEnvName } from './env.ts';
import { batchBy, sleep as realSleep, type Sleep, utf8Length } from './util.ts';

export const SQS_MAX_BATCH_ENTRIES = 10;
/** SendMessageBatch: the sum of the messages' sizes (body and attributes) at most 256 KiB. */
export const SQS_MAX_BATCH_BYTES = 256 * 1024;

export class UnknownQueueError extends Error {
  override name = 'UnknownQueueError';
}

export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
}

export class QueueSendError extends Error {
  override name = 'QueueSendError';
  readonly queue: string;
  readonly failed: { id: string; code: string; message: string; senderFault: boolean }[];

  constructor(queue: string, total: number, failed: BatchResultErrorEntry[]) {
    const list = failed
      .map((f) => `${f.Id} (${f.Code ?? 'unknown'}: ${f.Message ?? 'no message'})`)
      .join(', ');
    super(
      `queue "${queue}": ${failed.length} of ${total} messages were not sent: ${list}; the other messages were sent`,
    );
    this.queue = queue;
    this.failed = failed.map((f) => ({
      id: f.Id ?? '',
      code: f.Code ?? 'unknown',
      message: f.Message ?? '',
      senderFault: f.SenderFault === true,
    }));
  }
}

export interface SqsQueueSenderOptions {
  client: SQSClient;
  /** Queue name (as in the topology) → queue URL. */
  queueUrls: Readonly<Record<string, string>>;
  /** Pause before retrying failed entries (default 100 ms). */
  retryDelayMs?: number;
  sleep?: Sleep;
}

interface Entry {
  entry: SendMessageBatchRequestEntry;
  bytes: number;
}

function toEntry(message: OutgoingMessage, index: number): Entry {
  const attributes = Object.entries(message.attributes ?? {});
  const MessageAttributes: Record<string, MessageAttributeValue> = {};
  let bytes = utf8Length(message.body);
  for (const [name, value] of attributes) {
    MessageAttributes[name] = { DataType: 'String', StringValue: value };
    bytes += utf8Length(name) + utf8Length('String') + utf8Length(value);
  }
  return {
    entry: {
      Id: `m${index}`,
      MessageBody: message.body,
      ...(message.delaySeconds === undefined ? {} : { DelaySeconds: message.delaySeconds }),
      ...(attributes.length > 0 ? { MessageAttributes } : {}),
    },
    bytes,
  };
}

export class SqsQueueSender implements QueueSender {
  readonly #client: SQSClient;
  readonly #queueUrls: Readonly<Record<string, string>>;
  readonly #retryDelayMs: number;
  readonly #sleep: Sleep;

  constructor(options: SqsQueueSenderOptions) {
    this.#client = options.client;
    this.#queueUrls = options.queueUrls;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#sleep = options.sleep ?? realSleep;
  }

  async send(queue: string, messages: OutgoingMessage[]): Promise<void> {
    const url = Object.hasOwn(this.#queueUrls, queue) ? this.#queueUrls[queue] : undefined;
    if (!url) {
      throw new UnknownQueueError(
        `no URL known for queue "${queue}" (environment variable ${queueUrlEnvName(queue)}); ${messages.length} messages were not sent`,
      );
    }
    if (messages.length === 0) return;
    const entries = messages.map(toEntry);
    const tooBig = entries.find((e) => e.bytes > SQS_MAX_BATCH_BYTES);
    if (tooBig) {
      throw new MessageTooLargeError(
        `queue "${queue}": message ${tooBig.entry.Id} is ${tooBig.bytes} bytes, more than SQS takes (${SQS_MAX_BATCH_BYTES}); none of the ${messages.length} messages were sent`,
      );
    }
    const failed: BatchResultErrorEntry[] = [];
    for (const batch of batchBy(entries, SQS_MAX_BATCH_ENTRIES, SQS_MAX_BATCH_BYTES, (e) => e.bytes)) {
      failed.push(...(await this.#sendBatch(url, batch)));
    }
    if (failed.length > 0) throw new QueueSendError(queue, messages.length, failed);
  }

  /** Sends one batch; retries the retryable failures once. Returns the entries that were not sent. */
  async #sendBatch(url: string, batch: Entry[]): Promise<BatchResultErrorEntry[]> {
    const first = await this.#client.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: batch.map((b) => b.entry) }),
    );
    const failed = first.Failed ?? [];
    if (failed.length === 0) return [];
    const retryIds = new Set(failed.filter((f) => f.SenderFault !== true).map((f) => f.Id));
    const permanent = failed.filter((f) => !retryIds.has(f.Id));
    if (retryIds.size === 0) return permanent;
    await this.#sleep(this.#retryDelayMs);
    const retry = await this.#client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.filter((b) => retryIds.has(b.entry.Id)).map((b) => b.entry),
      }),
    );
    return [...permanent, ...(retry.Failed ?? [])];
  }
}
