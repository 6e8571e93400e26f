/** Proleptic Gregorian calendar arithmetic on plain numbers (months 1-12, days of week 1-7 with 1 = Sunday). */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

/** Day of the week as EventBridge numbers it: 1 = Sunday ... 7 = Saturday. */
export function dayOfWeek(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCDay() + 1;
}

export const SUNDAY = 1;
export const SATURDAY = 7;
