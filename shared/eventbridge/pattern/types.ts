/** A compiled event pattern: build once with `compilePattern`, evaluate many times. */
export interface EventMatcher {
  /** True when `event` (a parsed JSON value, normally the EventBridge envelope) matches the pattern. */
  matches(event: unknown): boolean;
}

export interface CompilePatternOptions {
  /**
   * Maximum size of the pattern in characters (its JSON text as given, or `JSON.stringify` of an object).
   * EventBridge's default quota is 2048, adjustable up to 4096.
   */
  maxPatternLength?: number;
}

/** Tests one leaf value of the event (string, number, boolean or null). */
export type LeafPredicate = (value: unknown) => boolean;

/** Tests the raw event value found under one pattern key (undefined when the key is absent). */
export type FieldMatcher = (value: unknown) => boolean;

/** The comparison operators allowed inside a pattern's value list. */
export const MATCH_OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export const OR_KEY = '$or';

export const PATTERN_LIMITS = {
  /** Default EventBridge quota for the size of an event pattern, in characters. */
  defaultMaxPatternLength: 2048,
  /** The highest value the pattern-size quota can be raised to. */
  maxPatternLengthCeiling: 4096,
  /** Numbers in numeric and anything-but matching must lie within ±5.0e9 ... */
  numericMagnitude: 5e9,
  /** ... with at most six digits right of the decimal point. */
  numericDecimals: 6,
} as const;
