import { describe, expect, it } from 'vitest';
import {
  parseScheduleExpression,
  ScheduleExpressionError,
  validateScheduleExpression,
} from '../../../shared/schedule/index.ts';

describe('parseScheduleExpression: valid expressions', () => {
  it('parses rate() with singular and plural units into a fixed interval', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({
      kind: 'rate',
      value: 1,
      unit: 'minute',
      intervalMs: 60_000,
    });
    expect(parseScheduleExpression('rate(5 minutes)')).toMatchObject({
      value: 5,
      unit: 'minute',
      intervalMs: 300_000,
    });
    expect(parseScheduleExpression('rate(1 hour)')).toMatchObject({ unit: 'hour', intervalMs: 3_600_000 });
    expect(parseScheduleExpression('rate(12 hours)')).toMatchObject({ unit: 'hour', intervalMs: 43_200_000 });
    expect(parseScheduleExpression('rate(1 day)')).toMatchObject({ unit: 'day', intervalMs: 86_400_000 });
    expect(parseScheduleExpression('rate(7 days)')).toMatchObject({ unit: 'day', intervalMs: 604_800_000 });
  });

  it('parses at() into its wall-clock parts', () => {
    expect(parseScheduleExpression('at(2024-02-29T23:59:30)')).toEqual({
      kind: 'at',
      year: 2024,
      month: 2,
      day: 29,
      hour: 23,
      minute: 59,
      second: 30,
    });
  });

  it('parses cron() lists, ranges, increments and names into items and values', () => {
    const cron = parseScheduleExpression('cron(0,30 9-17/4 ? JAN,JUL-SEP MON-FRI 2025/5)');
    expect(cron).toEqual({
      kind: 'cron',
      minutes: {
        kind: 'list',
        items: [
          { kind: 'value', value: 0 },
          { kind: 'value', value: 30 },
        ],
        values: [0, 30],
      },
      hours: { kind: 'list', items: [{ kind: 'step', start: 9, end: 17, step: 4 }], values: [9, 13, 17] },
      dayOfMonth: { kind: 'any' },
      month: {
        kind: 'list',
        items: [
          { kind: 'value', value: 1 },
          { kind: 'range', start: 7, end: 9 },
        ],
        values: [1, 7, 8, 9],
      },
      dayOfWeek: { kind: 'list', items: [{ kind: 'range', start: 2, end: 6 }], values: [2, 3, 4, 5, 6] },
      year: {
        kind: 'list',
        items: [{ kind: 'step', start: 2025, end: 2199, step: 5 }],
        values: Array.from({ length: 35 }, (_, i) => 2025 + 5 * i),
      },
    });
  });

  it('parses */n from the field minimum and a/n up to the field maximum', () => {
    const cron = parseScheduleExpression('cron(*/20 5/6 */10 */4 ? *)');
    expect(cron).toMatchObject({
      minutes: { values: [0, 20, 40] },
      hours: { values: [5, 11, 17, 23] },
      dayOfMonth: { values: [1, 11, 21, 31] },
      month: { values: [1, 5, 9] },
    });
  });

  it('parses the day-of-month specials L, LW and nW', () => {
    expect(parseScheduleExpression('cron(0 0 L * ? *)')).toMatchObject({ dayOfMonth: { kind: 'lastDay' } });
    expect(parseScheduleExpression('cron(0 0 LW * ? *)')).toMatchObject({
      dayOfMonth: { kind: 'lastWeekday' },
    });
    expect(parseScheduleExpression('cron(0 0 15W * ? *)')).toMatchObject({
      dayOfMonth: { kind: 'nearestWeekday', day: 15 },
    });
  });

  it('parses the day-of-week specials L, nL and n#k, with numbers or names', () => {
    expect(parseScheduleExpression('cron(0 0 ? * L *)')).toMatchObject({
      dayOfWeek: { kind: 'lastDayOfWeek' },
    });
    expect(parseScheduleExpression('cron(0 0 ? * 6L *)')).toMatchObject({
      dayOfWeek: { kind: 'lastInMonth', weekday: 6 },
    });
    expect(parseScheduleExpression('cron(0 0 ? * 3#2 *)')).toMatchObject({
      dayOfWeek: { kind: 'nthInMonth', weekday: 3, nth: 2 },
    });
    expect(parseScheduleExpression('cron(0 0 ? * TUE#2 *)')).toMatchObject({
      dayOfWeek: { kind: 'nthInMonth', weekday: 3, nth: 2 },
    });
  });

  it('numbers days of the week 1 = SUN to 7 = SAT and months 1 = JAN to 12 = DEC, case-insensitively', () => {
    expect(parseScheduleExpression('cron(0 0 ? * SUN,sat *)')).toMatchObject({
      dayOfWeek: { values: [1, 7] },
    });
    expect(parseScheduleExpression('cron(0 0 1 jan,Dec ? *)')).toMatchObject({ month: { values: [1, 12] } });
  });

  it('accepts the User Guide examples', () => {
    for (const expression of [
      'cron(15 10 ? * 6L 2022-2023)',
      'cron(30 8 * * ? *)',
      'cron(30 2 * * ? *)',
      'rate(5 minutes)',
      'at(2022-11-20T13:00:00)',
    ]) {
      expect(validateScheduleExpression(expression)).toBeUndefined();
    }
  });

  it('throws ScheduleExpressionError', () => {
    expect(() => parseScheduleExpression('rate(0 hours)')).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression('rate(0 hours)')).toThrow(
      'rate value must be a positive whole number, got 0',
    );
  });
});

