import { createHash } from 'node:crypto';
import {
  type EBSClient,
  GetSnapshotBlockCommand,
  type GetSnapshotBlockCommandOutput,
  ListSnapshotBlocksCommand,
  type ListSnapshotBlocksCommandOutput,
} from '@aws-sdk/client-ebs';
import { LruCache } from '../lru.ts';
import { DiskFormatError, type FetchStats, type MeasuredSource } from '../types.ts';
import { assertOpen, readableLength } from './range.ts';
import { type RetryPolicy, withRetries } from './retry.ts';
import { Semaphore } from './semaphore.ts';
import { emptyStats } from './stats.ts';

export interface EbsSourceOptions {
  client: EBSClient;
  snapshotId: string;
  /** Most GetSnapshotBlock calls in flight at once (default 8). */
  concurrency?: number;
  /** Most bytes of blocks the cache keeps (default 32 MiB; 0 turns it off). */
  cacheBytes?: number;
  /** Blocks fetched ahead of sequential reads (default: `concurrency`; 0 turns it off). */
  readAheadBlocks?: number;
  /** MaxResults of each ListSnapshotBlocks page (100..10000, default 10000). */
  listPageSize?: number;
  retry?: RetryPolicy;
}

const LAYER = 'ebs';
const GIB = 1024 ** 3;

interface ListedPage {
  blocks: { index: number; token: string }[];
  next: string | undefined;
  volumeSize: number | undefined;
  blockSize: number | undefined;
}

/**
 * An EBS snapshot read through the EBS direct APIs. The snapshot's blocks are listed once at open
 * (ListSnapshotBlocks, all pages); blocks the snapshot does not hold read as zeros without a request.
 * Present blocks are fetched with GetSnapshotBlock (at most `concurrency` at once), their SHA-256
 * checked, and kept in a bounded LRU cache. Throttling and 5xx errors are retried with backoff; an
 * expired or invalid block token is refreshed by listing again from that block.
 */
export class EbsSnapshotSource implements MeasuredSource {
  readonly size: number;
  readonly blockSize: number;
  readonly snapshotId: string;
  readonly #client: EBSClient;
  readonly #tokens: Map<number, string>;
  readonly #cache: LruCache<number, Uint8Array>;
  readonly #inflight = new Map<number, Promise<Uint8Array>>();
  readonly #semaphore: Semaphore;
  readonly #readAhead: number;
  readonly #pageSize: number;
  readonly #retry: RetryPolicy;
  readonly #stats = emptyStats();
  #listCalls = 0;
  #nextSequential = -1;
  #closed = false;

  private constructor(
    options: EbsSourceOptions,
    size: number,
    blockSize: number,
    tokens: Map<number, string>,
    listCalls: number,
  ) {
    const concurrency = options.concurrency ?? 8;
    this.#client = options.client;
    this.snapshotId = options.snapshotId;
    this.size = size;
    this.blockSize = blockSize;
    this.#tokens = tokens;
    this.#listCalls = listCalls;
    this.#semaphore = new Semaphore(concurrency);
    this.#cache = new LruCache(options.cacheBytes ?? 32 * 1024 * 1024);
    this.#readAhead = options.readAheadBlocks ?? concurrency;
    this.#pageSize = pageSize(options.listPageSize);
    this.#retry = options.retry ?? {};
  }

