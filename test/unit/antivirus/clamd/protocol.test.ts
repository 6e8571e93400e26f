/** The clamd protocol's encodings and reply parsers, reply by reply, including the ones refused. */
import { describe, expect, it } from 'vitest';
import {
  ClamdProtocolError,
  parseScanReplies,
  parseScanReply,
  parseVersion,
} from '../../../../shared/antivirus/clamd/index.ts';
import {
  chunkHeader,
  encodeCommand,
  parsePong,
  splitReplies,
} from '../../../../shared/antivirus/clamd/protocol.ts';

describe('encodings', () => {
  it('commands are z-prefixed and NUL-terminated', () => {
    expect(Buffer.from(encodeCommand('INSTREAM')).toString('latin1')).toBe('zINSTREAM\0');
    expect(Buffer.from(encodeCommand('PING')).toString('latin1')).toBe('zPING\0');
  });

  it('chunk lengths are 4 bytes big-endian, and must fit', () => {
    expect([...chunkHeader(0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...chunkHeader(0)]).toEqual([0, 0, 0, 0]);
    expect(() => chunkHeader(2 ** 32)).toThrow(RangeError);
    expect(() => chunkHeader(-1)).toThrow(RangeError);
  });

  it('replies split on NUL; an unterminated tail is kept apart', () => {
    const { messages, rest } = splitReplies(
      new TextEncoder().encode('stream: A FOUND\0stream: B FOUND\0part'),
    );
    expect(messages).toEqual(['stream: A FOUND', 'stream: B FOUND']);
    expect(new TextDecoder().decode(rest)).toBe('part');
  });
});

describe('PING and VERSION', () => {
  it('PONG only', () => {
    expect(() => parsePong('PONG')).not.toThrow();
    expect(() => parsePong('PONG\n')).toThrow(ClamdProtocolError);
    expect(() => parsePong('UNKNOWN COMMAND')).toThrow(/answered PING with "UNKNOWN COMMAND", not PONG/);
  });

  it.each([
    ['ClamAV 1.4.6/27345/Mon Jul 29 08:34:12 2024', '1.4.6', '27345', 'Mon Jul 29 08:34:12 2024'],
    ['ClamAV 1.4.6', '1.4.6', undefined, undefined],
    ['ClamAV 0.103.11/26974/Tue Jul 11 07:28:52 2023', '0.103.11', '26974', 'Tue Jul 11 07:28:52 2023'],
    ['ClamAV 1.5.0-rc/27800/Fri Oct 31 08:00:00 2025', '1.5.0-rc', '27800', 'Fri Oct 31 08:00:00 2025'],
  ])('%s', (reply, engineVersion, signatureVersion, signatureDate) => {
    expect(parseVersion(reply)).toEqual({
      program: 'ClamAV',
      engineVersion,
      signatureVersion,
      signatureDate,
    });
  });

  it.each(['ClamAV', 'ClamAV x.y', 'clamav 1.4.6', 'ClamAV 1.4.6/', 'ClamAV 1.4.6/abc/date', 'PONG', ''])(
    'refuses %j',
    (reply) => {
      expect(() => parseVersion(reply)).toThrow(ClamdProtocolError);
    },
  );
});

describe('INSTREAM replies', () => {
  it.each([
    ['stream: OK', { kind: 'clean' }],
    ['stream: Eicar-Test-Signature FOUND', { kind: 'found', signatures: ['Eicar-Test-Signature'] }],
    [
      'stream: Outboard.Test.EICAR.UNOFFICIAL FOUND',
      { kind: 'found', signatures: ['Outboard.Test.EICAR.UNOFFICIAL'] },
    ],
    [
      'stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND',
      { kind: 'found', signatures: ['Win.Test.EICAR_HDB-1'] },
    ],
    [
      'stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND',
      { kind: 'found', signatures: ['Heuristics.Limits.Exceeded.MaxFileSize'] },
    ],
    [
      'INSTREAM size limit exceeded. ERROR',
      { kind: 'size-limit', message: 'INSTREAM size limit exceeded. ERROR' },
    ],
    ["stream: Can't allocate memory ERROR", { kind: 'error', message: "stream: Can't allocate memory" }],
    ['Error processing command. ERROR', { kind: 'error', message: 'Error processing command.' }],
  ] as const)('%s', (reply, parsed) => {
    expect(parseScanReply(reply)).toEqual(parsed);
  });

  it.each([
    'stream: OK\n',
    'stream:OK',
    'OK',
    'stream: FOUND',
    'stream: two words FOUND',
    'UNKNOWN COMMAND',
    'COMMAND READ TIMED OUT',
    'PONG',
    ' ERROR',
    '',
  ])('refuses %j', (reply) => {
    expect(() => parseScanReply(reply)).toThrow(ClamdProtocolError);
  });

  it('several FOUND replies (AllMatchScan) are one verdict; anything else among them is refused', () => {
    expect(parseScanReplies(['stream: A FOUND', 'stream: B.UNOFFICIAL FOUND'])).toEqual({
      kind: 'found',
      signatures: ['A', 'B.UNOFFICIAL'],
    });
    expect(() => parseScanReplies(['stream: A FOUND', 'stream: OK'])).toThrow(/among 2 INSTREAM replies/);
    expect(() => parseScanReplies([])).toThrow(/no reply/);
  });
});
