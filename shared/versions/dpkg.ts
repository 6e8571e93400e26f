/**
 * Debian versions, `[epoch:]upstream_version[-debian_revision]`, with the semantics of dpkg itself
 * (lib/dpkg/parsehelp.c parseversion, lib/dpkg/version.c verrevcmp), checked against dpkg 1.21.
 *
 * Syntax has two levels, as in dpkg:
 * - errors (dpkg --compare-versions exits 2): empty string, embedded blanks, an epoch that is empty, not a
 *   number, negative or above INT_MAX, nothing after the colon, empty upstream version, empty revision;
 * - warnings (dpkg warns and still compares): upstream not starting with a digit, characters outside
 *   `A-Za-z0-9.+~-:` in the upstream version or outside `A-Za-z0-9.+~` in the revision.
 * `isValid` and `compare` follow the tool: only errors are invalid. `check` reports the warnings too.
 *
 * Comparison (verrevcmp): alternating non-digit and digit runs; in non-digit runs `~` sorts before
 * everything (even the end), then the end of the string, then letters, then everything else (by byte);
 * digit runs compare numerically with no size limit. Non-ASCII characters are compared as their UTF-8
 * bytes, which dpkg (signed char) sorts after letters and before ASCII punctuation.
 *
 * One deliberate difference from the command line: `dpkg --compare-versions` treats "" and "<unknown>" as
 * "no version" (earlier than any version) without parsing them; here "" is invalid (parseversion rejects
 * it) and "<unknown>" is parsed like any other string.
 */
import { hasNonAscii, utf8Binary } from './bytes.ts';
import { InvalidVersionError, type Ordering } from './types.ts';

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  /** "" when the version has no revision. */
  revision: string;
}

export type DpkgSyntaxCheck =
  | { level: 'ok' }
  | { level: 'warning'; reason: string }
  | { level: 'error'; reason: string };

const TAB = 9;
const SPACE = 32;
const PLUS = 43;
const HYPHEN = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const TILDE = 126;
const INT_MAX = 2147483647;

/** A parsed version as ranges of `text` (the scanned string: the input, or its UTF-8 bytes). */
interface Scan {
  text: string;
  epoch: number;
  vs: number;
  ve: number;
  rs: number;
  re: number;
  error: string | undefined;
  warning: string | undefined;
}

function newScan(): Scan {
  return { text: '', epoch: 0, vs: 0, ve: 0, rs: 0, re: 0, error: undefined, warning: undefined };
}

const scanA = newScan();
const scanB = newScan();

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** C isspace in the C locale: space, \t \n \v \f \r. */
function isCSpace(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13);
}

function fail(out: Scan, reason: string): false {
  out.error = reason;
  return false;
}

/** parseversion: fills `out`, returns false on an error (a warning still returns true). */
function scan(input: string, out: Scan): boolean {
  out.error = undefined;
  out.warning = undefined;
  let ascii = true;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0) return fail(out, 'version string contains NUL');
    if (c >= 0x80) ascii = false;
  }
  const s = ascii ? input : utf8Binary(input);
  out.text = s;
  const len = s.length;
  let start = 0;
  while (start < len && isBlank(s.charCodeAt(start))) start++;
  if (start === len) return fail(out, 'version string is empty');
  let end = start;
  while (end < len && !isBlank(s.charCodeAt(end))) end++;
  let p = end;
  while (p < len && isBlank(s.charCodeAt(p))) p++;
  if (p < len) return fail(out, 'version string has embedded spaces');

  const colon = s.indexOf(':', start);
  let vs = start;
  let epoch = 0;
  if (colon !== -1) {
    // strtol(string, &end, 10): leading white space, an optional sign, digits.
    let q = start;
    while (q < len && isCSpace(s.charCodeAt(q))) q++;
    let negative = false;
    const signChar = s.charCodeAt(q);
    if (signChar === PLUS || signChar === HYPHEN) {
      negative = signChar === HYPHEN;
      q++;
    }
    const digits = q;
    while (q < len && isDigit(s.charCodeAt(q))) q++;
    if (q === digits) return fail(out, 'epoch in version is empty');
    if (q !== colon) return fail(out, 'epoch in version is not number');
    let z = digits;
    while (z < q && s.charCodeAt(z) === ZERO) z++;
    if (negative && z < q) return fail(out, 'epoch in version is negative');
    if (q - z > 10) return fail(out, 'epoch in version is too big');
    for (let i = z; i < q; i++) epoch = epoch * 10 + (s.charCodeAt(i) - ZERO);
    if (epoch > INT_MAX) return fail(out, 'epoch in version is too big');
    if (colon + 1 === len) return fail(out, 'nothing after colon in version number');
    vs = colon + 1;
  }
  let ve = end;
  let rs = end;
  const re = end;
  const hyphen = end > vs ? s.lastIndexOf('-', end - 1) : -1;
  if (hyphen >= vs) {
    rs = hyphen + 1;
    if (rs === re) return fail(out, 'revision number is empty');
    ve = hyphen;
  }
  if (vs >= ve) return fail(out, 'version number is empty');
  out.epoch = epoch;
  out.vs = vs;
  out.ve = ve;
  out.rs = rs;
  out.re = re;

  if (!isDigit(s.charCodeAt(vs))) {
    out.warning = 'version number does not start with digit';
    return true;
  }
  for (let i = vs + 1; i < ve; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && c !== DOT && c !== HYPHEN && c !== PLUS && c !== TILDE && c !== COLON) {
      out.warning = 'invalid character in version number';
      return true;
    }
  }
  for (let i = rs; i < re; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && c !== DOT && c !== PLUS && c !== TILDE) {
      out.warning = 'invalid character in revision number';
      return true;
    }
  }
  return true;
}

