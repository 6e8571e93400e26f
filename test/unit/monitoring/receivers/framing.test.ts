import { describe, expect, it } from 'vitest';
import { OctetFrameDecoder } from '../../../../shared/monitoring/receivers/framing.ts';
import type { Frame } from '../../../../shared/monitoring/receivers/types.ts';
import { concatBytes, decodeSplit, decodeWhole, prng, randomCuts, utf8 } from './helpers.ts';

const texts = (frames: Frame[]) => frames.map((f) => f.text);

describe('OctetFrameDecoder: octet counting (RFC 6587 §3.4.1)', () => {
  it('cuts consecutive frames by their octet counts, not characters', () => {
    // κόσμε with U+1F79 (3 bytes): 38 octets, 35 characters.
    const kosme = 'κ\u1f79σμε';
    const stream = `48 <1>1 2003-10-11T22:14:15.003Z host.local - - - -25 <3>1 - host.local - - - -38 <2>1 - host.local su - - - ${kosme}`;
    const frames = decodeWhole(stream);
    expect(texts(frames)).toEqual([
      '<1>1 2003-10-11T22:14:15.003Z host.local - - - -',
      '<3>1 - host.local - - - -',
      `<2>1 - host.local su - - - ${kosme}`,
    ]);
    expect(frames.every((f) => f.framing === 'octet-counting' && !f.truncated && !f.flags)).toBe(true);
    expect(texts(decodeWhole('23 <1>1 - - - - - - hellø'))).toEqual(['<1>1 - - - - - - hellø']);
  });

  it('keeps LF inside a frame (the framing is transparent) and strips only a trailing LF/CR/NUL run', () => {
    expect(texts(decodeWhole('11 line1\nline2'))).toEqual(['line1\nline2']);
    expect(texts(decodeWhole('8 hello\r\n\x007 world\n\r'))).toEqual(['hello', 'world']);
  });

  it('skips LF, CR and NUL between frames', () => {
    expect(texts(decodeWhole('5 hello\n\r\n5 world\x00'))).toEqual(['hello', 'world']);
  });

  it('reads a count followed by more digits as one frame that includes them (case 37)', () => {
    const frames = decodeSplit(utf8('28 abcdefghijklm3 nopqrstuvwxyz'), [16]);
    expect(texts(frames)).toEqual(['abcdefghijklm3 nopqrstuvwxyz']);
  });

  it('counts a frame that is empty once stripped, without emitting it', () => {
    const decoder = new OctetFrameDecoder();
    const frames = decoder.push(utf8('1 \n2 \r\n5 hello'));
    expect(texts(frames)).toEqual(['hello']);
    expect(decoder.emptyFrames).toBe(2);
  });

  it('truncates an oversized frame, flags its length, skips the rest and resumes at the next frame', () => {
    const frames = decodeWhole('26 abcdefghijklmnopqrstuvwxyz5 hello', 16);
    expect(frames).toEqual([
      { text: 'abcdefghijklmnop', framing: 'octet-counting', truncated: true, originalBytes: 26 },
      { text: 'hello', framing: 'octet-counting' },
    ]);
  });

  it('does not count a trailer as excess: a frame of max bytes plus LF is whole', () => {
    expect(decodeWhole('17 abcdefghijklmnop\n', 16)).toEqual([
      { text: 'abcdefghijklmnop', framing: 'octet-counting' },
    ]);
  });

  it('after an oversized frame, text that is not a header is read as LF-framed (case 38)', () => {
    const frames = decodeWhole('26 abcdefghijklmnopqrstuvwxyzand here we are', 16);
    expect(frames).toEqual([
      { text: 'abcdefghijklmnop', framing: 'octet-counting', truncated: true, originalBytes: 26 },
      { text: 'and here we are', framing: 'lf', flags: ['framing_error', 'incomplete_frame'] },
    ]);
  });

  it('cuts a truncated message before a UTF-8 character it would split', () => {
    // "aaaé" is 5 bytes; with a limit of 4 the é (2 bytes) does not fit and is left out whole.
    expect(decodeWhole('8 aaaébcd', 4)).toEqual([
      { text: 'aaa', framing: 'octet-counting', truncated: true, originalBytes: 8 },
    ]);
    // A 4-byte character split after 1, 2 or 3 of its bytes.
    for (const limit of [2, 3, 4]) {
      expect(decodeWhole('6 a😀x', limit)[0]!.text).toBe('a');
    }
    expect(decodeWhole('6 a😀x', 5)[0]!.text).toBe('a😀');
  });

  it('decodes invalid UTF-8 lossily', () => {
    const stream = concatBytes(utf8('3 a'), Uint8Array.of(0xff, 0x62));
    expect(decodeWhole(stream)[0]!.text).toBe('a\ufffdb');
  });
});

