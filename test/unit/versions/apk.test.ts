import { describe, expect, it } from 'vitest';
import { apk, InvalidVersionError } from '../../../shared/versions/index.ts';
import { readApkCases } from './corpus.ts';

const cases = readApkCases();
const SIGN = { '<': -1, '=': 0, '>': 1 } as const;

describe("apk versions: cases from apk-tools' test data and source", () => {
  it('has the cases', () => {
    expect(cases.comparisons.length).toBeGreaterThan(180);
    expect(cases.valid.length).toBeGreaterThan(60);
  });

  it.each(cases.comparisons.map((c) => [c.line, c.a, c.op, c.b] as const))(
    'line %i: %s %s %s',
    (_, a, op, b) => {
      if (op === '!') {
        expect(apk.isValid(a) && apk.isValid(b)).toBe(false);
        expect(apk.compareOrUndefined(a, b)).toBeUndefined();
        expect(() => apk.compare(a, b)).toThrow(InvalidVersionError);
        return;
      }
      expect(apk.isValid(a)).toBe(true);
      expect(apk.isValid(b)).toBe(true);
      expect(apk.compare(a, b)).toBe(SIGN[op]);
      expect(apk.compare(b, a)).toBe(-SIGN[op] || 0);
    },
  );

  it.each(cases.valid.map((c) => [c.line, c.version, c.valid] as const))(
    'line %i: %j valid: %s',
    (_, v, valid) => {
      expect(apk.isValid(v)).toBe(valid);
      if (valid) expect(() => apk.parse(v)).not.toThrow();
      else expect(() => apk.parse(v)).toThrow(InvalidVersionError);
    },
  );

  it('is a total order over the valid versions of the cases', () => {
    const versions = [
      ...new Set([
        ...cases.comparisons.filter((c) => c.op !== '!').flatMap((c) => [c.a, c.b]),
        ...cases.valid.filter((c) => c.valid).map((c) => c.version),
      ]),
    ];
    // Sorted by compare, every earlier version must compare <= every later one (and antisymmetrically).
    const sorted = [...versions].sort(apk.compare);
    const violations: string[] = [];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i; j < sorted.length; j++) {
        const ab = apk.compare(sorted[i]!, sorted[j]!);
        if (ab > 0 || apk.compare(sorted[j]!, sorted[i]!) !== (-ab || 0)) {
          violations.push(`${sorted[i]} ${sorted[j]}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('parses the parts', () => {
    expect(apk.parse('1.2.3b_rc1_p2~abc123-r4')).toEqual({
      numbers: ['1', '2', '3'],
      letter: 'b',
      suffixes: [
        { suffix: 'rc', number: '1' },
        { suffix: 'p', number: '2' },
      ],
      commitHash: 'abc123',
      revision: '4',
    });
    expect(apk.parse('010')).toEqual({
      numbers: ['010'],
      letter: undefined,
      suffixes: [],
      commitHash: undefined,
      revision: undefined,
    });
  });
});
