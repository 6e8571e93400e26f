/**
 * End-to-end monitoring throughput: syslog records over TCP from concurrent senders into the local
 * runtime (started as `outboard up` would be), through the ingest queue and function, with the
 * built-in detection rules on, until every record is in the archive. Reports records/s against the
 * issue's target of 50,000/s on a 2-core machine, and the runtime's peak resident memory, sampled
 * from /proc while the load runs (bounded memory: it must not grow with the number of records).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ArchiveCounter, sendLoad } from '../test/support/syslog-load.ts';
import type { BenchResult } from './queue-throughput.ts';

const SENDERS = 4;
const PER_SENDER = Number(process.env.OUTBOARD_BENCH_INGEST_PER_SENDER ?? 50_000);
const TARGET_PER_S = 50_000;
const WARM_UP_PER_SENDER = 2_500;
/** USER_HZ: /proc reports CPU times in these ticks on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** CPU time (user + system, all threads) a process has used so far, from /proc. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based, in clock ticks).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runIngestBench(): Promise<BenchResult> {
  const home = mkdtempSync(join(tmpdir(), 'ob-bench-ingest-'));
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('../bin/outboard.ts', import.meta.url).pathname, 'up'], {
    env: {
      ...process.env,
      OUTBOARD_HOME: home,
      OUTBOARD_HTTP_PORT: '0',
      OUTBOARD_SYSLOG_PORT: String(port),
      OUTBOARD_DEMO: '0',
      OUTBOARD_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${out}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /API: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const post = async (path: string, method: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const guest = await post('/v1/guests', 'POST', {
      connector: 'local',
      disks: ['/nonexistent/load.img'],
      name: 'loadgen',
      hostnames: ['loadgen'],
      addresses: ['127.0.0.1'],
    });
    await post(`/v1/guests/${guest.id}/services/monitoring`, 'PUT', {});

    // Done = the ingest queue is empty twice in a row, 100 ms apart, after the last send (a message
    // leaves the queue only once its records are archived). Polled with one cheap SQL count, so the
    // benchmark takes no CPU from the runtime while it runs; the archive is read once, afterwards.
    const db = new DatabaseSync(join(home, 'outboard.db'), { readOnly: true });
    const pending = db.prepare("SELECT count(*) AS n FROM queue_messages WHERE queue = 'ingest-records'");
    const drained = async (since: number): Promise<number> => {
      let emptySince: number | undefined;
      for (;;) {
        const n = Number((pending.get() as { n: number }).n);
        if (n > 0) emptySince = undefined;
        else if (emptySince === undefined) emptySince = performance.now();
        else if (performance.now() - emptySince >= 100) return emptySince;
        if (performance.now() - since > 600_000) throw new Error('ingest queue not drained after 10 minutes');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // Warm-up, not timed: the first records start the ingest function's workers (module loading,
    // as a Lambda cold start) and fill the caches; what is measured is the steady state after it.
    // Its senders have other numbers, so none of its records repeats one of the measured run's.
    const warmUp = await sendLoad({
      port,
      senders: SENDERS,
      perSender: WARM_UP_PER_SENDER,
      firstSender: 100,
    });
    await drained(performance.now());

    const total = SENDERS * PER_SENDER;
    const counter = new ArchiveCounter(home);
    let peakRss = rssMiB(child.pid!);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMiB(child.pid!));
    }, 100);
    const cpu0 = cpuMs(child.pid!);
    const self0 = process.cpuUsage();
    const start = performance.now();
    const load = await sendLoad({ port, senders: SENDERS, perSender: PER_SENDER });
    const sentMs = performance.now() - start;
    const totalMs = (await drained(start)) - start;
    clearInterval(sampler);
    const runtimeCpuMs = cpuMs(child.pid!) - cpu0;
    const self = process.cpuUsage(self0);
    const benchCpuMs = (self.user + self.system) / 1000;
    db.close();
    const expected = total + SENDERS * WARM_UP_PER_SENDER;
    if ((await counter.scan()) !== expected)
      throw new Error(`the queue drained with ${counter.counts.size} of ${expected} records archived`);
    const duplicates = counter.lines - counter.counts.size;
    const perS = Math.round(total / (totalMs / 1000));
    return {
      name: 'Monitoring end to end: syslog over TCP into the archive (built-in rules on)',
      notes:
        `${SENDERS} concurrent TCP senders × ${PER_SENDER.toLocaleString('en-US')} octet-counted RFC 5424 records ` +
        `(~170 bytes) into \`outboard up\` (a child process), after an untimed warm-up of ${(SENDERS * WARM_UP_PER_SENDER).toLocaleString('en-US')} ` +
        `records (it starts the ingest workers), timed until the ingest queue is drained (a ` +
        `message leaves it only once its records are archived; the archive is then read back and must hold ` +
        `every record once). The built-in rule pack evaluates every record. Peak RSS is the runtime process ` +
        `(its worker threads included), sampled every 100 ms; runtime CPU is its user + system time over the timed ` +
        `part (all threads: the receivers, the ingest workers, V8's garbage collector), senders CPU the benchmark ` +
        `process's. Target: ≥ ${TARGET_PER_S.toLocaleString('en-US')} records/s.`,
      metrics: {
        records: total,
        'sending took (ms)': Math.round(sentMs),
        'all archived after (ms)': Math.round(totalMs),
        'records/s end to end': perS,
        'ratio to target (50,000/s)': Math.round((perS / TARGET_PER_S) * 100) / 100,
        'duplicate records in archive': duplicates,
        reconnects: load.reconnects + warmUp.reconnects,
        'runtime peak RSS (MiB)': Math.round(peakRss),
        'runtime CPU (ms)': Math.round(runtimeCpuMs),
        'runtime CPU per record (µs)': Math.round(((runtimeCpuMs * 1000) / total) * 10) / 10,
        'senders CPU (ms)': Math.round(benchCpuMs),
      },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runIngestBench();
  process.stdout.write(`${r.name}\n${JSON.stringify(r.metrics, null, 2)}\n`);
}
