import { InvalidEventPatternError, type PatternPath } from './errors.ts';
import { type LeafPredicate, PATTERN_LIMITS } from './types.ts';

const MAX = PATTERN_LIMITS.numericMagnitude;
const MIN = -MAX;

/** Number of digits right of the decimal point in the shortest decimal form of `n`. */
function decimalPlaces(n: number): number {
  if (Number.isInteger(n)) return 0;
  const text = String(n);
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, fraction - exponent);
}

/**
 * Checks a number used by `numeric` or `anything-but`: EventBridge compares numbers between -5.0e9 and
 * +5.0e9 with six digits of precision right of the decimal point, and refuses operands outside that.
 */
export function checkComparableNumber(value: unknown, path: PatternPath, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidEventPatternError(`Value of ${what} must be numeric`, path);
  }
  if (value < MIN || value > MAX) {
    throw new InvalidEventPatternError(`Value must be between ${MIN} and ${MAX}, inclusive`, path);
  }
  if (decimalPlaces(value) > PATTERN_LIMITS.numericDecimals) {
    throw new InvalidEventPatternError('Only values up to 6 decimals are supported', path);
  }
  return value;
}

function rangePredicate(lo: number, loOpen: boolean, hi: number, hiOpen: boolean): LeafPredicate {
  if (loOpen && hiOpen) return (v) => typeof v === 'number' && v > lo && v < hi;
  if (loOpen) return (v) => typeof v === 'number' && v > lo && v <= hi;
  if (hiOpen) return (v) => typeof v === 'number' && v >= lo && v < hi;
  return (v) => typeof v === 'number' && v >= lo && v <= hi;
}

/**
 * Compiles the operand of `numeric`: `["=", x]`, `["<", x]`, `["<=", x]`, `[">", x]`, `[">=", x]`, or a
 * range `[">" | ">=", low, "<" | "<=", high]` with low < high. Only JSON numbers in the event match, and
 * only within ±5.0e9 (the open side of a one-sided comparison is bounded by that limit).
 */
export function compileNumeric(operand: unknown, path: PatternPath): LeafPredicate {
  if (!Array.isArray(operand)) {
    throw new InvalidEventPatternError('Value of numeric must be an array.', path);
  }
  if (operand.length === 0) throw new InvalidEventPatternError('Empty numeric expression', path);
  const op = operand[0];
  if (typeof op !== 'string') {
    throw new InvalidEventPatternError(`Invalid member in numeric match: ${JSON.stringify(op)}`, [
      ...path,
      0,
    ]);
  }
  const tooMany = (max: number): void => {
    if (operand.length > max) {
      throw new InvalidEventPatternError('Too many elements in numeric expression', [...path, max]);
    }
  };
  if (operand.length < 2) {
    throw new InvalidEventPatternError(`Value of ${op} must be numeric`, [...path, 1]);
  }
  switch (op) {
    case '=': {
      const x = checkComparableNumber(operand[1], [...path, 1], '=');
      tooMany(2);
      return (v) => v === x;
    }
    case '<':
    case '<=': {
      const x = checkComparableNumber(operand[1], [...path, 1], op);
      tooMany(2);
      if (x <= MIN) throw new InvalidEventPatternError('Bottom must be less than top', path);
      return rangePredicate(MIN, false, x, op === '<');
    }
    case '>':
    case '>=': {
      const lo = checkComparableNumber(operand[1], [...path, 1], op);
      if (operand.length === 2) {
        if (lo >= MAX) throw new InvalidEventPatternError('Bottom must be less than top', path);
        return rangePredicate(lo, op === '>', MAX, false);
      }
      const op2 = operand[2];
      if (typeof op2 !== 'string') {
        throw new InvalidEventPatternError(`Bad value in numeric range: ${JSON.stringify(op2)}`, [
          ...path,
          2,
        ]);
      }
      if (op2 !== '<' && op2 !== '<=') {
        throw new InvalidEventPatternError(`Bad numeric range operator: ${op2}`, [...path, 2]);
      }
      if (operand.length < 4) {
        throw new InvalidEventPatternError(`Value of ${op2} must be numeric`, [...path, 3]);
      }
      const hi = checkComparableNumber(operand[3], [...path, 3], op2);
      if (operand.length > 4) {
        throw new InvalidEventPatternError('Too many terms in numeric range expression', [...path, 4]);
      }
      if (lo >= hi) throw new InvalidEventPatternError('Bottom must be less than top', path);
      return rangePredicate(lo, op === '>', hi, op2 === '<');
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${op}`, [...path, 0]);
  }
}
