/**
 * MBR (DOS) partition tables: four primary entries at 0x1BE and, for an extended partition (type 0x05,
 * 0x0F or 0x85), a chain of extended boot records. In each EBR the first entry is a logical partition
 * relative to that EBR and the second links to the next EBR relative to the extended partition's start.
 * Logical partitions are numbered from 5, in chain order.
 */
import type { ByteSource, Partition, PartitionTable } from '../types.ts';
import { DiskFormatError } from '../types.ts';
import { readExact, u32 } from './bytes.ts';

const LAYER = 'mbr';
export const MBR_EXTENDED_TYPES: readonly number[] = [0x05, 0x0f, 0x85];
export const MBR_PROTECTIVE_TYPE = 0xee;
/** More logical partitions than Linux supports on any device: a longer chain is damage. */
export const MAX_LOGICAL_PARTITIONS = 256;

export interface MbrEntry {
  /** 0..3, the slot in its sector. */
  slot: number;
  boot: number;
  type: number;
  /** Sector fields as stored (relative to something that depends on where the entry is). */
  start: number;
  count: number;
}

export function hasBootSignature(sector: Uint8Array): boolean {
  return sector.length >= 512 && sector[510] === 0x55 && sector[511] === 0xaa;
}

export function mbrEntries(sector: Uint8Array): MbrEntry[] {
  return [0, 1, 2, 3].map((slot) => {
    const at = 0x1be + slot * 16;
    return {
      slot,
      boot: sector[at]!,
      type: sector[at + 4]!,
      start: u32(sector, at + 8),
      count: u32(sector, at + 12),
    };
  });
}

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

/** A FAT, exFAT or NTFS boot sector also ends in 0x55AA: such a disk has a filesystem, not a table. */
export function looksLikeVolumeBootRecord(sector: Uint8Array): boolean {
  if (sector[0] !== 0xeb && sector[0] !== 0xe9) return false;
  const oem = ascii(sector, 3, 8);
  return (
    oem === 'NTFS    ' ||
    oem === 'EXFAT   ' ||
    ascii(sector, 0x36, 3) === 'FAT' ||
    ascii(sector, 0x52, 5) === 'FAT32'
  );
}

/** Why sector 0 is not a usable MBR, or undefined when it is one. */
export function mbrProblem(sector: Uint8Array): string | undefined {
  if (!hasBootSignature(sector)) return 'no 0x55AA boot signature';
  if (looksLikeVolumeBootRecord(sector)) return 'sector 0 is a FAT/NTFS boot sector';
  if (mbrEntries(sector).some((e) => e.boot !== 0 && e.boot !== 0x80)) return 'invalid boot indicator';
  return undefined;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export async function parseMbr(
  disk: ByteSource,
  sector0: Uint8Array,
  sectorSize: 512 | 4096,
): Promise<PartitionTable> {
  const signature = hex8(u32(sector0, 0x1b8));
  const notes: string[] = [];
  const partitions: Partition[] = [];
  const make = (number: number, e: MbrEntry, startLba: number, entryAt: number): Partition => {
    const offset = startLba * sectorSize;
    const size = e.count * sectorSize;
    if (offset + size > disk.size) {
      throw new DiskFormatError(
        LAYER,
        `partition ${number} (sectors ${startLba}+${e.count}) runs past the end of the ${disk.size}-byte disk`,
        entryAt,
      );
    }
    const p: Partition = {
      number,
      offset,
      size,
      scheme: 'mbr',
      type: e.type.toString(16).padStart(2, '0'),
      partUuid: `${signature}-${number.toString(16).padStart(2, '0')}`,
    };
    if (e.boot === 0x80) p.bootable = true;
    return p;
  };

  let nextLogical = 5;
  for (const e of mbrEntries(sector0)) {
    if (e.type === 0 || e.count === 0) continue;
    const entryAt = 0x1be + e.slot * 16;
    partitions.push(make(e.slot + 1, e, e.start, entryAt));
    if (MBR_EXTENDED_TYPES.includes(e.type)) {
      nextLogical = await walkEbrChain(disk, e, sectorSize, nextLogical, partitions, notes, make);
    }
  }
  partitions.sort((a, b) => a.number - b.number);
  return { scheme: 'mbr', sectorSize, diskId: signature, partitions, notes };
}

async function walkEbrChain(
  disk: ByteSource,
  ext: MbrEntry,
  sectorSize: number,
  firstNumber: number,
  out: Partition[],
  notes: string[],
  make: (number: number, e: MbrEntry, startLba: number, entryAt: number) => Partition,
): Promise<number> {
  let number = firstNumber;
  const visited = new Set<number>();
  let ebr: number | undefined = ext.start;
  while (ebr !== undefined) {
    const at = ebr * sectorSize;
    if (visited.has(ebr)) throw new DiskFormatError(LAYER, `EBR chain loops back to sector ${ebr}`, at);
    if (visited.size >= MAX_LOGICAL_PARTITIONS) {
      throw new DiskFormatError(LAYER, `EBR chain longer than ${MAX_LOGICAL_PARTITIONS} records`, at);
    }
    visited.add(ebr);
    if (ebr < ext.start || ebr >= ext.start + ext.count) {
      throw new DiskFormatError(LAYER, `EBR at sector ${ebr} lies outside its extended partition`, at);
    }
    const sector = await readExact(disk, at, 512, LAYER, 'extended boot record');
    if (!hasBootSignature(sector)) {
      notes.push(`EBR at sector ${ebr} has no 0x55AA signature: logical partitions end there`);
      break;
    }
    let next: number | undefined;
    for (const e of mbrEntries(sector).slice(0, 2)) {
      if (e.type === 0 || e.count === 0) continue;
      if (MBR_EXTENDED_TYPES.includes(e.type)) {
        if (next === undefined) next = ext.start + e.start;
        continue;
      }
      const start = ebr + e.start;
      const p = make(number, e, start, at + 0x1be + e.slot * 16);
      if (start + e.count > ext.start + ext.count) {
        notes.push(`logical partition ${number} extends beyond its extended partition`);
      }
      out.push(p);
      number++;
    }
    ebr = next;
  }
  return number;
}
