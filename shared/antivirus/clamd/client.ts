/**
 * A clamd client: PING, VERSION and INSTREAM, each on its own connection (clamd closes it after one
 * command outside a session). Data is sent in chunks of at most `chunkSize` bytes whatever size the
 * input's pieces are, and stops as soon as clamd answers early (a stream over StreamMaxLength).
 */
import type { Socket } from 'node:net';
import type { ClamdAddress, ConnectionOptions, Sender } from './connection.ts';
import { converse, describeAddress } from './connection.ts';
import { ClamdInputError } from './errors.ts';
import type { ClamdVersion, ScanReply } from './protocol.ts';
import {
  chunkHeader,
  END_OF_STREAM,
  encodeCommand,
  parsePong,
  parseScanReplies,
  parseVersion,
} from './protocol.ts';

export interface ClamdClientOptions {
  /** `{ path }` for clamd's LocalSocket, `{ host, port }` for its TCPSocket. */
  readonly address: ClamdAddress;
  /** Time allowed to connect. Default 5,000 ms. */
  readonly connectTimeoutMs?: number;
  /** Time allowed without traffic, the scan of one stream included. Default 120,000 ms (clamd's MaxScanTime). */
  readonly timeoutMs?: number;
  /** Largest INSTREAM chunk sent. Default 1 MiB. */
  readonly chunkSize?: number;
}

export const CLAMD_DEFAULTS = {
  connectTimeoutMs: 5_000,
  timeoutMs: 120_000,
  chunkSize: 1024 * 1024,
} as const;

/** Replies are a line or two; anything longer is not clamd. */
const MAX_REPLY_BYTES = 64 * 1024;

export class ClamdClient {
  readonly address: ClamdAddress;
  private readonly connection: ConnectionOptions;
  private readonly chunkSize: number;
  /** Sockets of conversations in progress, destroyed by `abort`. */
  private readonly active = new Set<Socket>();

  constructor(options: ClamdClientOptions) {
    this.address = options.address;
    const connectTimeoutMs = options.connectTimeoutMs ?? CLAMD_DEFAULTS.connectTimeoutMs;
    const timeoutMs = options.timeoutMs ?? CLAMD_DEFAULTS.timeoutMs;
    this.chunkSize = options.chunkSize ?? CLAMD_DEFAULTS.chunkSize;
    for (const [key, value] of Object.entries({ connectTimeoutMs, timeoutMs, chunkSize: this.chunkSize })) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`clamd client option ${key} must be a whole number ≥ 1, got ${String(value)}`);
      }
    }
    this.connection = {
      address: options.address,
      connectTimeoutMs,
      timeoutMs,
      maxReplyBytes: MAX_REPLY_BYTES,
    };
  }

  /** Where clamd is, as `unix:/path` or `tcp:host:port`. */
  get where(): string {
    return describeAddress(this.address);
  }

  /** Resolves when clamd answers PONG; throws a ClamdError otherwise. */
  async ping(): Promise<void> {
    parsePong(await this.single('PING'));
  }

  async version(): Promise<ClamdVersion> {
    return parseVersion(await this.single('VERSION'));
  }

  /**
   * Streams `input` to clamd and returns its verdict. Throws ClamdInputError when reading `input`
   * fails (the stream is abandoned), other ClamdErrors when clamd cannot be reached or answers oddly.
   */
  async instream(input: AsyncIterable<Uint8Array>): Promise<ScanReply> {
    const replies = await converse(
      this.connection,
      (sender) => this.stream(sender, input),
      false,
      this.active,
    );
    return parseScanReplies(replies);
  }

  /** Ends every conversation in progress (they fail with a connection error). */
  abort(): void {
    for (const socket of this.active) socket.destroy();
  }

  private async single(command: 'PING' | 'VERSION'): Promise<string> {
    const [reply] = await converse(
      this.connection,
      async (sender) => {
        await sender.write(encodeCommand(command));
      },
      true,
      this.active,
    );
    return reply!;
  }

  private async stream(sender: Sender, input: AsyncIterable<Uint8Array>): Promise<void> {
    if (!(await sender.write(encodeCommand('INSTREAM')))) return;
    const iterator = input[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (err) {
          throw new ClamdInputError(`reading the data to scan failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        if (next.done) break;
        const piece = next.value;
        for (let at = 0; at < piece.length; at += this.chunkSize) {
          const chunk = piece.subarray(at, at + this.chunkSize);
          if (!(await sender.write(chunkHeader(chunk.length)))) return;
          if (!(await sender.write(chunk))) return;
        }
        if (!sender.open) return;
      }
      await sender.write(END_OF_STREAM);
    } finally {
      // Stop the source if clamd answered before it was read to the end. A source that fails to stop
      // changes nothing about the verdict, so its error is not raised over the real outcome.
      await Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }
}