describe('OctetFrameDecoder: malformed octet-count headers switch the connection to LF framing', () => {
  it('a non-digit after a frame starts an LF-framed message flagged framing_error (case 36)', () => {
    const frames = decodeWhole('16 <1>1 - - - - - -xaaa\nnext\n');
    expect(frames).toEqual([
      { text: '<1>1 - - - - - -', framing: 'octet-counting' },
      { text: 'xaaa', framing: 'lf', flags: ['framing_error'] },
      { text: 'next', framing: 'lf' },
    ]);
  });

  it('no SP after the count: the digits and what follows are one flagged message', () => {
    expect(decodeWhole('16<1>1 - - - - - -\n')).toEqual([
      { text: '16<1>1 - - - - - -', framing: 'lf', flags: ['framing_error'] },
    ]);
  });

  it('a leading zero is malformed', () => {
    expect(decodeWhole('5 hello05 world\n')).toEqual([
      { text: 'hello', framing: 'octet-counting' },
      { text: '05 world', framing: 'lf', flags: ['framing_error'] },
    ]);
  });

  it('an absurd length is malformed, not a frame to skip', () => {
    const decoder = new OctetFrameDecoder({ maxMessageBytes: 16, maxFrameBytes: 1000 });
    const frames = decoder.push(utf8('99999999999 a\n1001 b\n'));
    expect(frames).toEqual([
      { text: '99999999999 a', framing: 'lf', flags: ['framing_error'] },
      { text: '1001 b', framing: 'lf' },
    ]);
    expect(decoder.framingErrors).toBe(1);
    expect(decoder.framing).toBe('lf');
    // 1000 itself is believed.
    const ok = new OctetFrameDecoder({ maxMessageBytes: 16, maxFrameBytes: 1000 });
    const frame = ok.push(utf8(`1000 ${'x'.repeat(1000)}`))[0]!;
    expect([frame.truncated, frame.originalBytes, ok.framing]).toEqual([true, 1000, 'octet-counting']);
  });

  it('a date-stamped LF stream misdetected as octet counting loses nothing', () => {
    const frames = decodeWhole('2024-05-01 host app: one\n2024-05-01 host app: two\n');
    expect(frames).toEqual([
      { text: '2024-05-01 host app: one', framing: 'lf', flags: ['framing_error'] },
      { text: '2024-05-01 host app: two', framing: 'lf' },
    ]);
  });

  it('a header ended by LF is a flagged message of its digits', () => {
    expect(decodeWhole('12\nabc\n')).toEqual([
      { text: '12', framing: 'lf', flags: ['framing_error'] },
      { text: 'abc', framing: 'lf' },
    ]);
  });
});

describe('OctetFrameDecoder: LF framing (RFC 6587 §3.4.2)', () => {
  it('is chosen when the first byte is not 1-9', () => {
    const decoder = new OctetFrameDecoder();
    expect(decoder.framing).toBeUndefined();
    expect(texts(decoder.push(utf8('<13>one\n<13>two\n')))).toEqual(['<13>one', '<13>two']);
    expect(decoder.framing).toBe('lf');
    expect(texts(decodeWhole('0 zero\n'))).toEqual(['0 zero']);
  });

  it('strips CR and NUL trailers, and skips (counts) empty lines', () => {
    const decoder = new OctetFrameDecoder();
    const frames = decoder.push(utf8('<13>crlf\r\n<13>nul\x00\n\r\n\n<13>both\r\x00\r\n<13>inner\rcr\n'));
    expect(texts(frames)).toEqual(['<13>crlf', '<13>nul', '<13>both', '<13>inner\rcr']);
    expect(decoder.emptyFrames).toBe(2);
  });

  it('truncates a long line, discards the rest up to its LF and flags the full length', () => {
    const frames = decodeWhole('<13>0123456789abcdef\r\nshort\n', 8);
    expect(frames).toEqual([
      { text: '<13>0123', framing: 'lf', truncated: true, originalBytes: 20 },
      { text: 'short', framing: 'lf' },
    ]);
  });

  it('a line of exactly the limit plus CR is not truncated, even when the CR arrives later', () => {
    expect(decodeWhole('abcdefgh\r\n', 8)).toEqual([{ text: 'abcdefgh', framing: 'lf' }]);
    expect(decodeSplit(utf8('<12345678\r\r\nx\n'), [9, 10, 11], 8)).toEqual([
      { text: '<1234567', framing: 'lf', truncated: true, originalBytes: 9 },
      { text: 'x', framing: 'lf' },
    ]);
  });

  it('holds at most the limit of a never-ending line', () => {
    const decoder = new OctetFrameDecoder({ maxMessageBytes: 1024 });
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 64; i++) expect(decoder.push(chunk)).toEqual([]);
    const [frame] = decoder.push(utf8('tail\n'));
    expect(frame).toEqual({
      text: 'a'.repeat(1024),
      framing: 'lf',
      truncated: true,
      originalBytes: 64 * 64 * 1024 + 4,
    });
  });
});

