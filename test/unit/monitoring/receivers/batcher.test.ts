import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BatcherOptions, RecordBatcher } from '../../../../shared/monitoring/receivers/batcher.ts';
import { ReceiverCloseError } from '../../../../shared/monitoring/receivers/errors.ts';
import { rawRecordJsonBytes } from '../../../../shared/monitoring/receivers/json-size.ts';
import type { RawRecord } from '../../../../shared/monitoring/receivers/types.ts';

function record(n: number, text = `<13>message ${n}`): RawRecord {
  return {
    text,
    receivedAt: 1_760_000_000_000 + n,
    transport: 'tcp',
    listener: 'syslog',
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    framing: 'lf',
  };
}

/** A sink whose calls wait until the test settles them. */
function controlledSink() {
  const calls: { records: RawRecord[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const sink = (records: RawRecord[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ records, resolve, reject });
    });
  return { sink, calls };
}

function batcher(overrides: Partial<BatcherOptions> & Pick<BatcherOptions, 'sink'>) {
  const pressure: boolean[] = [];
  const b = new RecordBatcher({
    maxRecords: 1000,
    maxBytes: 64 * 1024,
    maxAgeMs: 50,
    maxPendingBatches: 2,
    maxBufferedBytes: 1024 * 1024,
    retryInitialMs: 10,
    retryMaxMs: 40,
    onPressure: (over) => pressure.push(over),
    ...overrides,
  });
  return { b, pressure };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('RecordBatcher: cutting batches', () => {
  it('cuts at maxRecords and hands batches to the sink in order', async () => {
    const persisted: number[][] = [];
    const { b } = batcher({
      maxRecords: 3,
      sink: async (records) => {
        persisted.push(records.map((r) => r.receivedAt - 1_760_000_000_000));
      },
    });
    for (let n = 0; n < 7; n++) b.add(record(n));
    await b.flush();
    expect(persisted).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(b.stats()).toMatchObject({
      batches: 3,
      persistedRecords: 7,
      pendingBatches: 0,
      bufferedRecords: 0,
    });
  });

  it('keeps every batch at or under maxBytes of JSON, and cuts only when the next record would not fit', async () => {
    const batches: RawRecord[][] = [];
    const maxBytes = 4096;
    const { b } = batcher({
      maxBytes,
      sink: async (records) => {
        batches.push(records);
      },
    });
    for (let n = 0; n < 200; n++) b.add(record(n, `<13>${'é"\\\t'.repeat(n % 37)}`));
    await b.flush();
    expect(batches.flat()).toHaveLength(200);
    for (const [i, batch] of batches.entries()) {
      const size = Buffer.byteLength(JSON.stringify(batch));
      expect(size).toBeLessThanOrEqual(maxBytes);
      const next = batches[i + 1]?.[0];
      if (next) expect(size + 1 + rawRecordJsonBytes(next)).toBeGreaterThan(maxBytes);
    }
    const persistedBytes = batches.reduce((n, batch) => n + Buffer.byteLength(JSON.stringify(batch)), 0);
    expect(b.stats().persistedBytes).toBe(persistedBytes);
  });

  it('cuts a batch maxAgeMs after its first record', async () => {
    vi.useFakeTimers();
    const { sink, calls } = controlledSink();
    const { b } = batcher({ sink, maxAgeMs: 200 });
    b.add(record(1));
    await vi.advanceTimersByTimeAsync(100);
    b.add(record(2));
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.map((c) => c.records.length)).toEqual([2]);
  });

  it('cuts a record that alone outgrows a batch until it fits, and flags it', async () => {
    const batches: RawRecord[][] = [];
    const { b } = batcher({
      maxBytes: 4096,
      sink: async (records) => {
        batches.push(records);
      },
    });
    // 3000 NULs are 3000 bytes of text but 18000 bytes of JSON (\u0000 each); the pair must stay whole.
    b.add(record(1, `<13>${'\x00'.repeat(3000)}😀${'\x00'.repeat(10)}`));
    await b.flush();
    const [shrunk] = batches[0]!;
    expect(Buffer.byteLength(JSON.stringify(batches[0]))).toBeLessThanOrEqual(4096);
    expect(shrunk).toMatchObject({
      truncated: true,
      originalBytes: 3018,
      flags: ['truncated_to_batch_limit'],
    });
    expect(shrunk!.text.startsWith('<13>\x00')).toBe(true);
    expect(b.stats().shrunkToBatch).toBe(1);
  });

  it('never cuts a record between the two halves of a surrogate pair', async () => {
    const shrunk: RawRecord[] = [];
    const { b } = batcher({
      maxBytes: 4096,
      sink: async (records) => {
        shrunk.push(...records);
      },
    });
    for (let n = 700; n < 760; n++) b.add(record(n, `<13>${'\x01😀'.repeat(n)}`));
    await b.flush();
    expect(shrunk).toHaveLength(60);
    for (const r of shrunk) {
      expect(r.flags).toEqual(['truncated_to_batch_limit']);
      expect(r.text.isWellFormed()).toBe(true);
    }
  });
});

