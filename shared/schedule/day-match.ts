/** Whether a calendar day satisfies a cron expression's day-of-month and day-of-week fields. */
import { dayOfWeek, daysInMonth, SATURDAY, SUNDAY } from './calendar.ts';
import type { CronExpression, DayOfMonthField, DayOfWeekField } from './types.ts';

/** The last Monday-to-Friday of the month. */
function lastWeekday(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const weekday = dayOfWeek(year, month, last);
  if (weekday === SATURDAY) return last - 1;
  if (weekday === SUNDAY) return last - 2;
  return last;
}

/**
 * The Monday-to-Friday nearest `target`, never leaving the month (Quartz `W`): a Saturday moves to the
 * Friday before unless that is in the previous month (1W on a Saturday is Monday the 3rd); a Sunday moves to
 * the Monday after unless that is in the next month (then the Friday before). A day the month does not have
 * (31W in April) never matches, as 31 does not.
 */
function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const last = daysInMonth(year, month);
  if (target > last) return undefined;
  const weekday = dayOfWeek(year, month, target);
  if (weekday === SATURDAY) return target === 1 ? 3 : target - 1;
  if (weekday === SUNDAY) return target === last ? target - 2 : target + 1;
  return target;
}

function matchesDayOfMonth(field: DayOfMonthField, year: number, month: number, day: number): boolean {
  switch (field.kind) {
    case 'any':
      return true;
    case 'list':
      return field.values.includes(day);
    case 'lastDay':
      return day === daysInMonth(year, month);
    case 'lastWeekday':
      return day === lastWeekday(year, month);
    case 'nearestWeekday':
      return day === nearestWeekday(year, month, field.day);
  }
}

function matchesDayOfWeek(field: DayOfWeekField, year: number, month: number, day: number): boolean {
  if (field.kind === 'any') return true;
  const weekday = dayOfWeek(year, month, day);
  switch (field.kind) {
    case 'list':
      return field.values.includes(weekday);
    case 'lastDayOfWeek':
      return weekday === SATURDAY;
    case 'lastInMonth':
      return weekday === field.weekday && day + 7 > daysInMonth(year, month);
    case 'nthInMonth':
      return weekday === field.weekday && Math.ceil(day / 7) === field.nth;
  }
}

export function dayMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  return (
    matchesDayOfMonth(cron.dayOfMonth, year, month, day) && matchesDayOfWeek(cron.dayOfWeek, year, month, day)
  );
}
