/**
 * Guest path order and checks shared by the walker, the planner and the file index.
 *
 * The walker visits a directory before its entries and the entries in name order (UTF-16 code units,
 * as `GuestView.walk` sorts them), depth first. That order is *not* plain string order: `/a-b` sorts
 * before `/a/b` as strings (`-` < `/`) but after the whole `/a` subtree in the walk. `comparePaths`
 * gives the walk's order — as if `/` sorted below every other character — so the planner can merge-join
 * a walk with a file index sorted by the same comparison.
 */

const SLASH = 0x2f;

/** Negative, zero or positive as `a` comes before, equals, or follows `b` in walk order. */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === SLASH) return -1;
    if (y === SLASH) return 1;
    return x - y;
  }
  return a.length - b.length;
}

/** Why `path` is not an absolute, normalized guest path (`/`, `/a/b`), or undefined when it is. */
export function guestPathProblem(path: string): string | undefined {
  if (path.length === 0 || path.charCodeAt(0) !== SLASH) return 'must be absolute (start with "/")';
  if (path.includes('\0')) return 'must not contain NUL';
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'must not end with "/"';
  for (const part of path.slice(1).split('/')) {
    if (part === '') return 'must not contain "//"';
    if (part === '.' || part === '..') return 'must not contain "." or ".." components';
  }
  return undefined;
}

/** `path` itself or anything below it: `/var/cache` covers `/var/cache/x` but not `/var/cache2`. */
export function isSameOrBelow(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === SLASH);
}
