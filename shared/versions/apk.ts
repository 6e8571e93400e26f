/**
 * Alpine (apk) versions with the semantics of apk-tools' src/version.c (the tokenizer of apk-tools 2.14 /
 * 3.x, which added the `~hash` commit token):
 *
 *   digits{.digits}…{letter}{_suffix{digits}}…{~hexhash}{-rdigits}
 *
 * - the version starts with digits; further numbers follow a `.`; one lowercase letter may follow a number;
 * - suffixes `_alpha`, `_beta`, `_pre`, `_rc` (pre-releases: sort before the bare version) and `_cvs`,
 *   `_svn`, `_git`, `_hg`, `_p` (post-releases), each optionally followed by digits, and repeatable;
 * - `~` and a run of lowercase hex digits (a commit hash, compared as a string);
 * - `-r` and digits, the package revision, last.
 * Anything else is invalid (apk_version_validate). Tokens compare pairwise: numbers numerically, except
 * a non-initial number where either side has a leading zero, which compares as a string (Gentoo rule); a
 * letter by its code; suffixes by their rank. When one version runs out first, the longer one is newer
 * unless its next token is a pre-release suffix; otherwise the token kinds decide (a later kind in the
 * grammar is older: `1.0` < `1.0_p1`, `1.0-r1` < `1.0_p1`).
 *
 * Numbers are unsigned 64-bit in apk (apk_blob_pull_uint), wrapping silently past 2^64-1; so do these.
 * There is no apk tool on this build machine: the rules were derived from the source and checked against
 * apk-tools' own test data (test/fixtures/versions/apk.tsv).
 */
import { InvalidVersionError, type Ordering } from './types.ts';

const T_INITIAL_DIGIT = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_COMMIT_HASH = 5;
const T_REVISION_NO = 6;
const T_END = 7;
const T_INVALID = 8;

const SUFFIX_INVALID = 0;
const SUFFIX_ALPHA = 1;
const SUFFIX_BETA = 2;
const SUFFIX_PRE = 3;
const SUFFIX_RC = 4;
const SUFFIX_NONE = 5;
const SUFFIX_CVS = 6;
const SUFFIX_SVN = 7;
const SUFFIX_GIT = 8;
const SUFFIX_HG = 9;
const SUFFIX_P = 10;

const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
const LOWER_F = 102;
const LOWER_R = 114;
const LOWER_Z = 122;
const DOT = 46;
const UNDERSCORE = 95;
const TILDE = 126;
const HYPHEN = 45;

export type ApkSuffix = 'alpha' | 'beta' | 'pre' | 'rc' | 'cvs' | 'svn' | 'git' | 'hg' | 'p';

export interface ApkVersion {
  /** The dot-separated numbers, as written. */
  numbers: string[];
  letter: string | undefined;
  suffixes: { suffix: ApkSuffix; number: string | undefined }[];
  commitHash: string | undefined;
  /** The digits after `-r`, as written. */
  revision: string | undefined;
}

interface Token {
  s: string;
  pos: number;
  token: number;
  suffix: number;
  /** The value of a number token (mod 2^64); a bigint only past 2^53. */
  num: number | bigint;
  /** The token's text, s[vs, ve). */
  vs: number;
  ve: number;
}

function newToken(): Token {
  return { s: '', pos: 0, token: T_END, suffix: 0, num: 0, vs: 0, ve: 0 };
}

const tokA = newToken();
const tokB = newToken();

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isLower(c: number): boolean {
  return c >= LOWER_A && c <= LOWER_Z;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= LOWER_A && c <= LOWER_F);
}

const TWO_64 = 1n << 64n;

/** token_parse_digits: a run of digits as an unsigned 64-bit number; none → INVALID. */
function parseDigits(t: Token): void {
  const s = t.s;
  const start = t.pos;
  let p = start;
  let n = 0;
  while (p < s.length && isDigit(s.charCodeAt(p))) {
    if (p - start < 15) n = n * 10 + (s.charCodeAt(p) - ZERO);
    p++;
  }
  t.vs = start;
  t.ve = p;
  t.pos = p;
  if (p === start) {
    t.token = T_INVALID;
    return;
  }
  if (p - start > 15) {
    const big = BigInt(s.slice(start, p)) % TWO_64;
    t.num = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  } else {
    t.num = n;
  }
}

