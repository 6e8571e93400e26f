/**
 * Durable queues in SQLite with the SQS semantics Outboard relies on: at-least-once delivery,
 * visibility timeout, receive count, redrive to a dead-letter queue after maxReceiveCount, per-message
 * delay, retention, and batches handed out as real `SQSRecord`s. Every state change is one SQLite
 * transaction in WAL mode, so a message survives `kill -9` of the process at any moment.
 *
 * Differences from SQS, on purpose: ordering is by visibility time then send order (SQS standard
 * queues promise no order), and a runtime that restarts makes the messages its dead predecessor had
 * in flight visible at once (`releaseOrphans`) instead of waiting out their visibility timeout: the
 * consumer that held them is known to be gone.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { SQSRecord } from 'aws-lambda';
import type { OutgoingMessage, QueueSender } from '../../ports.ts';
import { migrate, transaction } from './sqlite.ts';

export interface QueueConfig {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  retentionSeconds: number;
  /** Where messages go after maxReceiveCount receives. */
  deadLetterQueue?: string;
}

export const MAX_MESSAGE_BYTES = 262_144;
export const MAX_DELAY_SECONDS = 900;

export class QueueError extends Error {
  override name = 'QueueError';
}

export interface ReceivedBatch {
  records: SQSRecord[];
  /** Messages moved to the dead-letter queue by this receive (their receive count was used up). */
  deadLettered: number;
}

