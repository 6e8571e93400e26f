/**
 * Parses one cron field made of comma-separated items: `*`, `5`, `1-5`, `*\/15`, `5/15`, `10-40/15`,
 * with month (JAN-DEC) or day (SUN-SAT) names where the field allows them.
 */
import { ScheduleExpressionError } from './errors.ts';
import type { CronList, CronListItem } from './types.ts';

export interface CronListSpec {
  /** As the error messages name it: `minutes`, `hours`, `day-of-month`, `month`, `day-of-week`, `year`. */
  field: string;
  min: number;
  max: number;
  /** Names for min, min + 1, ...; matched case-insensitively. */
  names?: readonly string[];
  /** Largest increment after `/`; undefined when the field does not allow increments. */
  maxStep: number | undefined;
  /** Said when an item holds a character (L, W, #) that this field accepts only as the whole field. */
  specialHint?: string;
}

const DIGITS = /^\d+$/;

function fail(spec: CronListSpec, message: string): never {
  throw new ScheduleExpressionError(`${spec.field}: ${message}`);
}

function describeUnexpected(token: string, spec: CronListSpec): string {
  if (token === '') return 'a value is missing';
  if (token.includes('?')) return '"?" is only allowed as the whole day-of-month or day-of-week field';
  // Tokens such as 5L, 15W, LW or 3#2: special characters, not misspelt names.
  if (/^[\dLW#-]+$/i.test(token) && /[LW#]/i.test(token)) {
    if (/W/i.test(token) && spec.field !== 'day-of-month')
      return `"W" is only allowed in day-of-month, got "${token}"`;
    if (token.includes('#') && spec.field !== 'day-of-week')
      return `"#" is only allowed in day-of-week, got "${token}"`;
    if (spec.specialHint) return spec.specialHint;
    return `"L" is only allowed in day-of-month and day-of-week, got "${token}"`;
  }
  const range = `${spec.min}-${spec.max}`;
  const names = spec.names;
  if (names)
    return `"${token}" is not a number (${range}) or a name (${names[0]}-${names[names.length - 1]})`;
  return `"${token}" is not a number (${range})`;
}

function parseValue(token: string, spec: CronListSpec): number {
  if (DIGITS.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) fail(spec, `${value} is out of range ${spec.min}-${spec.max}`);
    return value;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  return fail(spec, describeUnexpected(token, spec));
}

function parseStep(text: string, item: string, spec: CronListSpec): number {
  if (spec.maxStep === undefined)
    fail(spec, `increments ("/") are not allowed in ${spec.field}, got "${item}"`);
  if (!DIGITS.test(text)) fail(spec, `the increment in "${item}" must be a whole number, got "${text}"`);
  const step = Number(text);
  if (step < 1 || step > spec.maxStep) {
    fail(spec, `the increment in "${item}" must be between 1 and ${spec.maxStep}, got ${step}`);
  }
  return step;
}

function parseRange(text: string, item: string, spec: CronListSpec): { start: number; end: number } {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const value = parseValue(text, spec);
    return { start: value, end: value };
  }
  const start = parseValue(text.slice(0, dash), spec);
  const end = parseValue(text.slice(dash + 1), spec);
  if (start > end) fail(spec, `the range in "${item}" starts after it ends`);
  return { start, end };
}

function parseItem(item: string, spec: CronListSpec): CronListItem {
  const slash = item.indexOf('/');
  if (slash >= 0) {
    const base = item.slice(0, slash);
    const step = parseStep(item.slice(slash + 1), item, spec);
    if (base === '*') return { kind: 'step', start: spec.min, end: spec.max, step };
    const range = parseRange(base, item, spec);
    const end = base.includes('-') ? range.end : spec.max;
    return { kind: 'step', start: range.start, end, step };
  }
  if (item === '*') return { kind: 'all' };
  if (item.includes('-')) {
    const range = parseRange(item, item, spec);
    return { kind: 'range', start: range.start, end: range.end };
  }
  return { kind: 'value', value: parseValue(item, spec) };
}

function valuesOf(item: CronListItem, spec: CronListSpec): number[] {
  switch (item.kind) {
    case 'all':
      return span(spec.min, spec.max, 1);
    case 'value':
      return [item.value];
    case 'range':
      return span(item.start, item.end, 1);
    case 'step':
      return span(item.start, item.end, item.step);
  }
}

function span(start: number, end: number, step: number): number[] {
  const values: number[] = [];
  for (let value = start; value <= end; value += step) values.push(value);
  return values;
}

export function parseCronList(text: string, spec: CronListSpec): CronList {
  const items = text.split(',').map((item) => parseItem(item, spec));
  const values = [...new Set(items.flatMap((item) => valuesOf(item, spec)))].sort((a, b) => a - b);
  return { kind: 'list', items, values };
}
