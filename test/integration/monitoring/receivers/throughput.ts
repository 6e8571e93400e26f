/**
 * Measures the TCP path of the syslog receivers: sender processes (so they do not share this event
 * loop) write numbered ~200-byte messages as fast as TCP lets them; the receivers decode and batch them
 * into a sink that resolves at once (optionally JSON-encoding each batch, as a queue sink would).
 *
 * Run directly for numbers: `node test/integration/monitoring/receivers/throughput.ts [messages] [connections]`.
 * The integration suite runs it small to check that every message arrives, never how fast.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSyslogReceivers } from '../../../../shared/monitoring/receivers/index.ts';

export interface ThroughputOptions {
  messages: number;
  connections: number;
  framing: 'lf' | 'octet-counting';
  /** JSON.stringify every batch in the sink (the cost a queue sink pays). */
  encodeBatches: boolean;
}

export interface ThroughputResult extends ThroughputOptions {
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  bytes: number;
  batches: number;
  /** Sequence numbers seen once each, per connection, in order. */
  inOrder: boolean;
}

/** The sender: builds its messages, connects, says so on stdout, writes them all, hangs up. */
const SENDER = `
import { connect } from 'node:net';
const [port, first, count, framing] = process.argv.slice(1);
const pad = 'x'.repeat(140);
const parts = [];
for (let i = Number(first); i < Number(first) + Number(count); i++) {
  const msg = '<13>1 2025-01-01T00:00:00.000Z host-' + first + ' app - - - seq=' + i + ' ' + pad;
  parts.push(framing === 'lf' ? msg + '\\n' : Buffer.byteLength(msg) + ' ' + msg);
}
const payload = Buffer.from(parts.join(''));
const socket = connect({ port: Number(port), host: '127.0.0.1' }, () => {
  process.stdout.write('connected ' + payload.length + '\\n');
  let at = 0;
  const pump = () => {
    while (at < payload.length) {
      const end = Math.min(at + (1 << 20), payload.length);
      const ok = socket.write(payload.subarray(at, end));
      at = end;
      if (!ok) return socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
});
`;

function startSender(port: number, first: number, count: number, framing: string) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', SENDER, String(port), String(first), String(count), framing],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const connected = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line.split(' ')[1])));
    child.once('exit', (code) =>
      reject(new Error(`throughput sender exited with ${code} before connecting`)),
    );
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { connected, closed };
}

export async function measureTcpThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const perConnection = Math.ceil(options.messages / options.connections);
  let received = 0;
  let batches = 0;
  let inOrder = true;
  const lastSeq = new Map<number, number>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receivers = await startSyslogReceivers({ port: 0 }, async (records) => {
    if (options.encodeBatches) JSON.stringify(records);
    batches++;
    for (const r of records) {
      // Check order cheaply: the number after "seq=" only ever grows on one connection.
      const at = r.text.indexOf('seq=') + 4;
      const seq = Number.parseInt(r.text.slice(at, r.text.indexOf(' ', at)), 10);
      if (seq <= (lastSeq.get(r.remotePort) ?? -1)) inOrder = false;
      lastSeq.set(r.remotePort, seq);
    }
    received += records.length;
    if (received >= perConnection * options.connections) done();
  });
  try {
    const senders = Array.from({ length: options.connections }, (_, k) =>
      startSender(receivers.tcpPort, k * perConnection, perConnection, options.framing),
    );
    const sizes = await Promise.all(senders.map((s) => s.connected));
    const started = performance.now();
    await all;
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(senders.map((s) => s.closed));
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const messages = perConnection * options.connections;
    return {
      ...options,
      messages,
      seconds,
      messagesPerSecond: Math.round(messages / seconds),
      megabytesPerSecond: Math.round((bytes / seconds / 1e6) * 10) / 10,
      bytes,
      batches,
      inOrder: inOrder && received === messages,
    };
  } finally {
    await receivers.close();
  }
}

if (import.meta.main) {
  const messages = Number(process.argv[2] ?? 500_000);
  const connections = Number(process.argv[3] ?? 4);
  for (const framing of ['octet-counting', 'lf'] as const) {
    for (const encodeBatches of [false, true]) {
      const result = await measureTcpThroughput({ messages, connections, framing, encodeBatches });
      console.log(JSON.stringify(result));
    }
  }
}
