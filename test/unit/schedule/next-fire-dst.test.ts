/**
 * cron() across daylight-saving transitions. Transitions used (local wall clock):
 * - America/New_York: 2024-03-10 02:00 EST (UTC-5) -> 03:00 EDT (UTC-4), at 07:00Z;
 *                     2024-11-03 02:00 EDT -> 01:00 EST, at 06:00Z (01:00-01:59 happens twice).
 * - Europe/London:    2024-03-31 01:00 GMT -> 02:00 BST (UTC+1), at 01:00Z;
 *                     2024-10-27 02:00 BST -> 01:00 GMT, at 01:00Z (01:00-01:59 happens twice).
 * - Australia/Sydney: 2024-04-07 03:00 AEDT (UTC+11) -> 02:00 AEST (UTC+10), at 16:00Z on the 6th
 *                     (02:00-02:59 happens twice); 2024-10-06 02:00 AEST -> 03:00 AEDT, at 16:00Z on the 5th.
 * EventBridge Scheduler skips a cron time the spring-forward jump removes and fires a repeated time once,
 * at its first occurrence.
 */
import { describe, expect, it } from 'vitest';
import { nextFireTime } from '../../../shared/schedule/index.ts';

function next(expression: string, timeZone: string, after: string): string | undefined {
  return nextFireTime(expression, timeZone, new Date(after))?.toISOString();
}

function sequence(expression: string, timeZone: string, after: string, count: number): string[] {
  const fires: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    const fire = nextFireTime(expression, timeZone, cursor);
    if (!fire) break;
    fires.push(fire.toISOString());
    cursor = fire;
  }
  return fires;
}

