/**
 * Calendar arithmetic and time zones for the syslog parsers, without `Date` parsing: JavaScript's
 * `Date` rolls 2003-09-31 over to October and accepts a lower-case `t`, so dates are validated and
 * converted here (proleptic Gregorian, days counted from 1970-01-01), and the ISO text is built here,
 * keeping every fraction digit the sender wrote.
 */

const DAY_MS = 86_400_000;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`; 0 for a month out of range. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return DAYS_IN_MONTH[month] ?? 0;
}

/** Days from 1970-01-01 to the given civil date (month 1–12), for any integer year. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shifted = month > 2 ? month - 3 : month + 9; // March = 0 … February = 11
  const dayOfYear = Math.floor((153 * shifted + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The civil year of a day count (the inverse of daysFromCivil, year only). */
export function yearOfDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  return yearOfEra + era * 400 + (shiftedMonth >= 10 ? 1 : 0);
}

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? `0${i}` : String(i));

/** The last minute formatted: most records of a stream fall in the same minute as the one before. */
let cachedMinute = Number.NaN;
let cachedPrefix = '';

/** `YYYY-MM-DDTHH:MM:` of the minute `minute` (minutes since the epoch). */
function minutePrefix(minute: number): string {
  if (minute === cachedMinute) return cachedPrefix;
  const days = Math.floor(minute / 1440);
  const minuteOfDay = minute - days * 1440;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  let yyyy: string;
  if (year >= 0 && year <= 9999) {
    yyyy = year >= 1000 ? String(year) : `000${year}`.slice(-4);
  } else {
    yyyy = `${year < 0 ? '-' : '+'}${`00000${Math.abs(year)}`.slice(-6)}`;
  }
  const hh = Math.floor(minuteOfDay / 60);
  cachedPrefix = `${yyyy}-${PAD2[month]}-${PAD2[day]}T${PAD2[hh]}:${PAD2[minuteOfDay - hh * 60]}:`;
  cachedMinute = minute;
  return cachedPrefix;
}

/**
 * ISO 8601 UTC text of `wholeMs` (a multiple of 1000) with the fraction digits given (padded to three;
 * more are kept as written). Years outside 0000–9999 use the expanded `±YYYYYY` form.
 */
export function formatIso(wholeMs: number, fraction: string): string {
  const frac = fraction.length >= 3 ? fraction : fraction.length === 0 ? '000' : `${fraction}00`.slice(0, 3);
  const minute = Math.floor(wholeMs / 60_000);
  const second = Math.floor((wholeMs - minute * 60_000) / 1000);
  return `${minutePrefix(minute)}${PAD2[second]}.${frac}Z`;
}

let cachedMs = Number.NaN;
let cachedMsIso = '';

/** ISO text of an epoch-millisecond instant (millisecond precision). */
export function isoOfMs(ms: number): string {
  if (ms === cachedMs) return cachedMsIso;
  const whole = Math.floor(ms / 1000) * 1000;
  cachedMsIso = formatIso(whole, `00${Math.floor(ms - whole)}`.slice(-3));
  cachedMs = ms;
  return cachedMsIso;
}

// ---------------------------------------------------------------------------------------------------------
// Zones

/** A time zone: the offset (minutes east of UTC) in force at an instant. */
export interface Zone {
  /** False when the configured name is unknown (UTC is used, the parser flags `tz_unknown`). */
  readonly known: boolean;
  offsetAt(utcMs: number): number;
}

export const UTC_ZONE: Zone = { known: true, offsetAt: () => 0 };
const UNKNOWN_ZONE: Zone = { known: false, offsetAt: () => 0 };

/** Instants outside 1900–2100 take the zone's offset at the nearest end (rules before 1900 are LMT). */
const ZONE_LOOKUP_MIN = -2_208_988_800_000;
const ZONE_LOOKUP_MAX = 4_102_444_800_000;
const CACHE_SLOT_MS = 15 * 60_000;
const CACHE_MAX = 4096;

function fixedZone(minutes: number): Zone {
  return { known: true, offsetAt: () => minutes };
}

function ianaZone(name: string): Zone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return UNKNOWN_ZONE;
  }
  const cache = new Map<number, number>();
  const lookup = (utcMs: number): number => {
    const at = Math.min(ZONE_LOOKUP_MAX, Math.max(ZONE_LOOKUP_MIN, utcMs));
    const whole = Math.floor(at / 1000) * 1000;
    const f = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of format.formatToParts(whole)) {
      if (part.type in f) f[part.type as keyof typeof f] = Number(part.value);
    }
    const local =
      daysFromCivil(f.year, f.month, f.day) * DAY_MS +
      f.hour * 3_600_000 +
      f.minute * 60_000 +
      f.second * 1000;
    return Math.round((local - whole) / 60_000);
  };
  return {
    known: true,
    offsetAt(utcMs: number): number {
      const slot = Math.floor(utcMs / CACHE_SLOT_MS);
      let offset = cache.get(slot);
      if (offset === undefined) {
        offset = lookup(slot * CACHE_SLOT_MS);
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(slot, offset);
      }
      return offset;
    },
  };
}

const zones = new Map<string, Zone>();

/** The zone of a `defaultTimeZone` option: undefined is UTC, a number a fixed offset in minutes. */
export function zoneOf(option: string | number | undefined): Zone {
  if (option === undefined) return UTC_ZONE;
  if (typeof option === 'number') {
    return Number.isInteger(option) && Math.abs(option) < 24 * 60
      ? option === 0
        ? UTC_ZONE
        : fixedZone(option)
      : UNKNOWN_ZONE;
  }
  if (typeof option !== 'string') return UNKNOWN_ZONE;
  let zone = zones.get(option);
  if (!zone) {
    zone = option === 'UTC' || option === 'Etc/UTC' ? UTC_ZONE : ianaZone(option);
    zones.set(option, zone);
  }
  return zone;
}

/** Whether `defaultTimeZone` would be understood (for validating listener settings). */
export function isValidTimeZone(option: string | number): boolean {
  return zoneOf(option).known;
}

/**
 * The UTC instant of a wall-clock time in `zone` (`localMs` is that wall time counted as if UTC).
 * A time in a spring-forward gap moves by the gap; one repeated at fall-back takes the first offset
 * the zone reports for it.
 */
export function localToUtc(zone: Zone, localMs: number): number {
  const first = zone.offsetAt(localMs);
  const guess = localMs - first * 60_000;
  const second = zone.offsetAt(guess);
  return second === first ? guess : localMs - second * 60_000;
}
