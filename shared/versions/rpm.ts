/**
 * RPM versions, `[epoch:]version[-release]`, with the semantics of rpm 4.18 itself: rpmvercmp
 * (rpmio/rpmvercmp.c) for each part, and rpmverParse/rpmverCmp (rpmio/rpmver.c) for the EVR, which is
 * what `rpm.vercmp` in rpm's Lua answers.
 *
 * Parsing (rpmverParse): the epoch is the leading run of digits when a `:` follows it (an empty run means
 * epoch 0; no colon means no epoch, compared as 0); the release is what follows the last `-` after that
 * run; everything else is the version. rpm accepts any non-empty string, so the only invalid versions are
 * the empty string (and strings holding NUL, which no C tool can be given).
 *
 * Comparison (rpmvercmp): identical strings are equal; otherwise both strings are cut into runs of ASCII
 * digits or ASCII letters, anything else being a separator (separators themselves never count). `~` sorts
 * before everything, even the end of the string; `^` sorts after the end but before any other segment; a
 * numeric segment beats an alphabetic one; numbers compare without leading zeros, the longer winning;
 * letters compare by strcmp. When all segments tie, the string with segments left over wins.
 *
 * EVR (rpmverCmp): epochs (missing = 0), then versions, then releases — where a missing release sorts
 * before any release, even an empty one ("1.0" < "1.0-" < "1.0-1"). Note rpm's dependency matching
 * (rpmdsCompare) instead lets a missing release match any release; use `compareIgnoringMissingRelease`
 * for that.
 */
import { hasNul } from './bytes.ts';
import { InvalidVersionError, type Ordering } from './types.ts';

export interface RpmVersion {
  /** The epoch digits as written ("" was written as ":1.0" and means 0); undefined when absent. */
  epoch: string | undefined;
  version: string;
  /** undefined when there is no `-`. */
  release: string | undefined;
}

const ZERO = 48;
const NINE = 57;
const COLON = 58;
const TILDE = 126;
const CARET = 94;

interface Scan {
  text: string;
  /** Epoch range; es === ee when absent or empty (both compare as 0). */
  es: number;
  ee: number;
  hasEpoch: boolean;
  vs: number;
  ve: number;
  /** Release range; rs === -1 when there is no release. */
  rs: number;
  re: number;
}

function newScan(): Scan {
  return { text: '', es: 0, ee: 0, hasEpoch: false, vs: 0, ve: 0, rs: -1, re: -1 };
}

const scanA = newScan();
const scanB = newScan();

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** rpmverParse + parseEVR: false for the strings rpm rejects. */
function scan(s: string, out: Scan): boolean {
  if (s.length === 0 || hasNul(s)) return false;
  const len = s.length;
  let p = 0;
  while (p < len && isDigit(s.charCodeAt(p))) p++;
  const hyphen = s.lastIndexOf('-');
  out.text = s;
  if (p < len && s.charCodeAt(p) === COLON) {
    out.hasEpoch = true;
    out.es = 0;
    out.ee = p;
    out.vs = p + 1;
  } else {
    out.hasEpoch = false;
    out.es = 0;
    out.ee = 0;
    out.vs = 0;
  }
  if (hyphen >= p) {
    out.ve = hyphen;
    out.rs = hyphen + 1;
    out.re = len;
  } else {
    out.ve = len;
    out.rs = -1;
    out.re = -1;
  }
  return true;
}

/** rpmvercmp over a[ai, ae) and b[bi, be). */
function vercmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): Ordering {
  if (ae - ai === be - bi) {
    let k = 0;
    const n = ae - ai;
    while (k < n && a.charCodeAt(ai + k) === b.charCodeAt(bi + k)) k++;
    if (k === n) return 0;
  }
  while (ai < ae || bi < be) {
    let ca = 0;
    while (ai < ae) {
      ca = a.charCodeAt(ai);
      if (isDigit(ca) || isAlpha(ca) || ca === TILDE || ca === CARET) break;
      ai++;
    }
    if (ai === ae) ca = 0;
    let cb = 0;
    while (bi < be) {
      cb = b.charCodeAt(bi);
      if (isDigit(cb) || isAlpha(cb) || cb === TILDE || cb === CARET) break;
      bi++;
    }
    if (bi === be) cb = 0;

    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      ai++;
      bi++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (ca === 0) return -1;
      if (cb === 0) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      ai++;
      bi++;
      continue;
    }
    if (ca === 0 || cb === 0) break;

    let a2 = ai;
    let b2 = bi;
    const isNum = isDigit(ca);
    if (isNum) {
      while (a2 < ae && isDigit(a.charCodeAt(a2))) a2++;
      while (b2 < be && isDigit(b.charCodeAt(b2))) b2++;
    } else {
      while (a2 < ae && isAlpha(a.charCodeAt(a2))) a2++;
      while (b2 < be && isAlpha(b.charCodeAt(b2))) b2++;
    }
    // A numeric segment against an alphabetic one (empty of the other kind): the number is newer.
    if (b2 === bi) return isNum ? 1 : -1;
    if (isNum) {
      while (ai < a2 && a.charCodeAt(ai) === ZERO) ai++;
      while (bi < b2 && b.charCodeAt(bi) === ZERO) bi++;
      if (a2 - ai > b2 - bi) return 1;
      if (b2 - bi > a2 - ai) return -1;
    }
    // strcmp of the two segments.
    const la = a2 - ai;
    const lb = b2 - bi;
    const n = Math.min(la, lb);
    for (let k = 0; k < n; k++) {
      const d = a.charCodeAt(ai + k) - b.charCodeAt(bi + k);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    if (la !== lb) return la < lb ? -1 : 1;
    ai = a2;
    bi = b2;
  }
  if (ai >= ae && bi >= be) return 0;
  return ai >= ae ? -1 : 1;
}

