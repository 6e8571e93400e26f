import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type SyslogReceivers, startSyslogReceivers } from '../../../../shared/monitoring/receivers/index.ts';
import { collectingSink, octetFrame, sendTls, tlsFixture, waitFor } from './support.ts';

let receivers: SyslogReceivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

const client = { cert: tlsFixture('client.crt'), key: tlsFixture('client.key') };
const rogue = { cert: tlsFixture('rogue-client.crt'), key: tlsFixture('rogue-client.key') };

async function start(mode: { requestClientCert?: boolean; requireClientCert?: boolean }) {
  const { state, sink } = collectingSink();
  receivers = await startSyslogReceivers(
    {
      port: 0,
      batchMaxAgeMs: 5,
      tls: {
        port: 0,
        cert: tlsFixture('server.crt'),
        key: tlsFixture('server.key'),
        ca: tlsFixture('ca.crt'),
        ...mode,
      },
    },
    sink,
  );
  return { state, r: receivers };
}

describe('syslog receivers: TLS (RFC 5425)', () => {
  it('records the verified client certificate identity with each message', async () => {
    const { state, r } = await start({ requireClientCert: true });
    expect(r.tlsPort).toBeGreaterThan(0);
    expect(r.tlsPort).not.toBe(r.tcpPort);
    const frames = [
      octetFrame('<13>1 - web-1 app - - - over tls'),
      octetFrame('<13>1 - web-1 app - - - second'),
    ];
    await sendTls(r.tlsPort!, Buffer.concat(frames).toString(), client);
    await waitFor('2 records', () => state.records.length === 2);
    const expected = new X509Certificate(client.cert);
    expect(state.records[0]).toMatchObject({
      text: '<13>1 - web-1 app - - - over tls',
      transport: 'tls',
      listener: 'syslog-tls',
      framing: 'octet-counting',
      remoteAddress: '127.0.0.1',
      tlsPeer: {
        subject: 'O=Outboard test, CN=guest-web-1',
        fingerprint256: expected.fingerprint256,
        authorized: true,
      },
    });
    expect(state.records[1]!.tlsPeer).toEqual(state.records[0]!.tlsPeer);
  }, 30_000);

  it('refuses a client whose certificate is not signed by the CA, and one without a certificate', async () => {
    const { state, r } = await start({ requireClientCert: true });
    await sendTls(r.tlsPort!, '<13>rogue\n', rogue).catch(() => undefined);
    await sendTls(r.tlsPort!, '<13>anonymous\n').catch(() => undefined);
    await waitFor('2 refused handshakes', () => r.stats().tlsHandshakeFailures === 2);
    await r.flush();
    expect(state.records).toEqual([]);
  }, 30_000);

  it('when a certificate is requested but not required: accepts anyone and says who proved what', async () => {
    const { state, r } = await start({ requestClientCert: true });
    await sendTls(r.tlsPort!, '<13>anonymous\n');
    await sendTls(r.tlsPort!, '<13>rogue\n', rogue);
    await sendTls(r.tlsPort!, '<13>guest\n', client);
    await waitFor('3 records', () => state.records.length === 3);
    const peers = Object.fromEntries(state.records.map((x) => [x.text, x.tlsPeer]));
    expect(peers['<13>anonymous']).toBeUndefined();
    expect(peers['<13>rogue']).toMatchObject({
      subject: 'O=Somebody else, CN=guest-web-1',
      authorized: false,
    });
    expect(peers['<13>guest']).toMatchObject({ authorized: true });
    expect(state.records.every((x) => x.framing === 'lf')).toBe(true);
  }, 30_000);
});