const FIELDS = 'minutes hours day-of-month month day-of-week year';
const KINDS =
  'rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)';

describe('validateScheduleExpression: rejections name the problem', () => {
  it.each([
    // shape
    ['', `schedule expression is empty; expected ${KINDS}`],
    ['every 5 minutes', `schedule expression must be ${KINDS}`],
    [' rate(5 minutes)', 'schedule expression must not start or end with white space'],
    ['RATE(5 minutes)', `schedule expression type must be lower case: ${KINDS}`],
    ['cron(0 12 * * ? *', 'cron expression must end with ")"'],
    // rate
    ['rate(1 minutes)', 'rate(1 minutes) must use the singular unit: rate(1 minute)'],
    ['rate(1 days)', 'rate(1 days) must use the singular unit: rate(1 day)'],
    ['rate(5 minute)', 'rate(5 minute) must use the plural unit: rate(5 minutes)'],
    ['rate(0 hours)', 'rate value must be a positive whole number, got 0'],
    ['rate(-5 minutes)', 'rate value must be a positive whole number, got "-5"'],
    ['rate(1.5 hours)', 'rate value must be a positive whole number, got "1.5"'],
    ['rate(2 weeks)', 'rate unit must be one of minute, minutes, hour, hours, day, days, got "weeks"'],
    ['rate(5)', 'rate expression must be "rate(value unit)" such as rate(5 minutes), got "rate(5)"'],
    // cron: shape and the ? rule
    ['cron()', `cron expression must have 6 fields (${FIELDS}), got 0`],
    [
      'cron(0 12 * * ?)',
      `cron expression must have 6 fields (${FIELDS}), got 5 (the year field is required; use * for every year)`,
    ],
    ['cron(0 0 12 * * ? *)', `cron expression must have 6 fields (${FIELDS}), got 7`],
    [
      'cron(0 12 ? * ? *)',
      'cron expression must use "?" in exactly one of day-of-month and day-of-week, but both are "?"',
    ],
    [
      'cron(0 12 * * * *)',
      'cron expression must use "?" in exactly one of day-of-month and day-of-week, but neither is ("*" and "*"); use "?" in the field you do not constrain',
    ],
    [
      'cron(0 12 1 * MON *)',
      'cron expression must use "?" in exactly one of day-of-month and day-of-week, but neither is ("1" and "MON"); use "?" in the field you do not constrain',
    ],
    // cron: out-of-range values
    ['cron(60 12 * * ? *)', 'minutes: 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours: 24 is out of range 0-23'],
    ['cron(0 12 0 * ? *)', 'day-of-month: 0 is out of range 1-31'],
    ['cron(0 12 32 * ? *)', 'day-of-month: 32 is out of range 1-31'],
    ['cron(0 12 * 13 ? *)', 'month: 13 is out of range 1-12'],
    ['cron(0 12 ? * 0 *)', 'day-of-week: 0 is out of range 1-7'],
    ['cron(0 12 ? * 8 *)', 'day-of-week: 8 is out of range 1-7'],
    ['cron(0 12 * * ? 1969)', 'year: 1969 is out of range 1970-2199'],
    ['cron(0 12 * * ? 2025-2200)', 'year: 2200 is out of range 1970-2199'],
    // cron: names, ranges, lists
    ['cron(0 12 * FOO ? *)', 'month: "FOO" is not a number (1-12) or a name (JAN-DEC)'],
    ['cron(0 12 ? * FUN *)', 'day-of-week: "FUN" is not a number (1-7) or a name (SUN-SAT)'],
    ['cron(0 noon * * ? *)', 'hours: "noon" is not a number (0-23)'],
    ['cron(30-10 * * * ? *)', 'minutes: the range in "30-10" starts after it ends'],
    ['cron(0 12 ? * FRI-MON *)', 'day-of-week: the range in "FRI-MON" starts after it ends'],
    ['cron(0 12 1,,15 * ? *)', 'day-of-month: a value is missing'],
    // cron: increments
    ['cron(*/0 * * * ? *)', 'minutes: the increment in "*/0" must be between 1 and 59, got 0'],
    ['cron(*/60 * * * ? *)', 'minutes: the increment in "*/60" must be between 1 and 59, got 60'],
    ['cron(0 */24 * * ? *)', 'hours: the increment in "*/24" must be between 1 and 23, got 24'],
    ['cron(*/x * * * ? *)', 'minutes: the increment in "*/x" must be a whole number, got "x"'],
    ['cron(5/ * * * ? *)', 'minutes: the increment in "5/" must be a whole number, got ""'],
    ['cron(0 12 ? * */2 *)', 'day-of-week: increments ("/") are not allowed in day-of-week, got "*/2"'],
    // cron: L, W, #, ?
    ['cron(0 L * * ? *)', 'hours: "L" is only allowed in day-of-month and day-of-week, got "L"'],
    ['cron(0 12 ? * 2W *)', 'day-of-week: "W" is only allowed in day-of-month, got "2W"'],
    ['cron(0 12 * 3#2 ? *)', 'month: "#" is only allowed in day-of-week, got "3#2"'],
    ['cron(0 12 32W * ? *)', 'day-of-month: the day in "32W" must be between 1 and 31, got 32'],
    [
      'cron(0 12 L,15 * ? *)',
      'day-of-month: "L" and "W" must make up the whole day-of-month field (L, LW or a day such as 15W), got "L,15"',
    ],
    [
      'cron(0 12 1-15W * ? *)',
      'day-of-month: "L" and "W" must make up the whole day-of-month field (L, LW or a day such as 15W), got "1-15W"',
    ],
    [
      'cron(0 12 ? * 3#1,6#3 *)',
      'day-of-week: "L" and "#" must make up the whole day-of-week field (L, 6L or 3#2; only one "#" expression), got "3#1,6#3"',
    ],
    ['cron(0 12 ? * 3#6 *)', 'day-of-week: the occurrence in "3#6" must be between 1 and 5, got 6'],
    ['cron(0 12 ? * 8#2 *)', 'day-of-week: the day in "8#2" must be between 1 (SUN) and 7 (SAT), got 8'],
    ['cron(0 12 ? * 0L *)', 'day-of-week: the day in "0L" must be between 1 (SUN) and 7 (SAT), got 0'],
    ['cron(0 ? * * ? *)', 'hours: "?" is only allowed as the whole day-of-month or day-of-week field'],
    // at
    [
      'at(2025-06-30)',
      'at expression must be "at(yyyy-mm-ddThh:mm:ss)" such as at(2025-06-30T14:00:00), got "at(2025-06-30)"',
    ],
    [
      'at(2025-06-30 14:00:00)',
      'at expression must be "at(yyyy-mm-ddThh:mm:ss)" such as at(2025-06-30T14:00:00), got "at(2025-06-30 14:00:00)"',
    ],
    [
      'at(2025-06-30T14:00:00Z)',
      'at expression takes a local date and time without "Z" or an offset (the time zone is set separately), got "2025-06-30T14:00:00Z"',
    ],
    ['at(2025-13-01T00:00:00)', 'at expression month 13 is out of range 01-12'],
    ['at(2025-00-10T00:00:00)', 'at expression month 00 is out of range 01-12'],
    ['at(2023-02-29T00:00:00)', 'at expression date 2023-02-29 does not exist: February 2023 has days 01-28'],
    ['at(2025-04-31T09:00:00)', 'at expression date 2025-04-31 does not exist: April 2025 has days 01-30'],
    ['at(2025-06-30T24:00:00)', 'at expression hour 24 is out of range 00-23'],
    ['at(2025-06-30T14:60:00)', 'at expression minute 60 is out of range 00-59'],
    ['at(2025-06-30T14:00:60)', 'at expression second 60 is out of range 00-59'],
  ])('%j', (expression, message) => {
    expect(validateScheduleExpression(expression)).toBe(message);
  });

  it('accepts 29 February in a leap year', () => {
    expect(validateScheduleExpression('at(2024-02-29T00:00:00)')).toBeUndefined();
    expect(validateScheduleExpression('at(2000-02-29T00:00:00)')).toBeUndefined();
    expect(validateScheduleExpression('at(1900-02-29T00:00:00)')).toBe(
      'at expression date 1900-02-29 does not exist: February 1900 has days 01-28',
    );
  });
});
