/**
 * A small, strict glob matcher for scan exclusions, matched against absolute guest paths.
 *
 * Syntax (anything else is a `GlobSyntaxError`, never a silent literal):
 * - `*` any run of characters within one path segment (including none); `?` exactly one character;
 * - `**` as a whole segment: any number of segments, including none (`/var/**` covers `/var` itself);
 * - `[abc]`, `[a-z]`, `[!a-z]` or `[^a-z]` one character of (or not of) a set; `]` first is literal;
 * - `{a,b}` alternatives (not nested, at most 64 expansions per pattern), which may contain `/`;
 * - `\x` the character x literally (`\*`, `\[`, `\{`, `\\`).
 *
 * A pattern starting with `/` is anchored at the guest root; any other pattern matches at any depth
 * (`*.iso` is `/**` + `/*.iso`). Matching is case-sensitive, `?` and sets take one Unicode code point,
 * and — unlike shells and `path.matchesGlob` — `*` and `**` match names starting with a dot: an
 * exclusion of `**` + `/*.iso` is meant to cover `/home/u/.cache/x.iso` too.
 *
 * Matching works segment by segment and character by character with one backtracking point per level
 * (the classic wildcard algorithm), so its cost is at most (pattern × path) and no guest path can make
 * it explode, as a regular expression built from the pattern could.
 */
import { GlobSyntaxError } from './errors.ts';

export const GLOB_LIMITS = { maxLength: 1024, maxAlternatives: 64 } as const;

// ------------------------------------------------------------------------------------------ tokens

const LIT = 0;
const ANY = 1;
const STAR = 2;
const SET = 3;

type Token =
  | { kind: typeof LIT; cp: number }
  | { kind: typeof ANY }
  | { kind: typeof STAR; pos: number }
  /** `ranges` holds inclusive [lo, hi] pairs, flattened. */
  | { kind: typeof SET; negated: boolean; ranges: number[] };

type Item = Token | { kind: 'slash' } | { kind: 'brace'; alternatives: Item[][] };

type Segment =
  | { kind: 'globstar' }
  | { kind: 'literal'; text: string }
  | { kind: 'pattern'; tokens: Token[] };

class Parser {
  private i = 0;
  private readonly pattern: string;
  constructor(pattern: string) {
    this.pattern = pattern;
  }

  private fail(position: number, reason: string): never {
    throw new GlobSyntaxError(this.pattern, position, reason);
  }

  parse(): Item[] {
    const items = this.sequence(false);
    if (this.i < this.pattern.length) this.fail(this.i, `unexpected ${JSON.stringify(this.pattern[this.i])}`);
    return items;
  }

  private sequence(inBrace: boolean): Item[] {
    const p = this.pattern;
    const items: Item[] = [];
    while (this.i < p.length) {
      const at = this.i;
      const c = p[at]!;
      if (inBrace && (c === ',' || c === '}')) break;
      if (c === '\\') {
        if (at + 1 >= p.length) this.fail(at, 'a trailing "\\" escapes nothing');
        const cp = p.codePointAt(at + 1)!;
        items.push({ kind: LIT, cp });
        this.i = at + 1 + (cp > 0xffff ? 2 : 1);
      } else if (c === '*') {
        items.push({ kind: STAR, pos: at });
        this.i++;
      } else if (c === '?') {
        items.push({ kind: ANY });
        this.i++;
      } else if (c === '[') {
        items.push(this.set());
      } else if (c === '{') {
        if (inBrace) this.fail(at, 'alternatives "{…}" cannot be nested');
        items.push(this.brace());
      } else if (c === '}') {
        this.fail(at, 'unmatched "}" (write "\\}" for a literal one)');
      } else if (c === '/') {
        items.push({ kind: 'slash' });
        this.i++;
      } else if (c === '\0') {
        this.fail(at, 'NUL cannot appear in a path');
      } else {
        const cp = p.codePointAt(at)!;
        items.push({ kind: LIT, cp });
        this.i += cp > 0xffff ? 2 : 1;
      }
    }
    return items;
  }

  private brace(): Item {
    const open = this.i++;
    const alternatives: Item[][] = [this.sequence(true)];
    while (this.pattern[this.i] === ',') {
      this.i++;
      alternatives.push(this.sequence(true));
    }
    if (this.pattern[this.i] !== '}') this.fail(open, 'unterminated "{"');
    this.i++;
    if (alternatives.length < 2) this.fail(open, '"{…}" needs at least two alternatives separated by ","');
    return { kind: 'brace', alternatives };
  }

