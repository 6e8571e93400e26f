import { describe, expect, it } from 'vitest';
import {
  comparePaths,
  guestPathProblem,
  isSameOrBelow,
} from '../../../../shared/antivirus/dispatch/paths.ts';

describe('comparePaths', () => {
  it('puts a directory and its subtree before a sibling whose name extends it', () => {
    const walk = ['/', '/a', '/a/b', '/a/b/c', '/a-b', '/a.b', '/aa', '/b'];
    const shuffled = [...walk].reverse();
    expect(shuffled.sort(comparePaths)).toEqual(walk);
    // Plain string order would differ.
    expect([...walk].sort()).not.toEqual(walk);
  });

  it('orders by UTF-16 code units, as the walk sorts names', () => {
    expect(comparePaths('/🦀', '/\uffff')).toBeLessThan(0); // a surrogate pair sorts below U+FFFF
    expect(comparePaths('/é', '/z')).toBeGreaterThan(0);
    expect(comparePaths('/x', '/x')).toBe(0);
  });
});

describe('guestPathProblem', () => {
  it.each([
    ['/', undefined],
    ['/etc/passwd', undefined],
    ['etc', /absolute/],
    ['/etc/', /end with/],
    ['/a//b', /"\/\/"/],
    ['/a/./b', /"\." or "\.\."/],
    ['/a/../b', /"\." or "\.\."/],
    ['/a\0b', /NUL/],
  ])('%j → %s', (path, expected) => {
    const problem = guestPathProblem(path);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('isSameOrBelow', () => {
  it('is a prefix test on whole segments', () => {
    expect(isSameOrBelow('/var/cache', '/var/cache')).toBe(true);
    expect(isSameOrBelow('/var/cache/x', '/var/cache')).toBe(true);
    expect(isSameOrBelow('/var/cache2', '/var/cache')).toBe(false);
    expect(isSameOrBelow('/anything', '/')).toBe(true);
  });
});
