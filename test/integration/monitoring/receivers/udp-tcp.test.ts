import { afterEach, describe, expect, it } from 'vitest';
import {
  type SyslogReceiverOptions,
  type SyslogReceivers,
  startSyslogReceivers,
} from '../../../../shared/monitoring/receivers/index.ts';
import { collectingSink, octetFrame, openTcp, sendTcp, sendUdp, waitFor } from './support.ts';

let receivers: SyslogReceivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

async function start(options: Partial<SyslogReceiverOptions> = {}) {
  const { state, sink } = collectingSink();
  receivers = await startSyslogReceivers({ port: 0, batchMaxAgeMs: 5, ...options }, sink);
  return { state, r: receivers };
}

describe('syslog receivers: UDP (RFC 5426)', () => {
  it('listens for UDP and TCP on the same ephemeral port and records one message per datagram', async () => {
    const { state, r } = await start({ name: 'edge' });
    expect(r.udpPort).toBeGreaterThan(0);
    expect(r.tcpPort).toBe(r.udpPort);
    expect(r.tlsPort).toBeUndefined();
    const before = Date.now();
    await sendUdp(r.udpPort, [
      '<13>Oct 11 22:14:15 host app: one\n',
      '<14>1 - h a - - - two\r\n\x00',
      '\n',
      '5 aaaaa',
    ]);
    await waitFor('3 records', () => state.records.length === 3);
    const [one, two, framed] = state.records;
    expect(one).toMatchObject({
      text: '<13>Oct 11 22:14:15 host app: one',
      transport: 'udp',
      listener: 'edge',
      remoteAddress: '127.0.0.1',
      framing: 'datagram',
    });
    expect(one!.remotePort).toBeGreaterThan(0);
    expect(one!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(one!.truncated).toBeUndefined();
    expect(two!.text).toBe('<14>1 - h a - - - two');
    expect(framed).toMatchObject({ text: 'aaaaa', flags: ['unexpected_framing'] });
    expect(r.stats()).toMatchObject({
      received: 3,
      emptyFrames: 1,
      receivedByTransport: { udp: 3, tcp: 0, tls: 0 },
    });
  });

  it('truncates a datagram over the limit and flags its length', async () => {
    const { state, r } = await start({ maxMessageBytes: 480 });
    await sendUdp(r.udpPort, [`<13>${'x'.repeat(996)}`]);
    await waitFor('the record', () => state.records.length === 1);
    expect(state.records[0]).toMatchObject({ truncated: true, originalBytes: 1000 });
    expect(state.records[0]!.text).toHaveLength(480);
    expect(r.stats().truncated).toBe(1);
  });

  it('listens on IPv6 loopback too', async () => {
    const { state, r } = await start({ host: '::1' });
    await sendUdp(r.udpPort, ['<13>v6 datagram'], '::1');
    await sendTcp(r.tcpPort, ['<13>v6 stream\n'], '::1');
    await waitFor('2 records', () => state.records.length === 2);
    expect(state.records.map((x) => [x.remoteAddress, x.transport]).sort()).toEqual([
      ['::1', 'tcp'],
      ['::1', 'udp'],
    ]);
  });
});

describe('syslog receivers: TCP (RFC 6587)', () => {
  it('reads octet-counted frames split across writes, LF and all', async () => {
    const { state, r } = await start();
    const stream = Buffer.concat([
      octetFrame('<13>1 - host app - - - first'),
      octetFrame('<13>1 - host app - - - multi\nline κόσμε'),
      octetFrame('<13>1 - host app - - - third'),
    ]);
    // Cut inside the first length, inside a multi-byte character and inside the last length.
    const kappa = stream.indexOf(Buffer.from('κ')) + 1;
    const lastHeader = stream.lastIndexOf(Buffer.from('<13>')) - 2;
    await sendTcp(r.tcpPort, [
      stream.subarray(0, 1),
      stream.subarray(1, kappa),
      stream.subarray(kappa, lastHeader),
      stream.subarray(lastHeader),
    ]);
    await waitFor('3 records', () => state.records.length === 3);
    expect(state.records.map((x) => x.text)).toEqual([
      '<13>1 - host app - - - first',
      '<13>1 - host app - - - multi\nline κόσμε',
      '<13>1 - host app - - - third',
    ]);
    expect(state.records.every((x) => x.framing === 'octet-counting' && x.transport === 'tcp')).toBe(true);
  });

  it('reads LF-framed lines with CRLF and NUL trailers, each connection detected on its own', async () => {
    const { state, r } = await start();
    await Promise.all([
      sendTcp(r.tcpPort, ['<13>Oct 11 22:14:15 a x: one\r\n<13>Oct 11 22:14:15 a x: t', 'wo\x00\n']),
      sendTcp(r.tcpPort, [octetFrame('<13>1 - b y - - - counted')]),
    ]);
    await waitFor('3 records', () => state.records.length === 3);
    const byText = new Map(state.records.map((x) => [x.text, x.framing]));
    expect(byText).toEqual(
      new Map([
        ['<13>Oct 11 22:14:15 a x: one', 'lf'],
        ['<13>Oct 11 22:14:15 a x: two', 'lf'],
        ['<13>1 - b y - - - counted', 'octet-counting'],
      ]),
    );
    expect(r.stats()).toMatchObject({ connectionsTotal: 2, connections: 0 });
  });

  it('truncates oversized messages in both framings and keeps reading the stream', async () => {
    const { state, r } = await start({ maxMessageBytes: 480 });
    const long = `<13>${'y'.repeat(1996)}`;
    await sendTcp(r.tcpPort, [octetFrame(long), octetFrame('<13>after')]);
    await sendTcp(r.tcpPort, [`${long}\n<13>after\n`]);
    await waitFor('4 records', () => state.records.length === 4);
    const truncated = state.records.filter((x) => x.truncated);
    expect(truncated.map((x) => [x.framing, x.originalBytes, x.text.length]).sort()).toEqual([
      ['lf', 2000, 480],
      ['octet-counting', 2000, 480],
    ]);
    expect(state.records.filter((x) => x.text === '<13>after')).toHaveLength(2);
  });

  it('flags a malformed octet-count header and reads the rest of the connection as lines', async () => {
    const { state, r } = await start();
    await sendTcp(r.tcpPort, [octetFrame('<13>ok'), 'oops no header\n<13>line two\n']);
    await waitFor('3 records', () => state.records.length === 3);
    expect(state.records.map((x) => [x.text, x.framing, x.flags])).toEqual([
      ['<13>ok', 'octet-counting', undefined],
      ['oops no header', 'lf', ['framing_error']],
      ['<13>line two', 'lf', undefined],
    ]);
    expect(r.stats().framingErrors).toBe(1);
  });

  it('records an unterminated last line when the sender hangs up, flagged', async () => {
    const { state, r } = await start();
    await sendTcp(r.tcpPort, ['<13>complete\n<13>cut off']);
    await waitFor('2 records', () => state.records.length === 2);
    expect(state.records[1]).toMatchObject({ text: '<13>cut off', flags: ['incomplete_frame'] });
  });

  it('refuses connections over maxConnections and counts them', async () => {
    const { state, r } = await start({ maxConnections: 1 });
    const first = await openTcp(r.tcpPort);
    await waitFor('the first connection', () => r.stats().connections === 1);
    const second = await openTcp(r.tcpPort);
    await new Promise((resolve) => second.once('close', resolve));
    expect(r.stats().connectionsRefused).toBe(1);
    first.end('<13>still served\n');
    await waitFor('the record', () => state.records.length === 1);
  });
});
