import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compareStream } from '../../../shared/versions/compare-stream.ts';
import {
  compareVersions,
  InvalidVersionError,
  isValidVersion,
  isVersionScheme,
  tryCompareVersions,
  VERSION_SCHEMES,
} from '../../../shared/versions/index.ts';

describe('the common interface', () => {
  it('dispatches on the scheme', () => {
    expect(VERSION_SCHEMES).toEqual(['dpkg', 'rpm', 'apk']);
    expect(compareVersions('dpkg', '1.0~rc1', '1.0')).toBe(-1);
    expect(compareVersions('rpm', '1.0^1', '1.0')).toBe(1);
    expect(compareVersions('apk', '1.0_rc1', '1.0')).toBe(-1);
    // the same strings, different answers
    expect(compareVersions('dpkg', '1.0a', '1.0.1')).toBe(-1);
    expect(compareVersions('rpm', '1.0a', '1.0.1')).toBe(-1);
    expect(compareVersions('apk', '1.0a', '1.0.1')).toBe(-1);
    expect(compareVersions('dpkg', '1.0-1', '1.0')).toBe(1);
    expect(compareVersions('dpkg', '1.0-0', '1.0')).toBe(0);
    expect(compareVersions('rpm', '1.0-0', '1.0')).toBe(1);
    expect(compareVersions('apk', '1.0-r0', '1.0')).toBe(1);
    expect(compareVersions('dpkg', '1.0_1', '1.0.1')).toBe(1);
    expect(compareVersions('rpm', '1.0_1', '1.0.1')).toBe(0);
  });

  it('throws InvalidVersionError with the scheme and the string', () => {
    for (const [scheme, bad] of [
      ['dpkg', '1.0-'],
      ['rpm', ''],
      ['apk', '1.0-1'],
    ] as const) {
      expect(isValidVersion(scheme, bad)).toBe(false);
      expect(tryCompareVersions(scheme, bad, '1')).toBeUndefined();
      let caught: unknown;
      try {
        compareVersions(scheme, '1', bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidVersionError);
      expect(caught).toMatchObject({ scheme, version: bad });
    }
  });

  it('knows its schemes', () => {
    expect(isVersionScheme('rpm')).toBe(true);
    expect(isVersionScheme('deb')).toBe(false);
    expect(isVersionScheme(undefined)).toBe(false);
  });
});

async function streamed(scheme: 'dpkg' | 'rpm' | 'apk', chunks: (string | Buffer)[]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => {
    text += d.toString('utf8');
  });
  await compareStream(scheme, Readable.from(chunks), out);
  return text;
}

describe('compareStream (outboard versions compare)', () => {
  it('answers one line per line, invalid for bad versions and for lines without exactly one TAB', async () => {
    const input = '1.0\t2.0\n2.0\t1.0\n1.0\t1.0\n1.0-\t1\nno tab\n\na\tb\tc\n\t1\n1.0~\t1.0';
    expect(await streamed('dpkg', [input])).toBe(
      '-1\n1\n0\ninvalid\ninvalid\ninvalid\ninvalid\ninvalid\n-1\n',
    );
  });

  it('joins lines and UTF-8 characters split across chunks', async () => {
    const bytes = Buffer.from('1é\t1z\n1.0\t1.0~\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await streamed('dpkg', chunks)).toBe('1\n1\n');
  });

  it('keeps a CR as part of the version', async () => {
    expect(await streamed('apk', ['1.0\t1.0\r\n'])).toBe('invalid\n');
    expect(await streamed('rpm', ['1.0\t1.0\r\n'])).toBe('0\n');
  });

  it('streams many lines', async () => {
    const lines = Array.from({ length: 50000 }, (_, i) => `1.${i}\t1.${i + 1}\n`);
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 1000) chunks.push(lines.slice(i, i + 1000).join(''));
    const out = await streamed('rpm', chunks);
    expect(out).toBe('-1\n'.repeat(50000));
  });
});