  static async open(options: EbsSourceOptions): Promise<EbsSnapshotSource> {
    const tokens = new Map<number, string>();
    let next: string | undefined;
    let volumeSize: number | undefined;
    let blockSize: number | undefined;
    let calls = 0;
    do {
      calls++;
      const page = await listPage(options, { NextToken: next }, pageSize(options.listPageSize));
      for (const b of page.blocks) tokens.set(b.index, b.token);
      volumeSize ??= page.volumeSize;
      blockSize ??= page.blockSize;
      next = page.next;
    } while (next);
    if (!volumeSize || !Number.isSafeInteger(volumeSize * GIB)) {
      throw new DiskFormatError(
        LAYER,
        `snapshot ${options.snapshotId} has no usable VolumeSize (${volumeSize})`,
      );
    }
    if (!blockSize || blockSize < 512 || blockSize & (blockSize - 1)) {
      throw new DiskFormatError(LAYER, `snapshot ${options.snapshotId} has a bad BlockSize (${blockSize})`);
    }
    const size = volumeSize * GIB;
    for (const index of tokens.keys()) {
      if (index * blockSize >= size) {
        throw new DiskFormatError(LAYER, `block ${index} lies past the volume's end`, index * blockSize);
      }
    }
    return new EbsSnapshotSource(options, size, blockSize, tokens, calls);
  }

  stats(): FetchStats {
    return { ...this.#stats };
  }

  /** ListSnapshotBlocks calls made so far (the listing at open and token refreshes). */
  get listCalls(): number {
    return this.#listCalls;
  }

  /** Blocks the snapshot holds (the others read as zeros). */
  get presentBlocks(): number {
    return this.#tokens.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertOpen(this.#closed, `EBS snapshot ${this.snapshotId}`);
    const n = readableLength(offset, length, this.size);
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const bs = this.blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + n - 1) / bs);
    const sequential = offset === this.#nextSequential;
    this.#nextSequential = offset + n;

    const parts: Promise<void>[] = [];
    for (let b = first; b <= last; b++) {
      if (!this.#tokens.has(b)) continue;
      const block = this.#block(b, true);
      const start = b * bs;
      parts.push(
        block.then((bytes) => {
          const from = Math.max(offset, start);
          const to = Math.min(offset + n, start + bs);
          out.set(bytes.subarray(from - start, to - start), from - offset);
        }),
      );
    }
    if (sequential) this.#prefetch(last + 1);
    await Promise.all(parts);
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.clear();
  }

  #block(index: number, counted: boolean): Promise<Uint8Array> {
    const cached = this.#cache.get(index);
    if (cached) {
      if (counted) this.#stats.cacheHits++;
      return Promise.resolve(cached);
    }
    const running = this.#inflight.get(index);
    if (running) {
      if (counted) this.#stats.cacheHits++;
      return running;
    }
    const fetching = this.#fetch(index);
    this.#inflight.set(index, fetching);
    fetching.then(
      (bytes) => {
        this.#inflight.delete(index);
        if (!this.#closed) this.#cache.set(index, bytes, bytes.length);
      },
      () => this.#inflight.delete(index),
    );
    return fetching;
  }

  /** Starts fetching the next present blocks after a sequential read, without waiting for them. */
  #prefetch(from: number): void {
    const lastBlock = Math.ceil(this.size / this.blockSize) - 1;
    for (let b = from; b < from + this.#readAhead && b <= lastBlock; b++) {
      if (this.#tokens.has(b) && !this.#cache.has(b) && !this.#inflight.has(b)) this.#block(b, false);
    }
  }

  async #fetch(index: number): Promise<Uint8Array> {
    let checksumRetried = false;
    let tokenRefreshes = 0;
    for (;;) {
      const token = this.#tokens.get(index);
      if (token === undefined) throw new DiskFormatError(LAYER, `block ${index} is not in the snapshot`);
      let bytes: Uint8Array;
      let response: GetSnapshotBlockCommandOutput;
      try {
        [response, bytes] = await withRetries(
          () =>
            this.#semaphore.run(async () => {
              assertOpen(this.#closed, `EBS snapshot ${this.snapshotId}`);
              this.#stats.requests++;
              const r = await this.#client.send(
                new GetSnapshotBlockCommand({
                  SnapshotId: this.snapshotId,
                  BlockIndex: index,
                  BlockToken: token,
                }),
              );
              return [r, await bodyBytes(r.BlockData)] as const;
            }),
          this.#retry,
        );
      } catch (error) {
        if (isInvalidToken(error) && tokenRefreshes < 2) {
          tokenRefreshes++;
          if (this.#tokens.get(index) === token) await this.#refreshTokens(index);
          continue;
        }
        throw error;
      }
      const problem = checkBlock(response, bytes, this.blockSize);
      if (problem) {
        if (!checksumRetried) {
          checksumRetried = true;
          continue;
        }
        throw new DiskFormatError(LAYER, `block ${index}: ${problem}`, index * this.blockSize);
      }
      this.#stats.bytesFetched += bytes.length;
      this.#stats.blocksFetched++;
      return bytes;
    }
  }

  /** Lists one page from `index` again, replacing the tokens it gives. */
  async #refreshTokens(index: number): Promise<void> {
    this.#listCalls++;
    const page = await listPage(
      { client: this.#client, snapshotId: this.snapshotId, retry: this.#retry },
      { StartingBlockIndex: index },
      this.#pageSize,
    );
    for (const b of page.blocks) if (this.#tokens.has(b.index)) this.#tokens.set(b.index, b.token);
  }
}

