/**
 * The local stand-in for S3 → EventBridge: every folder under `<home>/buckets/` is a bucket and every
 * regular file under it an object (key: its path below the bucket folder, `/`-separated). A poller lists
 * them every two seconds (stat only; no fs.watch and its platform quirks) and, for each file that is new
 * or changed (size or mtime, the local ETag) and has stayed so for one more poll (not caught half-written),
 * delivers an `aws.s3` `Object Created` event to the bus, shaped as S3 sends it through EventBridge.
 *
 * What it has reported is kept in the object store (`runtime/bucket-events.json`), so a restart reports
 * only what changed while the runtime was stopped. Folders that are not bucket names, keys S3 would refuse
 * (over 1024 bytes) and anything that is not a regular file (symbolic links included) are skipped.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { localEtag } from '../adapters/local/bucket-reader.ts';
import { errnoCode } from '../adapters/local/error-info.ts';
import { BucketName, OBJECT_CREATED, S3_EVENT_SOURCE } from '../contracts/watched-buckets.ts';
import type { Logger } from '../deps.ts';
import type { ObjectStore } from '../ports.ts';

export const BUCKET_EVENTS_STATE_KEY = 'runtime/bucket-events.json';
const DEFAULT_INTERVAL_MS = 2000;
const MAX_KEY_BYTES = 1024;

const SeenState = z.strictObject({
  version: z.literal(1),
  /** `<bucket>/<key>` → the ETag last reported. */
  files: z.record(z.string(), z.string()),
});

/** What the poller needs of the bus: the service-event door of LocalBus. */
export interface ServiceEventSink {
  deliverServiceEvent(event: {
    source: string;
    detailType: string;
    detail: Record<string, unknown>;
    resources?: string[];
  }): unknown;
}

export interface BucketEventsOptions {
  root: string;
  bus: ServiceEventSink;
  /** Where what was reported is kept across restarts. */
  state: ObjectStore;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  intervalMs?: number;
}

interface Found {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  mtimeNs: bigint;
}

export class BucketEventPoller {
  private readonly options: BucketEventsOptions;
  private seen: Map<string, string> | undefined;
  /** Changed files waiting one more poll: `<bucket>/<key>` → the ETag seen. */
  private readonly pending = new Map<string, string>();
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(options: BucketEventsOptions) {
    this.options = options;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.poll()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.error('bucket poll failed', { error: String(error) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: lists every bucket, delivers the events due, saves what was reported. Returns how many. */
  async poll(): Promise<number> {
    const seen = await this.loadSeen();
    const present = new Set<string>();
    let delivered = 0;
    let changed = false;
    for (const file of await this.list()) {
      const id = `${file.bucket}/${file.key}`;
      present.add(id);
      if (seen.get(id) === file.etag) {
        this.pending.delete(id);
        continue;
      }
      if (this.pending.get(id) !== file.etag) {
        this.pending.set(id, file.etag);
        continue;
      }
      this.pending.delete(id);
      this.options.bus.deliverServiceEvent(objectCreated(file));
      seen.set(id, file.etag);
      delivered++;
      changed = true;
    }
    for (const id of [...seen.keys()]) {
      if (!present.has(id)) {
        seen.delete(id);
        changed = true;
      }
    }
    for (const id of [...this.pending.keys()]) if (!present.has(id)) this.pending.delete(id);
    if (changed) {
      const files = Object.fromEntries([...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      await this.options.state.put(BUCKET_EVENTS_STATE_KEY, JSON.stringify({ version: 1, files }), {
        contentType: 'application/json',
      });
    }
    if (delivered > 0) this.options.logger.info('object-created events delivered', { delivered });
    return delivered;
  }

  private async loadSeen(): Promise<Map<string, string>> {
    if (this.seen) return this.seen;
    const stored = await this.options.state.get(BUCKET_EVENTS_STATE_KEY);
    let files: Record<string, string> = {};
    if (stored) {
      const parsed = SeenState.safeParse(safeJson(Buffer.from(stored.body).toString('utf8')));
      if (parsed.success) files = parsed.data.files;
      else
        this.options.logger.warn(
          `${BUCKET_EVENTS_STATE_KEY} is not what the bucket poller writes; every object will be reported again`,
        );
    }
    this.seen = new Map(Object.entries(files));
    return this.seen;
  }

  private async list(): Promise<Found[]> {
    const found: Found[] = [];
    for (const entry of await entries(this.options.root)) {
      if (!entry.isDirectory()) continue;
      if (!BucketName.safeParse(entry.name).success) {
        this.warnOnce(`bucket:${entry.name}`, 'folder under buckets/ is not a bucket name; not watched', {
          folder: entry.name,
        });
        continue;
      }
      await this.walk(entry.name, join(this.options.root, entry.name), '', found);
    }
    return found;
  }

  private async walk(bucket: string, dir: string, prefix: string, found: Found[]): Promise<void> {
    for (const entry of await entries(dir)) {
      const key = `${prefix}${entry.name}`;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await this.walk(bucket, path, `${key}/`, found);
        continue;
      }
      if (!entry.isFile()) continue;
      if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
        this.warnOnce(`key:${bucket}/${key}`, 'file path is longer than an S3 key may be; not reported', {
          bucket,
          path,
        });
        continue;
      }
      let stats: BigIntStats;
      try {
        stats = await lstat(path, { bigint: true });
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        throw error;
      }
      if (!stats.isFile()) continue;
      found.push({ bucket, key, size: Number(stats.size), etag: localEtag(stats), mtimeNs: stats.mtimeNs });
    }
  }

  private warnOnce(id: string, message: string, extra: Record<string, unknown>): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.options.logger.warn(message, extra);
  }
}

/** S3's `Object Created` as EventBridge carries it, for a local file. */
export function objectCreated(file: Omit<Found, 'mtimeNs'> & { mtimeNs: bigint }) {
  return {
    source: S3_EVENT_SOURCE,
    detailType: OBJECT_CREATED,
    resources: [`arn:aws:s3:::${file.bucket}`],
    detail: {
      version: '0',
      bucket: { name: file.bucket },
      object: {
        key: file.key,
        size: file.size,
        etag: file.etag,
        sequencer: file.mtimeNs.toString(16).toUpperCase().padStart(18, '0'),
      },
      'request-id': 'outboard-local',
      requester: 'outboard-local',
      reason: 'PutObject',
    },
  };
}

async function entries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
