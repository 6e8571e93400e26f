/**
 * No loss across a crash: 200,000 numbered syslog records over TCP from four concurrent senders, the
 * runtime killed with SIGKILL part way and started again on the same home and port. Plain syslog over
 * TCP has no acknowledgements, so a sender that loses its connection reconnects and sends everything
 * again from its first record (at-least-once receipt); the archive must then hold every record exactly
 * once (idempotent archiving: event claims per record, archive objects named after their queue message).
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess } from '../../support/runtime-process.ts';
import { ArchiveCounter, sendLoad } from '../../support/syslog-load.ts';

const SENDERS = 4;
const PER_SENDER = 50_000;
const TOTAL = SENDERS * PER_SENDER;

let rt: RuntimeProcess | undefined;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

afterAll(async () => {
  await rt?.stop();
});

describe('syslog receipt survives kill -9', () => {
  it('archives each of 200,000 records exactly once across a crash and restart', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-noloss-'));
    const port = await freePort();
    const env = { OUTBOARD_HOME: home, OUTBOARD_SYSLOG_PORT: String(port) };
    rt = await startRuntimeProcess(env);
    const guest = await api<{ id: string }>(rt.url, 'POST', '/v1/guests', {
      connector: 'local',
      disks: ['/nonexistent/load.img'],
      name: 'loadgen',
      hostnames: ['loadgen'],
      addresses: ['127.0.0.1'],
    });
    expect((await api(rt.url, 'PUT', `/v1/guests/${guest.body.id}/services/monitoring`, {})).status).toBe(
      201,
    );

    const counter = new ArchiveCounter(home);
    let written = 0;
    // Paced senders (about 10 s of load), so the kill lands while they are still writing.
    const load = sendLoad({
      port,
      senders: SENDERS,
      perSender: PER_SENDER,
      reconnectForMs: 120_000,
      ratePerSender: 5000,
      onProgress: (n) => {
        written = n;
      },
    });
    // Kill once some records are archived and while senders still write (some archived, some queued,
    // some in the receivers' buffers, some in the kernel's).
    while ((await counter.scan()) === 0 || written < TOTAL * 0.4) await new Promise((r) => setTimeout(r, 50));
    const killedAt = counter.counts.size;
    const writtenAtKill = written;
    await rt.kill9();
    rt = await startRuntimeProcess(env, 30_000);
    const sent = await load;
    expect(sent.reconnects).toBeGreaterThanOrEqual(1);

    const deadline = Date.now() + 600_000;
    while ((await counter.scan()) < TOTAL && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    // Let anything still queued (duplicates included) finish before counting copies.
    await new Promise((r) => setTimeout(r, 3000));
    await counter.scan();

    expect(killedAt).toBeGreaterThan(0);
    expect(writtenAtKill).toBeLessThan(TOTAL);
    const missing: string[] = [];
    for (let s = 0; s < SENDERS; s++)
      for (let n = 0; n < PER_SENDER; n++) if (!counter.counts.has(`${s}/${n}`)) missing.push(`${s}/${n}`);
    expect(missing.slice(0, 10), `${missing.length} records missing`).toEqual([]);
    const repeated = [...counter.counts].filter(([, c]) => c > 1);
    expect(repeated.slice(0, 10), `${repeated.length} records archived more than once`).toEqual([]);
    expect(counter.lines).toBe(TOTAL);
  }, 900_000);
});
