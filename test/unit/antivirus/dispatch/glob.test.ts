import { describe, expect, it } from 'vitest';
import { GlobSyntaxError } from '../../../../shared/antivirus/dispatch/errors.ts';
import { compileGlob, GLOB_LIMITS, globProblem } from '../../../../shared/antivirus/dispatch/glob.ts';

describe('compileGlob: matching', () => {
  it.each([
    // pattern, path, expected
    ['**/*.iso', '/a/b/c.iso', true],
    ['**/*.iso', '/c.iso', true],
    ['**/*.iso', '/a/.hidden/x.iso', true],
    ['**/*.iso', '/a/.x.iso', true],
    ['**/*.iso', '/a/b.ISO', false],
    ['**/*.iso', '/a/b.iso/c', false],
    ['*.iso', '/deep/down/x.iso', true],
    ['*.iso', '/x.iso', true],
    ['/*.iso', '/x.iso', true],
    ['/*.iso', '/a/x.iso', false],
    ['/var/*', '/var/log', true],
    ['/var/*', '/var/log/syslog', false],
    ['/var/*', '/var', false],
    ['/var/**', '/var', true],
    ['/var/**', '/var/log/syslog', true],
    ['/var/**', '/varnish/x', false],
    ['/var/**/*.log', '/var/x.log', true],
    ['/var/**/*.log', '/var/a/b/c/x.log', true],
    ['/var/**/*.log', '/var/a/b/c/x.log.1', false],
    ['/a/**/b/**/c', '/a/b/c', true],
    ['/a/**/b/**/c', '/a/x/b/y/z/c', true],
    ['/a/**/b/**/c', '/a/x/y/c', false],
    ['/a/?', '/a/b', true],
    ['/a/?', '/a/bc', false],
    ['/a/?', '/a/🦀', true],
    ['/a/?', '/a/', false],
    ['/a/[bc]', '/a/c', true],
    ['/a/[bc]', '/a/d', false],
    ['/a/[!bc]', '/a/d', true],
    ['/a/[^bc]', '/a/b', false],
    ['/a/[a-c]x', '/a/bx', true],
    ['/a/[a-c]x', '/a/dx', false],
    ['/a/[]]', '/a/]', true],
    ['/a/[!]]', '/a/]', false],
    ['/a/[a-]', '/a/-', true],
    ['/a/[\\]]', '/a/]', true],
    ['/a/\\*', '/a/*', true],
    ['/a/\\*', '/a/b', false],
    ['/a/\\[x]', '/a/[x]', true],
    ['/a/*.{iso,img}', '/a/x.img', true],
    ['/a/*.{iso,img}', '/a/x.qcow2', false],
    ['{/tmp,/var/tmp}/**', '/var/tmp/x', true],
    ['{/tmp,/var/tmp}/**', '/srv/tmp/x', false],
    ['/a/b*c*d', '/a/bxxcyyczzd', true],
    ['/a/b*c*d', '/a/bxxcyyczz', false],
    ['/a/*', '/a/a,b', true],
    ['/café/*', '/café/x', true],
    ['/日本/*.txt', '/日本/ファイル.txt', true],
    ['**', '/anything/at/all', true],
  ])('%s against %s is %s', (pattern, path, expected) => {
    expect(compileGlob(pattern).matches(path)).toBe(expected);
  });

  it('is not fooled into exponential work by many stars', () => {
    const g = compileGlob('/**/a*a*a*a*a*a*a*a*b');
    const path = `/${'x/'.repeat(50)}${'a'.repeat(200)}`;
    // Bounded by (pattern × path) comparisons; this would take very long with naive backtracking.
    expect(g.matches(path)).toBe(false);
    expect(g.matches(`${path}b`)).toBe(true);
  });
});

describe('compileGlob: whole subtrees', () => {
  it.each([
    ['/var/cache/**', '/var/cache', true],
    ['/var/cache/**', '/var/cache/apt', true],
    ['/var/cache/**', '/var', false],
    ['**/node_modules/**', '/srv/app/node_modules', true],
    ['**/node_modules/**', '/srv/app', false],
    ['**/*.iso', '/srv', false],
    ['/var/*/**', '/var/x', true],
    ['**', '/', true],
  ])('%s covers everything below %s: %s', (pattern, dir, expected) => {
    expect(compileGlob(pattern).coversEverythingBelow(dir)).toBe(expected);
  });
});

describe('compileGlob: strict syntax', () => {
  it.each([
    ['', /is empty/],
    ['/a/b**', /"\*\*" must be a whole path segment/],
    ['/a/**b', /"\*\*" must be a whole path segment/],
    ['/a/[bc', /unterminated "\["/],
    ['/a/[]', /unterminated "\["/],
    ['/a/[z-a]', /reversed/],
    ['/a/[a/b]', /cannot match "\/"/],
    ['/a/{b,c', /unterminated "\{"/],
    ['/a/{b}', /at least two alternatives/],
    ['/a/{b,{c,d}}', /cannot be nested/],
    ['/a/b}', /unmatched "\}"/],
    ['/a/b\\', /trailing "\\"/],
    ['/a//b', /empty path segment/],
    ['/a/b/', /empty path segment/],
    ['/', /matches only "\/"/],
    ['/a/../b', /".." segment/],
    ['/a/\0', /NUL/],
    ['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}', /more than 64 alternatives/],
    ['x'.repeat(GLOB_LIMITS.maxLength + 1), /longer than/],
  ])('refuses %j', (pattern, message) => {
    expect(() => compileGlob(pattern)).toThrow(GlobSyntaxError);
    expect(() => compileGlob(pattern)).toThrow(message);
  });

  it('names the position of the problem', () => {
    try {
      compileGlob('/ab/[cd');
      expect.unreachable();
    } catch (error) {
      expect((error as GlobSyntaxError).position).toBe(4);
    }
  });

  it('globProblem gives the message or undefined', () => {
    expect(globProblem('**/*.iso')).toBeUndefined();
    expect(globProblem('/a/[')).toMatch(/unterminated/);
  });
});
