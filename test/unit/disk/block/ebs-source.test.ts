import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  EBSClient,
  GetSnapshotBlockCommand,
  type GetSnapshotBlockCommandInput,
  InternalServerException,
  ListSnapshotBlocksCommand,
  type ListSnapshotBlocksCommandInput,
  RequestThrottledException,
  ValidationException,
} from '@aws-sdk/client-ebs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EbsSnapshotSource, type EbsSourceOptions } from '../../../../shared/disk/block/ebs-source.ts';
import { FileSource } from '../../../../shared/disk/block/file-source.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';
import { between, prng, randomBytes } from './prng.ts';

const BLOCK = 512 * 1024;
const GIB = 1024 ** 3;
const SNAPSHOT = 'snap-0123456789abcdef0';
/** Blocks the snapshot holds: a run at the start, scattered ones, one all zeros, the very last block. */
const PRESENT = [0, 1, 2, 3, 4, 5, 9, 10, 11, 40, 41, 100, 101, 102, 103, 104, 105, 106, 107, 2047];
const ZERO_PRESENT = 10;
const PAGE = 7;

const dir = mkdtempSync(join(tmpdir(), 'ob-ebs-'));
const imagePath = join(dir, 'volume.img');
let image: FileSource;
const ebs = mockClient(EBSClient);
const client = new EBSClient({ region: 'us-east-1' });

/** The fake service: its state, what it was asked, and how it misbehaves. */
const service = {
  generation: 0,
  calls: [] as number[],
  concurrent: 0,
  maxConcurrent: 0,
  failures: new Map<number, unknown[]>(),
  corrupt: new Map<number, number>(),
  sleeps: [] as number[],
};

function token(index: number) {
  return `token-${service.generation}-${index}`;
}

async function blockBytes(index: number): Promise<Uint8Array> {
  return image.read(index * BLOCK, BLOCK);
}

beforeAll(async () => {
  const fd = openSync(imagePath, 'w');
  for (const index of PRESENT) {
    if (index !== ZERO_PRESENT) writeSync(fd, randomBytes(index + 1, BLOCK), 0, BLOCK, index * BLOCK);
  }
  closeSync(fd);
  const { truncateSync } = await import('node:fs');
  truncateSync(imagePath, GIB);
  image = await FileSource.open(imagePath);
});
afterAll(async () => image.close());

beforeEach(() => {
  ebs.reset();
  Object.assign(service, { generation: 0, calls: [], concurrent: 0, maxConcurrent: 0, sleeps: [] });
  service.failures.clear();
  service.corrupt.clear();
  ebs.on(ListSnapshotBlocksCommand).callsFake(async (input: ListSnapshotBlocksCommandInput) => {
    const from = input.NextToken ? Number(input.NextToken) : 0;
    const start = input.StartingBlockIndex ?? 0;
    const listed = PRESENT.filter((i) => i >= start).slice(from, from + PAGE);
    const more = PRESENT.filter((i) => i >= start).length > from + PAGE;
    return {
      Blocks: listed.map((i) => ({ BlockIndex: i, BlockToken: token(i) })),
      VolumeSize: 1,
      BlockSize: BLOCK,
      ExpiryTime: new Date(Date.now() + 3_600_000),
      NextToken: more ? String(from + PAGE) : undefined,
    };
  });
  ebs.on(GetSnapshotBlockCommand).callsFake(async (input: GetSnapshotBlockCommandInput) => {
    const index = input.BlockIndex!;
    service.calls.push(index);
    service.concurrent++;
    service.maxConcurrent = Math.max(service.maxConcurrent, service.concurrent);
    try {
      await new Promise((r) => setTimeout(r, 1 + (index % 3)));
      const failure = service.failures.get(index)?.shift();
      if (failure) throw failure;
      if (input.BlockToken !== token(index)) {
        throw new ValidationException({
          message: 'The block token is expired',
          Reason: 'INVALID_BLOCK_TOKEN',
          $metadata: { httpStatusCode: 400 },
        });
      }
      const bytes = await blockBytes(index);
      const checksum = createHash('sha256').update(bytes).digest('base64');
      const corruptions = service.corrupt.get(index) ?? 0;
      const sent = corruptions > 0 ? bytes.slice() : bytes;
      if (corruptions > 0) {
        sent[12_345] = sent[12_345]! ^ 0xff;
        service.corrupt.set(index, corruptions - 1);
      }
      return {
        BlockData: { transformToByteArray: async () => sent } as never,
        DataLength: BLOCK,
        Checksum: checksum,
        ChecksumAlgorithm: 'SHA256',
      };
    } finally {
      service.concurrent--;
    }
  });
});

