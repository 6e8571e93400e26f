/**
 * Finds the first wall-clock minute at or after a starting point that a cron expression names, walking the
 * fields from the largest down (year, month, day, hour, minute). Each step jumps straight to the next value
 * the field allows and resets the smaller fields, so no search ever visits minutes one by one: an
 * expression that matches only on 29 February, or only in 2150, is found in a few hundred steps at most.
 */
import { daysInMonth } from './calendar.ts';
import { dayMatches } from './day-match.ts';
import type { CronExpression, WallTime } from './types.ts';

export interface WallMinute {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The smallest value in ascending `values` that is >= `from`. */
function nextValue(values: readonly number[], from: number): number | undefined {
  for (const value of values) if (value >= from) return value;
  return undefined;
}

function nextMatchingDay(
  cron: CronExpression,
  year: number,
  month: number,
  from: number,
): number | undefined {
  const last = daysInMonth(year, month);
  for (let day = from; day <= last; day++) if (dayMatches(cron, year, month, day)) return day;
  return undefined;
}

/**
 * The first wall-clock minute >= `from` that `cron` names, or undefined when none is left before the end
 * of the year field's range. `from` may overflow (minute 60, hour 24, day 32, month 13); it is carried.
 */
export function nextCronWallTime(cron: CronExpression, from: WallMinute): WallTime | undefined {
  let { year, month, day, hour, minute } = from;
  for (;;) {
    if (minute > 59) [minute, hour] = [0, hour + 1];
    if (hour > 23) [hour, day] = [0, day + 1];
    if (month > 12) [month, year] = [1, year + 1];
    if (day > daysInMonth(year, month)) [day, month] = [1, month + 1];
    if (month > 12) [month, year] = [1, year + 1];

    const nextYear = nextValue(cron.year.values, year);
    if (nextYear === undefined) return undefined;
    if (nextYear !== year) [year, month, day, hour, minute] = [nextYear, 1, 1, 0, 0];

    const nextMonth = nextValue(cron.month.values, month);
    if (nextMonth === undefined) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (nextMonth !== month) [month, day, hour, minute] = [nextMonth, 1, 0, 0];

    const nextDay = nextMatchingDay(cron, year, month, day);
    if (nextDay === undefined) {
      [month, day, hour, minute] = [month + 1, 1, 0, 0];
      continue;
    }
    if (nextDay !== day) [day, hour, minute] = [nextDay, 0, 0];

    const nextHour = nextValue(cron.hours.values, hour);
    if (nextHour === undefined) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (nextHour !== hour) [hour, minute] = [nextHour, 0];

    const nextMinute = nextValue(cron.minutes.values, minute);
    if (nextMinute === undefined) {
      [hour, minute] = [hour + 1, 0];
      continue;
    }
    return { year, month, day, hour, minute: nextMinute, second: 0 };
  }
}
