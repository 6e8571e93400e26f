/**
 * Directory entries: 32-byte short (8.3) entries, preceded by the VFAT long-name entries that spell
 * the long name backwards and carry the short name's checksum.
 */
import { joinLfn, lfnUnits, shortName, shortNameChecksum, usableName, volumeLabel } from './names.ts';
import { fatTime } from './time.ts';

export const ENTRY_SIZE = 32;
export const ATTR_READ_ONLY = 0x01;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
const ATTR_LONG_NAME = 0x0f;
const ATTR_LONG_NAME_MASK = 0x3f;
const LAST_LONG_ENTRY = 0x40;

/** What a short entry says about its file (the long name is added by the directory parser). */
export interface ShortEntry {
  /** Volume byte offset of the short entry: the synthetic inode number. */
  offset: number;
  short: string;
  attr: number;
  firstCluster: number;
  size: number;
  mtime: number;
  atime: number;
  crtime: number;
}

export interface Entry extends ShortEntry {
  name: string;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

export type EntryKind = 'end' | 'deleted' | 'long' | 'label' | 'dot' | 'short';

export function entryKind(e: Uint8Array): EntryKind {
  const first = e[0]!;
  if (first === 0x00) return 'end';
  if (first === 0xe5) return 'deleted';
  const attr = e[11]!;
  if ((attr & ATTR_LONG_NAME_MASK) === ATTR_LONG_NAME) return 'long';
  if (attr & ATTR_VOLUME_ID) return 'label';
  if (first === 0x2e) return 'dot';
  return 'short';
}

/** Fields of a short entry; `fat32` says whether DIR_FstClusHI counts. */
export function parseShort(e: Uint8Array, offset: number, fat32: boolean): ShortEntry {
  const hi = fat32 ? u16(e, 20) : 0;
  return {
    offset,
    short: shortName(e.subarray(0, 11), e[12]!),
    attr: e[11]!,
    firstCluster: ((hi << 16) | u16(e, 26)) >>> 0,
    size: u32(e, 28),
    mtime: fatTime(u16(e, 24), u16(e, 22)),
    atime: fatTime(u16(e, 18), 0),
    crtime: fatTime(u16(e, 16), u16(e, 14), e[13]!),
  };
}

/** A long-name set being collected: fragments in disk order (last part of the name first). */
interface LongSet {
  broken: boolean;
  next: number;
  checksum: number;
  parts: number[][];
}

export interface ParsedDirectory {
  entries: Entry[];
  /** Volume label entry, if the directory holds one (meaningful in the root). */
  label?: string;
  /** Whether a 0x00 entry ended the directory before its last slot. */
  ended: boolean;
}

/**
 * The live entries of a directory, given its bytes as segments (volume offset + bytes) in order. Skips
 * free, deleted, "." and "..", keeps the label apart; long names that do not check out fall back to the
 * 8.3 name and are reported through `note`.
 */
export function parseDirectory(
  segments: { offset: number; bytes: Uint8Array }[],
  fat32: boolean,
  note: (message: string) => void,
): ParsedDirectory {
  const entries: Entry[] = [];
  let label: string | undefined;
  let set: LongSet | undefined;
  for (const seg of segments) {
    for (let p = 0; p + ENTRY_SIZE <= seg.bytes.length; p += ENTRY_SIZE) {
      const e = seg.bytes.subarray(p, p + ENTRY_SIZE);
      const offset = seg.offset + p;
      const kind = entryKind(e);
      if (kind === 'end') return { entries, label, ended: true };
      if (kind === 'long') {
        set = addLong(set, e);
        continue;
      }
      const pending = set;
      set = undefined;
      if (kind === 'label' && label === undefined) label = volumeLabel(e.subarray(0, 11));
      if (kind !== 'short') continue;
      const s = parseShort(e, offset, fat32);
      let name = s.short;
      if (pending) {
        const complete = !pending.broken && pending.next === 0;
        const long = complete && pending.checksum === shortNameChecksum(e) ? longName(pending) : undefined;
        if (long !== undefined && usableName(long)) name = long;
        else note(`long name of "${s.short}" at offset ${offset} is broken; using its 8.3 name`);
      }
      if (!usableName(name)) {
        note(`entry at offset ${offset} has an unusable name ${JSON.stringify(name)}; skipped`);
        continue;
      }
      entries.push({ ...s, name });
    }
  }
  return { entries, label, ended: false };
}

function addLong(set: LongSet | undefined, e: Uint8Array): LongSet {
  const ord = e[0]!;
  const n = ord & 0x1f;
  if (ord & LAST_LONG_ENTRY) {
    return { broken: n === 0 || n > 20, next: n - 1, checksum: e[13]!, parts: [lfnUnits(e)] };
  }
  if (!set || set.broken || n !== set.next || n === 0 || e[13] !== set.checksum) {
    return { broken: true, next: 0, checksum: 0, parts: [] };
  }
  set.parts.push(lfnUnits(e));
  set.next--;
  return set;
}

function longName(set: LongSet): string | undefined {
  const units: number[] = [];
  for (let i = set.parts.length - 1; i >= 0; i--) units.push(...set.parts[i]!);
  return joinLfn(units);
}
