/**
 * Wall clock <-> UTC instant in an IANA time zone, using only `Intl.DateTimeFormat` (the zone database
 * Node ships with ICU). A wall time can name one instant, two (the repeated hour when clocks go back) or
 * none (the hour skipped when clocks go forward).
 */
import type { WallTime } from './types.ts';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}"; expected an IANA name such as Europe/London`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws RangeError when `timeZone` is not a zone Intl knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall clock in `timeZone` at `instantMs` (milliseconds dropped). */
export function wallTimeAt(instantMs: number, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(instantMs);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The wall time read as if it were UTC, in epoch milliseconds. */
export function wallTimeAsUtcMs(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return date.getTime();
}

/** How far the zone's wall clock is ahead of UTC at `instantMs`, in milliseconds. */
export function offsetMsAt(instantMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallTimeAsUtcMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

export type WallTimeResolution =
  /** The wall time happens once. */
  | { kind: 'unique'; instantMs: number }
  /** Clocks went back and the wall time happens twice: first at `earlierMs`, again at `laterMs`. */
  | { kind: 'repeated'; earlierMs: number; laterMs: number }
  /**
   * Clocks went forward over the wall time, so it never happens. `shiftedMs` is the instant the wall time
   * would name under the offset in force before the jump: the wall time moved later by the gap's length
   * (02:30 in a 02:00 -> 03:00 jump becomes 03:30), as java.time resolves it.
   */
  | { kind: 'skipped'; shiftedMs: number };

/**
 * Finds the instants whose wall clock in `timeZone` reads `wall`. Offsets are sampled a day either side of
 * the wall time, which finds both sides of any single transition near it.
 */
export function resolveWallTime(wall: WallTime, timeZone: string): WallTimeResolution {
  const localMs = wallTimeAsUtcMs(wall);
  const before = offsetMsAt(localMs - DAY_MS, timeZone);
  const offsets = new Set([before, offsetMsAt(localMs, timeZone), offsetMsAt(localMs + DAY_MS, timeZone)]);
  const instants = [...offsets]
    .map((offset) => localMs - offset)
    .filter((instantMs) => offsetMsAt(instantMs, timeZone) === localMs - instantMs)
    .sort((a, b) => a - b);
  const [first] = instants;
  const last = instants[instants.length - 1];
  if (first === undefined || last === undefined) return { kind: 'skipped', shiftedMs: localMs - before };
  if (first === last) return { kind: 'unique', instantMs: first };
  return { kind: 'repeated', earlierMs: first, laterMs: last };
}
