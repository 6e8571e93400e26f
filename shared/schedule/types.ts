/**
 * The typed syntax tree of an Amazon EventBridge Scheduler schedule expression:
 * `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` or
 * `at(yyyy-mm-ddThh:mm:ss)`.
 */

export const RATE_UNITS = ['minute', 'hour', 'day'] as const;
export type RateUnit = (typeof RATE_UNITS)[number];

export interface RateExpression {
  kind: 'rate';
  /** A positive integer. */
  value: number;
  /** Normalised to the singular; `rate(5 minutes)` has unit `minute`. */
  unit: RateUnit;
  /** `value` units in milliseconds (a day is always 24 hours, as EventBridge Scheduler documents). */
  intervalMs: number;
}

/** One comma-separated item of a cron field, after month and day names are turned into numbers. */
export type CronListItem =
  /** `*` */
  | { kind: 'all' }
  /** `5` or `MON` */
  | { kind: 'value'; value: number }
  /** `1-5` or `MON-FRI` (inclusive) */
  | { kind: 'range'; start: number; end: number }
  /** `*\/15` (start = field minimum), `5/15` (end = field maximum) or `10-40/15` */
  | { kind: 'step'; start: number; end: number; step: number };

export interface CronList {
  kind: 'list';
  items: readonly CronListItem[];
  /** Every value the items select, ascending and without duplicates. */
  values: readonly number[];
}

/** `?`: this field places no constraint (the other of day-of-month / day-of-week does). */
export interface CronAny {
  kind: 'any';
}

export type DayOfMonthField =
  | CronList
  | CronAny
  /** `L`: the last day of the month. */
  | { kind: 'lastDay' }
  /** `LW`: the last weekday (Monday to Friday) of the month. */
  | { kind: 'lastWeekday' }
  /** `15W`: the weekday nearest the 15th, without leaving the month. */
  | { kind: 'nearestWeekday'; day: number };

/** Days of the week are 1-7 where 1 is Sunday and 7 is Saturday. */
export type DayOfWeekField =
  | CronList
  | CronAny
  /** `L` on its own: the last day of the week, Saturday. */
  | { kind: 'lastDayOfWeek' }
  /** `6L`: the last Friday of the month. */
  | { kind: 'lastInMonth'; weekday: number }
  /** `3#2`: the second Tuesday of the month. */
  | { kind: 'nthInMonth'; weekday: number; nth: number };

export interface CronExpression {
  kind: 'cron';
  minutes: CronList;
  hours: CronList;
  dayOfMonth: DayOfMonthField;
  month: CronList;
  dayOfWeek: DayOfWeekField;
  year: CronList;
}

/** A wall-clock date and time, read in the schedule's time zone. */
export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  /** 0-23 */
  hour: number;
  /** 0-59 */
  minute: number;
  /** 0-59 */
  second: number;
}

export interface AtExpression extends WallTime {
  kind: 'at';
}

export type ScheduleExpression = RateExpression | CronExpression | AtExpression;
