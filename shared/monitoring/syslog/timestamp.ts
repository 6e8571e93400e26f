/**
 * Timestamp scanners for the syslog parsers, on char codes, without `Date` parsing:
 *
 * - RFC 3339 as RFC 5424 §6.2.3 restricts it (upper-case `T` and `Z`, at most 6 fraction digits, an
 *   offset, no leap second), tolerating more fraction digits and offsets without colon (flagged
 *   nonstandard), a missing offset (the listener's zone, flagged) and, in BSD lines, a space for `T`;
 * - BSD `Mmm dd hh:mm:ss` (RFC 3164 §4.1.2) and what devices really send: `Mmm d`, `MMM`, a fraction,
 *   `Mmm dd yyyy hh:mm:ss` and `Mmm dd hh:mm:ss yyyy`, Cisco's `*`/`.` clock markers, zone names and
 *   trailing colon. The year, when absent, is inferred from the receive time.
 *
 * Results go to the module's `stamp` record (the parsers are synchronous, so one record serves all
 * calls without allocating).
 */
import {
  daysFromCivil,
  daysInMonth,
  formatIso,
  localToUtc,
  UTC_ZONE,
  yearOfDays,
  type Zone,
  zoneOf,
} from './time.ts';

export const STAMP_NONE = 0;
export const STAMP_INVALID = 1;
export const STAMP_OK = 2;
export type StampStatus = typeof STAMP_NONE | typeof STAMP_INVALID | typeof STAMP_OK;

