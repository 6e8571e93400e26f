import { describe, expect, it } from 'vitest';
import { dpkg, InvalidVersionError } from '../../../shared/versions/index.ts';
import { readTsvCorpus } from './corpus.ts';

const answer = (a: string, b: string) => {
  const r = dpkg.compareOrUndefined(a, b);
  return r === undefined ? 'invalid' : String(r);
};

describe('dpkg versions: the corpus recorded from dpkg --compare-versions', () => {
  const corpus = readTsvCorpus('dpkg.tsv.gz');

  it('has the pairs the fixture script recorded', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20000);
    expect(new Set(corpus.map((c) => c.answer))).toEqual(new Set(['-1', '0', '1', 'invalid']));
  });

  it('agrees on every line', () => {
    const wrong = corpus.filter((c) => answer(c.a, c.b) !== c.answer);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('is antisymmetric over the corpus', () => {
    for (const { a, b, answer: r } of corpus) {
      if (r === 'invalid') continue;
      expect(dpkg.compare(b, a)).toBe(-Number(r) || 0);
    }
  });
});

describe('dpkg comparison rules', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    // ~ sorts before everything, even the end of the string
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0~a', '1.0~b', -1],
    // end of string before letters, letters before other characters
    ['1.0', '1.0a', -1],
    ['1.0a', '1.0+', -1],
    ['1.0a', '1.0.', -1],
    ['1.0Z', '1.0a', -1],
    ['1.0+', '1.0.', -1],
    ['1.0', '1.0+', -1],
    // digits numerically, leading zeros ignored, no size limit
    ['1.10', '1.9', 1],
    ['1.01', '1.1', 0],
    ['1.0', '1.00', 0],
    ['0001', '1', 0],
    ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ['99999999999999999999999999999999', '100000000000000000000000000000000', -1],
    ['1.000000000000000000000000000009', '1.9', 0],
    // epoch first, numerically
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['007:1.0', '7:1.0', 0],
    ['+1:1.0', '1:1.0', 0],
    ['-0:1.0', '1.0', 0],
    ['2147483647:1', '2147483646:9', 1],
    // revision last; an absent revision is "", which verrevcmp finds equal to "0"
    ['1.0-1', '1.0-2', -1],
    ['1.0-1', '1.0', 1],
    ['1.0-0', '1.0', 0],
    ['1.0-1~', '1.0-1', -1],
    ['1.0-1+b1', '1.0-1', 1],
    ['1.0-1-1', '1.0-1', 1],
    ['2.36.1-8+deb11u1', '2.36.1-8+deb12u1', -1],
    ['1:9.18.19-1~deb12u1', '1:9.18.19-1', -1],
    // blanks around the version are ignored
    [' 1.0 ', '1.0', 0],
    // non-letters compare by byte; non-ASCII is UTF-8 bytes (signed char: after letters, before ASCII)
    ['1_0', '1.0', 1],
    ['1é', '1z', 1],
    ['1é', '1.', -1],
    ['1é', '1ê', -1],
  ];
  it.each(cases)('%j vs %j → %d', (a, b, r) => {
    expect(dpkg.compare(a, b)).toBe(r);
    expect(dpkg.compare(b, a)).toBe(-r || 0);
  });

  it('parses the parts', () => {
    expect(dpkg.parse('1:2.30-1ubuntu1')).toEqual({ epoch: 1, upstream: '2.30', revision: '1ubuntu1' });
    expect(dpkg.parse('2.30')).toEqual({ epoch: 0, upstream: '2.30', revision: '' });
    expect(dpkg.parse('1.0-2-3')).toEqual({ epoch: 0, upstream: '1.0-2', revision: '3' });
    expect(dpkg.parse('1:2:3')).toEqual({ epoch: 1, upstream: '2:3', revision: '' });
    expect(dpkg.parse(' 1.0é-1 ')).toEqual({ epoch: 0, upstream: '1.0é', revision: '1' });
    expect(dpkg.compareParsed(dpkg.parse('1.0é'), dpkg.parse('1.0z'))).toBe(1);
    expect(dpkg.compareParsed(dpkg.parse('1:1'), dpkg.parse('2'))).toBe(1);
  });
});

describe('dpkg syntax: errors are invalid, warnings are compared', () => {
  const errors: [string, string][] = [
    ['', 'version string is empty'],
    ['   ', 'version string is empty'],
    ['1 2', 'version string has embedded spaces'],
    ['1.0 -1', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['a:1.0', 'epoch in version is empty'],
    ['+:1.0', 'epoch in version is empty'],
    ['1a:1.0', 'epoch in version is not number'],
    ['0x1:1.0', 'epoch in version is not number'],
    ['1.0-1:2', 'epoch in version is not number'],
    ['-1:1.0', 'epoch in version is negative'],
    ['2147483648:1.0', 'epoch in version is too big'],
    ['99999999999999999999:1.0', 'epoch in version is too big'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['-1', 'version number is empty'],
    ['1:-1', 'version number is empty'],
    ['1\0', 'version string contains NUL'],
  ];
  it.each(errors)('%j is an error (%s)', (v, reason) => {
    expect(dpkg.check(v)).toEqual({ level: 'error', reason });
    expect(dpkg.isValid(v)).toBe(false);
    expect(() => dpkg.parse(v)).toThrow(InvalidVersionError);
    expect(() => dpkg.compare(v, '1')).toThrow(InvalidVersionError);
    expect(() => dpkg.compare('1', v)).toThrow(InvalidVersionError);
  });

  const warnings: [string, string][] = [
    ['a1', 'version number does not start with digit'],
    ['1:a', 'version number does not start with digit'],
    ['~1', 'version number does not start with digit'],
    ['<unknown>', 'version number does not start with digit'],
    ['1_2', 'invalid character in version number'],
    ['1.0é', 'invalid character in version number'],
    ['1.0-a_b', 'invalid character in revision number'],
    ['1.0-1=2', 'invalid character in revision number'],
  ];
  it.each(warnings)('%j is only a warning (%s)', (v, reason) => {
    expect(dpkg.check(v)).toEqual({ level: 'warning', reason });
    expect(dpkg.isValid(v)).toBe(true);
    expect(() => dpkg.compare(v, '1')).not.toThrow();
  });

  it.each([
    '1.0',
    '1:1.0-1',
    '0:0',
    '2147483647:1',
    '+1:1',
    '-0:1',
    '\n1:2',
    ' 1.0\t',
    '1.0+dfsg~1-1~bpo',
    '1:2:3',
  ])('%j is fine', (v) => {
    expect(dpkg.check(v)).toEqual({ level: 'ok' });
  });

  it('reports the scheme and the string', () => {
    try {
      dpkg.compare('1.0', '1.0-');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidVersionError);
      expect((error as InvalidVersionError).scheme).toBe('dpkg');
      expect((error as InvalidVersionError).version).toBe('1.0-');
    }
  });
});
