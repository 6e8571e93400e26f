import { describe, expect, it } from 'vitest';
import { joinLfn, shortName, shortNameChecksum } from '../../../../../shared/disk/fs/fat/names.ts';
import { fatTime } from '../../../../../shared/disk/fs/fat/time.ts';

const raw = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('FAT short names', () => {
  it('joins base and extension, trims padding and applies the NT lower-case flags', () => {
    expect(shortName(raw('README  TXT'), 0)).toBe('README.TXT');
    expect(shortName(raw('README  TXT'), 0x08)).toBe('readme.TXT');
    expect(shortName(raw('README  TXT'), 0x10)).toBe('README.txt');
    expect(shortName(raw('README  TXT'), 0x18)).toBe('readme.txt');
    expect(shortName(raw('EFI        '), 0x08)).toBe('efi');
  });

  it('reads 0x05 as a leading 0xE5 and the high half as code page 437', () => {
    const b = raw('\x05BC     TXT');
    expect(shortName(b, 0)).toBe('σBC.TXT');
    const cafe = raw('CAF\x90    TXT');
    expect(shortName(cafe, 0)).toBe('CAFÉ.TXT');
    expect(shortName(cafe, 0x18)).toBe('café.txt');
  });

  it('computes the long-name checksum of the spec', () => {
    // sum = ((sum & 1) << 7) + (sum >> 1) + byte, over the 11 name bytes
    let sum = 0;
    for (const c of raw('BOOTX64 EFI')) sum = (((sum & 1) << 7) + (sum >> 1) + c) & 0xff;
    expect(shortNameChecksum(raw('BOOTX64 EFI'))).toBe(sum);
    expect(shortNameChecksum(raw('THISIS~1TXT'))).not.toBe(shortNameChecksum(raw('THISIS~2TXT')));
  });
});

describe('VFAT long names', () => {
  const units = (s: string) => [...s].flatMap((c) => [...Array(c.length).keys()].map((i) => c.charCodeAt(i)));
  it('stops at 0x0000, requires 0xFFFF padding after it, and keeps surrogate pairs', () => {
    expect(joinLfn([...units('abc'), 0, 0xffff, 0xffff])).toBe('abc');
    expect(joinLfn(units('exactly13char'))).toBe('exactly13char');
    expect(joinLfn([...units('abc'), 0, 0x41])).toBeUndefined();
    expect(joinLfn([0, 0xffff])).toBeUndefined();
    expect(joinLfn([...units('😀.txt'), 0])).toBe('😀.txt');
    expect(joinLfn([0xd800, 0x41, 0])).toBe('\ufffdA');
  });
});

describe('FAT timestamps', () => {
  it('converts date and time words to seconds, as UTC, with creation hundredths', () => {
    const date = ((2024 - 1980) << 9) | (1 << 5) | 2;
    const time = (3 << 11) | (4 << 5) | 3;
    expect(fatTime(date, time)).toBe(Date.UTC(2024, 0, 2, 3, 4, 6) / 1000);
    expect(fatTime(date, time, 150)).toBe(Date.UTC(2024, 0, 2, 3, 4, 7, 500) / 1000);
    expect(fatTime(0, 0)).toBe(0);
    expect(fatTime((44 << 9) | (13 << 5) | 1, 0)).toBe(0);
  });
});
