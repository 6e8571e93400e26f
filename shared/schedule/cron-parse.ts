/**
 * Parses the six fields of `cron(minutes hours day-of-month month day-of-week year)` as EventBridge
 * Scheduler defines them (User Guide, "Schedule types", cron-based schedules):
 *
 * | field        | values          | wildcards     |
 * | ------------ | --------------- | ------------- |
 * | minutes      | 0-59            | , - * /       |
 * | hours        | 0-23            | , - * /       |
 * | day-of-month | 1-31            | , - * ? / L W |
 * | month        | 1-12 or JAN-DEC | , - * /       |
 * | day-of-week  | 1-7 or SUN-SAT  | , - * ? L #   |
 * | year         | 1970-2199       | , - * /       |
 *
 * Exactly one of day-of-month and day-of-week is `?`. `L`, `LW`, `15W`, `6L` and `3#2` make up the whole
 * field (AWS: "if you use a '#' character, you can define only one expression in the day-of-week field").
 * Increments are capped as Quartz, whose syntax EventBridge follows, caps them.
 */
import { type CronListSpec, parseCronList } from './cron-list.ts';
import { ScheduleExpressionError } from './errors.ts';
import type { CronExpression, DayOfMonthField, DayOfWeekField } from './types.ts';

export const CRON_YEAR_MIN = 1970;
export const CRON_YEAR_MAX = 2199;

const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const MINUTES: CronListSpec = { field: 'minutes', min: 0, max: 59, maxStep: 59 };
const HOURS: CronListSpec = { field: 'hours', min: 0, max: 23, maxStep: 23 };
const MONTH: CronListSpec = { field: 'month', min: 1, max: 12, names: MONTH_NAMES, maxStep: 12 };
const YEAR: CronListSpec = {
  field: 'year',
  min: CRON_YEAR_MIN,
  max: CRON_YEAR_MAX,
  maxStep: CRON_YEAR_MAX - CRON_YEAR_MIN,
};

const FIELD_LIST = 'minutes hours day-of-month month day-of-week year';

function parseDayOfMonth(text: string): DayOfMonthField {
  const upper = text.toUpperCase();
  if (upper === '?') return { kind: 'any' };
  if (upper === 'L') return { kind: 'lastDay' };
  if (upper === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(upper);
  if (nearest) {
    const day = Number(nearest[1]);
    if (day < 1 || day > 31) {
      throw new ScheduleExpressionError(
        `day-of-month: the day in "${text}" must be between 1 and 31, got ${day}`,
      );
    }
    return { kind: 'nearestWeekday', day };
  }
  return parseCronList(text, {
    field: 'day-of-month',
    min: 1,
    max: 31,
    maxStep: 31,
    specialHint: `"L" and "W" must make up the whole day-of-month field (L, LW or a day such as 15W), got "${text}"`,
  });
}

function parseWeekday(token: string, text: string): number {
  if (/^\d+$/.test(token)) {
    const weekday = Number(token);
    if (weekday < 1 || weekday > 7) {
      throw new ScheduleExpressionError(
        `day-of-week: the day in "${text}" must be between 1 (SUN) and 7 (SAT), got ${weekday}`,
      );
    }
    return weekday;
  }
  const index = DAY_NAMES.indexOf(token as (typeof DAY_NAMES)[number]);
  if (index < 0) {
    throw new ScheduleExpressionError(
      `day-of-week: "${token}" in "${text}" is not a day number (1-7) or name (SUN-SAT)`,
    );
  }
  return index + 1;
}

function parseDayOfWeek(text: string): DayOfWeekField {
  const upper = text.toUpperCase();
  if (upper === '?') return { kind: 'any' };
  if (upper === 'L') return { kind: 'lastDayOfWeek' };
  const last = /^([0-9A-Z]+)L$/.exec(upper);
  if (last?.[1] && !upper.includes(',') && !upper.includes('-')) {
    return { kind: 'lastInMonth', weekday: parseWeekday(last[1], text) };
  }
  const nth = /^([0-9A-Z]+)#(\d+)$/.exec(upper);
  if (nth?.[1] && nth[2] !== undefined) {
    const weekday = parseWeekday(nth[1], text);
    const which = Number(nth[2]);
    if (which < 1 || which > 5) {
      throw new ScheduleExpressionError(
        `day-of-week: the occurrence in "${text}" must be between 1 and 5, got ${which}`,
      );
    }
    return { kind: 'nthInMonth', weekday, nth: which };
  }
  return parseCronList(text, {
    field: 'day-of-week',
    min: 1,
    max: 7,
    names: DAY_NAMES,
    maxStep: undefined,
    specialHint: `"L" and "#" must make up the whole day-of-week field (L, 6L or 3#2; only one "#" expression), got "${text}"`,
  });
}

/** `body` is what stands between `cron(` and `)`. */
export function parseCron(body: string): CronExpression {
  const trimmed = body.trim();
  const fields = trimmed === '' ? [] : trimmed.split(/\s+/);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if (
    fields.length !== 6 ||
    minutes === undefined ||
    hours === undefined ||
    dayOfMonth === undefined ||
    month === undefined ||
    dayOfWeek === undefined ||
    year === undefined
  ) {
    const hint = fields.length === 5 ? ' (the year field is required; use * for every year)' : '';
    throw new ScheduleExpressionError(
      `cron expression must have 6 fields (${FIELD_LIST}), got ${fields.length}${hint}`,
    );
  }
  const expression: CronExpression = {
    kind: 'cron',
    minutes: parseCronList(minutes, MINUTES),
    hours: parseCronList(hours, HOURS),
    dayOfMonth: parseDayOfMonth(dayOfMonth),
    month: parseCronList(month, MONTH),
    dayOfWeek: parseDayOfWeek(dayOfWeek),
    year: parseCronList(year, YEAR),
  };
  const domAny = expression.dayOfMonth.kind === 'any';
  const dowAny = expression.dayOfWeek.kind === 'any';
  if (domAny && dowAny) {
    throw new ScheduleExpressionError(
      'cron expression must use "?" in exactly one of day-of-month and day-of-week, but both are "?"',
    );
  }
  if (!domAny && !dowAny) {
    throw new ScheduleExpressionError(
      `cron expression must use "?" in exactly one of day-of-month and day-of-week, but neither is ("${dayOfMonth}" and "${dayOfWeek}"); use "?" in the field you do not constrain`,
    );
  }
  return expression;
}
