/**
 * Syslog load for the no-loss test and the end-to-end benchmark: concurrent TCP senders writing
 * octet-counted RFC 5424 records, each numbered `[seq@32473 s="<sender>" n="<index>"]`, and a counter
 * of what reached the archive (read straight from the archive folder of OUTBOARD_HOME).
 *
 * A sender that loses its connection (the runtime killed) reconnects and sends its records again from
 * `resendFrom(sentSoFar)`: plain syslog over TCP has no acknowledgements, so what was in flight is
 * unknown and a sender can only repeat. Receipt is at least once; the archive must hold each record once.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FsObjectStore } from '../../shared/adapters/local/object-store.ts';

export interface LoadOptions {
  port: number;
  senders: number;
  perSender: number;
  /** Number of the first sender (default 0): loads with distinct ranges never share a record. */
  firstSender?: number;
  /** Where a reconnecting sender starts again (default: from the beginning). */
  resendFrom?: (sent: number) => number;
  /** Give up reconnecting after this long (ms). */
  reconnectForMs?: number;
  /** Records per second per sender (default: as fast as the socket takes them). */
  ratePerSender?: number;
  /** Called as records are written (the total across senders, repeats included). */
  onProgress?: (written: number) => void;
}

export interface LoadResult {
  /** Records written to sockets, counting repeats. */
  written: number;
  reconnects: number;
}

export function loadRecord(sender: number, n: number): string {
  return `<14>1 - loadgen load - - [seq@32473 s="${sender}" n="${n}"] message ${n} of sender ${sender} with some padding to look like a real log line`;
}

function frame(text: string): string {
  return `${Buffer.byteLength(text)} ${text}`;
}

async function open(port: number, untilMs: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > untilMs) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Writes `count` records from `from` on one socket, respecting back-pressure; rejects if the socket dies. */
function writeRun(
  socket: Socket,
  sender: number,
  from: number,
  count: number,
  onWritten: (n: number) => void,
  rate: number | undefined,
) {
  return new Promise<void>((resolve, reject) => {
    let n = from;
    let failed = false;
    socket.once('error', (e) => {
      failed = true;
      reject(e);
    });
    socket.once('close', () => {
      if (!failed && n < count) reject(new Error('connection closed'));
    });
    const started = Date.now();
    const pump = () => {
      while (n < count && !failed) {
        if (rate !== undefined) {
          const due = started + ((n - from) / rate) * 1000;
          if (due > Date.now()) {
            setTimeout(pump, due - Date.now());
            return;
          }
        }
        let chunk = '';
        const end = Math.min(count, n + 200);
        for (; n < end; n++) chunk += frame(loadRecord(sender, n));
        onWritten(n);
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (n >= count && !failed) socket.end(() => resolve());
    };
    pump();
  });
}

export async function sendLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { written: 0, reconnects: 0 };
  const reconnectForMs = options.reconnectForMs ?? 60_000;
  await Promise.all(
    Array.from({ length: options.senders }, async (_, i) => {
      const sender = (options.firstSender ?? 0) + i;
      let from = 0;
      let sent = 0;
      for (;;) {
        const socket = await open(options.port, Date.now() + reconnectForMs);
        try {
          await writeRun(
            socket,
            sender,
            from,
            options.perSender,
            (n) => {
              result.written += n - sent;
              sent = n;
              options.onProgress?.(result.written);
            },
            options.ratePerSender,
          );
          return;
        } catch {
          socket.destroy();
          result.reconnects++;
          from = options.resendFrom ? options.resendFrom(sent) : 0;
          sent = from;
        }
      }
    }),
  );
  return result;
}

/** Counts archived load records by (sender, n), reading each archive object once. */
export class ArchiveCounter {
  readonly #store: FsObjectStore;
  readonly #read = new Set<string>();
  readonly counts = new Map<string, number>();
  lines = 0;

  constructor(home: string) {
    this.#store = new FsObjectStore(join(home, 'archive'));
  }

  /** Reads the objects written since the last call; returns the number of distinct records seen. */
  async scan(): Promise<number> {
    let cursor: string | undefined;
    do {
      const page = await this.#store.list(
        'retention=',
        cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor },
      );
      for (const { key } of page.items) {
        if (this.#read.has(key)) continue;
        const object = await this.#store.get(key);
        if (!object) continue;
        this.#read.add(key);
        for (const line of gunzipSync(object.body).toString('utf8').split('\n')) {
          if (line === '') continue;
          this.lines++;
          const m = /s=\\"(\d+)\\" n=\\"(\d+)\\"/.exec(line);
          if (!m) continue;
          const k = `${m[1]}/${m[2]}`;
          this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return this.counts.size;
  }
}