describe('RecordBatcher: back-pressure', () => {
  it('is over its limit while maxPendingBatches are unpersisted, and back under when one persists', async () => {
    const { sink, calls } = controlledSink();
    const { b, pressure } = batcher({ sink, maxRecords: 2, maxPendingBatches: 2 });
    for (let n = 0; n < 4; n++) b.add(record(n));
    expect(b.overLimit).toBe(true);
    expect(pressure).toEqual([true]);
    expect(calls).toHaveLength(1); // one batch at a time in the sink
    calls[0]!.resolve();
    await tick();
    expect(b.overLimit).toBe(false);
    expect(pressure).toEqual([true, false]);
    expect(b.stats()).toMatchObject({ pendingBatches: 1, bufferedRecords: 2, batches: 1 });
  });

  it('is over its limit when the buffered bytes reach maxBufferedBytes', () => {
    const { sink } = controlledSink();
    const one = rawRecordJsonBytes(record(0)) + 1;
    const { b, pressure } = batcher({ sink, maxPendingBatches: 100, maxBufferedBytes: 1 + one * 3 });
    b.add(record(0));
    b.add(record(1));
    expect(b.overLimit).toBe(false);
    b.add(record(2));
    expect(b.overLimit).toBe(true);
    expect(pressure).toEqual([true]);
    expect(b.stats().bufferedBytes).toBe(1 + one * 3);
  });
});

describe('RecordBatcher: a failing sink', () => {
  it('retries the same batch with backoff, over the limit meanwhile, and loses nothing', async () => {
    vi.useFakeTimers();
    const seen: number[][] = [];
    let failures = 2;
    const warnings: unknown[] = [];
    const logger = { info: () => {}, warn: (_m: string, e: unknown) => warnings.push(e), error: () => {} };
    const { b, pressure } = batcher({
      maxRecords: 2,
      maxPendingBatches: 10,
      logger: logger as never,
      sink: async (records) => {
        seen.push(records.map((r) => r.receivedAt - 1_760_000_000_000));
        if (failures-- > 0) throw new Error('queue unavailable');
      },
    });
    for (let n = 0; n < 4; n++) b.add(record(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(b.overLimit).toBe(true);
    expect(seen).toEqual([[0, 1]]);
    await vi.advanceTimersByTimeAsync(10); // first backoff
    expect(seen).toEqual([
      [0, 1],
      [0, 1],
    ]);
    await vi.advanceTimersByTimeAsync(20); // doubled
    expect(seen).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
      [2, 3],
    ]);
    expect(b.overLimit).toBe(false);
    expect(pressure).toEqual([true, false]);
    expect(b.stats()).toMatchObject({ sinkFailures: 2, batches: 2, persistedRecords: 4, bufferedRecords: 0 });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatchObject({ records: 2, attempt: 2, retryInMs: 20, error: 'queue unavailable' });
  });

  it('close() flushes what it holds and resolves once persisted', async () => {
    const persisted: RawRecord[] = [];
    const { b } = batcher({
      sink: async (records) => {
        persisted.push(...records);
      },
    });
    b.add(record(1));
    b.add(record(2));
    await b.close(1000);
    expect(persisted).toHaveLength(2);
    expect(() => b.add(record(3))).toThrow(/add after close/);
  });

  it('close() rejects, saying how many records were not persisted, when the sink keeps failing', async () => {
    const { b } = batcher({
      retryInitialMs: 1,
      retryMaxMs: 2,
      sink: async () => {
        throw new Error('disk full');
      },
    });
    b.add(record(1));
    b.add(record(2));
    const error = await b.close(30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiverCloseError);
    expect((error as ReceiverCloseError).unpersistedRecords).toBe(2);
    expect((error as Error).message).toMatch(
      /without persisting 2 records in 1 batches.*last sink error: disk full/,
    );
    expect(b.stats().sinkFailures).toBeGreaterThan(0);
  });
});
