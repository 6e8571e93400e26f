export { CRON_YEAR_MAX, CRON_YEAR_MIN } from './cron-parse.ts';
export { ScheduleExpressionError } from './errors.ts';
export { parseScheduleExpression, validateScheduleExpression } from './expression.ts';
export { type NextFireOptions, nextFireTime } from './next-fire.ts';
export type {
  AtExpression,
  CronExpression,
  CronList,
  CronListItem,
  DayOfMonthField,
  DayOfWeekField,
  RateExpression,
  RateUnit,
  ScheduleExpression,
  WallTime,
} from './types.ts';
export { RATE_UNITS } from './types.ts';
