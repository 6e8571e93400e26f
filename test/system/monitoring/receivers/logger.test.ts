/**
 * util-linux `logger` as a real sender: UDP datagrams, TCP with LF framing and with octet counting, RFC
 * 5424 (with structured data) and RFC 3164 lines, all arriving framed right. Only the raw text and the
 * framing are checked here; parsing belongs to the syslog parsers.
 */
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type SyslogReceiverOptions,
  type SyslogReceivers,
  startSyslogReceivers,
} from '../../../../shared/monitoring/receivers/index.ts';
import { collectingSink, waitFor } from '../../../integration/monitoring/receivers/support.ts';
import { requireTools } from '../../../support/system-tools.ts';

beforeAll(() => requireTools('logger'));

let receivers: SyslogReceivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

async function start(options: Partial<SyslogReceiverOptions> = {}) {
  const { state, sink } = collectingSink();
  receivers = await startSyslogReceivers({ port: 0, batchMaxAgeMs: 5, ...options }, sink);
  return { state, r: receivers };
}

function logger(port: number, args: string[], input?: string) {
  execFileSync(
    'logger',
    ['-n', '127.0.0.1', '-P', String(port), ...args],
    input === undefined ? {} : { input },
  );
}

const host = hostname().split('.')[0]!;
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** logger's RFC 5424 header: PRI, version 1, a microsecond timestamp with offset, host, app, no procid or msgid. */
const rfc5424 = (pri: number, app: string) =>
  `<${pri}>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d ${literal(host)} ${app} - - \\[timeQuality tzKnown="1" isSynced="[01]"( syncAccuracy="\\d+")?\\]`;
const rfc3164 = (pri: number, app: string) =>
  `<${pri}>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${literal(host)} ${app}:`;

describe('logger → syslog receivers', () => {
  it('UDP: one datagram per message, RFC 5424 and RFC 3164', async () => {
    const { state, r } = await start();
    logger(r.udpPort, ['--udp', '--rfc5424', '-p', 'local3.warning', '-t', 'app5424', 'hello over udp']);
    logger(r.udpPort, ['--udp', '--rfc3164', '-p', 'auth.err', '-t', 'app3164', 'hello over udp']);
    await waitFor('2 records', () => state.records.length === 2);
    const byApp = (app: string) => state.records.find((x) => x.text.includes(app))!;
    expect(byApp('app5424').text).toMatch(new RegExp(`^${rfc5424(156, 'app5424')} hello over udp$`));
    expect(byApp('app3164').text).toMatch(new RegExp(`^${rfc3164(35, 'app3164')} hello over udp$`));
    expect(state.records.every((x) => x.framing === 'datagram' && x.transport === 'udp')).toBe(true);
  });

  it('TCP without --octet-count: LF-framed lines', async () => {
    const { state, r } = await start();
    logger(r.tcpPort, ['--tcp', '--rfc5424', '-t', 'lf5424', 'hello over tcp']);
    logger(r.tcpPort, ['--tcp', '--rfc3164', '-t', 'lf3164', 'hello over tcp']);
    await waitFor('2 records', () => state.records.length === 2);
    const texts = state.records.map((x) => x.text).sort();
    expect(texts[0]).toMatch(new RegExp(`^${rfc5424(13, 'lf5424')} hello over tcp$`));
    expect(texts[1]).toMatch(new RegExp(`^${rfc3164(13, 'lf3164')} hello over tcp$`));
    expect(state.records.every((x) => x.framing === 'lf' && !x.flags)).toBe(true);
  });

  it('TCP with --octet-count: structured data with escapes, UTF-8, and many messages on one connection', async () => {
    const { state, r } = await start();
    const sdArgs = ['--sd-id', 'test@32473', '--sd-param', 'seq="7"', '--sd-param', 'quote="a\\"b\\]c"'];
    logger(r.tcpPort, ['--tcp', '--octet-count', '--rfc5424', '-t', 'sd', ...sdArgs, 'κόσμε with sd']);
    await waitFor('the record', () => state.records.length === 1);
    expect(state.records[0]!.text).toMatch(
      new RegExp(
        `^${rfc5424(13, 'sd').slice(0, -2)}\\]\\[test@32473 seq="7" quote="a\\\\"b\\\\\\]c"\\] κόσμε with sd$`,
      ),
    );
    expect(state.records[0]!.framing).toBe('octet-counting');

    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(i % 300)}`);
    logger(r.tcpPort, ['--tcp', '--octet-count', '--rfc5424', '-t', 'bulk'], `${lines.join('\n')}\n`);
    await waitFor('2001 records', () => state.records.length === 2001);
    const bulk = state.records.slice(1);
    expect(new Set(bulk.map((x) => x.remotePort)).size).toBe(1);
    bulk.forEach((x, i) => {
      expect(x.text.endsWith(`] ${lines[i]}`)).toBe(true);
      expect(x.framing).toBe('octet-counting');
    });
  });

  it('oversized messages are truncated and flagged in both framings', async () => {
    const { state, r } = await start({ maxMessageBytes: 1024 });
    const long = 'z'.repeat(3000);
    logger(r.tcpPort, ['--tcp', '--octet-count', '--rfc3164', '--size', '4096', '-t', 'big', long]);
    logger(r.tcpPort, ['--tcp', '--rfc3164', '--size', '4096', '-t', 'big', long]);
    logger(r.tcpPort, ['--tcp', '--rfc3164', '-t', 'small', 'after']);
    await waitFor('3 records', () => state.records.length === 3);
    const big = state.records.filter((x) => x.truncated);
    expect(big.map((x) => x.framing).sort()).toEqual(['lf', 'octet-counting']);
    for (const x of big) {
      expect(Buffer.byteLength(x.text)).toBe(1024);
      expect(x.text).toMatch(new RegExp(`^${rfc3164(13, 'big')} z+$`));
      expect(x.originalBytes).toBe(x.text.indexOf(' z') + 1 + 3000); // the header, then the 3000 z's
    }
    expect(r.stats().truncated).toBe(2);
  });
});