function suffixValue(s: string, from: number, to: number): number {
  const len = to - from;
  if (len === 0) return SUFFIX_INVALID;
  let val: number;
  let name: string;
  switch (s.charCodeAt(from)) {
    case 97: // a
      val = SUFFIX_ALPHA;
      name = 'alpha';
      break;
    case 98: // b
      val = SUFFIX_BETA;
      name = 'beta';
      break;
    case 99: // c
      val = SUFFIX_CVS;
      name = 'cvs';
      break;
    case 103: // g
      val = SUFFIX_GIT;
      name = 'git';
      break;
    case 104: // h
      val = SUFFIX_HG;
      name = 'hg';
      break;
    case 112: // p
      val = len > 1 ? SUFFIX_PRE : SUFFIX_P;
      name = len > 1 ? 'pre' : 'p';
      break;
    case 114: // r
      val = SUFFIX_RC;
      name = 'rc';
      break;
    case 115: // s
      val = SUFFIX_SVN;
      name = 'svn';
      break;
    default:
      return SUFFIX_INVALID;
  }
  if (name.length !== len || !s.startsWith(name, from)) return SUFFIX_INVALID;
  return val;
}

function tokenFirst(t: Token, s: string): void {
  t.s = s;
  t.pos = 0;
  t.token = T_INITIAL_DIGIT;
  parseDigits(t);
}

function tokenNext(t: Token): void {
  const s = t.s;
  if (t.pos >= s.length) {
    t.token = T_END;
    return;
  }
  const c = s.charCodeAt(t.pos);
  if (isLower(c)) {
    if (t.token > T_DIGIT) {
      t.token = T_INVALID;
      return;
    }
    t.vs = t.pos;
    t.ve = t.pos + 1;
    t.token = T_LETTER;
    t.pos++;
    return;
  }
  if (c === DOT || isDigit(c)) {
    if (c === DOT) {
      if (t.token > T_DIGIT) {
        t.token = T_INVALID;
        return;
      }
      t.pos++;
    }
    if (t.token === T_INITIAL_DIGIT || t.token === T_DIGIT) t.token = T_DIGIT;
    else if (t.token === T_SUFFIX) t.token = T_SUFFIX_NO;
    else {
      t.token = T_INVALID;
      return;
    }
    parseDigits(t);
    return;
  }
  if (c === UNDERSCORE) {
    if (t.token > T_SUFFIX_NO) {
      t.token = T_INVALID;
      return;
    }
    let p = t.pos + 1;
    while (p < s.length && isLower(s.charCodeAt(p))) p++;
    t.vs = t.pos + 1;
    t.ve = p;
    t.pos = p;
    t.suffix = suffixValue(s, t.vs, p);
    t.token = t.suffix === SUFFIX_INVALID ? T_INVALID : T_SUFFIX;
    return;
  }
  if (c === TILDE) {
    if (t.token >= T_COMMIT_HASH) {
      t.token = T_INVALID;
      return;
    }
    let p = t.pos + 1;
    while (p < s.length && isHex(s.charCodeAt(p))) p++;
    t.vs = t.pos + 1;
    t.ve = p;
    t.pos = p;
    t.token = p === t.vs ? T_INVALID : T_COMMIT_HASH;
    return;
  }
  if (c === HYPHEN) {
    if (t.token >= T_REVISION_NO || s.charCodeAt(t.pos + 1) !== LOWER_R) {
      t.token = T_INVALID;
      return;
    }
    t.pos += 2;
    t.token = T_REVISION_NO;
    parseDigits(t);
    return;
  }
  t.token = T_INVALID;
}