function pageSize(requested: number | undefined): number {
  return Math.max(100, Math.min(10_000, requested ?? 10_000));
}

async function listPage(
  options: Pick<EbsSourceOptions, 'client' | 'snapshotId' | 'retry'>,
  from: { NextToken?: string | undefined; StartingBlockIndex?: number },
  maxResults: number,
): Promise<ListedPage> {
  const r: ListSnapshotBlocksCommandOutput = await withRetries(
    () =>
      options.client.send(
        new ListSnapshotBlocksCommand({ SnapshotId: options.snapshotId, MaxResults: maxResults, ...from }),
      ),
    options.retry ?? {},
  );
  const blocks: ListedPage['blocks'] = [];
  for (const b of r.Blocks ?? []) {
    if (
      b.BlockIndex === undefined ||
      !b.BlockToken ||
      !Number.isSafeInteger(b.BlockIndex) ||
      b.BlockIndex < 0
    ) {
      throw new DiskFormatError(LAYER, `ListSnapshotBlocks gave a block without index or token`);
    }
    blocks.push({ index: b.BlockIndex, token: b.BlockToken });
  }
  return { blocks, next: r.NextToken || undefined, volumeSize: r.VolumeSize, blockSize: r.BlockSize };
}

/** What is wrong with a fetched block, or undefined when its length and SHA-256 are right. */
function checkBlock(
  r: GetSnapshotBlockCommandOutput,
  bytes: Uint8Array,
  blockSize: number,
): string | undefined {
  if (bytes.length !== blockSize) return `got ${bytes.length} bytes, expected ${blockSize}`;
  if (r.DataLength !== undefined && r.DataLength !== bytes.length) {
    return `DataLength ${r.DataLength} but ${bytes.length} bytes received`;
  }
  if (r.ChecksumAlgorithm !== 'SHA256' || !r.Checksum) {
    return `no SHA256 checksum (algorithm ${r.ChecksumAlgorithm ?? 'none'})`;
  }
  const actual = createHash('sha256').update(bytes).digest('base64');
  if (actual !== r.Checksum) return `checksum mismatch (expected ${r.Checksum}, got ${actual})`;
  return undefined;
}

function isInvalidToken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; Reason?: string; message?: string };
  if (e.name !== 'ValidationException') return false;
  if (e.Reason === 'INVALID_BLOCK_TOKEN') return true;
  return /token/i.test(e.message ?? '') && /expired|invalid/i.test(e.message ?? '');
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'object' && body !== null) {
    const b = body as { transformToByteArray?: () => Promise<Uint8Array> };
    if (typeof b.transformToByteArray === 'function') return b.transformToByteArray();
    if (Symbol.asyncIterator in body) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
  }
  throw new Error('GetSnapshotBlock returned no block data');
}

/** Opens an EBS snapshot as a measured source (lists its blocks first). */
export function openEbsSnapshot(options: EbsSourceOptions): Promise<EbsSnapshotSource> {
  return EbsSnapshotSource.open(options);
}