export interface QueueStats {
  queue: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS queue_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  md5 TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  receipt TEXT,
  receiver TEXT,
  source_queue TEXT
);
CREATE INDEX IF NOT EXISTS queue_messages_visible ON queue_messages (queue, visible_at, seq);`,
];

interface Row {
  seq: number;
  id: string;
  body: string;
  attributes: string;
  md5: string;
  sent_at: number;
  receive_count: number;
  first_received_at: number | null;
}

export interface SqliteQueueOptions {
  /** Identifies this process's receives, so a successor can release what it held. */
  receiverId?: string;
  now?: () => number;
  region?: string;
  accountId?: string;
  /** Called after messages were committed to these queues (to wake pollers). */
  onSent?: (queues: string[]) => void;
}

/** Receipt handles are `<seq>.<random>`: the row is found by its key, the random part proves the receive. */
function seqOf(receiptHandle: string): number {
  const seq = Number.parseInt(receiptHandle, 10);
  if (!Number.isSafeInteger(seq) || !/^\d+\.[\w-]+$/.test(receiptHandle)) {
    throw new QueueError(
      `receipt handle "${receiptHandle.slice(0, 40)}" is not valid (ReceiptHandleIsInvalid)`,
    );
  }
  return seq;
}

export class SqliteQueue implements QueueSender {
  readonly receiverId: string;
  private readonly db: DatabaseSync;
  private readonly configs: Map<string, QueueConfig>;
  private readonly now: () => number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly onSent: ((queues: string[]) => void) | undefined;
  private readonly insert: StatementSync;
  private readonly selectVisible: StatementSync;
  private readonly selectMessage: StatementSync;
  private readonly markReceived: StatementSync;
  private readonly moveToDlq: StatementSync;
  private readonly deleteOne: StatementSync;
  private readonly changeVis: StatementSync;

  constructor(db: DatabaseSync, queues: QueueConfig[], options: SqliteQueueOptions = {}) {
    this.db = db;
    this.configs = new Map(queues.map((q) => [q.name, q]));
    for (const q of queues) {
      if (q.deadLetterQueue && !this.configs.has(q.deadLetterQueue)) {
        throw new QueueError(`queue ${q.name}: dead-letter queue ${q.deadLetterQueue} is not declared`);
      }
    }
    this.receiverId = options.receiverId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.region = options.region ?? 'local';
    this.accountId = options.accountId ?? '000000000000';
    this.onSent = options.onSent;
    migrate(db, 'queue', MIGRATIONS);
    this.insert = db.prepare(
      'INSERT INTO queue_messages (id, queue, body, attributes, md5, sent_at, visible_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // Candidates first without their bodies (some may go to the dead-letter queue instead, and bodies
    // are up to 256 KiB each), then the body of each message actually handed out.
    this.selectVisible = db.prepare(
      `SELECT seq, receive_count FROM queue_messages
       WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?`,
    );
    this.selectMessage = db.prepare(
      'SELECT seq, id, body, attributes, md5, sent_at, receive_count, first_received_at FROM queue_messages WHERE seq = ?',
    );
    this.markReceived = db.prepare(
      `UPDATE queue_messages SET receive_count = receive_count + 1, visible_at = ?, receipt = ?, receiver = ?,
       first_received_at = COALESCE(first_received_at, ?) WHERE seq = ?`,
    );
    this.moveToDlq = db.prepare(
      `UPDATE queue_messages SET queue = ?, source_queue = ?, visible_at = ?, receive_count = 0, receipt = NULL,
       receiver = NULL, first_received_at = NULL WHERE seq = ?`,
    );
    this.deleteOne = db.prepare('DELETE FROM queue_messages WHERE seq = ? AND queue = ? AND receipt = ?');
    this.changeVis = db.prepare(
      'UPDATE queue_messages SET visible_at = ? WHERE seq = ? AND queue = ? AND receipt = ?',
    );
  }

  queueNames(): string[] {
    return [...this.configs.keys()];
  }

  config(queue: string): QueueConfig {
    const c = this.configs.get(queue);
    if (!c) throw new QueueError(`queue ${queue} does not exist (AWS.SimpleQueueService.NonExistentQueue)`);
    return c;
  }

  arn(queue: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${queue}`;
  }

  async send(queue: string, messages: OutgoingMessage[]): Promise<void> {
    transaction(this.db, () => this.sendInTransaction(queue, messages));
    this.notify([queue]);
  }

  /** Tells whoever polls these queues that committed messages are waiting. */
  notify(queues: string[]): void {
    this.onSent?.(queues);
  }

  /** For callers that already hold a transaction (the bus writes its archive and its targets together). */
  sendInTransaction(queue: string, messages: OutgoingMessage[]): string[] {
    this.config(queue);
    const now = this.now();
    const ids: string[] = [];
    for (const m of messages) {
      const delay = m.delaySeconds ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) {
        throw new QueueError(
          `queue ${queue}: DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}, not ${delay}`,
        );
      }
      const attributes = JSON.stringify(m.attributes ?? {});
      const size = Buffer.byteLength(m.body) + Buffer.byteLength(attributes) - 2;
      if (m.body.length === 0) throw new QueueError(`queue ${queue}: a message body must not be empty`);
      if (size > MAX_MESSAGE_BYTES) {
        throw new QueueError(
          `queue ${queue}: message of ${size} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit; nothing sent`,
        );
      }
      const id = randomUUID();
      const md5 = createHash('md5').update(m.body).digest('hex');
      this.insert.run(id, queue, m.body, attributes, md5, now, now + delay * 1000);
      ids.push(id);
    }
    return ids;
  }

  /**
   * Receives up to `max` visible messages, hiding them for the visibility timeout. A message already
   * received maxReceiveCount times moves to the dead-letter queue instead of being handed out.
   */
  receive(queue: string, max: number, visibilityTimeoutSeconds?: number): ReceivedBatch {
    const config = this.config(queue);
    if (!Number.isInteger(max) || max < 1 || max > 10_000)
      throw new QueueError(`queue ${queue}: max must be 1..10000`);
    const vt = visibilityTimeoutSeconds ?? config.visibilityTimeoutSeconds;
    return transaction(this.db, () => {
      const now = this.now();
      const records: SQSRecord[] = [];
      let deadLettered = 0;
      // Read a little more than asked so dead-lettered messages do not shrink the batch much.
      const candidates = this.selectVisible.all(queue, now, max * 2) as unknown as Pick<
        Row,
        'seq' | 'receive_count'
      >[];
      for (const candidate of candidates) {
        if (records.length >= max) break;
        if (config.maxReceiveCount !== undefined && candidate.receive_count >= config.maxReceiveCount) {
          if (config.deadLetterQueue) {
            this.moveToDlq.run(config.deadLetterQueue, queue, now, candidate.seq);
            deadLettered++;
            continue;
          }
        }
        const row = this.selectMessage.get(candidate.seq) as unknown as Row;
        const receipt = `${row.seq}.${randomBytes(12).toString('base64url')}`;
        this.markReceived.run(now + vt * 1000, receipt, this.receiverId, now, row.seq);
        records.push(this.toRecord(queue, row, receipt, now));
      }
      return { records, deadLettered };
    });
  }

  /** True if the message was deleted; false if the receipt is stale (the message was received again since). */
  delete(queue: string, receiptHandle: string): boolean {
    this.config(queue);
    return Number(this.deleteOne.run(seqOf(receiptHandle), queue, receiptHandle).changes) > 0;
  }

  deleteBatch(queue: string, receiptHandles: string[]): number {
    if (receiptHandles.length === 0) return 0;
    return transaction(this.db, () =>
      receiptHandles.reduce((n, h) => n + (this.delete(queue, h) ? 1 : 0), 0),
    );
  }

  changeVisibility(queue: string, receiptHandle: string, seconds: number): boolean {
    this.config(queue);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      throw new QueueError(`queue ${queue}: visibility timeout must be 0..43200 seconds`);
    }
    return (
      Number(
        this.changeVis.run(this.now() + seconds * 1000, seqOf(receiptHandle), queue, receiptHandle).changes,
      ) > 0
    );
  }

  /** Makes visible every message that a receiver other than this one holds: that process is dead. */
  releaseOrphans(): number {
    const result = this.db
      .prepare(
        'UPDATE queue_messages SET visible_at = ?, receipt = NULL, receiver = NULL WHERE receiver IS NOT NULL AND receiver != ? AND receipt IS NOT NULL',
      )
      .run(this.now(), this.receiverId);
    return Number(result.changes);
  }

  /** Deletes messages older than their queue's retention period. */
  purgeExpired(): number {
    const now = this.now();
    let n = 0;
    const stmt = this.db.prepare('DELETE FROM queue_messages WHERE queue = ? AND sent_at < ?');
    for (const q of this.configs.values())
      n += Number(stmt.run(q.name, now - q.retentionSeconds * 1000).changes);
    return n;
  }

  /** Moves every message of a dead-letter queue back to the queue it came from (SQS redrive). */
  redrive(deadLetterQueue: string): number {
    this.config(deadLetterQueue);
    const result = this.db
      .prepare(
        'UPDATE queue_messages SET queue = source_queue, source_queue = NULL, visible_at = ?, receive_count = 0 WHERE queue = ? AND source_queue IS NOT NULL',
      )
      .run(this.now(), deadLetterQueue);
    return Number(result.changes);
  }

  stats(): QueueStats[] {
    const now = this.now();
    const rows = this.db
      .prepare(
        `SELECT queue,
          SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END) AS visible,
          SUM(CASE WHEN visible_at > ? AND receipt IS NOT NULL THEN 1 ELSE 0 END) AS in_flight,
          SUM(CASE WHEN visible_at > ? AND receipt IS NULL THEN 1 ELSE 0 END) AS delayed
         FROM queue_messages GROUP BY queue`,
      )
      .all(now, now, now) as unknown as {
      queue: string;
      visible: number;
      in_flight: number;
      delayed: number;
    }[];
    const byName = new Map(rows.map((r) => [r.queue, r]));
    return [...this.configs.keys()].map((queue) => {
      const r = byName.get(queue);
      return { queue, visible: r?.visible ?? 0, inFlight: r?.in_flight ?? 0, delayed: r?.delayed ?? 0 };
    });
  }

  /** The earliest time (ms) a message of this queue becomes visible, if any is waiting. */
  nextVisibleAt(queue: string): number | undefined {
    const row = this.db
      .prepare('SELECT MIN(visible_at) AS t FROM queue_messages WHERE queue = ?')
      .get(queue) as { t: number | null } | undefined;
    return row?.t ?? undefined;
  }

  private toRecord(queue: string, row: Row, receipt: string, now: number): SQSRecord {
    const attributes = JSON.parse(row.attributes) as Record<string, string>;
    return {
      messageId: row.id,
      receiptHandle: receipt,
      body: row.body,
      attributes: {
        ApproximateReceiveCount: String(row.receive_count + 1),
        SentTimestamp: String(row.sent_at),
        SenderId: 'outboard-local',
        ApproximateFirstReceiveTimestamp: String(row.first_received_at ?? now),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [
          k,
          { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: row.md5,
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn(queue),
      awsRegion: this.region,
    };
  }
}
