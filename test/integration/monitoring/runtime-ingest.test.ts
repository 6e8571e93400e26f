/**
 * Monitoring through the real local runtime (a child process, as `npm start` runs it): syslog over
 * real UDP and TCP sockets and `POST /v1/ingest`, into the archive and back out of the portal API.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess } from '../../support/runtime-process.ts';

let rt: RuntimeProcess;
let guestId: string;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Events = { items: { message: string; transport: string; app: string | null; flags: string[] }[] };
const events = async (path: string, count: number) =>
  until(`${count} events at ${path}`, async () => {
    const res = await api<Events>(rt.url, 'GET', path);
    return res.body.items.length >= count ? res.body.items : undefined;
  });

beforeAll(async () => {
  rt = await startRuntimeProcess({ OUTBOARD_HOME: mkdtempSync(join(tmpdir(), 'ob-mon-rt-')) });
  expect(rt.syslogPort).toBeGreaterThan(0);
  const guest = await api<{ id: string }>(rt.url, 'POST', '/v1/guests', {
    connector: 'local',
    disks: ['/nonexistent/web1.img'],
    name: 'web1',
    hostnames: ['web1'],
    addresses: ['127.0.0.1'],
  });
  guestId = guest.body.id;
  expect((await api(rt.url, 'PUT', `/v1/guests/${guestId}/services/monitoring`, {})).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await rt?.stop();
});

describe('syslog into the runtime', () => {
  it('takes TCP with octet counting and UDP datagrams, and serves them back attributed', async () => {
    const tcp = connect(rt.syslogPort!, '127.0.0.1');
    await new Promise<void>((resolve) => tcp.once('connect', () => resolve()));
    const frames = [
      '<14>1 2026-01-01T00:00:00Z web1 app1 - - - one',
      '<14>1 2026-01-01T00:00:01Z web1 app1 - - - two',
    ];
    tcp.end(frames.map((f) => `${Buffer.byteLength(f)} ${f}`).join(''));
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      udp.send('<13>Jan  1 00:00:02 web1 app2: three', rt.syslogPort!, '127.0.0.1', (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    udp.close();
    const items = await events(`/v1/guests/${guestId}/events`, 3);
    expect(items.map((e) => [e.message, e.transport, e.app]).sort()).toEqual([
      ['one', 'tcp', 'app1'],
      ['three', 'udp', 'app2'],
      ['two', 'tcp', 'app1'],
    ]);
  });
});

describe('POST /v1/ingest', () => {
  it('answers 202 once queued and archives the batch', async () => {
    const res = await fetch(`${rt.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"message":"from http","host":"web1","app":"collector"}\n',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'queued' });
    const items = await events(`/v1/guests/${guestId}/events?q=app:collector`, 1);
    expect(items[0]!.message).toBe('from http');
  });

  it('takes syslog lines and Windows Event XML, attributed by the sender address and by Computer', async () => {
    const lines = await fetch(`${rt.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '<13>Jan  1 00:00:02 somehost app: line one\n<13>Jan  1 00:00:03 somehost app: line two\n',
    });
    expect(lines.status).toBe(202);
    expect(
      (await events(`/v1/guests/${guestId}/events?q=app:app line`, 2)).map((e) => e.message).sort(),
    ).toEqual(['line one', 'line two']);
    const xml = await fetch(`${rt.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager"/><EventID Qualifiers="16384">7036</EventID><Level>4</Level><TimeCreated SystemTime="2026-01-01T00:00:00.0000000Z"/><EventRecordID>5</EventRecordID><Channel>System</Channel><Computer>web1</Computer></System><EventData><Data Name="param1">Print Spooler</Data><Data Name="param2">running</Data></EventData></Event>',
    });
    expect(xml.status).toBe(202);
    const win = await events(`/v1/guests/${guestId}/events?q=eventId:7036`, 1);
    expect(win[0]!.message).toContain('Print Spooler');
  });

  it('refuses an unknown content type, an empty body and an oversized one with problem+json', async () => {
    const post = (body: string, type: string) =>
      fetch(`${rt.url}/v1/ingest`, { method: 'POST', headers: { 'content-type': type }, body });
    const wrongType = await post('x', 'image/png');
    expect(wrongType.status).toBe(400);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');
    expect((await wrongType.json()) as { issues: unknown[] }).toMatchObject({
      status: 400,
      issues: [{ path: ['headers'] }],
    });
    expect((await post('   ', 'text/plain')).status).toBe(400);
    const big = await post('x'.repeat(300 * 1024), 'text/plain');
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ status: 413, issues: [{ path: ['body'] }] });
  });

  it('validates the events query', async () => {
    const res = await api<{ status: number; issues: { path: string[] }[] }>(
      rt.url,
      'GET',
      `/v1/guests/${guestId}/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(res.status).toBe(400);
    expect(res.body.issues[0]!.path).toEqual(['query', 'from']);
    expect((await api(rt.url, 'GET', '/v1/guests/gst_0000000000000000000000none/events')).status).toBe(404);
    expect((await api(rt.url, 'GET', '/v1/events/unattributed')).status).toBe(200);
  });
});