  private set(): Token {
    const p = this.pattern;
    const open = this.i++;
    let negated = false;
    if (p[this.i] === '!' || p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: number[] = [];
    let first = true;
    const char = (): number => {
      if (this.i >= p.length) this.fail(open, 'unterminated "["');
      let at = this.i;
      if (p[at] === '\\') {
        at++;
        if (at >= p.length) this.fail(open, 'unterminated "["');
      }
      const cp = p.codePointAt(at)!;
      if (cp === 0x2f) this.fail(at, 'a set cannot match "/" (sets match within one segment)');
      if (cp === 0) this.fail(at, 'NUL cannot appear in a path');
      this.i = at + (cp > 0xffff ? 2 : 1);
      return cp;
    };
    for (;;) {
      if (this.i >= p.length) this.fail(open, 'unterminated "["');
      if (p[this.i] === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = char();
      if (p[this.i] === '-' && this.i + 1 < p.length && p[this.i + 1] !== ']') {
        const dash = this.i++;
        const hi = char();
        if (hi < lo)
          this.fail(dash, `range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} is reversed`);
        ranges.push(lo, hi);
      } else {
        ranges.push(lo, lo);
      }
    }
    return { kind: SET, negated, ranges };
  }
}

/** Every brace choice spelled out: `a{b,c}d{e,f}` → four flat item lists. */
function expand(items: Item[], pattern: string): Exclude<Item, { kind: 'brace' }>[][] {
  let out: Exclude<Item, { kind: 'brace' }>[][] = [[]];
  for (const item of items) {
    if (item.kind !== 'brace') {
      for (const o of out) o.push(item);
      continue;
    }
    const next: Exclude<Item, { kind: 'brace' }>[][] = [];
    for (const o of out) {
      for (const alternative of item.alternatives) {
        next.push([...o, ...(alternative as Exclude<Item, { kind: 'brace' }>[])]);
        if (next.length > GLOB_LIMITS.maxAlternatives) {
          throw new GlobSyntaxError(
            pattern,
            0,
            `expands to more than ${GLOB_LIMITS.maxAlternatives} alternatives`,
          );
        }
      }
    }
    out = next;
  }
  return out;
}

function segmentsOf(flat: Exclude<Item, { kind: 'brace' }>[], pattern: string): Segment[] {
  const anchored = flat[0]?.kind === 'slash';
  const raw: Token[][] = [[]];
  for (const item of anchored ? flat.slice(1) : flat) {
    if (item.kind === 'slash') raw.push([]);
    else raw[raw.length - 1]!.push(item);
  }
  const segments: Segment[] = anchored ? [] : [{ kind: 'globstar' }];
  for (const tokens of raw) {
    if (tokens.length === 0) {
      throw new GlobSyntaxError(
        pattern,
        0,
        raw.length === 1 && anchored
          ? 'matches only "/"; exclude paths with exclusions.paths'
          : 'has an empty path segment ("//" or a trailing "/"); globs match files — end with "/**" to cover a directory',
      );
    }
    const stars = tokens.filter((t) => t.kind === STAR);
    if (tokens.length === 2 && stars.length === 2) {
      if (segments[segments.length - 1]?.kind !== 'globstar') segments.push({ kind: 'globstar' });
      continue;
    }
    for (let k = 1; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.kind === STAR && tokens[k - 1]!.kind === STAR) {
        throw new GlobSyntaxError(pattern, t.pos - 1, '"**" must be a whole path segment');
      }
    }
    if (tokens.every((t) => t.kind === LIT)) {
      const text = String.fromCodePoint(...tokens.map((t) => (t as { cp: number }).cp));
      if (text === '.' || text === '..') {
        throw new GlobSyntaxError(pattern, 0, `has a "${text}" segment; write the path it means`);
      }
      segments.push({ kind: 'literal', text });
    } else {
      segments.push({ kind: 'pattern', tokens });
    }
  }
  return segments;
}

// ------------------------------------------------------------------------------------------ matching

/** A path split into segments once, for matching it against many globs; code points made on demand. */
export class PathSegments {
  readonly texts: string[];
  private readonly cps: (number[] | undefined)[];
  constructor(path: string) {
    this.texts = path === '/' ? [] : path.slice(1).split('/');
    this.cps = new Array(this.texts.length);
  }
  codePoints(i: number): number[] {
    let cps = this.cps[i];
    if (cps === undefined) {
      cps = [];
      for (const ch of this.texts[i]!) cps.push(ch.codePointAt(0)!);
      this.cps[i] = cps;
    }
    return cps;
  }
}

function inSet(t: Extract<Token, { kind: typeof SET }>, cp: number): boolean {
  let found = false;
  for (let k = 0; k < t.ranges.length; k += 2) {
    if (cp >= t.ranges[k]! && cp <= t.ranges[k + 1]!) {
      found = true;
      break;
    }
  }
  return found !== t.negated;
}

function matchTokens(tokens: Token[], cps: number[]): boolean {
  let t = 0;
  let c = 0;
  let starT = -1;
  let starC = 0;
  while (c < cps.length) {
    const tok = tokens[t];
    if (tok !== undefined) {
      if (tok.kind === STAR) {
        starT = t++;
        starC = c;
        continue;
      }
      const cp = cps[c]!;
      if (tok.kind === ANY || (tok.kind === LIT ? tok.cp === cp : inSet(tok, cp))) {
        t++;
        c++;
        continue;
      }
    }
    if (starT < 0) return false;
    t = starT + 1;
    c = ++starC;
  }
  while (t < tokens.length && tokens[t]!.kind === STAR) t++;
  return t === tokens.length;
}

function matchSegment(seg: Segment, path: PathSegments, i: number): boolean {
  if (seg.kind === 'literal') return seg.text === path.texts[i];
  return matchTokens((seg as { tokens: Token[] }).tokens, path.codePoints(i));
}

/** Pattern segments `[0, count)` against path segments `[0, pathCount)`; `**` backtracks one level at a time. */
function matchSegments(segs: Segment[], count: number, path: PathSegments, pathCount: number): boolean {
  let s = 0;
  let p = 0;
  let starS = -1;
  let starP = 0;
  while (p < pathCount) {
    const seg = segs[s];
    if (s < count && seg !== undefined) {
      if (seg.kind === 'globstar') {
        starS = s++;
        starP = p;
        continue;
      }
      if (matchSegment(seg, path, p)) {
        s++;
        p++;
        continue;
      }
    }
    if (starS < 0) return false;
    s = starS + 1;
    p = ++starP;
  }
  while (s < count && segs[s]!.kind === 'globstar') s++;
  return s === count;
}

export interface Glob {
  readonly source: string;
  /** Whether the absolute guest path matches. */
  matches(path: string | PathSegments): boolean;
  /**
   * Whether every path strictly below directory `dir` matches, so a walk need not enter it. True only
   * for patterns ending in `/**` whose head matches `dir` or an ancestor: sound, never a guess.
   */
  coversEverythingBelow(dir: string | PathSegments): boolean;
}

/** Compiles a pattern; throws `GlobSyntaxError` (with the position) for anything outside the syntax above. */
export function compileGlob(pattern: string): Glob {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new GlobSyntaxError(String(pattern), 0, 'is empty');
  }
  if (pattern.length > GLOB_LIMITS.maxLength) {
    throw new GlobSyntaxError(
      pattern.slice(0, 40),
      GLOB_LIMITS.maxLength,
      `is longer than ${GLOB_LIMITS.maxLength} characters`,
    );
  }
  const alternatives = expand(new Parser(pattern).parse(), pattern).map((flat) => segmentsOf(flat, pattern));
  const toPath = (p: string | PathSegments) => (typeof p === 'string' ? new PathSegments(p) : p);
  return {
    source: pattern,
    matches(path) {
      const segs = toPath(path);
      return alternatives.some((a) => matchSegments(a, a.length, segs, segs.texts.length));
    },
    coversEverythingBelow(dir) {
      const segs = toPath(dir);
      return alternatives.some((a) => {
        if (a[a.length - 1]?.kind !== 'globstar') return false;
        // The head matching `dir` or any ancestor of it puts everything below `dir` under the `**`.
        for (let k = segs.texts.length; k >= 0; k--) if (matchSegments(a, a.length - 1, segs, k)) return true;
        return false;
      });
    },
  };
}

/** The reason a pattern is refused, or undefined when it compiles (for schema refinements). */
export function globProblem(pattern: string): string | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}
