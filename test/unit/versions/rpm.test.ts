import { describe, expect, it } from 'vitest';
import { InvalidVersionError, rpm } from '../../../shared/versions/index.ts';
import { readTsvCorpus } from './corpus.ts';

const answer = (a: string, b: string) => {
  const r = rpm.compareOrUndefined(a, b);
  return r === undefined ? 'invalid' : String(r);
};

describe("rpm versions: the corpus recorded from rpm's rpm.vercmp", () => {
  const corpus = readTsvCorpus('rpm.tsv.gz');

  it('has the pairs the fixture script recorded', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20000);
    expect(new Set(corpus.map((c) => c.answer))).toEqual(new Set(['-1', '0', '1', 'invalid']));
  });

  it('agrees on every line', () => {
    const wrong = corpus.filter((c) => answer(c.a, c.b) !== c.answer);
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});

describe('rpmvercmp rules', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p2', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['6.0.rc1', '6.0', 1],
    // separators are ignored, whatever they are (non-ASCII included)
    ['1.0', '1_0', 0],
    ['1.0', '1..0', 0],
    ['1+0', '1.0', 0],
    ['1é0', '1.0', 0],
    ['1.0.', '1.0', 0],
    // ~ before everything, even the end
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~rc1~git', '1.0~rc1', -1],
    // ^ after the end, before anything else
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.01', -1],
    ['1.0^git1', '1.0.1', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1~pre', '1.0^git1', -1],
    ['1.0^~', '1.0^', -1],
    // numbers beat letters; leading zeros dropped; longer numbers win, without limit
    ['1.1', '1.a', 1],
    ['1a', '1.1', -1],
    ['1.01', '1.1', 0],
    ['1.001', '1.1', 0],
    ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ['99999999999999999999999999', '100000000000000000000000000', -1],
    ['a', 'B', 1],
    ['A', 'a', -1],
    // EVR: epoch (missing = 0), version, release; a missing release is older than any
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0],
    [':1.0', '1.0', 0],
    ['00:1.0', '0:1.0', 0],
    ['99999999999999999999:1', '99999999999999999998:9', 1],
    ['1.0', '1.0-1', -1],
    ['1.0', '1.0-', -1],
    ['1.0-', '1.0-0', -1],
    ['1.0-1', '1.0-1.el9', -1],
    ['5.14.0-362.8.1.el9_3', '5.14.0-362.13.1.el9_3', -1],
    ['1:3.0.7-24.el9', '3.0.7-25.el9', 1],
    ['2.0~rc1-1.fc40', '2.0-1.fc40', -1],
    ['1.0^20230101git1234abc-1.fc39', '1.0-1.fc39', 1],
    // anything before the first ':' that is not all digits is part of the version
    ['a:1.0', 'a:1.0', 0],
    ['-1:1.0', '1.0', -1],
    ['1-2-3', '1-2-4', -1],
  ];
  it.each(cases)('%j vs %j → %d', (a, b, r) => {
    expect(rpm.compare(a, b)).toBe(r);
    expect(rpm.compare(b, a)).toBe(-r || 0);
  });

  it('parses like rpmverParse', () => {
    expect(rpm.parse('1:2.0-3')).toEqual({ epoch: '1', version: '2.0', release: '3' });
    expect(rpm.parse('2.0')).toEqual({ epoch: undefined, version: '2.0', release: undefined });
    expect(rpm.parse(':1')).toEqual({ epoch: '', version: '1', release: undefined });
    expect(rpm.parse('1:')).toEqual({ epoch: '1', version: '', release: undefined });
    expect(rpm.parse('-1:2')).toEqual({ epoch: undefined, version: '', release: '1:2' });
    expect(rpm.parse('1-2-3')).toEqual({ epoch: undefined, version: '1-2', release: '3' });
    expect(rpm.parse('1:2:3')).toEqual({ epoch: '1', version: '2:3', release: undefined });
    expect(rpm.compareParsed(rpm.parse('1:1.0'), rpm.parse('1.0-1'))).toBe(1);
    expect(rpm.compareParsed(rpm.parse('1.0'), rpm.parse('1.0-1'))).toBe(-1);
  });

  it('lets a missing release match in dependency semantics only', () => {
    expect(rpm.compareIgnoringMissingRelease('1.0', '1.0-5')).toBe(0);
    expect(rpm.compareIgnoringMissingRelease('1.0-4', '1.0-5')).toBe(-1);
    expect(rpm.compare('1.0', '1.0-5')).toBe(-1);
  });

  it('rejects only the empty string (and NUL)', () => {
    for (const v of ['', '1\0']) {
      expect(rpm.isValid(v)).toBe(false);
      expect(() => rpm.compare(v, '1')).toThrow(InvalidVersionError);
      expect(() => rpm.parse(v)).toThrow(InvalidVersionError);
    }
    for (const v of ['-', ':', '~', '^', ' ', '😀', 'a:b:c', '-1:1']) expect(rpm.isValid(v)).toBe(true);
  });

  it('exposes rpmvercmp on bare strings', () => {
    expect(rpm.vercmpSegments('1:1', '2')).toBe(-1);
    expect(rpm.vercmpSegments('', '')).toBe(0);
    expect(rpm.vercmpSegments('', '~')).toBe(1);
  });
});
