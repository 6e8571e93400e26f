/**
 * The local runtime's syslog receivers: UDP (RFC 5426) and TCP (RFC 6587, both framings detected per
 * connection) on one port number, and optionally TLS (RFC 5425) with client certificates on another.
 * Every message becomes a `RawRecord`; records go to the sink in batches (see batcher.ts).
 *
 * Back-pressure: while the batcher is over its limit (the sink is slow or failing), every TCP and TLS
 * socket is paused, so senders block in their own TCP window instead of this process buffering; UDP
 * cannot be paused, so datagrams arriving meanwhile are dropped and counted (`droppedUdp`). Memory
 * stays bounded by the batcher's limits plus, per connection, one read chunk and one message.
 *
 * Delivery: a record is durable once the sink resolved for its batch. Until then it lives in this
 * process (at most `maxBufferedBytes` plus a read chunk per connection) and is lost if the process is
 * killed; so is whatever the kernel already acknowledged to a TCP sender, since plain syslog over TCP
 * has no application-level acknowledgement. `close()` reads what sockets already hold, records an
 * unfinished message (flagged), and hangs up before the sender's unread bytes.
 */
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { RecordBatcher } from './batcher.ts';
import { datagramFrame } from './datagram.ts';
import { OctetFrameDecoder } from './framing.ts';
import { closeServer, closeUdp, listenTcp, listenTcpAndUdp } from './listen.ts';
import {
  type ResolvedReceiverOptions,
  resolveReceiverOptions,
  type SyslogReceiverOptions,
} from './options.ts';
import { plainAddress, tlsPeerOf } from './peer.ts';
import type { Frame, RawRecord, ReceiverTransport, RecordSink, TlsPeer } from './types.ts';

export interface ReceiverStats {
  /** Records handed to the batcher, in all and per transport. */
  received: number;
  receivedByTransport: Record<ReceiverTransport, number>;
  /** Bytes read from sockets (framing included). */
  receivedBytes: number;
  /** Records whose text is only the start of the message. */
  truncated: number;
  /** Datagrams dropped because the sink was behind (UDP cannot be paused). */
  droppedUdp: number;
  /** Messages empty once their trailer was stripped (blank lines, bare NUL or CRLF), not recorded. */
  emptyFrames: number;
  /** Connections that announced octet counting and then sent a malformed header. */
  framingErrors: number;
  /** Batches the sink persisted, with their records and JSON bytes. */
  batches: number;
  persistedRecords: number;
  persistedBytes: number;
  /** Batches cut and not yet persisted. */
  pendingBatches: number;
  /** Records (and their JSON bytes) held in memory, waiting for the sink. */
  bufferedRecords: number;
  bufferedBytes: number;
  sinkFailures: number;
  /** Records cut further so that one fits a batch alone. */
  shrunkToBatch: number;
  /** Open TCP and TLS connections, and all accepted so far. */
  connections: number;
  connectionsTotal: number;
  /** Connections refused over `maxConnections`, and TLS handshakes that failed (e.g. a bad client certificate). */
  connectionsRefused: number;
  tlsHandshakeFailures: number;
  /** Whether sockets are paused now, and how many times they were paused. */
  paused: boolean;
  pauses: number;
}

export interface SyslogReceivers {
  udpPort: number;
  tcpPort: number;
  tlsPort?: number;
  stats(): ReceiverStats;
  /** Hands the batch being filled to the sink; resolves once everything received so far is persisted. */
  flush(): Promise<void>;
  /**
   * Stops accepting (listeners closed, connections ended after what they already delivered is read),
   * hands everything to the sink and resolves once persisted; rejects with ReceiverCloseError if the
   * sink does not take it within `closeTimeoutMs`.
   */
  close(): Promise<void>;
}

