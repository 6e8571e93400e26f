/**
 * GUID partition tables (UEFI spec, chapter 5): a header at LBA 1 and a backup header at the last LBA,
 * each with its own copy of the partition entry array, both protected by CRC-32. The sector size is found
 * by where the header is (512 or 4096 bytes).
 */
import type { ByteSource, Partition, PartitionTable } from '../types.ts';
import { DiskFormatError } from '../types.ts';
import { guid, isZero, readExact, u32, u64, utf16z } from './bytes.ts';
import { crc32 } from './crc32.ts';

const LAYER = 'gpt';
const SIGNATURE = 'EFI PART';
/** Bounds that no real table comes near; beyond them a header is damage, not a table to read. */
export const GPT_MAX_ENTRIES = 16384;
export const GPT_MAX_ENTRY_SIZE = 4096;
export const GPT_MAX_ARRAY_BYTES = 4 * 1024 * 1024;

export interface GptHeader {
  /** Byte offset of the header on the disk. */
  at: number;
  revision: number;
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  entriesCrc: number;
}

/** A GPT partition with its attribute bits (16 hex digits, bit 0 = required, bit 2 = legacy BIOS bootable). */
export interface GptPartition extends Partition {
  attributes: string;
}

type Checked<T> = { ok: true; value: T } | { ok: false; problem: string; signature: boolean };

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

export async function readGptHeader(
  disk: ByteSource,
  lba: number,
  sectorSize: number,
): Promise<Checked<GptHeader>> {
  const at = lba * sectorSize;
  if (lba < 1 || at + sectorSize > disk.size) {
    return { ok: false, problem: `header LBA ${lba} is outside the disk`, signature: false };
  }
  const b = await readExact(disk, at, sectorSize, LAYER, 'GPT header');
  if (ascii(b, 0, 8) !== SIGNATURE)
    return { ok: false, problem: `no "EFI PART" at LBA ${lba}`, signature: false };
  const bad = (problem: string): Checked<GptHeader> => ({
    ok: false,
    problem: `LBA ${lba}: ${problem}`,
    signature: true,
  });
  const headerSize = u32(b, 12);
  if (headerSize < 92 || headerSize > sectorSize) return bad(`header size ${headerSize} out of range`);
  const stored = u32(b, 16);
  const copy = b.slice(0, headerSize);
  copy.fill(0, 16, 20);
  if (crc32(copy) !== stored) return bad('header CRC32 mismatch');
  const h: GptHeader = {
    at,
    revision: u32(b, 8),
    myLba: u64(b, 24, LAYER, at),
    alternateLba: u64(b, 32, LAYER, at),
    firstUsableLba: u64(b, 40, LAYER, at),
    lastUsableLba: u64(b, 48, LAYER, at),
    diskGuid: guid(b, 56),
    entriesLba: u64(b, 72, LAYER, at),
    entryCount: u32(b, 80),
    entrySize: u32(b, 84),
    entriesCrc: u32(b, 88),
  };
  const sectors = Math.floor(disk.size / sectorSize);
  if (h.myLba !== lba) return bad(`header says it is at LBA ${h.myLba}`);
  if (h.entrySize < 128 || h.entrySize > GPT_MAX_ENTRY_SIZE || h.entrySize % 128 !== 0) {
    return bad(
      `partition entry size ${h.entrySize} is not a multiple of 128 between 128 and ${GPT_MAX_ENTRY_SIZE}`,
    );
  }
  if (
    h.entryCount < 1 ||
    h.entryCount > GPT_MAX_ENTRIES ||
    h.entryCount * h.entrySize > GPT_MAX_ARRAY_BYTES
  ) {
    return bad(`partition entry count ${h.entryCount} is absurd`);
  }
  const arrayEnd = h.entriesLba * sectorSize + h.entryCount * h.entrySize;
  if (h.entriesLba < 2 || arrayEnd > disk.size)
    return bad(`partition entry array at LBA ${h.entriesLba} is off the disk`);
  if (h.firstUsableLba > h.lastUsableLba + 1 || h.lastUsableLba >= sectors) {
    return bad(`usable range ${h.firstUsableLba}..${h.lastUsableLba} does not fit ${sectors} sectors`);
  }
  return { ok: true, value: h };
}

export async function readGptEntries(
  disk: ByteSource,
  h: GptHeader,
  sectorSize: number,
): Promise<Checked<Uint8Array>> {
  const at = h.entriesLba * sectorSize;
  const b = await readExact(disk, at, h.entryCount * h.entrySize, LAYER, 'GPT partition entries');
  if (crc32(b) !== h.entriesCrc) {
    return {
      ok: false,
      problem: `partition entries at LBA ${h.entriesLba}: CRC32 mismatch`,
      signature: true,
    };
  }
  return { ok: true, value: b };
}

