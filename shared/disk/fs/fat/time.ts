/**
 * FAT timestamps: a date word (day 1–31, month 1–12, year − 1980) and a time word (seconds / 2,
 * minutes, hours) in the writer's local time zone, which the disk does not record. We read them as UTC.
 */

/** Seconds since the epoch of a FAT date and time (+ creation hundredths); 0 for an unset date. */
export function fatTime(date: number, time: number, hundredths = 0): number {
  if (date === 0) return 0;
  const day = date & 0x1f;
  const month = (date >> 5) & 0x0f;
  const year = 1980 + (date >> 9);
  if (day === 0 || month === 0 || month > 12) return 0;
  const sec = (time & 0x1f) * 2;
  const min = (time >> 5) & 0x3f;
  const hour = time >> 11;
  const ms = Date.UTC(year, month - 1, day, hour, min, sec);
  const extra = hundredths <= 199 ? hundredths / 100 : 0;
  return ms / 1000 + extra;
}