interface Connection {
  socket: Socket;
  decoder: OctetFrameDecoder;
  transport: 'tcp' | 'tls';
  listener: string;
  remoteAddress: string;
  remotePort: number;
  tlsPeer: TlsPeer | undefined;
  ended: boolean;
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Starts the listeners; resolves once all listen, with the ports they got. */
export async function startSyslogReceivers(
  options: SyslogReceiverOptions,
  sink: RecordSink,
): Promise<SyslogReceivers> {
  const o = resolveReceiverOptions(options);
  return new Receivers(o, sink).start();
}

class Receivers {
  readonly #o: ResolvedReceiverOptions;
  readonly #batcher: RecordBatcher;
  readonly #connections = new Map<Socket, Connection>();
  readonly #frames: Frame[] = [];
  #tcp: Server | undefined;
  #tls: Server | undefined;
  #udp: UdpSocket | undefined;
  #paused = false;
  #closing: Promise<void> | undefined;
  readonly #counts = {
    received: 0,
    receivedByTransport: { udp: 0, tcp: 0, tls: 0 },
    receivedBytes: 0,
    truncated: 0,
    droppedUdp: 0,
    emptyFrames: 0,
    framingErrors: 0,
    connectionsTotal: 0,
    connectionsRefused: 0,
    tlsHandshakeFailures: 0,
    pauses: 0,
  };