function open(options: Partial<EbsSourceOptions> = {}) {
  return EbsSnapshotSource.open({
    client,
    snapshotId: SNAPSHOT,
    retry: { sleep: async (ms) => void service.sleeps.push(ms), random: () => 0.5 },
    ...options,
  });
}

describe('EbsSnapshotSource', () => {
  it('lists every page, sizes the disk from VolumeSize and reads what the image file holds', async () => {
    const s = await open({ concurrency: 3, cacheBytes: 4 * BLOCK });
    expect(s.size).toBe(GIB);
    expect(s.presentBlocks).toBe(PRESENT.length);
    expect(s.listCalls).toBe(Math.ceil(PRESENT.length / PAGE));
    const random = prng(11);
    for (let i = 0; i < 150; i++) {
      const near = PRESENT[between(random, 0, PRESENT.length)]! * BLOCK;
      const offset = Math.max(0, Math.min(GIB - 1, near + between(random, -BLOCK, BLOCK)));
      const length = i % 10 === 0 ? between(random, 0, 5 * BLOCK) : between(random, 0, 100_000);
      const got = await s.read(offset, length);
      const want = await image.read(offset, length);
      expect(got.length).toBe(want.length);
      expect(Buffer.compare(got, want)).toBe(0);
    }
    expect(new Set(service.calls).size).toBeGreaterThan(10);
  });

  it('never asks for blocks the snapshot does not hold', async () => {
    const s = await open();
    const got = await s.read(12 * BLOCK, 20 * BLOCK);
    expect(got.every((b) => b === 0)).toBe(true);
    expect(service.calls).toEqual([]);
    await s.read(0, GIB / 8);
    expect(service.calls.every((i) => PRESENT.includes(i))).toBe(true);
    expect(new Set(service.calls)).toEqual(new Set(PRESENT.filter((i) => i * BLOCK < GIB / 8)));
  });

  it('keeps at most `concurrency` GetSnapshotBlock calls in flight', async () => {
    const s = await open({ concurrency: 3 });
    await Promise.all([s.read(0, 12 * BLOCK), s.read(100 * BLOCK, 8 * BLOCK), s.read(40 * BLOCK, 2 * BLOCK)]);
    expect(service.maxConcurrent).toBe(3);
    const t = await open({ concurrency: 1, cacheBytes: 0 });
    service.maxConcurrent = 0;
    await t.read(100 * BLOCK, 8 * BLOCK);
    expect(service.maxConcurrent).toBe(1);
  });

  it('fetches each block once for sequential reads, with read-ahead, and serves the rest from the cache', async () => {
    const s = await open({ concurrency: 4, readAheadBlocks: 4 });
    for (let o = 100 * BLOCK; o < 108 * BLOCK; o += 64 * 1024) {
      expect(Buffer.compare(await s.read(o, 64 * 1024), await image.read(o, 64 * 1024))).toBe(0);
    }
    expect(service.calls.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    const stats = s.stats();
    expect(stats.blocksFetched).toBe(8);
    expect(stats.bytesFetched).toBe(8 * BLOCK);
    expect(stats.requests).toBe(8);
    expect(stats.cacheHits).toBeGreaterThanOrEqual(8 * 8 - 8);
  });

  it('keeps the cache within its bound', async () => {
    const s = await open({ cacheBytes: 2 * BLOCK, readAheadBlocks: 0 });
    await s.read(0, 6 * BLOCK);
    await s.read(0, BLOCK);
    expect(service.calls.filter((i) => i === 0)).toHaveLength(2);
    await s.read(5 * BLOCK, BLOCK);
    expect(service.calls.filter((i) => i === 5)).toHaveLength(1);
  });

  it('detects a checksum mismatch, retries once, and names the block when it persists', async () => {
    const s = await open({ readAheadBlocks: 0 });
    service.corrupt.set(3, 1);
    expect(Buffer.compare(await s.read(3 * BLOCK, BLOCK), await image.read(3 * BLOCK, BLOCK))).toBe(0);
    expect(service.calls.filter((i) => i === 3)).toHaveLength(2);

    service.corrupt.set(4, 99);
    const error = await s.read(4 * BLOCK + 10, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFormatError);
    expect((error as DiskFormatError).message).toMatch(/block 4: checksum mismatch/);
    expect((error as DiskFormatError).offset).toBe(4 * BLOCK);
    expect(service.calls.filter((i) => i === 4)).toHaveLength(2);
  });

  it('retries throttling and server errors with growing backoff, but not other errors', async () => {
    const s = await open({ readAheadBlocks: 0 });
    const meta = { $metadata: { httpStatusCode: 400 } };
    service.failures.set(9, [
      new RequestThrottledException({ message: 'slow down', ...meta }),
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error('busy'), { name: 'ConcurrentLimitExceededException' }),
      Object.assign(new Error('gateway'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }),
    ]);
    expect(Buffer.compare(await s.read(9 * BLOCK, 100), await image.read(9 * BLOCK, 100))).toBe(0);
    expect(service.calls.filter((i) => i === 9)).toHaveLength(6);
    expect(service.sleeps).toEqual([50, 100, 200, 400, 800]);

    service.failures.set(11, [
      new AccessDeniedException({ message: 'no', Reason: 'UNAUTHORIZED_ACCOUNT', ...meta }),
    ]);
    await expect(s.read(11 * BLOCK, 100)).rejects.toThrow(AccessDeniedException);
    expect(service.calls.filter((i) => i === 11)).toHaveLength(1);

    const throttled = Array.from(
      { length: 10 },
      () => new RequestThrottledException({ message: 'no', ...meta }),
    );
    service.failures.set(40, throttled);
    await expect(s.read(40 * BLOCK, 100)).rejects.toThrow(RequestThrottledException);
    expect(service.calls.filter((i) => i === 40)).toHaveLength(6);
  });

  it('refreshes expired block tokens by listing again from the block', async () => {
    const s = await open({ readAheadBlocks: 0 });
    const listedAtOpen = s.listCalls;
    service.generation = 1;
    expect(Buffer.compare(await s.read(100 * BLOCK, BLOCK), await image.read(100 * BLOCK, BLOCK))).toBe(0);
    expect(s.listCalls).toBe(listedAtOpen + 1);
    const refreshed = ebs.commandCalls(ListSnapshotBlocksCommand).at(-1)!.args[0].input;
    expect(refreshed.StartingBlockIndex).toBe(100);
    // The refreshed page covered the following blocks too: no more listing for them.
    await s.read(101 * BLOCK, 3 * BLOCK);
    expect(s.listCalls).toBe(listedAtOpen + 1);
    expect(service.calls.filter((i) => i === 100)).toHaveLength(2);
  });

  it('refuses a listing without a volume size and a block past the end', async () => {
    ebs.on(ListSnapshotBlocksCommand).resolves({ Blocks: [], BlockSize: BLOCK });
    await expect(open()).rejects.toThrow(DiskFormatError);
    ebs.on(ListSnapshotBlocksCommand).resolves({
      Blocks: [{ BlockIndex: 2048, BlockToken: 't' }],
      VolumeSize: 1,
      BlockSize: BLOCK,
    });
    await expect(open()).rejects.toThrow(/block 2048 lies past/);
  });
});
