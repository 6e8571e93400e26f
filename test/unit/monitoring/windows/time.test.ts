import { describe, expect, it } from 'vitest';
import { parseWindowsTime } from '../../../../shared/monitoring/windows/time.ts';

describe('Windows timestamps', () => {
  it('keeps the 7 fraction digits of SystemTime (100 ns) and gives epoch milliseconds', () => {
    expect(parseWindowsTime('2015-10-16T00:39:58.656871200Z')).toEqual({
      original: '2015-10-16T00:39:58.656871200Z',
      iso: '2015-10-16T00:39:58.656871200Z',
      epochMs: Date.UTC(2015, 9, 16, 0, 39, 58, 656),
    });
    expect(parseWindowsTime('2024-03-05T09:14:27.4113251Z')?.iso).toBe('2024-03-05T09:14:27.4113251Z');
  });

  it('pads to milliseconds when fewer digits are written, and converts offsets to UTC', () => {
    expect(parseWindowsTime('2023-02-14T09:14:23Z')?.iso).toBe('2023-02-14T09:14:23.000Z');
    expect(parseWindowsTime('2023-02-14T09:14:23.5Z')?.iso).toBe('2023-02-14T09:14:23.500Z');
    const t = parseWindowsTime('2022-12-14T17:07:03.331+01:00');
    expect(t?.iso).toBe('2022-12-14T16:07:03.331Z');
    expect(t?.epochMs).toBe(Date.UTC(2022, 11, 14, 16, 7, 3, 331));
    expect(parseWindowsTime('2024-01-01T00:30:00.123456789-05:30')?.iso).toBe(
      '2024-01-01T06:00:00.123456789Z',
    );
    expect(parseWindowsTime('2024-01-01T00:30:00+01:00')?.iso).toBe('2023-12-31T23:30:00.000Z');
  });

  it('checks the calendar itself, where Date would roll over', () => {
    expect(parseWindowsTime('2003-09-31T22:14:15.003Z')).toBeNull();
    expect(parseWindowsTime('2018-02-29T00:00:00Z')).toBeNull();
    expect(parseWindowsTime('1900-02-29T00:00:00Z')).toBeNull();
    expect(parseWindowsTime('2000-02-29T00:00:00Z')?.iso).toBe('2000-02-29T00:00:00.000Z');
    expect(parseWindowsTime('2016-02-29T23:59:59.9999999Z')?.iso).toBe('2016-02-29T23:59:59.9999999Z');
  });

  it('handles years Date.UTC would map to the 1900s', () => {
    const t = parseWindowsTime('0050-06-01T00:00:00Z');
    expect(t?.iso).toBe('0050-06-01T00:00:00.000Z');
    expect(t?.epochMs).toBe(new Date('0050-06-01T00:00:00.000Z').getTime());
    expect(parseWindowsTime('1601-01-01T00:00:00.0000000Z')?.epochMs).toBe(-11644473600000);
  });

  it.each([
    '2006-01-02t15:04:05Z',
    '2006-01-02T15:04:05z',
    '2006-01-02 15:04:05Z',
    '2006-01-02T23:59:60Z',
    '2006-01-02T24:00:00Z',
    '2006-13-02T10:00:00Z',
    '2006-00-02T10:00:00Z',
    '2006-01-00T10:00:00Z',
    '2006-01-02T10:00:00',
    '2006-01-02T10:00:00.Z',
    '2006-01-02T10:00:00.1234567890Z',
    '2006-01-02T10:00:00+24:00',
    '2006-01-02T10:00:00+01:60',
    '2006-01-02T10:00:00+0100',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59-00:01',
    '+2006-01-02T10:00:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseWindowsTime(text)).toBeNull();
  });
});
