import { afterEach, describe, expect, it } from 'vitest';
import {
  type RawRecord,
  type ReceiverStats,
  type SyslogReceiverOptions,
  type SyslogReceivers,
  startSyslogReceivers,
} from '../../../../shared/monitoring/receivers/index.ts';
import { collectingSink, endSocket, gate, openTcp, sendUdp, waitFor } from './support.ts';

let receivers: SyslogReceivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

async function start(options: Partial<SyslogReceiverOptions>) {
  const { state, sink } = collectingSink();
  receivers = await startSyslogReceivers({ port: 0, batchMaxAgeMs: 5, ...options }, sink);
  return { state, r: receivers };
}

/** `count` LF-framed messages of about 200 bytes, numbered from 0. */
function lines(count: number): Buffer {
  const pad = 'p'.repeat(170);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`<13>Oct 11 22:14:15 host app: seq=${i} ${pad}\n`);
  return Buffer.from(out.join(''));
}

function expectSequence(records: RawRecord[], count: number) {
  expect(records).toHaveLength(count);
  records.forEach((record, i) => {
    expect(record.text.startsWith(`<13>Oct 11 22:14:15 host app: seq=${i} `)).toBe(true);
  });
}

/** Samples the stats every few milliseconds until `until` holds; returns the samples. */
async function sample(r: SyslogReceivers, count: number): Promise<ReceiverStats[]> {
  const out: ReceiverStats[] = [];
  for (let i = 0; i < count; i++) {
    out.push(r.stats());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return out;
}

describe('syslog receivers: back-pressure', () => {
  it('pauses a fast TCP sender while the sink is behind, holds a bounded amount, and loses nothing', async () => {
    const batchMaxBytes = 32 * 1024;
    const { state, r } = await start({
      maxMessageBytes: 2048,
      batchMaxRecords: 100,
      batchMaxBytes,
      maxPendingBatches: 1,
    });
    const sinkGate = gate();
    state.gate = sinkGate.promise;
    const count = 40_000;
    const payload = lines(count);
    const sender = await openTcp(r.tcpPort);
    sender.write(payload);

    await waitFor('the receivers to pause', () => r.stats().paused);
    const samples = await sample(r, 30);
    // Paused means not reading: the bytes read stop moving, far short of what was sent.
    const tail = samples.slice(10).map((s) => s.receivedBytes);
    expect(new Set(tail).size).toBe(1);
    expect(tail[0]).toBeLessThan(payload.length);
    // Held in memory: what came before the first batch was cut (the limit), plus the rest of the read
    // chunk it was cut in (at most 64 KiB of ~200-byte lines, ~110 KiB of JSON).
    const chunkLines = Math.ceil((64 * 1024) / 200);
    for (const s of samples) {
      expect(s.bufferedRecords).toBeLessThanOrEqual(100 + chunkLines);
      expect(s.bufferedBytes).toBeLessThanOrEqual(2 * batchMaxBytes + 128 * 1024);
      expect(s.pendingBatches).toBeLessThanOrEqual(6);
    }
    expect(samples.every((s) => s.paused)).toBe(true);

    state.gate = undefined;
    sinkGate.open();
    await endSocket(sender);
    await waitFor('every record', () => state.records.length === count, 60_000);
    expectSequence(state.records, count);
    const stats = r.stats();
    expect(stats).toMatchObject({
      paused: false,
      received: count,
      persistedRecords: count,
      bufferedRecords: 0,
    });
    expect(stats.pauses).toBeGreaterThan(0);
    expect(stats.receivedBytes).toBe(payload.length);
    for (const batch of state.batches)
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(batchMaxBytes);
  }, 120_000);

  it('drops and counts datagrams while over the limit (UDP cannot be paused)', async () => {
    const { state, r } = await start({ batchMaxRecords: 1, maxPendingBatches: 1 });
    const sinkGate = gate();
    state.gate = sinkGate.promise;
    await sendUdp(
      r.udpPort,
      Array.from({ length: 10 }, (_, i) => `<13>datagram ${i}`),
    );
    await waitFor('every datagram', () => r.stats().received + r.stats().droppedUdp === 10);
    expect(r.stats()).toMatchObject({ received: 1, droppedUdp: 9, paused: true });
    state.gate = undefined;
    sinkGate.open();
    await r.flush();
    expect(state.records.map((x) => x.text)).toEqual(['<13>datagram 0']);
    expect(r.stats().paused).toBe(false);
  });

  it('retries a failing sink with backoff, paused meanwhile, and persists every record once, in order', async () => {
    const { state, r } = await start({ batchMaxRecords: 50, sinkRetryInitialMs: 5, sinkRetryMaxMs: 20 });
    state.failures = 3;
    const count = 2000;
    const sender = await openTcp(r.tcpPort);
    sender.write(lines(count));
    await endSocket(sender);
    await waitFor('every record', () => state.records.length === count);
    expectSequence(state.records, count);
    expect(r.stats()).toMatchObject({ sinkFailures: 3, persistedRecords: count, paused: false });
    expect(r.stats().pauses).toBeGreaterThan(0);
  });
});
