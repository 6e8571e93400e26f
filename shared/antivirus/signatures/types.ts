/**
 * What the ClamAV signature parsers return: hash signatures (`.hdb`/`.hsb`), body signatures (`.ndb`)
 * compiled to a pattern model, ignore entries (`.ign2`), and the load report that says what was loaded,
 * what was skipped as clamscan itself skips it, and what this engine does not support.
 */

/** The ClamAV functionality level whose loading rules we follow (clamscan 1.4 reports 216). */
export const CLAMAV_FLEVEL = 216;

/** Signature file kinds this engine loads. */
export type LoadedKind = 'hdb' | 'hsb' | 'ndb' | 'ign2';

export type HashType = 'md5' | 'sha1' | 'sha256';

/** One `.hdb`/`.hsb` entry: a whole-file hash with its size (or any size). */
export interface HashSignature {
  /** Reported name, ClamAV style (`Name.UNOFFICIAL` for local unsigned databases). */
  name: string;
  type: HashType;
  /** Lower-case hex digest. */
  hash: string;
  /** File size in bytes; `undefined` for `*` (any size). */
  size: number | undefined;
  source: SourceRef;
}

/** Where a signature came from, for reports and errors. */
export interface SourceRef {
  file: string;
  line: number;
}

/**
 * A byte pattern element. `byte` matches `(b & mask) === value` (mask 0xff exact, 0xf0/0x0f a nibble,
 * 0 any byte); `alt` matches one of several byte strings (each element-wise masked), or, when negated,
 * any string of the options' common length that none of them matches.
 */
export type PatternElement =
  | { kind: 'byte'; value: number; mask: number }
  | { kind: 'alt'; negated: boolean; options: AltOption[] };

export interface AltOption {
  values: Uint8Array;
  masks: Uint8Array;
}

/** A run of elements with no `*` or `{n-m}` inside it: ClamAV's "subsignature part". */
export interface PatternPart {
  elements: PatternElement[];
  /** Shortest and longest byte length the part can match (they differ only with uneven alternatives). */
  minLength: number;
  maxLength: number;
}

/** The gap between two parts: `*` is `{min: 0, max: undefined}`; `{n-m}`, `{n-}`, `{-m}`, `{n}` as written. */
export interface Gap {
  min: number;
  max: number | undefined;
}

/** Where a body signature may start. */
export type BodyOffset =
  | { kind: 'any' }
  | { kind: 'absolute'; offset: number; shift: number }
  | { kind: 'eof'; back: number; shift: number };

/** One `.ndb` entry, parsed. */
export interface BodySignature {
  name: string;
  target: number;
  offset: BodyOffset;
  parts: PatternPart[];
  /** `gaps[i]` sits between `parts[i]` and `parts[i + 1]`. */
  gaps: Gap[];
  /**
   * True when ClamAV would put the signature in its Boyer-Moore matcher (fully static hex), which
   * clamscan runs before its Aho-Corasick matcher on each buffer: it decides which of several matching
   * signatures clamscan reports.
   */
  staticOnly: boolean;
  /** The hex as written, for reports. */
  hex: string;
  source: SourceRef;
}

/** One `.ign2` entry: a signature name, optionally tied to the MD5 of the signature's database line. */
export interface IgnoreEntry {
  name: string;
  lineMd5: string | undefined;
  source: SourceRef;
}

/** Something in a database this engine did not load although clamscan would (or might). */
export interface UnsupportedEntry {
  file: string;
  line?: number;
  reason: string;
}

/** Something not loaded because clamscan does not load it either (functionality level, ignore list...). */
export interface SkippedEntry {
  file: string;
  line?: number;
  reason: string;
}

/** A malformed line or file: clamscan refuses the whole database for these. */
export interface LoadError {
  file: string;
  line?: number;
  reason: string;
}

export interface LoadReport {
  /** Signatures loaded, per kind (`ign2` counts ignore entries). */
  loaded: Record<LoadedKind, number>;
  unsupported: UnsupportedEntry[];
  skipped: SkippedEntry[];
  errors: LoadError[];
  /** Database files read, in load order. */
  files: string[];
}

export function emptyReport(): LoadReport {
  return { loaded: { hdb: 0, hsb: 0, ndb: 0, ign2: 0 }, unsupported: [], skipped: [], errors: [], files: [] };
}