  constructor(options: ResolvedReceiverOptions, sink: RecordSink) {
    this.#o = options;
    this.#batcher = new RecordBatcher({
      maxRecords: options.batchMaxRecords,
      maxBytes: options.batchMaxBytes,
      maxAgeMs: options.batchMaxAgeMs,
      maxPendingBatches: options.maxPendingBatches,
      maxBufferedBytes: options.maxBufferedBytes,
      retryInitialMs: options.sinkRetryInitialMs,
      retryMaxMs: options.sinkRetryMaxMs,
      sink,
      onPressure: (over) => this.#setPaused(over),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  async start(): Promise<SyslogReceivers> {
    const o = this.#o;
    try {
      this.#tcp = this.#streamServer(createServer(), 'tcp', o.name);
      const { port, udp } = await listenTcpAndUdp(this.#tcp, (s) => this.#wireUdp(s), o.host, o.port);
      this.#udp = udp;
      let tlsPort: number | undefined;
      if (o.tls) {
        const t = o.tls;
        const server = createTlsServer({
          cert: pem(t.cert),
          key: pem(t.key),
          ...(t.ca ? { ca: pem(t.ca) } : {}),
          requestCert: t.requestClientCert || t.requireClientCert,
          rejectUnauthorized: t.requireClientCert,
          minVersion: 'TLSv1.2',
        });
        this.#tls = this.#streamServer(server, 'tls', t.name);
        tlsPort = await listenTcp(this.#tls, o.host, t.port, 'syslog TLS listener');
      }
      return {
        udpPort: port,
        tcpPort: port,
        ...(tlsPort === undefined ? {} : { tlsPort }),
        stats: () => this.#stats(),
        flush: () => this.#batcher.flush(),
        close: () => this.#close(),
      };
    } catch (err) {
      await this.#closeListeners();
      throw err;
    }
  }

  #streamServer(server: Server, transport: 'tcp' | 'tls', listener: string): Server {
    server.maxConnections = this.#o.maxConnections;
    server.on('drop', () => this.#counts.connectionsRefused++);
    server.on('error', (err) =>
      this.#o.logger?.error('syslog listener error', { transport, error: err.message }),
    );
    if (transport === 'tls') {
      server.on('secureConnection', (socket: TLSSocket) =>
        this.#accept(socket, 'tls', listener, tlsPeerOf(socket)),
      );
      server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
        this.#counts.tlsHandshakeFailures++;
        this.#o.logger?.warn('syslog TLS handshake failed; connection refused', {
          remoteAddress: plainAddress(socket.remoteAddress),
          error: err.message,
        });
      });
    } else {
      server.on('connection', (socket: Socket) => this.#accept(socket, 'tcp', listener, undefined));
    }
    return server;
  }

  #accept(socket: Socket, transport: 'tcp' | 'tls', listener: string, tlsPeer: TlsPeer | undefined): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const conn: Connection = {
      socket,
      decoder: new OctetFrameDecoder({
        maxMessageBytes: this.#o.maxMessageBytes,
        maxFrameBytes: this.#o.maxFrameBytes,
      }),
      transport,
      listener,
      remoteAddress: plainAddress(socket.remoteAddress),
      remotePort: socket.remotePort ?? 0,
      tlsPeer,
      ended: false,
    };
    this.#connections.set(socket, conn);
    this.#counts.connectionsTotal++;
    socket.setKeepAlive(true, 60_000);
    if (this.#paused) socket.pause();
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('end', () => this.#finish(conn));
    socket.on('error', (err) => {
      this.#o.logger?.warn('syslog connection error', {
        transport,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        error: err.message,
      });
    });
    socket.on('close', () => this.#forget(conn));
  }

  /** The connection is gone: records what arrived of an unfinished message, and keeps its counts. */
  #forget(conn: Connection): void {
    this.#finish(conn);
    if (this.#connections.delete(conn.socket)) this.#counts.framingErrors += conn.decoder.framingErrors;
  }

  #onData(conn: Connection, chunk: Buffer): void {
    this.#counts.receivedBytes += chunk.length;
    const before = conn.decoder.emptyFrames;
    const frames = conn.decoder.push(chunk, this.#frames);
    this.#counts.emptyFrames += conn.decoder.emptyFrames - before;
    this.#takeFrames(conn, frames);
  }

  /** The connection ended (or is being closed): what arrived of an unfinished message is recorded. */
  #finish(conn: Connection): void {
    if (conn.ended) return;
    conn.ended = true;
    const before = conn.decoder.emptyFrames;
    const frames = conn.decoder.end(this.#frames);
    this.#counts.emptyFrames += conn.decoder.emptyFrames - before;
    this.#takeFrames(conn, frames);
  }

  #takeFrames(conn: Connection, frames: Frame[]): void {
    const receivedAt = Date.now();
    for (const frame of frames) {
      const record: RawRecord = {
        text: frame.text,
        receivedAt,
        transport: conn.transport,
        listener: conn.listener,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
      };
      if (conn.tlsPeer) record.tlsPeer = conn.tlsPeer;
      this.#addRecord(record, frame);
    }
    frames.length = 0;
  }

  #wireUdp(socket: UdpSocket): void {
    if (this.#o.udpReceiveBufferBytes > 0) {
      try {
        socket.setRecvBufferSize(this.#o.udpReceiveBufferBytes);
      } catch {
        // The kernel's cap applies; the default buffer still works.
      }
    }
    socket.on('error', (err) => this.#o.logger?.error('syslog UDP socket error', { error: err.message }));
    socket.on('message', (datagram, remote) => {
      this.#counts.receivedBytes += datagram.length;
      if (this.#batcher.overLimit || this.#closing) {
        this.#counts.droppedUdp++;
        return;
      }
      const frame = datagramFrame(datagram, this.#o.maxMessageBytes);
      if (!frame) {
        this.#counts.emptyFrames++;
        return;
      }
      const record: RawRecord = {
        text: frame.text,
        receivedAt: Date.now(),
        transport: 'udp',
        listener: this.#o.name,
        remoteAddress: plainAddress(remote.address),
        remotePort: remote.port,
      };
      this.#addRecord(record, frame);
    });
  }

  #addRecord(record: RawRecord, frame: Frame): void {
    if (frame.truncated) {
      record.truncated = true;
      record.originalBytes = frame.originalBytes!;
      this.#counts.truncated++;
    }
    record.framing = frame.framing;
    if (frame.flags) record.flags = frame.flags;
    this.#counts.received++;
    this.#counts.receivedByTransport[record.transport]++;
    this.#batcher.add(record);
  }

  #setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (paused) this.#counts.pauses++;
    for (const { socket, ended } of this.#connections.values()) {
      if (ended) continue;
      if (paused) socket.pause();
      else if (!this.#closing) socket.resume();
    }
  }

  #stats(): ReceiverStats {
    const c = this.#counts;
    let framingErrors = c.framingErrors;
    for (const conn of this.#connections.values()) framingErrors += conn.decoder.framingErrors;
    return {
      ...c,
      receivedByTransport: { ...c.receivedByTransport },
      framingErrors,
      ...this.#batcher.stats(),
      connections: this.#connections.size,
      paused: this.#paused,
    };
  }

  #close(): Promise<void> {
    this.#closing ??= (async () => {
      const listenersClosed = this.#closeListeners();
      for (const conn of [...this.#connections.values()]) {
        // Take what the socket already holds, then record any unfinished message and hang up.
        conn.socket.pause();
        while (!conn.ended && conn.socket.read() !== null) {
          // read() hands each buffered chunk to the 'data' listener.
        }
        this.#forget(conn);
        conn.socket.destroy();
      }
      await listenersClosed;
      await this.#batcher.close(this.#o.closeTimeoutMs);
    })();
    return this.#closing;
  }

  async #closeListeners(): Promise<void> {
    await Promise.all([
      this.#tcp ? closeServer(this.#tcp) : undefined,
      this.#tls ? closeServer(this.#tls) : undefined,
      this.#udp ? closeUdp(this.#udp) : undefined,
    ]);
  }
}