function hex16(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at, at + 8), (x) => x.toString(16).padStart(2, '0'))
    .reverse()
    .join('');
}

export function gptPartitions(
  disk: ByteSource,
  h: GptHeader,
  entries: Uint8Array,
  sectorSize: number,
): GptPartition[] {
  const out: GptPartition[] = [];
  for (let i = 0; i < h.entryCount; i++) {
    const e = entries.subarray(i * h.entrySize, (i + 1) * h.entrySize);
    if (isZero(e.subarray(0, 16))) continue;
    const where = h.entriesLba * sectorSize + i * h.entrySize;
    const first = u64(e, 32, LAYER, where);
    const last = u64(e, 40, LAYER, where);
    if (last < first)
      throw new DiskFormatError(
        LAYER,
        `partition ${i + 1} ends (LBA ${last}) before it starts (${first})`,
        where,
      );
    if ((last + 1) * sectorSize > disk.size) {
      throw new DiskFormatError(
        LAYER,
        `partition ${i + 1} (LBA ${first}..${last}) runs past the end of the disk`,
        where,
      );
    }
    const attributes = hex16(e, 48);
    const p: GptPartition = {
      number: i + 1,
      offset: first * sectorSize,
      size: (last - first + 1) * sectorSize,
      scheme: 'gpt',
      type: guid(e, 0),
      partUuid: guid(e, 16),
      name: utf16z(e, 56, Math.min(72, h.entrySize - 56)),
      attributes,
    };
    if ((Number.parseInt(attributes.slice(-1), 16) & 0b100) !== 0) p.bootable = true;
    out.push(p);
  }
  return out;
}

/**
 * The GPT of a disk, or undefined when neither header has the "EFI PART" signature. Throws a
 * DiskFormatError when a header was found but no copy (primary or backup) is intact.
 */
export async function readGpt(disk: ByteSource): Promise<PartitionTable | undefined> {
  const problems: string[] = [];
  let errorAt: number | undefined;
  let signatureSeen = false;
  const problem = (text: string, at: number) => {
    signatureSeen = true;
    problems.push(text);
    errorAt ??= at;
  };
  for (const sectorSize of [512, 4096] as const) {
    if (disk.size < sectorSize * 3) continue;
    const primary = await readGptHeader(disk, 1, sectorSize);
    const notes: string[] = [];
    if (primary.ok) {
      const entries = await readGptEntries(disk, primary.value, sectorSize);
      if (entries.ok) {
        const alt = await readGptHeader(disk, primary.value.alternateLba, sectorSize);
        if (!alt.ok) notes.push(`backup GPT header is damaged or missing (${alt.problem})`);
        return table(disk, primary.value, entries.value, sectorSize, notes);
      }
      problem(entries.problem, primary.value.entriesLba * sectorSize);
    } else if (primary.signature) {
      problem(primary.problem, sectorSize);
    }
    const lastLba = Math.floor(disk.size / sectorSize) - 1;
    const backupLba =
      primary.ok && primary.value.alternateLba <= lastLba ? primary.value.alternateLba : lastLba;
    const backup = await readGptHeader(disk, backupLba, sectorSize);
    if (backup.ok) {
      const entries = await readGptEntries(disk, backup.value, sectorSize);
      if (entries.ok) {
        const why = problems.at(-1) ?? (primary.ok ? 'entries damaged' : primary.problem);
        notes.push(`primary GPT damaged (${why}): backup header at LBA ${backupLba} used`);
        return table(disk, backup.value, entries.value, sectorSize, notes);
      }
      problem(`backup ${entries.problem}`, backup.value.entriesLba * sectorSize);
    } else if (backup.signature) {
      problem(`backup ${backup.problem}`, backupLba * sectorSize);
    }
    if (signatureSeen) break;
  }
  if (!signatureSeen) return undefined;
  throw new DiskFormatError(LAYER, `no intact GPT copy: ${problems.join('; ')}`, errorAt);
}

function table(
  disk: ByteSource,
  h: GptHeader,
  entries: Uint8Array,
  sectorSize: 512 | 4096,
  notes: string[],
): PartitionTable {
  if (h.revision !== 0x00010000) notes.push(`GPT revision 0x${h.revision.toString(16)} (expected 1.0)`);
  const partitions = gptPartitions(disk, h, entries, sectorSize);
  for (const p of partitions) {
    const first = p.offset / sectorSize;
    const last = first + p.size / sectorSize - 1;
    if (first < h.firstUsableLba || last > h.lastUsableLba) {
      notes.push(
        `partition ${p.number} lies outside the usable LBA range ${h.firstUsableLba}..${h.lastUsableLba}`,
      );
    }
  }
  return { scheme: 'gpt', sectorSize, diskId: h.diskGuid, partitions, notes };
}
