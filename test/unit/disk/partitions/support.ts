/** Test helpers of the partition and LVM suites: in-memory sources, fixtures, and a tiny table writer. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { guidBytes } from '../../../../shared/disk/partitions/bytes.ts';
import { crc32 } from '../../../../shared/disk/partitions/crc32.ts';
import type { ByteSource } from '../../../../shared/disk/types.ts';

export const FIXTURES = new URL('../../../fixtures/disk/partitions/', import.meta.url);

/** A ByteSource over bytes in memory that counts its reads (to prove bounded work). */
export function memorySource(bytes: Uint8Array): ByteSource & { reads: number } {
  const src = {
    size: bytes.length,
    reads: 0,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
        throw new RangeError(`bad read ${offset}+${length}`);
      }
      src.reads++;
      return bytes.slice(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
    },
    async close(): Promise<void> {},
  };
  return src;
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(new URL(`${name}.gz`, FIXTURES))));
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

export interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  uuid?: string;
  name?: string;
  attrs?: string;
  bootable?: boolean;
}

export interface SfdiskTable {
  partitiontable: {
    label: 'gpt' | 'dos';
    id: string;
    sectorsize: number;
    partitions: SfdiskPartition[];
  };
}

/** The partition number sfdisk's device node names (`disk.img5`, `/dev/loop0p5`). */
export function nodeNumber(node: string): number {
  return Number(/(\d+)$/.exec(node)![1]);
}

/** GPT attribute bits as sfdisk writes them: "RequiredPartition LegacyBIOSBootable GUID:60,63". */
export function sfdiskAttrs(hex: string): string | undefined {
  const v = BigInt(`0x${hex}`);
  const words: string[] = [];
  const guidBits: number[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (!(v & (1n << BigInt(bit)))) continue;
    if (bit === 0) words.push('RequiredPartition');
    else if (bit === 1) words.push('NoBlockIOProtocol');
    else if (bit === 2) words.push('LegacyBIOSBootable');
    else if (bit >= 48) guidBits.push(bit);
    else words.push(`${bit}`);
  }
  if (guidBits.length) words.push(`GUID:${guidBits.join(',')}`);
  return words.length ? words.join(' ') : undefined;
}

// ---------------------------------------------------------------- a small writer for hand-made tables

export function le32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}

export function le64(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt(v), true);
}

export interface MbrEntrySpec {
  type: number;
  start: number;
  count: number;
  boot?: boolean;
}

export function writeMbrSector(disk: Uint8Array, at: number, entries: MbrEntrySpec[], signature = 0): void {
  le32(disk, at + 0x1b8, signature);
  entries.forEach((e, i) => {
    const o = at + 0x1be + i * 16;
    disk[o] = e.boot ? 0x80 : 0;
    disk[o + 4] = e.type;
    le32(disk, o + 8, e.start);
    le32(disk, o + 12, e.count);
  });
  disk[at + 510] = 0x55;
  disk[at + 511] = 0xaa;
}

export interface GptEntrySpec {
  type: string;
  uuid: string;
  first: number;
  last: number;
  name?: string;
  attributes?: bigint;
}

export interface GptSpec {
  sectorSize: 512 | 4096;
  diskGuid: string;
  entries: GptEntrySpec[];
  entryCount?: number;
  entrySize?: number;
}

/** Writes a protective MBR, both GPT headers and both entry arrays, with correct CRCs. */
export function writeGpt(disk: Uint8Array, spec: GptSpec): void {
  const ss = spec.sectorSize;
  const sectors = disk.length / ss;
  const count = spec.entryCount ?? 128;
  const size = spec.entrySize ?? 128;
  const arraySectors = Math.ceil((count * size) / ss);
  const array = new Uint8Array(count * size);
  spec.entries.forEach((e, i) => {
    const o = i * size;
    array.set(guidBytes(e.type), o);
    array.set(guidBytes(e.uuid), o + 16);
    le64(array, o + 32, e.first);
    le64(array, o + 40, e.last);
    new DataView(array.buffer).setBigUint64(o + 48, e.attributes ?? 0n, true);
    const name = e.name ?? '';
    for (let k = 0; k < name.length && k < 36; k++) {
      new DataView(array.buffer).setUint16(o + 56 + k * 2, name.charCodeAt(k), true);
    }
  });
  writeMbrSector(disk, 0, [{ type: 0xee, start: 1, count: Math.min(sectors - 1, 0xffffffff) }]);
  const header = (my: number, alt: number, entriesLba: number) => {
    const h = new Uint8Array(ss);
    h.set(new TextEncoder().encode('EFI PART'), 0);
    le32(h, 8, 0x00010000);
    le32(h, 12, 92);
    le64(h, 24, my);
    le64(h, 32, alt);
    le64(h, 40, 2 + arraySectors);
    le64(h, 48, sectors - 2 - arraySectors);
    h.set(guidBytes(spec.diskGuid), 56);
    le64(h, 72, entriesLba);
    le32(h, 80, count);
    le32(h, 84, size);
    le32(h, 88, crc32(array));
    le32(h, 16, crc32(h.subarray(0, 92)));
    return h;
  };
  disk.set(array, 2 * ss);
  disk.set(header(1, sectors - 1, 2), ss);
  const backupEntries = sectors - 1 - arraySectors;
  disk.set(array, backupEntries * ss);
  disk.set(header(sectors - 1, 1, backupEntries), (sectors - 1) * ss);
}

/** Rewrites the header CRC of the GPT header at `at` after a test changed a field. */
export function resealGptHeader(disk: Uint8Array, at: number): void {
  le32(disk, at + 16, 0);
  le32(disk, at + 16, crc32(disk.subarray(at, at + 92)));
}
