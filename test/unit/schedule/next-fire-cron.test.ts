/**
 * cron() next-fire times in zones without daylight saving (UTC, Asia/Kolkata = UTC+05:30).
 * Calendar used for the hand computations: 2024-03-01 Fri, 2025-01-01 Wed, 2025-02-01 Sat, 2025-03-01 Sat,
 * 2025-05-01 Thu, 2025-06-01 Sun, 2025-08-01 Fri. 2024 and 2028 are leap years; 2025-2027 are not.
 */
import { describe, expect, it } from 'vitest';
import { nextFireTime } from '../../../shared/schedule/index.ts';

function next(expression: string, timeZone: string, after: string): string | undefined {
  return nextFireTime(expression, timeZone, new Date(after))?.toISOString();
}

describe('nextFireTime: cron in UTC', () => {
  it.each([
    // plain values, strictly after
    ['cron(0 12 * * ? *)', '2025-03-14T09:00:00.000Z', '2025-03-14T12:00:00.000Z'],
    ['cron(0 12 * * ? *)', '2025-03-14T12:00:00.000Z', '2025-03-15T12:00:00.000Z'],
    ['cron(0 12 * * ? *)', '2025-03-14T12:00:30.000Z', '2025-03-15T12:00:00.000Z'],
    ['cron(0 12 * * ? *)', '2025-03-14T11:59:59.999Z', '2025-03-14T12:00:00.000Z'],
    // increments
    ['cron(*/15 * * * ? *)', '2025-03-14T09:07:12.000Z', '2025-03-14T09:15:00.000Z'],
    ['cron(5/20 * * * ? *)', '2025-03-14T09:46:00.000Z', '2025-03-14T10:05:00.000Z'],
    ['cron(0 12 1-10/3 * ? *)', '2025-03-05T00:00:00.000Z', '2025-03-07T12:00:00.000Z'],
    // Friday 17:30 -> Monday 09:00 (hours 9, 13, 17 on weekdays)
    ['cron(0 9-17/4 ? * MON-FRI *)', '2025-03-14T17:30:00.000Z', '2025-03-17T09:00:00.000Z'],
    // names
    ['cron(0 0 1 JAN,JUL ? *)', '2025-02-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z'],
    ['cron(0 0 ? * SUN *)', '2025-03-12T00:00:00.000Z', '2025-03-16T00:00:00.000Z'],
    // roll over the end of the year
    ['cron(0 0 * * ? *)', '2025-12-31T23:59:59.000Z', '2026-01-01T00:00:00.000Z'],
    // 31 skips the 30-day April
    ['cron(30 23 31 * ? *)', '2025-04-01T00:00:00.000Z', '2025-05-31T23:30:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'UTC', after)).toBe(expected);
  });
});

describe('nextFireTime: L, W, LW and # in UTC', () => {
  it.each([
    // L: the last day of the month, leap and common February
    ['cron(0 0 L * ? *)', '2024-02-10T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2025-02-10T00:00:00.000Z', '2025-02-28T00:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2025-04-30T00:00:00.000Z', '2025-05-31T00:00:00.000Z'],
    // LW: 2025-05-31 is a Saturday -> Friday the 30th; 2025-08-31 is a Sunday -> Friday the 29th
    ['cron(0 8 LW * ? *)', '2025-05-01T00:00:00.000Z', '2025-05-30T08:00:00.000Z'],
    ['cron(0 8 LW * ? *)', '2025-08-01T00:00:00.000Z', '2025-08-29T08:00:00.000Z'],
    // LW on a weekday: 2025-03-31 is a Monday
    ['cron(0 8 LW * ? *)', '2025-03-01T00:00:00.000Z', '2025-03-31T08:00:00.000Z'],
    // W: 2025-03-15 is a Saturday -> Friday the 14th; 2025-06-15 is a Sunday -> Monday the 16th
    ['cron(0 8 15W * ? *)', '2025-03-01T00:00:00.000Z', '2025-03-14T08:00:00.000Z'],
    ['cron(0 8 15W * ? *)', '2025-06-01T00:00:00.000Z', '2025-06-16T08:00:00.000Z'],
    // W on a weekday: 2025-05-15 is a Thursday
    ['cron(0 8 15W * ? *)', '2025-05-01T00:00:00.000Z', '2025-05-15T08:00:00.000Z'],
    // 1W: 2025-03-01 is a Saturday; the nearest weekday in March is Monday the 3rd, not 28 February
    ['cron(0 8 1W * ? *)', '2025-02-28T09:00:00.000Z', '2025-03-03T08:00:00.000Z'],
    // 31W: April has no 31st; 2025-05-31 is a Saturday -> Friday the 30th
    ['cron(0 8 31W * ? *)', '2025-04-01T00:00:00.000Z', '2025-05-30T08:00:00.000Z'],
    // 31W at the month's end on a Sunday (2025-08-31) -> Friday the 29th, not 1 September
    ['cron(0 8 31W * ? *)', '2025-08-01T00:00:00.000Z', '2025-08-29T08:00:00.000Z'],
    // 3#2: the second Tuesday of March 2025 (Tuesdays 4, 11, ...)
    ['cron(0 10 ? * 3#2 *)', '2025-03-01T00:00:00.000Z', '2025-03-11T10:00:00.000Z'],
    // 2#5: the first fifth Monday of 2025 is 31 March (January and February have four)
    ['cron(0 10 ? * 2#5 *)', '2025-01-01T00:00:00.000Z', '2025-03-31T10:00:00.000Z'],
    // 6L: the last Friday of February 2025 is the 28th
    ['cron(0 10 ? * 6L *)', '2025-02-01T00:00:00.000Z', '2025-02-28T10:00:00.000Z'],
    // 1L: the last Sunday of March 2024 is the 31st
    ['cron(0 10 ? * 1L *)', '2024-03-01T00:00:00.000Z', '2024-03-31T10:00:00.000Z'],
    // L in day-of-week: Saturday; from Wednesday 2025-03-12 -> Saturday the 15th
    ['cron(0 6 ? * L *)', '2025-03-12T00:00:00.000Z', '2025-03-15T06:00:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'UTC', after)).toBe(expected);
  });

  it('walks the User Guide example (last Friday, 10:15, 2022-2023) to its end', () => {
    const fires: string[] = [];
    let after = new Date('2022-10-01T00:00:00.000Z');
    for (let fire = nextFireTime('cron(15 10 ? * 6L 2022-2023)', 'UTC', after); fire; ) {
      fires.push(fire.toISOString());
      after = fire;
      fire = nextFireTime('cron(15 10 ? * 6L 2022-2023)', 'UTC', after);
    }
    expect(fires).toEqual([
      '2022-10-28T10:15:00.000Z',
      '2022-11-25T10:15:00.000Z',
      '2022-12-30T10:15:00.000Z',
      '2023-01-27T10:15:00.000Z',
      '2023-02-24T10:15:00.000Z',
      '2023-03-31T10:15:00.000Z',
      '2023-04-28T10:15:00.000Z',
      '2023-05-26T10:15:00.000Z',
      '2023-06-30T10:15:00.000Z',
      '2023-07-28T10:15:00.000Z',
      '2023-08-25T10:15:00.000Z',
      '2023-09-29T10:15:00.000Z',
      '2023-10-27T10:15:00.000Z',
      '2023-11-24T10:15:00.000Z',
      '2023-12-29T10:15:00.000Z',
    ]);
  });
});

describe('nextFireTime: leap years and the year field', () => {
  it.each([
    ['cron(0 0 29 2 ? *)', '2024-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['cron(0 0 29 FEB ? *)', '2024-02-28T12:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 29 2 ? 2025-2027)', '2024-03-01T00:00:00.000Z', undefined],
    // 2100 is not a leap year: the next 29 February after 2096 is in 2104
    ['cron(0 0 29 2 ? *)', '2096-03-01T00:00:00.000Z', '2104-02-29T00:00:00.000Z'],
    ['cron(0 0 1 1 ? 2199)', '2025-01-01T00:00:00.000Z', '2199-01-01T00:00:00.000Z'],
    ['cron(0 0 1 1 ? 2199)', '2199-01-01T00:00:00.000Z', undefined],
    ['cron(59 23 31 12 ? *)', '2199-12-31T23:59:00.000Z', undefined],
    ['cron(0 0 * * ? 2020-2022)', '2025-01-01T00:00:00.000Z', undefined],
    ['cron(0 0 1 1 ? 2030/5)', '2025-06-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
    ['cron(0 0 1 1 ? 2030/5)', '2030-01-01T00:00:00.000Z', '2035-01-01T00:00:00.000Z'],
    // a date no month has: never
    ['cron(0 0 30 2 ? *)', '2025-01-01T00:00:00.000Z', undefined],
    // before the year field's range: the first year it allows
    ['cron(0 0 1 1 ? *)', '1960-06-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'UTC', after)).toBe(expected);
  });

  it('resolves rare and impossible expressions by walking fields, not minutes', () => {
    const started = performance.now();
    let after = new Date('1970-01-01T00:00:00.000Z');
    for (let i = 0; i < 50; i++) {
      after = nextFireTime('cron(0 0 29 2 ? *)', 'UTC', after) ?? after;
    }
    // leap years 1972-2096 are 32 of them; 2100 is skipped; the 18 more from 2104 end at 2172
    expect(after.toISOString()).toBe('2172-02-29T00:00:00.000Z');
    expect(nextFireTime('cron(0 0 31 4 ? *)', 'America/New_York', new Date('1970-01-01T00:00:00.000Z'))).toBe(
      undefined,
    );
    // 2199-01-01 is a Tuesday; January to March 2199 have four Mondays each, April has five (1st to 29th).
    // 29 April is after the first Sunday of April, so Sydney is on AEST (UTC+10).
    expect(
      nextFireTime('cron(0 0 ? * 2#5 2199)', 'Australia/Sydney', new Date('1970-01-01T00:00:00.000Z')),
    ).toEqual(new Date('2199-04-28T14:00:00.000Z'));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('nextFireTime: cron in Asia/Kolkata (UTC+05:30, no daylight saving)', () => {
  it.each([
    ['cron(30 9 * * ? *)', '2025-03-14T00:00:00.000Z', '2025-03-14T04:00:00.000Z'],
    // midnight on the 1st in Kolkata is 18:30 UTC the day before
    ['cron(0 0 1 * ? *)', '2025-03-14T00:00:00.000Z', '2025-03-31T18:30:00.000Z'],
    // 2025-03-14T20:00Z is already Saturday 15 March 01:30 in Kolkata: next weekday 09:00 is Monday 17th
    ['cron(0 9 ? * MON-FRI *)', '2025-03-14T20:00:00.000Z', '2025-03-17T03:30:00.000Z'],
    // the last day of February 2024 in Kolkata, 23:45 IST = 18:15 UTC
    ['cron(45 23 L * ? *)', '2024-02-01T00:00:00.000Z', '2024-02-29T18:15:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'Asia/Kolkata', after)).toBe(expected);
  });
});

describe('nextFireTime: startDate for cron', () => {
  it('does not fire before startDate, and fires at it when it falls on a cron time', () => {
    const after = new Date('2025-03-14T00:00:00.000Z');
    expect(
      nextFireTime('cron(0 12 * * ? *)', 'UTC', after, { startDate: new Date('2025-03-20T12:00:00.000Z') }),
    ).toEqual(new Date('2025-03-20T12:00:00.000Z'));
    expect(
      nextFireTime('cron(0 12 * * ? *)', 'UTC', after, { startDate: new Date('2025-03-20T12:00:01.000Z') }),
    ).toEqual(new Date('2025-03-21T12:00:00.000Z'));
    // a startDate already passed changes nothing
    expect(
      nextFireTime('cron(0 12 * * ? *)', 'UTC', after, { startDate: new Date('2025-01-01T00:00:00.000Z') }),
    ).toEqual(new Date('2025-03-14T12:00:00.000Z'));
  });
});
