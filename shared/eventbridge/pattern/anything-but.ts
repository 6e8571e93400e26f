import { InvalidEventPatternError, type PatternPath } from './errors.ts';
import { equalsIgnoreCase } from './ignore-case.ts';
import { checkComparableNumber } from './numeric.ts';
import type { LeafPredicate } from './types.ts';
import { parseWildcard, wildcardMatcher } from './wildcard.ts';

const NESTED = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
type Nested = (typeof NESTED)[number];

function isNested(key: string): key is Nested {
  return (NESTED as readonly string[]).includes(key);
}

/** `anything-but` with a value or a list: strings only, or numbers only. */
function compileValues(operand: unknown, path: PatternPath): LeafPredicate {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  const strings = new Set<string>();
  const numbers = new Set<number>();
  list.forEach((item, i) => {
    const at = Array.isArray(operand) ? [...path, i] : path;
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(checkComparableNumber(item, at, 'anything-but'));
    else {
      throw new InvalidEventPatternError(
        'Inside anything-but, only strings and numbers are supported (not objects, arrays, null or booleans)',
        at,
      );
    }
  });
  if (strings.size > 0 && numbers.size > 0) {
    throw new InvalidEventPatternError(
      'Inside anything-but list, either all values are numbers or all are strings; mixed types are not supported',
      path,
    );
  }
  if (numbers.size > 0) {
    if (numbers.size === 1) {
      const [n] = numbers;
      return (v) => v !== n;
    }
    return (v) => typeof v !== 'number' || !numbers.has(v);
  }
  if (strings.size === 1) {
    const [s] = strings;
    return (v) => v !== s;
  }
  return (v) => typeof v !== 'string' || !strings.has(v);
}

/** A string test per nested operator; the anything-but form matches when none of the tests pass. */
function stringTest(kind: Nested, text: string, path: PatternPath): (value: string) => boolean {
  switch (kind) {
    case 'prefix':
    case 'suffix':
      if (text === '') throw new InvalidEventPatternError('Null prefix/suffix not allowed', path);
      return kind === 'prefix' ? (v) => v.startsWith(text) : (v) => v.endsWith(text);
    case 'equals-ignore-case':
      return equalsIgnoreCase(text);
    case 'wildcard': {
      const parts = parseWildcard(text);
      if (typeof parts === 'string') throw new InvalidEventPatternError(parts, path);
      return wildcardMatcher(parts);
    }
  }
}

function compileNested(operand: Record<string, unknown>, path: PatternPath): LeafPredicate {
  const keys = Object.keys(operand);
  if (keys.length === 0) {
    throw new InvalidEventPatternError('Anything-But expression name not found', path);
  }
  if (keys.length > 1) {
    throw new InvalidEventPatternError('Only one key allowed in anything-but expression', path);
  }
  const kind = keys[0] as string;
  if (!isNested(kind)) throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${kind}`, path);
  const value = operand[kind];
  const at = [...path, kind];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', at);
  const tests = list.map((item, i) => {
    const itemPath = Array.isArray(value) ? [...at, i] : at;
    if (typeof item !== 'string') {
      throw new InvalidEventPatternError(`${kind} match pattern must be a string`, itemPath);
    }
    return stringTest(kind, item, itemPath);
  });
  if (tests.length === 1) {
    const test = tests[0] as (value: string) => boolean;
    return (v) => typeof v !== 'string' || !test(v);
  }
  return (v) => {
    if (typeof v !== 'string') return true;
    for (let i = 0; i < tests.length; i++) if ((tests[i] as (value: string) => boolean)(v)) return false;
    return true;
  };
}

/**
 * Compiles the operand of `anything-but`. It matches any leaf value (of any type, including null) that is
 * not excluded: a string or number, a list of only strings or only numbers, or an object with one of
 * `prefix`, `suffix`, `equals-ignore-case` or `wildcard` (a string or a list of strings), which exclude
 * string values only.
 */
export function compileAnythingBut(operand: unknown, path: PatternPath): LeafPredicate {
  if (operand !== null && typeof operand === 'object' && !Array.isArray(operand)) {
    return compileNested(operand as Record<string, unknown>, path);
  }
  if (typeof operand === 'string' || typeof operand === 'number' || Array.isArray(operand)) {
    return compileValues(operand, path);
  }
  throw new InvalidEventPatternError(
    'Value of anything-but must be an array, an object, or a single string/number value.',
    path,
  );
}