const ZERO_EPOCH = '0';

function compareEpochs(a: Scan, b: Scan): Ordering {
  const ea = a.ee > a.es ? a.text : ZERO_EPOCH;
  const eb = b.ee > b.es ? b.text : ZERO_EPOCH;
  return vercmp(
    ea,
    a.ee > a.es ? a.es : 0,
    a.ee > a.es ? a.ee : 1,
    eb,
    b.ee > b.es ? b.es : 0,
    b.ee > b.es ? b.ee : 1,
  );
}

function compareScans(a: Scan, b: Scan, missingReleaseMatches: boolean): Ordering {
  const e = compareEpochs(a, b);
  if (e !== 0) return e;
  const v = vercmp(a.text, a.vs, a.ve, b.text, b.vs, b.ve);
  if (v !== 0) return v;
  if (a.rs === -1 || b.rs === -1) {
    if (missingReleaseMatches || (a.rs === -1 && b.rs === -1)) return 0;
    return a.rs === -1 ? -1 : 1;
  }
  return vercmp(a.text, a.rs, a.re, b.text, b.rs, b.re);
}

/** rpmvercmp on two plain version (or release) strings, with no EVR parsing. */
export function vercmpSegments(a: string, b: string): Ordering {
  return vercmp(a, 0, a.length, b, 0, b.length);
}

/** True when rpm accepts the string as an EVR (any non-empty string). */
export function isValid(version: string): boolean {
  return version.length > 0 && !hasNul(version);
}

/** Splits an EVR as rpm does; throws InvalidVersionError for the empty string. */
export function parse(version: string): RpmVersion {
  const s = newScan();
  if (!scan(version, s)) throw new InvalidVersionError('rpm', version, reasonFor(version));
  return {
    epoch: s.hasEpoch ? version.slice(s.es, s.ee) : undefined,
    version: version.slice(s.vs, s.ve),
    release: s.rs === -1 ? undefined : version.slice(s.rs, s.re),
  };
}

function reasonFor(version: string): string {
  return version.length === 0 ? 'version string is empty' : 'version string contains NUL';
}

/** Compares two EVR strings as rpm's rpmverCmp (rpm.vercmp) does. */
export function compare(a: string, b: string): Ordering {
  if (!scan(a, scanA)) throw new InvalidVersionError('rpm', a, reasonFor(a));
  if (!scan(b, scanB)) throw new InvalidVersionError('rpm', b, reasonFor(b));
  return compareScans(scanA, scanB, false);
}

/** Compares, or returns undefined when either side is invalid (no exception on the hot path). */
export function compareOrUndefined(a: string, b: string): Ordering | undefined {
  if (!scan(a, scanA) || !scan(b, scanB)) return undefined;
  return compareScans(scanA, scanB, false);
}

/**
 * As `compare`, except that a release missing on either side matches any release (rpm's dependency
 * semantics: `Requires: foo >= 1.0` is satisfied by 1.0-3).
 */
export function compareIgnoringMissingRelease(a: string, b: string): Ordering {
  if (!scan(a, scanA)) throw new InvalidVersionError('rpm', a, reasonFor(a));
  if (!scan(b, scanB)) throw new InvalidVersionError('rpm', b, reasonFor(b));
  return compareScans(scanA, scanB, true);
}

/** Compares two parsed EVRs (rpmverCmp). */
export function compareParsed(a: RpmVersion, b: RpmVersion): Ordering {
  const e = vercmpSegments(a.epoch || ZERO_EPOCH, b.epoch || ZERO_EPOCH);
  if (e !== 0) return e;
  const v = vercmpSegments(a.version, b.version);
  if (v !== 0) return v;
  if (a.release === undefined || b.release === undefined) {
    if (a.release === b.release) return 0;
    return a.release === undefined ? -1 : 1;
  }
  return vercmpSegments(a.release, b.release);
}
