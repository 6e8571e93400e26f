/**
 * When a schedule next fires, as EventBridge Scheduler would fire it.
 *
 * Daylight saving time, as the EventBridge Scheduler User Guide documents it ("Daylight savings time on
 * EventBridge Scheduler"):
 * - cron, clocks go forward: a wall time the zone skips does not exist, so that invocation is skipped
 *   (`cron(30 2 * * ? *)` in America/New_York does not fire on the spring-forward day and fires at 02:30
 *   the day after). Nothing is moved to 03:00 or 03:30.
 * - cron, clocks go back: a wall time the zone repeats fires once, at its first occurrence (the earlier
 *   instant, still on summer time); the repeat after the shift does not fire. Every-minute or hourly
 *   expressions therefore pause through the repeated hour.
 * - rate: a fixed duration, blind to the zone; `rate(1 day)` is 24 hours after the previous invocation even
 *   when the local day has 23 or 25 hours.
 * - at: not covered by the guide, which speaks of cron. A one-time schedule that never fires is worse than a
 *   late one, so a skipped wall time is moved later by the gap's length (02:30 -> 03:30 across a
 *   02:00 -> 03:00 jump, as java.time resolves it), and a repeated wall time fires at its first occurrence,
 *   as cron does.
 */
import { nextCronWallTime, type WallMinute } from './cron-search.ts';
import { parseScheduleExpression } from './expression.ts';
import type { AtExpression, CronExpression, RateExpression, ScheduleExpression } from './types.ts';
import { assertTimeZone, resolveWallTime, wallTimeAt } from './zone.ts';

export interface NextFireOptions {
  /**
   * The schedule's StartDate. rate(): the first invocation, the origin every later one counts from
   * (default: `after`, so the first fire is one interval after it). cron(): no invocation before it.
   * at(): ignored, as EventBridge Scheduler ignores StartDate for one-time schedules.
   */
  startDate?: Date;
}

const MAX_DATE_MS = 8.64e15;

function checkDate(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`${name} must be a valid Date`);
  return ms;
}

function nextRate(rate: RateExpression, afterMs: number, startMs: number): Date | undefined {
  if (startMs > afterMs) return new Date(startMs);
  const intervals = Math.floor((afterMs - startMs) / rate.intervalMs) + 1;
  const next = startMs + intervals * rate.intervalMs;
  return next <= MAX_DATE_MS ? new Date(next) : undefined;
}

function nextAt(at: AtExpression, timeZone: string, afterMs: number): Date | undefined {
  const resolved = resolveWallTime(at, timeZone);
  const fireMs =
    resolved.kind === 'unique'
      ? resolved.instantMs
      : resolved.kind === 'repeated'
        ? resolved.earlierMs
        : resolved.shiftedMs;
  return fireMs > afterMs ? new Date(fireMs) : undefined;
}

function nextCron(cron: CronExpression, timeZone: string, afterMs: number): Date | undefined {
  const wall = wallTimeAt(afterMs, timeZone);
  let from: WallMinute = {
    year: wall.year,
    month: wall.month,
    day: wall.day,
    hour: wall.hour,
    minute: wall.minute,
  };
  // Wall times only ever resolve to instants in the same order, so the first candidate whose instant lies
  // after `afterMs` is the answer. Candidates before it are the minute `afterMs` falls in, and wall times
  // of a repeated hour whose first occurrence has already passed: a bounded handful.
  for (;;) {
    const candidate = nextCronWallTime(cron, from);
    if (!candidate) return undefined;
    const resolved = resolveWallTime(candidate, timeZone);
    if (resolved.kind !== 'skipped') {
      const fireMs = resolved.kind === 'unique' ? resolved.instantMs : resolved.earlierMs;
      if (fireMs > afterMs) return new Date(fireMs);
    }
    from = { ...candidate, minute: candidate.minute + 1 };
  }
}

/**
 * The first time strictly after `after` that `schedule` fires, reading cron and at() expressions as wall
 * time in the IANA `timeZone`; undefined when it never fires again (an at() in the past, a cron whose
 * year field has run out). Throws ScheduleExpressionError for an invalid expression string, RangeError for
 * an unknown time zone and TypeError for an invalid Date.
 */
export function nextFireTime(
  schedule: ScheduleExpression | string,
  timeZone: string,
  after: Date,
  options: NextFireOptions = {},
): Date | undefined {
  const expression = typeof schedule === 'string' ? parseScheduleExpression(schedule) : schedule;
  const afterMs = checkDate(after, 'after');
  const startMs = options.startDate === undefined ? undefined : checkDate(options.startDate, 'startDate');
  assertTimeZone(timeZone);
  switch (expression.kind) {
    case 'rate':
      return nextRate(expression, afterMs, startMs ?? afterMs);
    case 'at':
      return nextAt(expression, timeZone, afterMs);
    case 'cron':
      // "Strictly after startDate - 1 ms" is "at or after startDate".
      return nextCron(
        expression,
        timeZone,
        startMs !== undefined && startMs > afterMs ? startMs - 1 : afterMs,
      );
  }
}
