/**
 * A fake clamd on a real socket (Unix or TCP) for the client's tests: it parses what the client sends
 * as clamd does (z-prefixed command, INSTREAM chunks) and records it, answers with scripted replies,
 * and can misbehave on demand (hang, hang up, send garbage, refuse a stream mid-way).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClamdAddress } from '../../../../shared/antivirus/clamd/index.ts';

export interface Conversation {
  command: string;
  /** Lengths of the INSTREAM chunks received, the final 0 included once it arrives. */
  chunks: number[];
  /** The streamed bytes, joined. */
  data: Uint8Array;
  /** Anything the fake found wrong in what the client sent. */
  violations: string[];
}

export interface FakeOptions {
  transport: 'unix' | 'tcp';
  /** The reply to VERSION. */
  version?: string;
  /** The replies to a finished INSTREAM, each sent NUL-terminated; default `stream: OK`. */
  scan?: (data: Uint8Array) => string[];
  /** Like clamd's StreamMaxLength: past it, reply `INSTREAM size limit exceeded. ERROR` and hang up. */
  streamMaxLength?: number;
  /** Instead of answering: send these bytes and hang up, hang up at once, or never answer. */
  misbehave?: { kind: 'raw'; bytes: Uint8Array } | { kind: 'hang-up' } | { kind: 'silent' };
}

export interface FakeClamd {
  address: ClamdAddress;
  conversations: Conversation[];
  stop(): Promise<void>;
}

export async function startFakeClamd(options: FakeOptions): Promise<FakeClamd> {
  const conversations: Conversation[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const conversation: Conversation = { command: '', chunks: [], data: new Uint8Array(0), violations: [] };
    conversations.push(conversation);
    serve(socket, conversation, options);
  });
  let dir: string | undefined;
  let address: ClamdAddress;
  if (options.transport === 'unix') {
    dir = mkdtempSync(join(tmpdir(), 'ob-fake-clamd-'));
    const path = join(dir, 'clamd.sock');
    await listen(server, path);
    address = { path };
  } else {
    await listen(server, 0, '127.0.0.1');
    address = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  }
  return {
    address,
    conversations,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server, where: string | number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (typeof where === 'string') server.listen(where, () => resolve());
    else server.listen(where, host, () => resolve());
  });
}

function serve(socket: Socket, c: Conversation, options: FakeOptions): void {
  let buffer = Buffer.alloc(0);
  let state: 'command' | 'header' | 'chunk' | 'done' = 'command';
  let need = 0;
  const parts: Buffer[] = [];
  let streamed = 0;
  const reply = (...messages: string[]) => {
    state = 'done';
    socket.end(Buffer.concat(messages.map((m) => Buffer.from(`${m}\0`))));
  };
  const answer = (respond: () => void) => {
    const bad = options.misbehave;
    if (bad === undefined) return respond();
    state = 'done';
    if (bad.kind === 'raw') socket.end(bad.bytes);
    else if (bad.kind === 'hang-up') socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (state === 'done') return;
      if (state === 'command') {
        const nul = buffer.indexOf(0);
        if (nul < 0) return;
        const raw = buffer.subarray(0, nul).toString('latin1');
        buffer = buffer.subarray(nul + 1);
        if (!raw.startsWith('z')) c.violations.push(`command ${JSON.stringify(raw)} lacks the z prefix`);
        c.command = raw.slice(1);
        if (c.command === 'PING') return answer(() => reply('PONG'));
        if (c.command === 'VERSION')
          return answer(() => reply(options.version ?? 'ClamAV 1.4.6/27345/Mon Jul 29 08:34:12 2024'));
        if (c.command !== 'INSTREAM') return reply('UNKNOWN COMMAND');
        state = 'header';
        continue;
      }
      if (state === 'header') {
        if (buffer.length < 4) return;
        need = buffer.readUInt32BE(0);
        buffer = buffer.subarray(4);
        c.chunks.push(need);
        if (need === 0) {
          c.data = Buffer.concat(parts);
          return answer(() => reply(...(options.scan?.(c.data) ?? ['stream: OK'])));
        }
        if (options.streamMaxLength !== undefined && streamed + need > options.streamMaxLength) {
          // clamd answers at once and hangs up, whatever the client is still sending.
          c.data = Buffer.concat(parts);
          return reply('INSTREAM size limit exceeded. ERROR');
        }
        state = 'chunk';
        continue;
      }
      if (buffer.length < need) return;
      parts.push(Buffer.from(buffer.subarray(0, need)));
      streamed += need;
      buffer = buffer.subarray(need);
      state = 'header';
    }
  });
}

/** An async iterable over `pieces`, counting how many were taken. */
export function source(pieces: Uint8Array[]): { input: AsyncIterable<Uint8Array>; taken: () => number } {
  let taken = 0;
  return {
    input: (async function* () {
      for (const piece of pieces) {
        taken++;
        yield piece;
      }
    })(),
    taken: () => taken,
  };
}

export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
