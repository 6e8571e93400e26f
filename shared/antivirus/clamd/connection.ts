/**
 * One clamd conversation on its own connection (TCP or Unix socket): connect within a time limit, send
 * the command and its data with back-pressure, collect the NUL-terminated replies until clamd closes
 * the connection. clamd may answer and hang up while data is still being sent (a stream over its size
 * limit): a reply that arrived counts even if the writes after it failed.
 */
import type { Socket } from 'node:net';
import { createConnection } from 'node:net';
import { ClamdConnectionError, ClamdProtocolError, ClamdTimeoutError } from './errors.ts';
import { printable, splitReplies } from './protocol.ts';

export type ClamdAddress = { readonly path: string } | { readonly host: string; readonly port: number };

export interface ConnectionOptions {
  readonly address: ClamdAddress;
  /** Time allowed to connect. */
  readonly connectTimeoutMs: number;
  /** Time allowed without any traffic once connected (it covers clamd's scan: keep it generous). */
  readonly timeoutMs: number;
  /** Replies longer than this are refused as not clamd's. */
  readonly maxReplyBytes: number;
}

export function describeAddress(address: ClamdAddress): string {
  return 'path' in address ? `unix:${address.path}` : `tcp:${address.host}:${address.port}`;
}

/** What a sender sees of the connection: writes wait for the socket to drain; `open` turns false on hang-up. */
export interface Sender {
  /** Resolves once the bytes are handed to the socket below its high-water mark; false if it is closed. */
  write(bytes: Uint8Array): Promise<boolean>;
  /** Whether writing still makes sense (connected, and clamd has not replied yet). */
  readonly open: boolean;
}

/**
 * Connects, runs `send`, and returns clamd's replies. With `once`, the first complete reply ends the
 * conversation (PING, VERSION); otherwise replies are collected until clamd closes (INSTREAM).
 * Errors thrown by `send` abort the conversation and are rethrown as they are.
 */
export async function converse(
  options: ConnectionOptions,
  send: (sender: Sender) => Promise<void>,
  once: boolean,
  track?: Set<Socket>,
): Promise<string[]> {
  const where = describeAddress(options.address);
  const socket = await connect(options, where);
  track?.add(socket);
  try {
    return await exchange(socket, options, where, send, once);
  } finally {
    track?.delete(socket);
    socket.destroy();
  }
}

function connect(options: ConnectionOptions, where: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(options.address);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ClamdTimeoutError(`clamd at ${where}: no connection within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new ClamdConnectionError(`clamd at ${where}: cannot connect (${err.code ?? err.message})`, {
          cause: err,
        }),
      );
    });
  });
}

function exchange(
  socket: Socket,
  options: ConnectionOptions,
  where: string,
  send: (sender: Sender) => Promise<void>,
  once: boolean,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const received: Uint8Array[] = [];
    let receivedBytes = 0;
    let replied = false;
    let closed = false;
    let failure: Error | undefined;
    let settled = false;
    const drains = new Set<() => void>();

    const finish = (error?: Error) => {
      if (settled) return;
      const all = Buffer.concat(received);
      const { messages, rest } = splitReplies(all);
      if (messages.length > 0 && (once || closed || error instanceof ClamdTimeoutError)) {
        if (rest.length > 0 && !once) {
          settled = true;
          const tail = new TextDecoder().decode(rest);
          reject(
            new ClamdProtocolError(
              `clamd at ${where}: reply ${printable(tail)} has no terminating NUL`,
              tail,
            ),
          );
          return;
        }
        settled = true;
        resolve(once ? messages.slice(0, 1) : messages);
        return;
      }
      if (!error && !closed) return;
      settled = true;
      if (error) reject(error);
      else if (rest.length > 0) {
        const tail = new TextDecoder().decode(rest);
        reject(
          new ClamdProtocolError(`clamd at ${where}: reply ${printable(tail)} has no terminating NUL`, tail),
        );
      } else
        reject(failure ?? new ClamdConnectionError(`clamd at ${where}: connection closed without a reply`));
    };
    const wake = () => {
      for (const resume of drains) resume();
      drains.clear();
    };

    socket.setTimeout(options.timeoutMs, () => {
      finish(
        new ClamdTimeoutError(`clamd at ${where}: no reply within ${options.timeoutMs} ms of inactivity`),
      );
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes > options.maxReplyBytes) {
        const head = new TextDecoder().decode(Buffer.concat([...received, chunk]).subarray(0, 200));
        finish(
          new ClamdProtocolError(`clamd at ${where}: reply longer than ${options.maxReplyBytes} bytes`, head),
        );
        socket.destroy();
        return;
      }
      received.push(chunk);
      if (chunk.includes(0)) {
        replied = true;
        wake();
        if (once) finish();
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A write error after clamd replied is clamd hanging up on purpose; keep the reply.
      failure ??= new ClamdConnectionError(
        `clamd at ${where}: connection failed (${err.code ?? err.message})`,
        {
          cause: err,
        },
      );
    });
    socket.on('close', () => {
      closed = true;
      wake();
      finish();
    });

    const sender: Sender = {
      get open() {
        return !closed && !replied && !socket.destroyed;
      },
      write(bytes) {
        if (!sender.open) return Promise.resolve(false);
        if (socket.write(bytes)) return Promise.resolve(true);
        return new Promise<boolean>((resume) => {
          const onDrain = () => {
            socket.off('drain', onDrain);
            drains.delete(done);
            resume(sender.open);
          };
          const done = () => {
            socket.off('drain', onDrain);
            resume(false);
          };
          drains.add(done);
          socket.on('drain', onDrain);
        });
      },
    };
    // The write side is left open after sending: clamd takes a half-closed connection as a client gone.
    send(sender).then(
      () => {},
      (err: unknown) => {
        finish(err instanceof Error ? err : new Error(String(err)));
        socket.destroy();
      },
    );
  });
}
