/** Parses `at(yyyy-mm-ddThh:mm:ss)`: a local date and time, read in the schedule's time zone. */
import { daysInMonth } from './calendar.ts';
import { ScheduleExpressionError } from './errors.ts';
import type { AtExpression } from './types.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function fail(message: string): never {
  throw new ScheduleExpressionError(`at expression ${message}`);
}

function checkRange(what: string, value: number, min: number, max: number, width = 2): void {
  if (value < min || value > max) {
    const pad = (n: number) => String(n).padStart(width, '0');
    fail(`${what} ${pad(value)} is out of range ${pad(min)}-${pad(max)}`);
  }
}

/** `body` is what stands between `at(` and `)`. */
export function parseAt(body: string): AtExpression {
  const match = SHAPE.exec(body);
  if (!match) {
    if (/(Z|[+-]\d{2}:?\d{2})$/i.test(body) && /T/.test(body)) {
      fail(
        `takes a local date and time without "Z" or an offset (the time zone is set separately), got "${body}"`,
      );
    }
    fail(`must be "at(yyyy-mm-ddThh:mm:ss)" such as at(2025-06-30T14:00:00), got "at(${body})"`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  checkRange('month', month, 1, 12);
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) {
    fail(`date ${body.slice(0, 10)} does not exist: ${MONTHS[month - 1]} ${year} has days 01-${lastDay}`);
  }
  checkRange('hour', hour, 0, 23);
  checkRange('minute', minute, 0, 59);
  checkRange('second', second, 0, 59);
  return { kind: 'at', year, month, day, hour, minute, second };
}
