import { describe, expect, it } from 'vitest';
import {
  checkRegexShape,
  compileRuleRegex,
  execLimited,
  REGEX_INPUT_LIMIT,
  testLimited,
} from '../../../../shared/monitoring/rules/regex-guard.ts';

describe('checkRegexShape', () => {
  it.each([
    'Failed (?:password|keyboard-interactive/pam) for ',
    'Failed \\S+ for (?:invalid user )?(?<user>\\S+) from ',
    '^S-1-5-21-\\d+-\\d+-\\d+-(?:512|518|519)$',
    'EXT[234]-fs error|XFS \\([^)]+\\): (?:metadata I/O error|Corruption)',
    '(ab)+',
    '(?:a+)?',
    '(a+){1}',
    '(a+){0,1}',
    '[(+*)]+',
    '\\(a+\\)+',
    'a{2,5}b*',
    'x{',
    '(?=a+)b',
    'pam_[a-z0-9_]+\\((?!sshd:)[^):]+:auth\\)',
  ])('accepts %s', (pattern) => {
    expect(checkRegexShape(pattern)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', 'nested quantifier'],
    ['(a*)*b', 'nested quantifier'],
    ['(\\w+\\s?)*$', 'nested quantifier'],
    ['(a?){25}a{25}', 'nested quantifier'],
    ['((a+))+', 'nested quantifier'],
    ['(?:x(?:a+)y)+', 'nested quantifier'],
    ['(a|ab)*c', 'repeated alternation'],
    ['(?:(?:a|b)c){2,}', 'repeated alternation'],
    ['(a)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'named backreference'],
  ])('refuses %s', (pattern, why) => {
    expect(checkRegexShape(pattern)).toContain(why);
  });
});

describe('compileRuleRegex', () => {
  it('reports syntax errors instead of throwing', () => {
    expect(compileRuleRegex('[a-', false)).toMatch(/^invalid regular expression/);
    expect(compileRuleRegex('(a', false)).toMatch(/^invalid regular expression/);
  });

  it('compiles without stateful flags and honours ignoreCase', () => {
    const re = compileRuleRegex('oops', true);
    expect(re).toBeInstanceOf(RegExp);
    const compiled = re as RegExp;
    expect(compiled.flags).toBe('i');
    expect(testLimited(compiled, 'OOPS')).toBe(true);
    expect(testLimited(compiled, 'OOPS')).toBe(true);
  });
});

describe('input limit', () => {
  it('looks only at the first REGEX_INPUT_LIMIT characters', () => {
    const re = compileRuleRegex('needle', false) as RegExp;
    const far = `${'x'.repeat(REGEX_INPUT_LIMIT)}needle`;
    const near = `${'x'.repeat(REGEX_INPUT_LIMIT - 6)}needle`;
    expect(testLimited(re, far)).toBe(false);
    expect(testLimited(re, near)).toBe(true);
  });
});

describe('execLimited', () => {
  it('takes the named group of the extraction, else the first capture, else the match', () => {
    expect(execLimited(/user=(?<user>\S+)/, 'x user=bob y', 'user')).toBe('bob');
    expect(execLimited(/user=(\S+)/, 'x user=bob y', 'user')).toBe('bob');
    expect(execLimited(/\d+/, 'pid 42', 'pid')).toBe('42');
    expect(execLimited(/nothing/, 'pid 42', 'pid')).toBeNull();
  });
});