describe('OctetFrameDecoder: the end of the stream', () => {
  it('emits an unfinished octet-counted frame, truncated against its announced length', () => {
    const decoder = new OctetFrameDecoder();
    expect(decoder.push(utf8('10 abc'))).toEqual([]);
    expect(decoder.end()).toEqual([
      {
        text: 'abc',
        framing: 'octet-counting',
        truncated: true,
        originalBytes: 10,
        flags: ['incomplete_frame'],
      },
    ]);
    expect(decodeWhole('10 ')).toEqual([
      {
        text: '',
        framing: 'octet-counting',
        truncated: true,
        originalBytes: 10,
        flags: ['incomplete_frame'],
      },
    ]);
  });

  it('emits a lone header and an unterminated line, flagged', () => {
    expect(decodeWhole('5 hello12')).toEqual([
      { text: 'hello', framing: 'octet-counting' },
      { text: '12', framing: 'octet-counting', flags: ['incomplete_frame'] },
    ]);
    expect(decodeWhole('<13>no newline')).toEqual([
      { text: '<13>no newline', framing: 'lf', flags: ['incomplete_frame'] },
    ]);
    expect(decodeWhole('<13>ends\n\r')).toEqual([{ text: '<13>ends', framing: 'lf' }]);
    expect(decodeWhole('')).toEqual([]);
  });

  it('resets, so the decoder detects the framing again', () => {
    const decoder = new OctetFrameDecoder();
    decoder.push(utf8('<13>a\n'));
    decoder.end();
    expect(decoder.push(utf8('3 abc'))).toEqual([{ text: 'abc', framing: 'octet-counting' }]);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new OctetFrameDecoder({ maxMessageBytes: 0 })).toThrow(
      /maxMessageBytes must be a positive integer/,
    );
    expect(() => new OctetFrameDecoder({ maxFrameBytes: 1.5 })).toThrow(/maxFrameBytes/);
  });
});

/** Streams that exercise every state: both framings, trailers, truncation, multi-byte text, bad headers. */
const counted = (text: string) => concatBytes(utf8(`${utf8(text).length} `), utf8(text));
const STREAMS: [name: string, stream: Uint8Array, max: number][] = [
  [
    'octet counting with UTF-8 and an oversized frame',
    concatBytes(
      counted('<13>κόσμε\n'),
      counted('<14>1 - h app - - - 😀 long message here ok!'),
      counted('abc'),
      utf8('\n\n2 xy'),
    ),
    24,
  ],
  [
    'LF with CRLF, NUL, empty lines, a long line',
    utf8('<13>héllo\r\n\n<13>wörld\x00\n<13>0123456789012345678😀9\nend'),
    16,
  ],
  ['octet counting then a malformed header', utf8('5 hello05 wörld\r\nnext line\n3 abc\n'), 8],
];

describe('OctetFrameDecoder: bytes split anywhere give the same frames', () => {
  for (const [name, stream, max] of STREAMS) {
    it(`${name}: split at every position, and byte by byte`, () => {
      const whole = decodeSplit(stream, [], max);
      expect(whole.length).toBeGreaterThan(2);
      for (let i = 1; i < stream.length; i++) expect(decodeSplit(stream, [i], max)).toEqual(whole);
      for (let i = 1; i < stream.length; i += 3) {
        for (let j = i + 1; j < stream.length; j += 2)
          expect(decodeSplit(stream, [i, j], max)).toEqual(whole);
      }
      const everyByte = Array.from({ length: stream.length - 1 }, (_, k) => k + 1);
      expect(decodeSplit(stream, everyByte, max)).toEqual(whole);
    });
  }

  it('random messages with random splits decode to what was sent (octet counting and LF)', () => {
    const random = prng(0x5eed);
    const alphabet = ['a', 'b', ' ', '<', '1', '9', 'é', 'κ', '€', '😀', '\r', '\x00', '\n'];
    for (let round = 0; round < 300; round++) {
      const max = 4 + Math.floor(random() * 40);
      const octet = random() < 0.5;
      const messages: string[] = [];
      const parts: Uint8Array[] = [];
      for (let m = 0; m < 1 + Math.floor(random() * 6); m++) {
        let text = 'm';
        for (let c = 0; c < Math.floor(random() * 50); c++) {
          const ch = alphabet[Math.floor(random() * alphabet.length)]!;
          if (!octet && ch === '\n') continue; // LF ends an LF-framed message
          text += ch;
        }
        text += 'z'; // no trailer run at the end, so the expected text is the text itself
        messages.push(text);
        const bytes = utf8(text);
        parts.push(octet ? concatBytes(utf8(`${bytes.length} `), bytes) : concatBytes(bytes, utf8('\r\n')));
      }
      const stream = concatBytes(...parts);
      const frames = decodeSplit(
        stream,
        randomCuts(random, stream.length, 1 + Math.floor(random() * 12)),
        max,
      );
      const expected = messages.map((text) => {
        const bytes = utf8(text);
        if (bytes.length <= max) return { text, framing: octet ? 'octet-counting' : 'lf' };
        // Truncated: the longest prefix of whole characters within max bytes.
        let prefix = '';
        for (const ch of text) {
          if (utf8(prefix + ch).length > max) break;
          prefix += ch;
        }
        return {
          text: prefix,
          framing: octet ? 'octet-counting' : 'lf',
          truncated: true,
          originalBytes: bytes.length,
        };
      });
      expect(frames, `round ${round}`).toEqual(expected);
    }
  });
});
