import { InvalidEventPatternError, type PatternPath } from './errors.ts';
import { parseIp } from './ip.ts';
import { compileOperator, stringInIpRange } from './operators.ts';
import type { FieldMatcher, LeafPredicate } from './types.ts';

/** A compiled value list (`"field": [ ... ]`). */
export interface CompiledLeaf {
  readonly match: FieldMatcher;
  /** Rough evaluation cost, used to test cheap fields first. */
  readonly cost: number;
  /** The list only says `{ "exists": false }`. */
  readonly absenceOnly: boolean;
}

const SMALL_SET = 6;

function stringsPredicate(strings: readonly string[]): (value: string) => boolean {
  if (strings.length === 1) {
    const s = strings[0] as string;
    return (v) => v === s;
  }
  if (strings.length <= SMALL_SET) {
    return (v) => {
      for (let i = 0; i < strings.length; i++) if (strings[i] === v) return true;
      return false;
    };
  }
  const set = new Set(strings);
  return (v) => set.has(v);
}

/** An exact value that is an IP literal also matches other spellings of the same address. */
function exactIpPredicate(literal: string): LeafPredicate | undefined {
  const bytes = new Uint8Array(16);
  const length = parseIp(literal, bytes);
  if (length === 0) return undefined;
  const exact = bytes.slice(0, length);
  const range = { length, bottom: exact, top: exact };
  return (v) => typeof v === 'string' && v !== literal && stringInIpRange(v, range);
}

interface Alternatives {
  strings: string[];
  numbers: number[];
  matchNull: boolean;
  matchTrue: boolean;
  matchFalse: boolean;
  others: LeafPredicate[];
  cost: number;
  existsTrue: boolean;
  existsFalse: boolean;
}

function combine(alt: Alternatives): LeafPredicate | undefined {
  const { strings, numbers, matchNull, matchTrue, matchFalse, others } = alt;
  const onlyStrings = numbers.length === 0 && !matchNull && !matchTrue && !matchFalse && others.length === 0;
  if (onlyStrings) {
    if (strings.length === 0) return undefined;
    if (strings.length === 1) {
      const s = strings[0] as string;
      return (v) => v === s;
    }
    const test = stringsPredicate(strings);
    return (v) => typeof v === 'string' && test(v);
  }
  if (strings.length === 0 && numbers.length === 0 && !matchNull && !matchTrue && !matchFalse) {
    if (others.length === 1) return others[0];
  }
  const stringTest = strings.length > 0 ? stringsPredicate(strings) : undefined;
  const numberSet = numbers.length > 0 ? new Set(numbers) : undefined;
  return (v) => {
    switch (typeof v) {
      case 'string':
        if (stringTest?.(v)) return true;
        break;
      case 'number':
        if (numberSet?.has(v)) return true;
        break;
      case 'boolean':
        if (v ? matchTrue : matchFalse) return true;
        break;
      default:
        if (v === null && matchNull) return true;
    }
    for (let i = 0; i < others.length; i++) if ((others[i] as LeafPredicate)(v)) return true;
    return false;
  };
}

/**
 * Scans an event array for leaf values (descending into nested arrays, skipping objects).
 * Returns 2 when a leaf matched, 1 when there were leaves but none matched, 0 when there were no leaves.
 */
function scanArray(values: readonly unknown[], test: LeafPredicate | undefined, anyLeaf: boolean): 0 | 1 | 2 {
  let seen: 0 | 1 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || (typeof v !== 'object' && typeof v !== 'undefined' && typeof v !== 'function')) {
      if (anyLeaf || test?.(v) === true) return 2;
      seen = 1;
    } else if (Array.isArray(v)) {
      const inner = scanArray(v, test, anyLeaf);
      if (inner === 2) return 2;
      if (inner === 1) seen = 1;
    }
  }
  return seen;
}

/** Fast path for the most common list: exact values only (no operators, no `exists`). */
function exactFieldMatcher(alt: Alternatives, test: LeafPredicate): FieldMatcher {
  const single = alt.strings.length === 1 && alt.numbers.length === 0;
  if (single && !alt.matchNull && !alt.matchTrue && !alt.matchFalse) {
    const s = alt.strings[0] as string;
    return (value) => value === s || (Array.isArray(value) && scanArray(value, test, false) === 2);
  }
  return (value) => {
    if (value === null || typeof value !== 'object') return value !== undefined && test(value);
    return Array.isArray(value) && scanArray(value, test, false) === 2;
  };
}

/**
 * Builds the matcher for one field. A leaf is a string, number, boolean or null; arrays match when any
 * element does; an absent field, an object, or an array without leaves has no value, which only
 * `{ "exists": false }` matches.
 */
function fieldMatcher(
  test: LeafPredicate | undefined,
  existsTrue: boolean,
  existsFalse: boolean,
): FieldMatcher {
  if (test === undefined && !existsTrue) {
    return (value) => {
      if (value === undefined) return existsFalse;
      if (value === null || typeof value !== 'object') return false;
      return Array.isArray(value) ? existsFalse && scanArray(value, undefined, true) === 0 : existsFalse;
    };
  }
  return (value) => {
    if (value === undefined) return existsFalse;
    if (value === null || typeof value !== 'object') {
      return existsTrue || test?.(value) === true;
    }
    if (!Array.isArray(value)) return existsFalse;
    const found = scanArray(value, test, existsTrue);
    return found === 2 || (found === 0 && existsFalse);
  };
}

/** Compiles a value list such as `["a", { "prefix": "b" }, 3, null]` found at `path`. */
export function compileLeaf(values: readonly unknown[], path: PatternPath): CompiledLeaf {
  if (values.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  const alt: Alternatives = {
    strings: [],
    numbers: [],
    matchNull: false,
    matchTrue: false,
    matchFalse: false,
    others: [],
    cost: 0,
    existsTrue: false,
    existsFalse: false,
  };
  values.forEach((value, i) => {
    const at = [...path, i];
    if (typeof value === 'string') {
      alt.strings.push(value);
      const ip = exactIpPredicate(value);
      if (ip !== undefined) {
        alt.others.push(ip);
        alt.cost += 2;
      }
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new InvalidEventPatternError('Match value must be a finite number', at);
      }
      alt.numbers.push(value);
    } else if (value === null) alt.matchNull = true;
    else if (value === true) alt.matchTrue = true;
    else if (value === false) alt.matchFalse = true;
    else if (typeof value === 'object' && !Array.isArray(value)) {
      const op = compileOperator(value as Record<string, unknown>, at);
      if (op.kind === 'exists') {
        if (op.exists) alt.existsTrue = true;
        else alt.existsFalse = true;
      } else {
        alt.others.push(op.test);
        alt.cost += op.cost;
      }
    } else {
      throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', at);
    }
  });
  const test = combine(alt);
  const exactOnly = test !== undefined && alt.others.length === 0 && !alt.existsTrue && !alt.existsFalse;
  const exactCount =
    alt.strings.length +
    alt.numbers.length +
    Number(alt.matchNull) +
    Number(alt.matchTrue) +
    Number(alt.matchFalse);
  return {
    match: exactOnly
      ? exactFieldMatcher(alt, test)
      : fieldMatcher(alt.existsTrue ? undefined : test, alt.existsTrue, alt.existsFalse),
    cost: 1 + alt.cost + (exactCount > SMALL_SET ? 1 : 0),
    absenceOnly: alt.existsFalse && !alt.existsTrue && test === undefined,
  };
}