/** apk_blob_sort: memcmp of the common length, then the shorter first. */
function blobSort(a: Token, b: Token): Ordering {
  const la = a.ve - a.vs;
  const lb = b.ve - b.vs;
  const n = Math.min(la, lb);
  for (let k = 0; k < n; k++) {
    const d = a.s.charCodeAt(a.vs + k) - b.s.charCodeAt(b.vs + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function tokenCmp(a: Token, b: Token): Ordering {
  switch (a.token) {
    case T_DIGIT:
      if (a.s.charCodeAt(a.vs) === ZERO || b.s.charCodeAt(b.vs) === ZERO) return blobSort(a, b);
      return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
    case T_INITIAL_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
      return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
    case T_LETTER: {
      const x = a.s.charCodeAt(a.vs);
      const y = b.s.charCodeAt(b.vs);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case T_SUFFIX:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return blobSort(a, b);
  }
}

function validate(s: string, t: Token): boolean {
  tokenFirst(t, s);
  while (t.token < T_END) tokenNext(t);
  return t.token === T_END;
}

/** apk_version_compare on two versions already known to be valid. */
function compareValid(a: string, b: string): Ordering {
  const ta = tokA;
  const tb = tokB;
  tokenFirst(ta, a);
  tokenFirst(tb, b);
  while (ta.token === tb.token && ta.token < T_END) {
    const r = tokenCmp(ta, tb);
    if (r !== 0) return r;
    tokenNext(ta);
    tokenNext(tb);
  }
  if (ta.token === tb.token) return 0;
  if (ta.token === T_SUFFIX && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === T_SUFFIX && tb.suffix < SUFFIX_NONE) return 1;
  if (ta.token > tb.token) return -1;
  if (tb.token > ta.token) return 1;
  return 0;
}

/** True when apk_version_validate accepts the string. */
export function isValid(version: string): boolean {
  return validate(version, tokA);
}

/** Compares two versions as apk does; throws InvalidVersionError when either is invalid. */
export function compare(a: string, b: string): Ordering {
  if (!validate(a, tokA)) throw new InvalidVersionError('apk', a, 'not a valid apk version');
  if (!validate(b, tokA)) throw new InvalidVersionError('apk', b, 'not a valid apk version');
  return compareValid(a, b);
}

/** Compares, or returns undefined when either side is invalid (no exception on the hot path). */
export function compareOrUndefined(a: string, b: string): Ordering | undefined {
  if (!validate(a, tokA) || !validate(b, tokA)) return undefined;
  return compareValid(a, b);
}

const SUFFIX_NAMES: Record<number, ApkSuffix> = {
  [SUFFIX_ALPHA]: 'alpha',
  [SUFFIX_BETA]: 'beta',
  [SUFFIX_PRE]: 'pre',
  [SUFFIX_RC]: 'rc',
  [SUFFIX_CVS]: 'cvs',
  [SUFFIX_SVN]: 'svn',
  [SUFFIX_GIT]: 'git',
  [SUFFIX_HG]: 'hg',
  [SUFFIX_P]: 'p',
};

/** Splits a version into its parts; throws InvalidVersionError when apk would reject it. */
export function parse(version: string): ApkVersion {
  const t = newToken();
  const out: ApkVersion = {
    numbers: [],
    letter: undefined,
    suffixes: [],
    commitHash: undefined,
    revision: undefined,
  };
  for (tokenFirst(t, version); t.token < T_END; tokenNext(t)) {
    const text = version.slice(t.vs, t.ve);
    switch (t.token) {
      case T_INITIAL_DIGIT:
      case T_DIGIT:
        out.numbers.push(text);
        break;
      case T_LETTER:
        out.letter = text;
        break;
      case T_SUFFIX:
        out.suffixes.push({ suffix: SUFFIX_NAMES[t.suffix]!, number: undefined });
        break;
      case T_SUFFIX_NO:
        out.suffixes[out.suffixes.length - 1]!.number = text;
        break;
      case T_COMMIT_HASH:
        out.commitHash = text;
        break;
      case T_REVISION_NO:
        out.revision = text;
        break;
    }
  }
  if (t.token !== T_END) throw new InvalidVersionError('apk', version, 'not a valid apk version');
  return out;
}