describe('nextFireTime: America/New_York', () => {
  it.each([
    // 08:30 EST on the 9th, then 08:30 EDT on the 10th: an hour earlier in UTC
    ['cron(30 8 * * ? *)', '2024-03-09T00:00:00.000Z', '2024-03-09T13:30:00.000Z'],
    ['cron(30 8 * * ? *)', '2024-03-09T13:30:00.000Z', '2024-03-10T12:30:00.000Z'],
    // spring forward: 02:30 on the 10th does not exist -> skipped; 02:30 EDT on the 11th
    ['cron(30 2 * * ? *)', '2024-03-09T08:00:00.000Z', '2024-03-11T06:30:00.000Z'],
    ['cron(0 2 * * ? *)', '2024-03-10T05:00:00.000Z', '2024-03-11T06:00:00.000Z'],
    // every 15 minutes: 01:45 EST is followed by 03:00 EDT
    ['cron(*/15 * * * ? *)', '2024-03-10T06:50:00.000Z', '2024-03-10T07:00:00.000Z'],
    // fall back: 01:30 fires at its first occurrence (EDT), not again at 01:30 EST
    ['cron(30 1 * * ? *)', '2024-11-02T12:00:00.000Z', '2024-11-03T05:30:00.000Z'],
    ['cron(30 1 * * ? *)', '2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z'],
    // asked during the repeated hour (01:10 EST): 01:30 has already fired as EDT
    ['cron(30 1 * * ? *)', '2024-11-03T06:10:00.000Z', '2024-11-04T06:30:00.000Z'],
    // 09:00 EDT on the 2nd, 09:00 EST on the 3rd: an hour later in UTC
    ['cron(0 9 * * ? *)', '2024-11-02T13:00:00.000Z', '2024-11-03T14:00:00.000Z'],
    // 2nd Sunday of March 2024 is the 10th: noon EDT
    ['cron(0 12 ? MAR 1#2 2024)', '2024-01-01T00:00:00.000Z', '2024-03-10T16:00:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'America/New_York', after)).toBe(expected);
  });

  it('hourly: skips 02:00 on the spring-forward day', () => {
    // 00:00 EST, 01:00 EST, (02:00 missing), 03:00 EDT, 04:00 EDT
    expect(sequence('cron(0 * * * ? *)', 'America/New_York', '2024-03-10T04:30:00.000Z', 4)).toEqual([
      '2024-03-10T05:00:00.000Z',
      '2024-03-10T06:00:00.000Z',
      '2024-03-10T07:00:00.000Z',
      '2024-03-10T08:00:00.000Z',
    ]);
  });

  it('hourly: fires 01:00 once on the fall-back day', () => {
    // 00:00 EDT, 01:00 EDT, (01:00 EST not repeated), 02:00 EST, 03:00 EST
    expect(sequence('cron(0 * * * ? *)', 'America/New_York', '2024-11-03T03:30:00.000Z', 4)).toEqual([
      '2024-11-03T04:00:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T08:00:00.000Z',
    ]);
  });

  it('every 30 minutes through the repeated hour: 01:00 and 01:30 fire once each', () => {
    // 00:30 EDT, 01:00 EDT, 01:30 EDT, then 02:00 EST (an hour and a half later)
    expect(sequence('cron(0/30 * * * ? *)', 'America/New_York', '2024-11-03T04:15:00.000Z', 4)).toEqual([
      '2024-11-03T04:30:00.000Z',
      '2024-11-03T05:00:00.000Z',
      '2024-11-03T05:30:00.000Z',
      '2024-11-03T07:00:00.000Z',
    ]);
  });
});

describe('nextFireTime: Europe/London', () => {
  it.each([
    // spring forward: 01:30 on 31 March does not exist -> 01:30 BST on 1 April
    ['cron(30 1 * * ? *)', '2024-03-30T12:00:00.000Z', '2024-04-01T00:30:00.000Z'],
    // fall back: 01:30 BST on 27 October, then 01:30 GMT on the 28th
    ['cron(30 1 * * ? *)', '2024-10-26T12:00:00.000Z', '2024-10-27T00:30:00.000Z'],
    ['cron(30 1 * * ? *)', '2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z'],
    // winter: London is on UTC; Friday 3 January 2025 -> Monday the 6th
    ['cron(0 9 ? * MON-FRI *)', '2025-01-03T09:00:00.000Z', '2025-01-06T09:00:00.000Z'],
    // summer: 09:00 BST is 08:00 UTC
    ['cron(0 9 1 JUL ? *)', '2025-01-01T00:00:00.000Z', '2025-07-01T08:00:00.000Z'],
    // the last Sunday of March 2024 (31st) at 03:00 BST, just after the jump
    ['cron(0 3 ? * 1L *)', '2024-03-01T00:00:00.000Z', '2024-03-31T02:00:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'Europe/London', after)).toBe(expected);
  });
});

describe('nextFireTime: Australia/Sydney', () => {
  it.each([
    // fall back (April): 02:30 AEDT on the 7th, then 02:30 AEST on the 8th
    ['cron(30 2 * * ? *)', '2024-04-06T00:00:00.000Z', '2024-04-06T15:30:00.000Z'],
    ['cron(30 2 * * ? *)', '2024-04-06T15:30:00.000Z', '2024-04-07T16:30:00.000Z'],
    // spring forward (October): 02:30 on the 6th does not exist -> 02:30 AEDT on the 7th
    ['cron(30 2 * * ? *)', '2024-10-05T00:00:00.000Z', '2024-10-06T15:30:00.000Z'],
    // New Year's Day 09:00 AEDT is 22:00 UTC on 31 December
    ['cron(0 9 * * ? *)', '2024-12-31T00:00:00.000Z', '2024-12-31T22:00:00.000Z'],
    // midnight on the 1st of July (AEST) is 14:00 UTC on 30 June
    ['cron(0 0 1 7 ? *)', '2025-01-01T00:00:00.000Z', '2025-06-30T14:00:00.000Z'],
  ])('%s after %s -> %s', (expression, after, expected) => {
    expect(next(expression, 'Australia/Sydney', after)).toBe(expected);
  });
});
