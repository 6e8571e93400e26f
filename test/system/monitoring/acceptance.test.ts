/**
 * Monitoring acceptance with real clients, no hand-made frames: util-linux `logger` over UDP and TCP
 * (octet counting and LF), RFC 5424 with structured data and RFC 3164; rsyslogd forwarding to the
 * listeners; and a TLS client (`openssl s_client`) with a client certificate, attributed to its guest
 * by that certificate alone. Every record is read back through the portal API.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess } from '../../support/runtime-process.ts';
import { requireTools } from '../../support/system-tools.ts';

requireTools('logger', 'rsyslogd', 'openssl');

interface ApiEvent {
  id: string;
  time: string;
  timeText: string | null;
  host: string | null;
  app: string | null;
  procId: string | null;
  msgId: string | null;
  severity: string;
  facility: string | null;
  message: string;
  transport: string;
  structuredData: Record<string, Record<string, string | string[]>> | null;
  attributedBy: string | null;
  guestId: string | null;
  flags: string[];
}

let rt: RuntimeProcess;
let home: string;
let guestId: string;
let tlsGuestId: string;
let certs: string;
const children: ChildProcess[] = [];

function sh(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function eventsMatching(id: string, q: string, count: number, timeoutMs = 30_000): Promise<ApiEvent[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await api<{ items: ApiEvent[] }>(
      rt.url,
      'GET',
      `/v1/guests/${id}/events?q=${encodeURIComponent(q)}`,
    );
    if (res.status === 200 && res.body.items.length >= count) return res.body.items;
    if (Date.now() > end)
      throw new Error(`only ${res.body.items?.length ?? 0} of ${count} events for "${q}"`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
function makeCertificates(dir: string) {
  const o = (...args: string[]) => sh('openssl', args);
  o(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Outboard test CA',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.pem'),
  );
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'win-web2', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    o(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.csr`),
    );
    o(
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      join(dir, `${name}.ext`),
      '-out',
      join(dir, `${name}.pem`),
    );
  }
  const fingerprint = /=([0-9A-F:]+)/.exec(
    o('x509', '-in', join(dir, 'client.pem'), '-noout', '-fingerprint', '-sha256'),
  )![1]!;
  return { fingerprint };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ob-mon-sys-'));
  certs = mkdtempSync(join(tmpdir(), 'ob-mon-certs-'));
  const { fingerprint } = makeCertificates(certs);
  rt = await startRuntimeProcess({
    OUTBOARD_HOME: home,
    OUTBOARD_SYSLOG_TLS_PORT: '0',
    OUTBOARD_SYSLOG_TLS_CERT: join(certs, 'server.pem'),
    OUTBOARD_SYSLOG_TLS_KEY: join(certs, 'server.key'),
    OUTBOARD_SYSLOG_TLS_CA: join(certs, 'ca.pem'),
  });
  expect(rt.syslogPort).toBeGreaterThan(0);
  expect(rt.syslogTlsPort).toBeGreaterThan(0);
  const web1 = await api<{ id: string }>(rt.url, 'POST', '/v1/guests', {
    connector: 'local',
    disks: ['/nonexistent/web1.img'],
    name: 'web1',
    hostnames: ['web1'],
    addresses: ['127.0.0.1'],
  });
  guestId = web1.body.id;
  expect((await api(rt.url, 'PUT', `/v1/guests/${guestId}/services/monitoring`, {})).status).toBe(201);
  // Known by its certificate only: no address, and a hostname nothing sends.
  const web2 = await api<{ id: string }>(rt.url, 'POST', '/v1/guests', {
    connector: 'local',
    disks: ['/nonexistent/web2.img'],
    name: 'win-web2',
    hostnames: ['win-web2'],
  });
  tlsGuestId = web2.body.id;
  const enabled = await api(rt.url, 'PUT', `/v1/guests/${tlsGuestId}/services/monitoring`, {
    certificateFingerprints: [fingerprint],
  });
  expect(enabled.status).toBe(201);
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rt?.stop();
});

describe('util-linux logger', () => {
  const send = (...args: string[]) => sh('logger', ['-n', '127.0.0.1', '-P', String(rt.syslogPort), ...args]);

  it('RFC 5424 over TCP with octet counting and structured data: every field arrives', async () => {
    send(
      '--tcp',
      '--octet-count',
      '--rfc5424',
      '-t',
      'billing',
      '-p',
      'local3.err',
      '--msgid',
      'INV42',
      '--sd-id',
      'order@32473',
      '--sd-param',
      'id="A-17"',
      '--sd-param',
      'note="quote \\" and \\] bracket"',
      'invoice run failed',
    );
    const [e] = await eventsMatching(guestId, 'app:billing', 1);
    expect(e).toMatchObject({
      app: 'billing',
      msgId: 'INV42',
      severity: 'error',
      facility: 'local3',
      message: 'invoice run failed',
      transport: 'tcp',
      attributedBy: 'source-address',
    });
    expect(e!.structuredData!['order@32473']).toEqual({ id: 'A-17', note: 'quote " and ] bracket' });
    expect(e!.structuredData!.timeQuality).toBeDefined();
    expect(e!.timeText).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$/);
    expect(e!.host).toBeTruthy();
  });

  it('RFC 5424 over UDP and RFC 3164 over TCP (LF framing) and UDP', async () => {
    send('--udp', '--rfc5424', '-t', 'udp5424', '-p', 'daemon.warning', 'over udp 5424');
    send('--tcp', '--rfc3164', '-t', 'tcp3164', '-p', 'auth.notice', 'over tcp 3164');
    send('--udp', '--rfc3164', '-t', 'udp3164', '-p', 'cron.info', '--id=4242', 'over udp 3164');
    const [a] = await eventsMatching(guestId, 'app:udp5424', 1);
    expect(a).toMatchObject({
      message: 'over udp 5424',
      severity: 'warning',
      facility: 'daemon',
      transport: 'udp',
    });
    const [b] = await eventsMatching(guestId, 'app:tcp3164', 1);
    expect(b).toMatchObject({
      message: 'over tcp 3164',
      severity: 'notice',
      facility: 'auth',
      transport: 'tcp',
    });
    expect(b!.flags).toContain('tz_assumed');
    const [c] = await eventsMatching(guestId, 'app:udp3164', 1);
    expect(c).toMatchObject({
      message: 'over udp 3164',
      severity: 'informational',
      facility: 'cron',
      procId: '4242',
    });
  });
});

describe('rsyslogd forwarding', () => {
  it('relays RFC 5424 over TCP and BSD lines over UDP into the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-rsyslog-'));
    const input = await freePort();
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}")`,
        'module(load="imtcp")',
        `input(type="imtcp" port="${input}" address="127.0.0.1" ruleset="fwd")`,
        'ruleset(name="fwd") {',
        `  action(type="omfwd" target="127.0.0.1" port="${rt.syslogPort}" protocol="tcp" tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        `  action(type="omfwd" target="127.0.0.1" port="${rt.syslogPort}" protocol="udp" template="RSYSLOG_ForwardFormat")`,
        '}',
        '',
      ].join('\n'),
    );
    const rsyslog = spawn(
      'rsyslogd',
      ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(rsyslog);
    let err = '';
    rsyslog.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    // Wait for rsyslog's input to listen, then send through it.
    const end = Date.now() + 15_000;
    for (;;) {
      const r = spawnSync(
        'logger',
        [
          '-n',
          '127.0.0.1',
          '-P',
          String(input),
          '--tcp',
          '--rfc3164',
          '-t',
          'relayed',
          '-p',
          'user.warning',
          'through rsyslog',
        ],
        { encoding: 'utf8' },
      );
      if (r.status === 0) break;
      if (Date.now() > end) throw new Error(`rsyslogd did not listen: ${err}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    const got = await eventsMatching(guestId, 'app:relayed', 2).catch(async (error) => {
      const seen = await api<{ items: ApiEvent[] }>(rt.url, 'GET', `/v1/guests/${guestId}/events?q=relayed`);
      throw new Error(`${(error as Error).message}: ${JSON.stringify(seen.body.items)}\nrsyslogd: ${err}`);
    });
    const byTransport = Object.fromEntries(got.map((e) => [e.transport, e]));
    // rsyslog keeps the space that separates a BSD tag from its content in %msg% (its pmrfc3164
    // remove.msgFirstSpace is off by default), so its RFC 5424 forward carries MSG " through rsyslog":
    // the archive keeps what was sent.
    expect(byTransport.tcp).toMatchObject({
      app: 'relayed',
      message: ' through rsyslog',
      severity: 'warning',
      facility: 'user',
    });
    expect(byTransport.udp).toMatchObject({
      app: 'relayed',
      message: 'through rsyslog',
      severity: 'warning',
      facility: 'user',
    });
    rsyslog.kill('SIGTERM');
  }, 60_000);
});

describe('syslog over TLS with a client certificate', () => {
  it('attributes the sender to the guest its certificate names', async () => {
    const frame = '<86>1 2026-11-26T10:00:00.000Z win-web2 sshd 77 - - Accepted publickey for deploy';
    const r = spawnSync(
      'openssl',
      [
        's_client',
        '-quiet',
        '-no_ign_eof',
        '-connect',
        `127.0.0.1:${rt.syslogTlsPort}`,
        '-cert',
        join(certs, 'client.pem'),
        '-key',
        join(certs, 'client.key'),
        '-CAfile',
        join(certs, 'ca.pem'),
        '-verify_return_error',
      ],
      { input: `${Buffer.byteLength(frame)} ${frame}`, encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const [e] = await eventsMatching(tlsGuestId, 'app:sshd', 1);
    expect(e).toMatchObject({
      guestId: tlsGuestId,
      attributedBy: 'tls-certificate',
      transport: 'tls',
      message: 'Accepted publickey for deploy',
      facility: 'authpriv',
      severity: 'informational',
    });
  });

  it('refuses a client without a certificate signed by the configured CA', () => {
    const frame = '<13>1 - - nocert - - - should not arrive';
    const r = spawnSync(
      'openssl',
      ['s_client', '-quiet', '-no_ign_eof', '-connect', `127.0.0.1:${rt.syslogTlsPort}`],
      {
        input: `${Buffer.byteLength(frame)} ${frame}`,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(`${r.stdout}${r.stderr}`).toMatch(/alert|error|certificate/i);
    expect(readFileSync(join(certs, 'ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
