import { compileAnythingBut } from './anything-but.ts';
import { InvalidEventPatternError, type PatternPath } from './errors.ts';
import { endsWithIgnoreCase, equalsIgnoreCase, startsWithIgnoreCase } from './ignore-case.ts';
import { type IpRange, ipInRange, parseCidr, parseIp } from './ip.ts';
import { compileNumeric } from './numeric.ts';
import { type LeafPredicate, MATCH_OPERATORS, type MatchOperator } from './types.ts';
import { parseWildcard, wildcardMatcher } from './wildcard.ts';

/** What one `{ "<operator>": operand }` element of a value list compiles to. */
export type CompiledOperator =
  | { readonly kind: 'predicate'; readonly test: LeafPredicate; readonly cost: number }
  | { readonly kind: 'exists'; readonly exists: boolean };

const ipScratch = new Uint8Array(16);

/** True when `value` is an IP literal within `range`. */
export function stringInIpRange(value: string, range: IpRange): boolean {
  const length = parseIp(value, ipScratch);
  return length !== 0 && ipInRange(ipScratch, length, range);
}

function isOperator(key: string): key is MatchOperator {
  return (MATCH_OPERATORS as readonly string[]).includes(key);
}

function requireString(operand: unknown, path: PatternPath, what: string): string {
  if (typeof operand !== 'string') throw new InvalidEventPatternError(`${what} must be a string`, path);
  return operand;
}

function stringPredicate(test: (value: string) => boolean, cost: number): CompiledOperator {
  return { kind: 'predicate', test: (v) => typeof v === 'string' && test(v), cost };
}

/** `prefix` / `suffix`: a string, or `{ "equals-ignore-case": string }`. */
function compileAffix(kind: 'prefix' | 'suffix', operand: unknown, path: PatternPath): CompiledOperator {
  if (operand !== null && typeof operand === 'object' && !Array.isArray(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) {
      throw new InvalidEventPatternError(`Only one key allowed in ${kind} expression`, path);
    }
    const key = keys[0] as string;
    if (key !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(`Unsupported ${kind} pattern: ${key}`, path);
    }
    const text = requireString(
      (operand as Record<string, unknown>)[key],
      [...path, key],
      'equals-ignore-case match pattern',
    );
    return stringPredicate(kind === 'prefix' ? startsWithIgnoreCase(text) : endsWithIgnoreCase(text), 2);
  }
  const text = requireString(operand, path, `${kind} match pattern`);
  return stringPredicate(kind === 'prefix' ? (v) => v.startsWith(text) : (v) => v.endsWith(text), 2);
}

/**
 * Compiles one operator object from a value list, e.g. `{ "prefix": "us-" }`. `path` points at the object.
 * The object must have exactly one key, an operator EventBridge knows, with an operand of the right type.
 */
export function compileOperator(expression: Record<string, unknown>, path: PatternPath): CompiledOperator {
  const keys = Object.keys(expression);
  if (keys.length === 0) throw new InvalidEventPatternError('Match expression name not found', path);
  if (keys.length > 1) throw new InvalidEventPatternError('Only one key allowed in match expression', path);
  const op = keys[0] as string;
  if (!isOperator(op)) throw new InvalidEventPatternError(`Unrecognized match type ${op}`, path);
  const operand = expression[op];
  const at = [...path, op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, operand, at);
    case 'equals-ignore-case':
      return stringPredicate(
        equalsIgnoreCase(requireString(operand, at, 'equals-ignore-case match pattern')),
        2,
      );
    case 'wildcard': {
      const parts = parseWildcard(requireString(operand, at, 'wildcard match pattern'));
      if (typeof parts === 'string') throw new InvalidEventPatternError(parts, at);
      return stringPredicate(wildcardMatcher(parts), 3);
    }
    case 'numeric':
      return { kind: 'predicate', test: compileNumeric(operand, at), cost: 2 };
    case 'anything-but':
      return { kind: 'predicate', test: compileAnythingBut(operand, at), cost: 2 };
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.', at);
      }
      return { kind: 'exists', exists: operand };
    case 'cidr': {
      const range = parseCidr(requireString(operand, at, 'cidr match pattern'));
      if (typeof range === 'string') throw new InvalidEventPatternError(range, at);
      return stringPredicate((v) => stringInIpRange(v, range), 3);
    }
  }
}
