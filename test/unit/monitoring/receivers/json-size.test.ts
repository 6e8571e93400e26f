import { describe, expect, it } from 'vitest';
import { jsonStringBytes, rawRecordJsonBytes } from '../../../../shared/monitoring/receivers/json-size.ts';
import type { RawRecord } from '../../../../shared/monitoring/receivers/types.ts';
import { prng } from './helpers.ts';

const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('jsonStringBytes', () => {
  it('equals the byte length of JSON.stringify for every kind of character', () => {
    const samples = [
      '',
      'plain ascii',
      'quote " and backslash \\',
      '\b\t\n\f\r \x00\x01\x1f\x7f',
      'é € 😀 κ\u1f79σμε',
      'lone \ud800 high, lone \udc00 low, reversed \udc00\ud800, pair at end \ud83d\ude00',
      '\ud83d',
      '\u2028\u2029\ufeff\uffff',
    ];
    for (const s of samples) expect(jsonStringBytes(s), JSON.stringify(s)).toBe(exact(s));
  });

  it('agrees with JSON.stringify on random strings', () => {
    const random = prng(7);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = Math.floor(random() * 20); j > 0; j--)
        s += String.fromCharCode(Math.floor(random() * 0x10000));
      expect(jsonStringBytes(s)).toBe(exact(s));
    }
  });

  it('agrees with JSON.stringify on printable ASCII full of quotes and backslashes', () => {
    const random = prng(11);
    const alphabet = ' !"#[\\]~az09=';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = Math.floor(random() * 40); j > 0; j--)
        s += alphabet[Math.floor(random() * alphabet.length)];
      expect(jsonStringBytes(s), s).toBe(exact(s));
    }
  });
});

describe('rawRecordJsonBytes', () => {
  const base: RawRecord = {
    text: '<13>hello',
    receivedAt: 1_760_000_000_123,
    transport: 'tcp',
    listener: 'syslog',
    remoteAddress: '127.0.0.1',
    remotePort: 51514,
  };

  it('equals the byte length of JSON.stringify with and without the optional fields', () => {
    const records: RawRecord[] = [
      base,
      { ...base, framing: 'lf' },
      {
        ...base,
        text: 'tab\there "q" é😀\x00',
        framing: 'octet-counting',
        truncated: true,
        originalBytes: 70_000,
      },
      { ...base, flags: [] },
      { ...base, flags: ['framing_error', 'incomplete_frame'] },
      {
        ...base,
        transport: 'tls',
        remoteAddress: '::1',
        tlsPeer: { subject: 'O=Acmé "x", CN=web-1', fingerprint256: 'AB:CD', authorized: false },
      },
      { ...base, tlsPeer: { subject: 'CN=a', fingerprint256: 'AB', authorized: true }, framing: 'datagram' },
      { ...base, remotePort: 0, receivedAt: 0 },
    ];
    for (const r of records) expect(rawRecordJsonBytes(r)).toBe(exact(r));
  });
});