/** The last scan's result. */
export const stamp = {
  /** Where the scan stopped: after the timestamp (and a Cisco trailing colon). */
  end: 0,
  /** End of the timestamp text proper (`timestampText` is text.slice(start, textEnd)). */
  textEnd: 0,
  ms: 0,
  iso: '',
  nonstandard: false,
  tzAssumed: false,
  /** The zone applied was an unknown name, so UTC was used. */
  zoneUnknown: false,
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

const SP = 32;
const COLON = 58;
const DASH = 45;
const PLUS = 43;
const DOT = 46;
const STAR = 42;
const PERCENT = 37;
const UPPER_T = 84;
const UPPER_Z = 90;

function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function fourDigits(text: string, i: number): number {
  const a = twoDigits(text, i);
  const b = twoDigits(text, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** Milliseconds of a fraction's first three digits (`5` → 500, `000003` → 0). */
function fractionMs(text: string, start: number, end: number): number {
  let ms = 0;
  for (let i = 0; i < 3; i++) ms = ms * 10 + (start + i < end ? text.charCodeAt(start + i) - 48 : 0);
  return ms;
}

/** True when `text[i]` starts `dddd-` (an RFC 3339 date). */
export function looksLikeRfc3339(text: string, i: number): boolean {
  return fourDigits(text, i) >= 0 && text.charCodeAt(i + 4) === DASH;
}

/** True when `text[i]` starts `dddd-dd-dd dd:` (a date and time with a space for the `T`). */
export function isSpacedDateTime(text: string, i: number): boolean {
  return text.charCodeAt(i + 10) === SP && twoDigits(text, i + 11) >= 0 && text.charCodeAt(i + 13) === COLON;
}

/**
 * Scans `text[start, end)` as a whole RFC 3339 timestamp. OK: `stamp.ms`/`iso` set; a missing offset
 * takes the zone of `zoneOption` (stamp.tzAssumed). INVALID when anything is off; there is no NONE here.
 * With `spaceAllowed` (BSD lines), a space may stand for the `T` (`2024-03-05 12:34:56`), nonstandard.
 */
export function scanRfc3339(
  text: string,
  start: number,
  end: number,
  zoneOption: string | number | undefined,
  spaceAllowed = false,
): StampStatus {
  stamp.nonstandard = spaceAllowed && text.charCodeAt(start + 10) === SP;
  stamp.tzAssumed = false;
  stamp.zoneUnknown = false;
  if (end - start < 19) return STAMP_INVALID;
  const year = fourDigits(text, start);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  const hour = twoDigits(text, start + 11);
  const minute = twoDigits(text, start + 14);
  const second = twoDigits(text, start + 17);
  if (
    year < 0 ||
    text.charCodeAt(start + 4) !== DASH ||
    text.charCodeAt(start + 7) !== DASH ||
    (text.charCodeAt(start + 10) !== UPPER_T && !(spaceAllowed && text.charCodeAt(start + 10) === SP)) ||
    text.charCodeAt(start + 13) !== COLON ||
    text.charCodeAt(start + 16) !== COLON ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return STAMP_INVALID;
  }
  let i = start + 19;
  let fracStart = i;
  let fracEnd = i;
  if (text.charCodeAt(i) === DOT && i < end) {
    fracStart = ++i;
    while (i < end && digitAt(text, i) >= 0) i++;
    fracEnd = i;
    if (fracEnd === fracStart) return STAMP_INVALID;
    if (fracEnd - fracStart > 6) stamp.nonstandard = true;
  }
  let offset = 0;
  let zulu = false;
  let hasOffset = true;
  if (i === end) {
    hasOffset = false;
  } else {
    const c = text.charCodeAt(i);
    if (c === UPPER_Z) {
      zulu = true;
      i++;
    } else if (c === PLUS || c === DASH) {
      const oh = twoDigits(text, i + 1);
      if (oh < 0 || oh > 23 || i + 3 > end) return STAMP_INVALID;
      i += 3;
      let om = 0;
      if (i === end) {
        stamp.nonstandard = true;
      } else if (text.charCodeAt(i) === COLON) {
        om = twoDigits(text, i + 1);
        i += 3;
      } else {
        om = twoDigits(text, i);
        i += 2;
        stamp.nonstandard = true;
      }
      if (om < 0 || om > 59) return STAMP_INVALID;
      offset = (c === DASH ? -1 : 1) * (oh * 60 + om);
    } else {
      return STAMP_INVALID;
    }
  }
  if (i !== end) return STAMP_INVALID;
  const local =
    daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  let whole: number;
  if (hasOffset) {
    whole = local - offset * MINUTE_MS;
  } else {
    const zone = zoneOf(zoneOption);
    whole = localToUtc(zone, local);
    stamp.tzAssumed = true;
    stamp.zoneUnknown = !zone.known;
  }
  stamp.ms = whole + fractionMs(text, fracStart, fracEnd);
  stamp.iso =
    zulu && fracEnd - fracStart >= 3
      ? text.slice(start, end)
      : formatIso(whole, text.slice(fracStart, fracEnd));
  stamp.end = end;
  stamp.textEnd = end;
  return STAMP_OK;
}

/** Month 1–12 of three letters, any case; 0 when they name no month. */
function monthOf(a: number, b: number, c: number): number {
  switch (((a | 32) << 16) | ((b | 32) << 8) | (c | 32)) {
    case 0x6a616e: // jan
      return 1;
    case 0x666562: // feb
      return 2;
    case 0x6d6172: // mar
      return 3;
    case 0x617072: // apr
      return 4;
    case 0x6d6179: // may
      return 5;
    case 0x6a756e: // jun
      return 6;
    case 0x6a756c: // jul
      return 7;
    case 0x617567: // aug
      return 8;
    case 0x736570: // sep
      return 9;
    case 0x6f6374: // oct
      return 10;
    case 0x6e6f76: // nov
      return 11;
    case 0x646563: // dec
      return 12;
    default:
      return 0;
  }
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;

let lastReceivedAt = Number.NaN;
let lastZone: Zone | null = null;
let lastYear = 0;

/** The year at `receivedAt` in `zone` (the last answer is kept: a batch shares one receive time). */
function localYear(receivedAt: number, zone: Zone): number {
  if (receivedAt !== lastReceivedAt || zone !== lastZone) {
    lastYear = yearOfDays(Math.floor((receivedAt + zone.offsetAt(receivedAt) * MINUTE_MS) / DAY_MS));
    lastReceivedAt = receivedAt;
    lastZone = zone;
  }
  return lastYear;
}

/** Years accepted after a BSD time (`Apr 15 21:28:13 2007 host`): anything else is the hostname. */
const YEAR_AFTER_MIN = 1970;
const YEAR_AFTER_MAX = 2099;
/** How far in the future a year-less BSD date may lie before it is taken as last year's. */
const FUTURE_TOLERANCE_MS = DAY_MS;
/** How many years back a year-less date is tried (Feb 29 needs up to 8 across a century rule). */
const YEARS_BACK = 8;

/**
 * Scans a BSD timestamp at `start` (the text up to `end`). NONE when the shape is not there (the
 * text is content); INVALID when the shape is there but the date is not (`Feb 30`); OK otherwise.
 * `receivedAt` places a year-less date in the year that puts it at most a day after receipt.
 */
export function scanBsd(
  text: string,
  start: number,
  end: number,
  zoneOption: string | number | undefined,
  receivedAt: number,
): StampStatus {
  stamp.nonstandard = false;
  stamp.tzAssumed = true;
  stamp.zoneUnknown = false;
  let p = start;
  let c = text.charCodeAt(p);
  if (c === STAR || c === DOT) {
    stamp.nonstandard = true;
    c = text.charCodeAt(++p);
  }
  const c1 = text.charCodeAt(p + 1);
  const c2 = text.charCodeAt(p + 2);
  const month = monthOf(c, c1, c2);
  if (month === 0 || text.charCodeAt(p + 3) !== SP || p + 3 >= end) return STAMP_NONE;
  if (!(isUpper(c) && isLower(c1) && isLower(c2))) stamp.nonstandard = true;
  p += 4;
  let day: number;
  if (text.charCodeAt(p) === SP) {
    day = digitAt(text, p + 1);
    p += 2;
  } else {
    const a = digitAt(text, p);
    const b = digitAt(text, p + 1);
    if (a >= 0 && b >= 0) {
      day = a * 10 + b;
      p += 2;
    } else {
      day = a;
      p += 1;
      stamp.nonstandard = true;
    }
  }
  if (day < 0 || text.charCodeAt(p) !== SP) return STAMP_NONE;
  p++;
  let year = -1;
  const yearFirst = fourDigits(text, p);
  if (yearFirst >= 0 && text.charCodeAt(p + 4) === SP) {
    year = yearFirst;
    p += 5;
  }
  const hour = twoDigits(text, p);
  const minute = twoDigits(text, p + 3);
  const second = twoDigits(text, p + 6);
  if (
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    text.charCodeAt(p + 2) !== COLON ||
    text.charCodeAt(p + 5) !== COLON ||
    p + 8 > end
  ) {
    return STAMP_NONE;
  }
  p += 8;
  let fracStart = p;
  let fracEnd = p;
  if (text.charCodeAt(p) === DOT && digitAt(text, p + 1) >= 0 && p + 1 < end) {
    fracStart = ++p;
    while (p < end && digitAt(text, p) >= 0) p++;
    fracEnd = p;
    stamp.nonstandard = true;
  }
  if (year < 0 && text.charCodeAt(p) === SP) {
    const after = fourDigits(text, p + 1);
    if (
      after >= YEAR_AFTER_MIN &&
      after <= YEAR_AFTER_MAX &&
      p + 5 <= end &&
      (p + 5 === end || text.charCodeAt(p + 5) === SP)
    ) {
      year = after;
      p += 5;
      stamp.nonstandard = true;
    }
  }
  let textEnd = p;
  let utcZone = false;
  if (text.charCodeAt(p) === SP) {
    // A zone name, Cisco style: `UTC:`/`GMT:`, or upper-case letters before `: %MNEMONIC`.
    let q = p + 1;
    while (q < end && q - p <= 5 && isUpper(text.charCodeAt(q))) q++;
    const letters = q - p - 1;
    if (letters >= 1 && letters <= 5 && text.charCodeAt(q) === COLON) {
      const name = text.slice(p + 1, q);
      const utcName = name === 'UTC' || name === 'GMT';
      if (utcName || (text.charCodeAt(q + 1) === SP && text.charCodeAt(q + 2) === PERCENT && q + 2 < end)) {
        utcZone = utcName;
        p = q;
        textEnd = q;
        stamp.nonstandard = true;
      }
    }
  }
  if (text.charCodeAt(p) === COLON && p < end && (p + 1 === end || text.charCodeAt(p + 1) === SP)) p++;
  if (p < end && text.charCodeAt(p) !== SP) return STAMP_NONE;
  stamp.end = p;
  stamp.textEnd = textEnd;

  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return STAMP_INVALID;
  const zone = zoneOf(zoneOption);
  if (!utcZone) stamp.zoneUnknown = !zone.known;
  const timeOfDay = hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  const fraction = text.slice(fracStart, fracEnd);
  const toUtc = (local: number) => {
    if (!utcZone) return localToUtc(zone, local);
    stamp.tzAssumed = false;
    return local;
  };
  let whole: number;
  if (year >= 0) {
    if (day > daysInMonth(year, month)) return STAMP_INVALID;
    whole = toUtc(daysFromCivil(year, month, day) * DAY_MS + timeOfDay);
  } else {
    const receivedYear = localYear(receivedAt, utcZone ? UTC_ZONE : zone);
    whole = Number.NaN;
    for (let y = receivedYear + 1; y >= receivedYear - YEARS_BACK; y--) {
      if (day > daysInMonth(y, month)) continue;
      const utc = toUtc(daysFromCivil(y, month, day) * DAY_MS + timeOfDay);
      if (utc <= receivedAt + FUTURE_TOLERANCE_MS) {
        whole = utc;
        break;
      }
    }
    if (Number.isNaN(whole)) return STAMP_INVALID;
  }
  stamp.ms = whole + fractionMs(text, fracStart, fracEnd);
  stamp.iso = formatIso(whole, fraction);
  return STAMP_OK;
}
