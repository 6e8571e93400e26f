import { describe, expect, it } from 'vitest';
import { datagramFrame } from '../../../../shared/monitoring/receivers/datagram.ts';
import { stripTrailers, utf8CutBefore } from '../../../../shared/monitoring/receivers/utf8.ts';
import { utf8 } from './helpers.ts';

describe('utf8CutBefore', () => {
  it('leaves out an incomplete character at the end and keeps whole ones', () => {
    const bytes = utf8('aé€😀'); // 1 + 2 + 3 + 4 bytes
    const cuts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((end) => utf8CutBefore(bytes, 0, end));
    expect(cuts).toEqual([0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10]);
  });

  it('respects the start and leaves invalid sequences alone', () => {
    const bytes = utf8('xxé');
    expect(utf8CutBefore(bytes, 2, 3)).toBe(2);
    expect(utf8CutBefore(Uint8Array.of(0x61, 0x80, 0x80), 0, 3)).toBe(3); // stray continuation bytes
    expect(utf8CutBefore(Uint8Array.of(0x61, 0xff), 0, 2)).toBe(2);
    expect(utf8CutBefore(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80, 0x80), 0, 5)).toBe(5);
  });

  it('stripTrailers removes a trailing run of LF, CR and NUL only', () => {
    const bytes = utf8('a\r\nb\r\x00\n');
    expect(stripTrailers(bytes, 0, bytes.length)).toBe(4);
    expect(stripTrailers(bytes, 0, 3)).toBe(1);
    expect(stripTrailers(utf8('\n\n'), 0, 2)).toBe(0);
  });
});

describe('datagramFrame (RFC 5426: one message per datagram)', () => {
  it('takes the whole datagram, LF inside included, without its trailing LF/CR/NUL', () => {
    expect(datagramFrame(utf8('<13>one\ntwo\r\n\x00'), 1024)).toEqual({
      text: '<13>one\ntwo',
      framing: 'datagram',
    });
  });

  it('truncates to the limit on a character boundary and flags the length', () => {
    expect(datagramFrame(utf8('<13>héllo wörld'), 6)).toEqual({
      text: '<13>h',
      framing: 'datagram',
      truncated: true,
      originalBytes: 17,
    });
  });

  it('is nothing for an empty or trailer-only datagram', () => {
    expect(datagramFrame(new Uint8Array(0), 1024)).toBeUndefined();
    expect(datagramFrame(utf8('\r\n\x00'), 1024)).toBeUndefined();
  });

  it('removes and flags an octet-count prefix that matches the datagram exactly (case 39)', () => {
    expect(datagramFrame(utf8('5 aaaaa'), 1024)).toEqual({
      text: 'aaaaa',
      framing: 'datagram',
      flags: ['unexpected_framing'],
    });
    expect(datagramFrame(utf8('5 aaaaa\n'), 1024)!.text).toBe('aaaaa');
    expect(datagramFrame(utf8('6 aaaaa\n'), 1024)!.text).toBe('aaaaa');
  });

  it('keeps leading digits that are not a matching count', () => {
    for (const text of ['99999999999 a', '5 aaaa', '5 aaaaaa', '05 aaaaa', '5aaaaa', '2024-05-01 x']) {
      expect(datagramFrame(utf8(text), 1024)).toEqual({ text, framing: 'datagram' });
    }
  });
});
