/** Parses `rate(value unit)`: a positive whole value; unit minute(s), hour(s) or day(s), singular only for 1. */
import { ScheduleExpressionError } from './errors.ts';
import type { RateExpression, RateUnit } from './types.ts';

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const UNITS: Record<string, { unit: RateUnit; plural: boolean }> = {
  minute: { unit: 'minute', plural: false },
  minutes: { unit: 'minute', plural: true },
  hour: { unit: 'hour', plural: false },
  hours: { unit: 'hour', plural: true },
  day: { unit: 'day', plural: false },
  days: { unit: 'day', plural: true },
};

/** `body` is what stands between `rate(` and `)`. */
export function parseRate(body: string): RateExpression {
  const parts = body.trim().split(/\s+/);
  const [valueText, unitText] = parts;
  if (parts.length !== 2 || valueText === undefined || unitText === undefined || valueText === '') {
    throw new ScheduleExpressionError(
      `rate expression must be "rate(value unit)" such as rate(5 minutes), got "rate(${body})"`,
    );
  }
  if (!/^\d+$/.test(valueText)) {
    throw new ScheduleExpressionError(`rate value must be a positive whole number, got "${valueText}"`);
  }
  const value = Number(valueText);
  if (value === 0) throw new ScheduleExpressionError('rate value must be a positive whole number, got 0');
  if (!Number.isSafeInteger(value)) throw new ScheduleExpressionError(`rate value ${valueText} is too large`);
  const unit = Object.hasOwn(UNITS, unitText) ? UNITS[unitText] : undefined;
  if (!unit) {
    throw new ScheduleExpressionError(
      `rate unit must be one of minute, minutes, hour, hours, day, days, got "${unitText}"`,
    );
  }
  if (value === 1 && unit.plural) {
    throw new ScheduleExpressionError(`rate(1 ${unitText}) must use the singular unit: rate(1 ${unit.unit})`);
  }
  if (value > 1 && !unit.plural) {
    throw new ScheduleExpressionError(
      `rate(${value} ${unitText}) must use the plural unit: rate(${value} ${unit.unit}s)`,
    );
  }
  return { kind: 'rate', value, unit: unit.unit, intervalMs: value * UNIT_MS[unit.unit] };
}