/** dpkg's order(): the weight of a character in a non-digit run; `c` is a byte, or -1 past the end. */
function order(c: number): number {
  if (c < 0) return 0;
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === TILDE) return -1;
  // A byte ≥ 0x80 is a negative signed char in dpkg: c - 256 + 256.
  if (c >= 0x80) return c;
  return c + 256;
}

/** verrevcmp over a[ai, ae) and b[bi, be); both are binary strings (one char per byte). */
function verrevcmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): number {
  while (ai < ae || bi < be) {
    let firstDiff = 0;
    for (;;) {
      const ac = ai < ae ? a.charCodeAt(ai) : -1;
      const bc = bi < be ? b.charCodeAt(bi) : -1;
      if (!((ac >= 0 && !isDigit(ac)) || (bc >= 0 && !isDigit(bc)))) break;
      const ao = order(ac);
      const bo = order(bc);
      if (ao !== bo) return ao - bo;
      ai++;
      bi++;
    }
    while (ai < ae && a.charCodeAt(ai) === ZERO) ai++;
    while (bi < be && b.charCodeAt(bi) === ZERO) bi++;
    while (ai < ae && bi < be) {
      const ac = a.charCodeAt(ai);
      const bc = b.charCodeAt(bi);
      if (!isDigit(ac) || !isDigit(bc)) break;
      if (firstDiff === 0) firstDiff = ac - bc;
      ai++;
      bi++;
    }
    if (ai < ae && isDigit(a.charCodeAt(ai))) return 1;
    if (bi < be && isDigit(b.charCodeAt(bi))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

function compareScans(a: Scan, b: Scan): Ordering {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const r = verrevcmp(a.text, a.vs, a.ve, b.text, b.vs, b.ve);
  if (r !== 0) return r < 0 ? -1 : 1;
  const rr = verrevcmp(a.text, a.rs, a.re, b.text, b.rs, b.re);
  return rr < 0 ? -1 : rr > 0 ? 1 : 0;
}

/** dpkg's verdict on a version string: ok, a warning (still compared) or an error (rejected). */
export function check(version: string): DpkgSyntaxCheck {
  const s = newScan();
  if (!scan(version, s)) return { level: 'error', reason: s.error! };
  if (s.warning) return { level: 'warning', reason: s.warning };
  return { level: 'ok' };
}

/** True when dpkg --compare-versions accepts the string (possibly with a warning). */
export function isValid(version: string): boolean {
  return scan(version, scanA);
}

/** Parses like dpkg's parseversion; throws InvalidVersionError where dpkg errors (warnings pass). */
export function parse(version: string): DpkgVersion {
  const s = newScan();
  if (!scan(version, s)) throw new InvalidVersionError('dpkg', version, s.error!);
  // The parts are cut from the input itself (the byte string is only for the scan).
  if (s.text === version) {
    return { epoch: s.epoch, upstream: version.slice(s.vs, s.ve), revision: version.slice(s.rs, s.re) };
  }
  const decode = (from: number, to: number) =>
    new TextDecoder().decode(Uint8Array.from(s.text.slice(from, to), (c) => c.charCodeAt(0)));
  return { epoch: s.epoch, upstream: decode(s.vs, s.ve), revision: decode(s.rs, s.re) };
}

/** Compares two version strings as dpkg does; throws InvalidVersionError for either side invalid. */
export function compare(a: string, b: string): Ordering {
  if (!scan(a, scanA)) throw new InvalidVersionError('dpkg', a, scanA.error!);
  if (!scan(b, scanB)) throw new InvalidVersionError('dpkg', b, scanB.error!);
  return compareScans(scanA, scanB);
}

/** Compares, or returns undefined when either side is invalid (no exception on the hot path). */
export function compareOrUndefined(a: string, b: string): Ordering | undefined {
  if (!scan(a, scanA) || !scan(b, scanB)) return undefined;
  return compareScans(scanA, scanB);
}

/** Compares two parsed versions (dpkg_version_compare). */
export function compareParsed(a: DpkgVersion, b: DpkgVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const ua = hasNonAscii(a.upstream) ? utf8Binary(a.upstream) : a.upstream;
  const ub = hasNonAscii(b.upstream) ? utf8Binary(b.upstream) : b.upstream;
  const r = verrevcmp(ua, 0, ua.length, ub, 0, ub.length);
  if (r !== 0) return r < 0 ? -1 : 1;
  const ra = hasNonAscii(a.revision) ? utf8Binary(a.revision) : a.revision;
  const rb = hasNonAscii(b.revision) ? utf8Binary(b.revision) : b.revision;
  const rr = verrevcmp(ra, 0, ra.length, rb, 0, rb.length);
  return rr < 0 ? -1 : rr > 0 ? 1 : 0;
}
