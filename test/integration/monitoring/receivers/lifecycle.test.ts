import { afterEach, describe, expect, it } from 'vitest';
import { ReceiverStartError } from '../../../../shared/monitoring/receivers/errors.ts';
import {
  ReceiverCloseError,
  type SyslogReceiverOptions,
  type SyslogReceivers,
  startSyslogReceivers,
} from '../../../../shared/monitoring/receivers/index.ts';
import { collectingSink, gate, openTcp, sendUdp, waitFor } from './support.ts';

let receivers: SyslogReceivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

async function start(options: Partial<SyslogReceiverOptions>) {
  const { state, sink } = collectingSink();
  receivers = await startSyslogReceivers({ port: 0, ...options }, sink);
  return { state, r: receivers };
}

describe('syslog receivers: flush and close', () => {
  it('flush() hands over the batch being filled and resolves once it is persisted', async () => {
    const { state, r } = await start({ batchMaxAgeMs: 60_000 });
    await sendUdp(r.udpPort, ['<13>a', '<13>b']);
    await waitFor('2 records received', () => r.stats().received === 2);
    expect(state.records).toEqual([]);
    await r.flush();
    expect(state.records.map((x) => x.text)).toEqual(['<13>a', '<13>b']);
  });

  it('close() stops accepting, records what open connections delivered (an unfinished line flagged) and flushes', async () => {
    const { state, r } = await start({ batchMaxAgeMs: 60_000 });
    const sender = await openTcp(r.tcpPort);
    sender.write('<13>one\n<13>two\n<13>unfinished');
    await waitFor('2 lines received', () => r.stats().received === 2);
    const port = r.tcpPort;
    await r.close();
    receivers = undefined;
    expect(state.records.map((x) => [x.text, x.flags])).toEqual([
      ['<13>one', undefined],
      ['<13>two', undefined],
      ['<13>unfinished', ['incomplete_frame']],
    ]);
    expect(r.stats().connections).toBe(0);
    await expect(openTcp(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    sender.destroy();
  });

  it('close() while paused persists everything it read, in order, with no gap', async () => {
    const { state, r } = await start({ batchMaxRecords: 10, maxPendingBatches: 1, batchMaxAgeMs: 5 });
    const sinkGate = gate();
    state.gate = sinkGate.promise;
    const sender = await openTcp(r.tcpPort);
    sender.on('error', () => undefined); // the receiver hangs up on it
    sender.write(Array.from({ length: 5000 }, (_, i) => `<13>seq=${i}\n`).join(''));
    await waitFor('the receivers to pause', () => r.stats().paused);
    const closing = r.close();
    receivers = undefined;
    state.gate = undefined;
    sinkGate.open();
    await closing;
    const stats = r.stats();
    expect(state.records.length).toBe(stats.received);
    expect(stats.received).toBeGreaterThan(10);
    state.records.forEach((x, i) => {
      expect(x.text).toBe(`<13>seq=${i}`);
    });
  });

  it('close() rejects, naming what was not persisted, when the sink never recovers', async () => {
    const { state, r } = await start({ closeTimeoutMs: 100, sinkRetryInitialMs: 5, batchMaxAgeMs: 5 });
    state.failures = Number.POSITIVE_INFINITY;
    await sendUdp(r.udpPort, ['<13>doomed']);
    await waitFor('a failed sink call', () => r.stats().sinkFailures > 0);
    receivers = undefined;
    const error = await r.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiverCloseError);
    expect((error as ReceiverCloseError).unpersistedRecords).toBe(1);
    expect((error as Error).message).toMatch(/sink unavailable \(test\)/);
  });

  it('refuses to start on a port already taken, and leaves nothing listening', async () => {
    const { r } = await start({});
    const { sink } = collectingSink();
    const error = await startSyslogReceivers({ port: r.tcpPort }, sink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiverStartError);
    expect((error as Error).message).toMatch(
      new RegExp(`syslog TCP listener: cannot listen on 127.0.0.1:${r.tcpPort}`),
    );
  });
});
