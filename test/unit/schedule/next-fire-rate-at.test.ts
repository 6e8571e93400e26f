import { describe, expect, it } from 'vitest';
import {
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../../shared/schedule/index.ts';

function sequence(expression: string, after: string, count: number, startDate?: string): string[] {
  const options = startDate === undefined ? {} : { startDate: new Date(startDate) };
  const fires: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    const fire = nextFireTime(expression, 'UTC', cursor, options);
    if (!fire) break;
    fires.push(fire.toISOString());
    cursor = fire;
  }
  return fires;
}

describe('nextFireTime: rate()', () => {
  it('without startDate, counts from `after`', () => {
    expect(nextFireTime('rate(5 minutes)', 'UTC', new Date('2025-03-14T09:00:00.000Z'))).toEqual(
      new Date('2025-03-14T09:05:00.000Z'),
    );
  });

  it('fires every interval from startDate', () => {
    expect(sequence('rate(5 minutes)', '2025-03-14T09:00:00.000Z', 3, '2025-03-14T09:00:00.000Z')).toEqual([
      '2025-03-14T09:05:00.000Z',
      '2025-03-14T09:10:00.000Z',
      '2025-03-14T09:15:00.000Z',
    ]);
  });

  it('keeps the phase of startDate when asked between fires', () => {
    // 09:20 + 3 h = 12:20 is the first fire after 12:00
    expect(
      nextFireTime('rate(1 hour)', 'UTC', new Date('2025-03-14T12:00:00.000Z'), {
        startDate: new Date('2025-03-14T09:20:00.000Z'),
      }),
    ).toEqual(new Date('2025-03-14T12:20:00.000Z'));
    // asked exactly on a fire (09:10), the next is 09:15
    expect(
      nextFireTime('rate(5 minutes)', 'UTC', new Date('2025-03-14T09:10:00.000Z'), {
        startDate: new Date('2025-03-14T09:00:00.000Z'),
      }),
    ).toEqual(new Date('2025-03-14T09:15:00.000Z'));
  });

  it('fires first at a future startDate', () => {
    expect(sequence('rate(2 hours)', '2025-03-14T12:00:00.000Z', 3, '2025-03-15T00:00:00.000Z')).toEqual([
      '2025-03-15T00:00:00.000Z',
      '2025-03-15T02:00:00.000Z',
      '2025-03-15T04:00:00.000Z',
    ]);
  });

  it('treats a day as 24 hours across daylight saving, whatever the zone', () => {
    // noon EST on 9 March 2024; 24 h later is 13:00 EDT on the 10th, still 17:00 UTC
    const options = { startDate: new Date('2024-03-09T17:00:00.000Z') };
    expect(
      nextFireTime('rate(1 day)', 'America/New_York', new Date('2024-03-09T17:00:00.000Z'), options),
    ).toEqual(new Date('2024-03-10T17:00:00.000Z'));
    expect(sequence('rate(7 days)', '2024-10-20T01:30:00.000Z', 2, '2024-10-20T01:30:00.000Z')).toEqual([
      '2024-10-27T01:30:00.000Z',
      '2024-11-03T01:30:00.000Z',
    ]);
  });
});

describe('nextFireTime: at()', () => {
  it.each([
    ['at(2025-06-30T14:00:00)', 'UTC', '2025-01-01T00:00:00.000Z', '2025-06-30T14:00:00.000Z'],
    ['at(2025-06-30T14:00:00)', 'UTC', '2025-06-30T13:59:59.999Z', '2025-06-30T14:00:00.000Z'],
    ['at(2025-06-30T14:00:00)', 'UTC', '2025-06-30T14:00:00.000Z', undefined],
    ['at(2025-06-30T14:00:00)', 'UTC', '2026-01-01T00:00:00.000Z', undefined],
    // the User Guide example: 13:00 in Los Angeles on 20 November 2022 (PST, UTC-8)
    [
      'at(2022-11-20T13:00:00)',
      'America/Los_Angeles',
      '2022-01-01T00:00:00.000Z',
      '2022-11-20T21:00:00.000Z',
    ],
    ['at(2025-06-30T14:00:00)', 'Asia/Kolkata', '2025-01-01T00:00:00.000Z', '2025-06-30T08:30:00.000Z'],
    ['at(2025-01-15T09:00:00)', 'Australia/Sydney', '2025-01-01T00:00:00.000Z', '2025-01-14T22:00:00.000Z'],
    ['at(2025-07-15T09:00:00)', 'Europe/London', '2025-01-01T00:00:00.000Z', '2025-07-15T08:00:00.000Z'],
    // seconds are kept
    ['at(2025-07-15T09:00:45)', 'UTC', '2025-01-01T00:00:00.000Z', '2025-07-15T09:00:45.000Z'],
    // in the spring-forward gap: moved later by the gap (02:30 does not exist -> 03:30 EDT)
    ['at(2024-03-10T02:30:00)', 'America/New_York', '2024-01-01T00:00:00.000Z', '2024-03-10T07:30:00.000Z'],
    // in the repeated hour: the first occurrence (01:30 EDT)
    ['at(2024-11-03T01:30:00)', 'America/New_York', '2024-01-01T00:00:00.000Z', '2024-11-03T05:30:00.000Z'],
    ['at(2024-10-27T01:30:00)', 'Europe/London', '2024-01-01T00:00:00.000Z', '2024-10-27T00:30:00.000Z'],
    // Sydney's October gap: 02:15 -> 03:15 AEDT
    ['at(2024-10-06T02:15:00)', 'Australia/Sydney', '2024-01-01T00:00:00.000Z', '2024-10-05T16:15:00.000Z'],
  ])('%s in %s after %s -> %s', (expression, timeZone, after, expected) => {
    expect(nextFireTime(expression, timeZone, new Date(after))?.toISOString()).toBe(expected);
  });

  it('ignores startDate, as EventBridge Scheduler does for one-time schedules', () => {
    expect(
      nextFireTime('at(2025-06-30T14:00:00)', 'UTC', new Date('2025-01-01T00:00:00.000Z'), {
        startDate: new Date('2025-12-01T00:00:00.000Z'),
      }),
    ).toEqual(new Date('2025-06-30T14:00:00.000Z'));
  });
});

describe('nextFireTime: inputs', () => {
  it('takes a parsed expression as well as a string', () => {
    const parsed = parseScheduleExpression('cron(0 12 * * ? *)');
    expect(nextFireTime(parsed, 'UTC', new Date('2025-03-14T09:00:00.000Z'))).toEqual(
      new Date('2025-03-14T12:00:00.000Z'),
    );
  });

  it('rejects an invalid expression, time zone or date', () => {
    const after = new Date('2025-03-14T09:00:00.000Z');
    expect(() => nextFireTime('cron(0 12 * * ?)', 'UTC', after)).toThrow(ScheduleExpressionError);
    expect(() => nextFireTime('rate(5 minutes)', 'Mars/Olympus_Mons', after)).toThrow(
      'unknown time zone "Mars/Olympus_Mons"; expected an IANA name such as Europe/London',
    );
    expect(() => nextFireTime('rate(5 minutes)', 'UTC', new Date('nope'))).toThrow(
      'after must be a valid Date',
    );
    expect(() => nextFireTime('rate(5 minutes)', 'UTC', after, { startDate: new Date(Number.NaN) })).toThrow(
      'startDate must be a valid Date',
    );
  });
});
