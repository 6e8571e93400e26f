import { describe, expect, it } from 'vitest';
import { isValidTimeZone, parseRfc5424 } from '../../../../shared/monitoring/syslog/index.ts';
import {
  daysFromCivil,
  daysInMonth,
  formatIso,
  isoOfMs,
  localToUtc,
  yearOfDays,
  zoneOf,
} from '../../../../shared/monitoring/syslog/time.ts';

const RECEIVED = Date.UTC(2024, 5, 1, 12, 0, 0);

/** The timestamp field of an RFC 5424 record carrying `ts`. */
function stampOf(ts: string, defaultTimeZone?: string | number) {
  const m = parseRfc5424(`<13>1 ${ts} host app - - - x`, { receivedAt: RECEIVED, defaultTimeZone });
  return { timestamp: m.timestamp, timestampMs: m.timestampMs, source: m.timeSource, flags: m.flags };
}

/** A seeded PRNG, so that property runs are the same every time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RFC 3339 timestamps in RFC 5424 (validated without Date parsing)', () => {
  it.each([
    ['1985-04-12T23:20:50.52Z', '1985-04-12T23:20:50.520Z'],
    ['1996-12-19T16:39:57-08:00', '1996-12-20T00:39:57.000Z'],
    ['1990-12-31T23:59:59Z', '1990-12-31T23:59:59.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2024-02-29T12:00:00+14:00', '2024-02-28T22:00:00.000Z'],
    ['2024-03-01T01:00:00+01:30', '2024-02-29T23:30:00.000Z'],
    ['2003-08-24T05:14:15.000003-00:00', '2003-08-24T05:14:15.000003Z'],
    ['2003-08-24T05:14:15.1234Z', '2003-08-24T05:14:15.1234Z'],
    ['0001-01-01T00:00:00+01:00', '0000-12-31T23:00:00.000Z'],
    ['0000-01-01T00:00:00+00:01', '-000001-12-31T23:59:00.000Z'],
    ['9999-12-31T23:59:59-01:00', '+010000-01-01T00:59:59.000Z'],
  ])('%s → %s', (ts, iso) => {
    expect(stampOf(ts)).toMatchObject({ timestamp: iso, source: 'event', flags: [] });
  });

  it('gives epoch milliseconds with the fraction truncated', () => {
    expect(stampOf('2003-08-24T05:14:15.999999-07:00').timestampMs).toBe(
      Date.UTC(2003, 7, 24, 12, 14, 15, 999),
    );
    expect(stampOf('1969-12-31T23:59:59.5Z').timestampMs).toBe(-500);
  });

  it.each([
    ['2024-01-01T00:00:00.1234567Z', '2024-01-01T00:00:00.1234567Z'],
    ['2024-01-01T00:00:00+0100', '2023-12-31T23:00:00.000Z'],
    ['2024-01-01T00:00:00-05', '2024-01-01T05:00:00.000Z'],
  ])('%s is accepted as nonstandard', (ts, iso) => {
    expect(stampOf(ts)).toMatchObject({ timestamp: iso, source: 'event', flags: ['timestamp_nonstandard'] });
  });

  it.each([
    '1900-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-01T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:60:00Z',
    '2024-01-01T23:59:60Z',
    '2024-01-01t00:00:00Z',
    '2024-01-01T00:00:00z',
    '2024-01-01T00:00:00.Z',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00+01:60',
    '2024-01-01T00:00:00+01:00:00',
    '2024-01-01T00:00:00Zx',
    '2024-01-01T00:00:00+1',
    '2024-1-01T00:00:00Z',
    '24-01-01T00:00:00Z',
    '2024-01-01',
    '2024-01-01T0:00:00Z',
    '１９８５-04-12T23:20:50Z',
  ])('%s is invalid', (ts) => {
    expect(stampOf(ts)).toMatchObject({
      timestamp: '2024-06-01T12:00:00.000Z',
      source: 'received',
      flags: ['invalid_timestamp'],
    });
  });

  it('applies the listener zone to a timestamp without offset', () => {
    expect(stampOf('2024-01-15T10:00:00', 'Europe/Paris')).toMatchObject({
      timestamp: '2024-01-15T09:00:00.000Z',
      flags: ['tz_assumed'],
    });
    expect(stampOf('2024-07-15T10:00:00.25', 'Europe/Paris')).toMatchObject({
      timestamp: '2024-07-15T08:00:00.250Z',
      flags: ['tz_assumed'],
    });
    expect(stampOf('2024-07-15T10:00:00', -420).timestamp).toBe('2024-07-15T17:00:00.000Z');
    expect(stampOf('2024-07-15T10:00:00').timestamp).toBe('2024-07-15T10:00:00.000Z');
  });

  it('falls back to UTC for an unknown zone, flagged', () => {
    expect(stampOf('2024-07-15T10:00:00', 'Mars/Olympus_Mons')).toMatchObject({
      timestamp: '2024-07-15T10:00:00.000Z',
      flags: ['tz_assumed', 'tz_unknown'],
    });
    expect(stampOf('2024-07-15T10:00:00', 24 * 60)).toMatchObject({ flags: ['tz_assumed', 'tz_unknown'] });
    expect(stampOf('2024-07-15T10:00:00', 1.5)).toMatchObject({ flags: ['tz_assumed', 'tz_unknown'] });
  });

  it('uses the receive time when none is given, now when it is unusable', () => {
    const before = Date.now();
    const m = parseRfc5424('<13>1 - - - - - -', { receivedAt: Number.NaN });
    expect(m.timestampMs).toBeGreaterThanOrEqual(before);
    expect(m.timestampMs).toBeLessThanOrEqual(Date.now());
    expect(parseRfc5424('<13>1 - - - - - -', { receivedAt: 1.9 }).timestamp).toBe('1970-01-01T00:00:00.001Z');
  });
});

describe('zones', () => {
  it('validates a listener setting', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone(120)).toBe(true);
    expect(isValidTimeZone('Not/AZone')).toBe(false);
    expect(isValidTimeZone(1440)).toBe(false);
  });

  it('resolves wall-clock times around daylight-saving changes', () => {
    const paris = zoneOf('Europe/Paris');
    const wall = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);
    // 2024-03-31: 02:00 CET jumps to 03:00 CEST; 2024-10-27: 03:00 CEST falls back to 02:00 CET.
    expect(localToUtc(paris, wall(2024, 3, 31, 1, 30))).toBe(Date.UTC(2024, 2, 31, 0, 30));
    expect(localToUtc(paris, wall(2024, 3, 31, 3, 30))).toBe(Date.UTC(2024, 2, 31, 1, 30));
    expect(localToUtc(paris, wall(2024, 10, 27, 1, 30))).toBe(Date.UTC(2024, 9, 26, 23, 30));
    expect(localToUtc(paris, wall(2024, 10, 27, 3, 30))).toBe(Date.UTC(2024, 9, 27, 2, 30));
    expect(paris.offsetAt(Date.UTC(2024, 0, 1))).toBe(60);
    expect(paris.offsetAt(Date.UTC(2024, 6, 1))).toBe(120);
    expect(zoneOf('Asia/Kathmandu').offsetAt(Date.UTC(2024, 0, 1))).toBe(345);
  });
});

describe('calendar arithmetic', () => {
  it('knows month lengths and leap years', () => {
    expect([1900, 2000, 2023, 2024, 2100].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28, 29, 28]);
    expect(daysInMonth(2024, 4)).toBe(30);
    expect(daysInMonth(2024, 12)).toBe(31);
    expect(daysInMonth(2024, 13)).toBe(0);
  });

  it('agrees with Date.UTC on 5,000 random dates from year 0 to 9999', () => {
    const random = rng(7);
    for (let n = 0; n < 5000; n++) {
      const year = Math.floor(random() * 10000);
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * daysInMonth(year, month));
      const reference = new Date(0);
      reference.setUTCFullYear(year, month - 1, day);
      const days = daysFromCivil(year, month, day);
      expect(days * 86_400_000).toBe(reference.getTime());
      expect(yearOfDays(days)).toBe(year);
    }
  });

  it('formats like toISOString on 5,000 random instants, keeping the fraction given', () => {
    const random = rng(11);
    for (let n = 0; n < 5000; n++) {
      const ms = Math.floor((random() - 0.5) * 2 * 8.6e15);
      const whole = Math.floor(ms / 1000) * 1000;
      expect(isoOfMs(ms)).toBe(new Date(ms).toISOString());
      expect(formatIso(whole, '123456789')).toBe(
        new Date(whole).toISOString().replace('.000Z', '.123456789Z'),
      );
    }
    expect(formatIso(0, '')).toBe('1970-01-01T00:00:00.000Z');
    expect(formatIso(0, '5')).toBe('1970-01-01T00:00:00.500Z');
    expect(formatIso(0, '05')).toBe('1970-01-01T00:00:00.050Z');
  });
});
