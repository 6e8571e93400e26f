/**
 * Turns a validated condition (see schema.ts) into a predicate over `MonitorEvent`s, once per rule
 * load: regexes compiled, `in` lists turned into sets, case folding of operands done up front.
 *
 * A field holding a list (a repeated SD parameter, a multi-valued Windows field, `flags`) matches when
 * any element does. Numbers compare as numbers: `{"equals": 4625}` matches eventId 4625 and the text
 * "4625"; `{"gte": "0xC000006A"}` compares hex and decimal text alike. A string operand compares
 * against the text of a number (`{"equals": "4625"}` matches eventId 4625 too).
 */
import { type MonitorEvent, SEVERITIES, type Severity } from '../../contracts/monitoring.ts';
import { accessorFor, type FieldAccessor, type FieldValue, parseFieldPath } from './fields.ts';
import { parseNumeric } from './numeric.ts';
import { compileRuleRegex, testLimited } from './regex-guard.ts';
import type { ConditionInput } from './schema.ts';

export type EventPredicate = (event: MonitorEvent) => boolean;

type ScalarTest = (value: string | number) => boolean;

function anyValue(value: FieldValue, test: ScalarTest): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string' || typeof value === 'number') return test(value);
  for (const element of value) if (test(element)) return true;
  return false;
}

const text = (value: string | number): string => (typeof value === 'number' ? String(value) : value);

function numberOf(value: string | number): number | undefined {
  return typeof value === 'number' ? value : parseNumeric(value);
}

function boundOf(bound: number | string | undefined): number | undefined {
  return bound === undefined ? undefined : typeof bound === 'number' ? bound : parseNumeric(bound);
}

function equalsTest(operand: string | number, ignoreCase: boolean): ScalarTest {
  if (typeof operand === 'number') return (value) => numberOf(value) === operand;
  if (!ignoreCase) return (value) => text(value) === operand;
  const folded = operand.toLowerCase();
  return (value) => {
    const t = text(value);
    return t.length === folded.length && t.toLowerCase() === folded;
  };
}

function inTest(operands: readonly (string | number)[], ignoreCase: boolean): ScalarTest {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const operand of operands) {
    if (typeof operand === 'number') numbers.add(operand);
    else strings.add(ignoreCase ? operand.toLowerCase() : operand);
  }
  return (value) => {
    if (typeof value === 'number') return numbers.has(value) || strings.has(String(value));
    if (strings.has(ignoreCase ? value.toLowerCase() : value)) return true;
    if (numbers.size === 0) return false;
    const n = parseNumeric(value);
    return n !== undefined && numbers.has(n);
  };
}

function substringTest(
  kind: 'contains' | 'startsWith' | 'endsWith',
  operand: string,
  ignoreCase: boolean,
): ScalarTest {
  const needle = ignoreCase ? operand.toLowerCase() : operand;
  const fold = (value: string | number) => (ignoreCase ? text(value).toLowerCase() : text(value));
  if (kind === 'contains') return (value) => fold(value).includes(needle);
  if (kind === 'startsWith') return (value) => fold(value).startsWith(needle);
  return (value) => fold(value).endsWith(needle);
}

function compareTest(c: ConditionInput): ScalarTest {
  const gt = boundOf(c.gt);
  const gte = boundOf(c.gte);
  const lt = boundOf(c.lt);
  const lte = boundOf(c.lte);
  return (value) => {
    const n = numberOf(value);
    if (n === undefined) return false;
    return (
      (gt === undefined || n > gt) &&
      (gte === undefined || n >= gte) &&
      (lt === undefined || n < lt) &&
      (lte === undefined || n <= lte)
    );
  };
}

function leafAccessor(field: string): FieldAccessor {
  const parsed = parseFieldPath(field, false);
  if (typeof parsed === 'string' || parsed.kind === 'extract') {
    throw new Error(`condition field "${field}" was not validated: ${String(parsed)}`);
  }
  return accessorFor(parsed);
}

function scalarTestOf(c: ConditionInput): ScalarTest {
  const ignoreCase = c.ignoreCase === true;
  if (c.equals !== undefined) return equalsTest(c.equals, ignoreCase);
  if (c.in !== undefined) return inTest(c.in, ignoreCase);
  if (c.contains !== undefined) return substringTest('contains', c.contains, ignoreCase);
  if (c.startsWith !== undefined) return substringTest('startsWith', c.startsWith, ignoreCase);
  if (c.endsWith !== undefined) return substringTest('endsWith', c.endsWith, ignoreCase);
  if (c.regex !== undefined) {
    const re = compileRuleRegex(c.regex, ignoreCase);
    if (typeof re === 'string') throw new Error(`condition regex was not validated: ${re}`);
    return (value) => testLimited(re, text(value));
  }
  return compareTest(c);
}

const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));

/** Compiles a condition that `Condition` (schema.ts) accepted. */
export function compileCondition(c: ConditionInput): EventPredicate {
  if (c.all !== undefined) {
    const parts = c.all.map(compileCondition);
    return (event) => {
      for (const part of parts) if (!part(event)) return false;
      return true;
    };
  }
  if (c.any !== undefined) {
    const parts = c.any.map(compileCondition);
    return (event) => {
      for (const part of parts) if (part(event)) return true;
      return false;
    };
  }
  if (c.not !== undefined) {
    const inner = compileCondition(c.not);
    return (event) => !inner(event);
  }
  if (c.severityAtLeast !== undefined) {
    const limit = SEVERITY_RANK.get(c.severityAtLeast)!;
    return (event) => SEVERITY_RANK.get(event.severity)! <= limit;
  }
  const read = leafAccessor(c.field!);
  if (c.exists !== undefined) {
    const wanted = c.exists;
    return (event) => {
      const value = read(event);
      const present =
        value !== null && value !== undefined && (typeof value !== 'object' || value.length > 0);
      return present === wanted;
    };
  }
  const test = scalarTestOf(c);
  return (event) => anyValue(read(event), test);
}
