/**
 * The policy's exclusions compiled once per scan: excluded path prefixes and globs, asked per walked
 * entry (is it excluded, and why) and per directory (can the walk skip the whole subtree).
 */
import { compileGlob, type Glob, PathSegments } from './glob.ts';
import { guestPathProblem } from './paths.ts';

export type ExclusionReason = 'excluded-path' | 'excluded-glob';

export interface ExclusionRules {
  /** Absolute guest paths; each excludes itself and everything below it. */
  paths: readonly string[];
  /** Globs matched against absolute guest paths (see glob.ts). */
  globs: readonly string[];
}

export interface Exclusions {
  /** Why this entry is excluded, or undefined when it is not; path exclusions win over globs. */
  excluded(path: string): ExclusionReason | undefined;
  /** Why everything below directory `dir` is excluded, or undefined when the walk must enter it. */
  prune(dir: string): ExclusionReason | undefined;
}

export function compileExclusions(rules: ExclusionRules): Exclusions {
  const paths = new Set<string>();
  for (const p of rules.paths) {
    const problem = guestPathProblem(p);
    if (problem) throw new TypeError(`exclusions.paths: ${JSON.stringify(p)} ${problem}`);
    paths.add(p);
  }
  const globs: Glob[] = rules.globs.map((g) => compileGlob(g));

  const byPath = (path: string): boolean => {
    if (paths.size === 0) return false;
    if (paths.has('/')) return true;
    // Every ancestor of /a/b/c: /a, /a/b, /a/b/c.
    for (let at = path.indexOf('/', 1); at !== -1; at = path.indexOf('/', at + 1)) {
      if (paths.has(path.slice(0, at))) return true;
    }
    return paths.has(path);
  };

  return {
    excluded(path) {
      if (byPath(path)) return 'excluded-path';
      if (globs.length === 0) return undefined;
      const segs = new PathSegments(path);
      return globs.some((g) => g.matches(segs)) ? 'excluded-glob' : undefined;
    },
    prune(dir) {
      if (byPath(dir)) return 'excluded-path';
      if (globs.length === 0) return undefined;
      const segs = new PathSegments(dir);
      return globs.some((g) => g.coversEverythingBelow(segs)) ? 'excluded-glob' : undefined;
    },
  };
}
