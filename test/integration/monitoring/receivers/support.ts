/** Senders, sinks and waits for the receiver tests: real sockets on loopback, nothing faked. */

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { RawRecord } from '../../../../shared/monitoring/receivers/types.ts';

const TLS_DIR = join(import.meta.dirname, '../../../fixtures/tls');
export const tlsFixture = (name: string): string => readFileSync(join(TLS_DIR, name), 'utf8');

/** A sink that keeps what it persists; `gate` (when set) makes each call wait for it. */
export function collectingSink() {
  const state = {
    records: [] as RawRecord[],
    batches: [] as RawRecord[][],
    gate: undefined as Promise<void> | undefined,
    /** Calls left to fail before succeeding. */
    failures: 0,
    calls: 0,
  };
  const sink = async (records: RawRecord[]) => {
    state.calls++;
    if (state.gate) await state.gate;
    if (state.failures > 0) {
      state.failures--;
      throw new Error('sink unavailable (test)');
    }
    state.batches.push(records);
    state.records.push(...records);
  };
  return { state, sink };
}

/** A gate the test opens when it wants the sink to proceed. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls until `check` is true; fails with `what` after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function sendUdp(port: number, datagrams: (string | Uint8Array)[], host = '127.0.0.1') {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  for (const d of datagrams) {
    await new Promise<void>((resolve, reject) =>
      socket.send(typeof d === 'string' ? Buffer.from(d) : d, port, host, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  socket.close();
}

export function openTcp(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Writes each piece as its own write (flushed apart, so the receiver sees real splits), then ends. */
export async function sendTcp(port: number, pieces: (string | Uint8Array)[], host = '127.0.0.1') {
  const socket = await openTcp(port, host);
  socket.setNoDelay(true);
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) =>
      socket.write(piece, (err) => (err ? reject(err) : resolve())),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  await endSocket(socket);
}

export function endSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
  });
}

export interface TlsClientOptions {
  cert?: string;
  key?: string;
}

/** Connects with the fixtures' CA as trust root; rejects when the handshake fails. */
export function openTls(port: number, client: TlsClientOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: tlsFixture('ca.crt'),
      ...client,
    });
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Sends over TLS and waits until the server closes or the write fails (a refused certificate). */
export async function sendTls(port: number, payload: string, client: TlsClientOptions = {}): Promise<void> {
  const socket = await openTls(port, client);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.end(payload);
  });
}

/** RFC 6587 octet counting: the byte length, a space, the message. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message);
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
