/**
 * LVM2 on-disk structures: the label ("LABELONE", in one of the first four 512-byte sectors) with its
 * pv_header (PV UUID, device size, data and metadata area lists), and each metadata area's mda_header
 * whose first raw location points at the committed metadata text in a circular buffer.
 */
import { u32, u64 } from '../partitions/bytes.ts';
import { crc32Update } from '../partitions/crc32.ts';
import type { ByteSource } from '../types.ts';
import { DiskFormatError } from '../types.ts';

const LAYER = 'lvm label';
const MDA_LAYER = 'lvm metadata area';
export const LVM_INITIAL_CRC = 0xf597a6cf;
export const MDA_MAGIC = ' LVM2 x[5A%r0N*>';
export const MDA_HEADER_SIZE = 512;
/** Metadata text larger than this is damage (LVM's default area is 1 MiB; big VGs use a few MiB). */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const RAW_LOCN_IGNORED = 1;

export interface DiskArea {
  offset: number;
  /** 0 for a data area means "to the end of the device". */
  size: number;
}

export interface PvLabel {
  /** Sector (0..3) holding the label. */
  sector: number;
  /** The PV UUID as stored: 32 characters, no dashes. */
  uuid: string;
  deviceSize: number;
  dataAreas: DiskArea[];
  metadataAreas: DiskArea[];
}

export interface MetadataText {
  text: string;
  /** Where each text position lies on the PV (the buffer may wrap). */
  offsetOf: (position: number) => number;
  /** Byte offset of the metadata area on the PV. */
  areaOffset: number;
}

export function lvmCrc(data: Uint8Array): number {
  return crc32Update(LVM_INITIAL_CRC, data);
}

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

/** The PV label of a volume, or undefined when none of its first four sectors has one. */
export async function readPvLabel(src: ByteSource): Promise<PvLabel | undefined> {
  const head = await src.read(0, 2048);
  for (let sector = 0; sector < 4 && (sector + 1) * 512 <= head.length; sector++) {
    const at = sector * 512;
    const s = head.subarray(at, at + 512);
    if (ascii(s, 0, 8) !== 'LABELONE') continue;
    if (u64(s, 8, LAYER, at) !== sector) {
      throw new DiskFormatError(LAYER, `label in sector ${sector} says it is in another sector`, at + 8);
    }
    if (lvmCrc(s.subarray(20)) !== u32(s, 16))
      throw new DiskFormatError(LAYER, 'label CRC mismatch', at + 16);
    const type = ascii(s, 24, 8);
    if (type !== 'LVM2 001')
      throw new DiskFormatError(LAYER, `unknown label type ${JSON.stringify(type)}`, at + 24);
    const pvh = u32(s, 20);
    if (pvh < 32 || pvh + 32 + 8 + 16 > 512)
      throw new DiskFormatError(LAYER, `pv_header offset ${pvh} is out of range`, at + 20);
    const uuid = ascii(s, pvh, 32);
    if (!/^[A-Za-z0-9!#+.\-_]{32}$/.test(uuid))
      throw new DiskFormatError(LAYER, 'malformed PV UUID', at + pvh);
    const deviceSize = u64(s, pvh + 32, LAYER, at);
    let p = pvh + 40;
    const list = (what: string): DiskArea[] => {
      const areas: DiskArea[] = [];
      while (true) {
        if (p + 16 > 512) throw new DiskFormatError(LAYER, `${what} list runs off the label sector`, at + p);
        const offset = u64(s, p, LAYER, at);
        const size = u64(s, p + 8, LAYER, at);
        p += 16;
        if (offset === 0) return areas;
        areas.push({ offset, size });
      }
    };
    const dataAreas = list('data area');
    const metadataAreas = list('metadata area');
    return { sector, uuid, deviceSize, dataAreas, metadataAreas };
  }
  return undefined;
}

/** The committed metadata text of one metadata area, or undefined when the area holds none or is ignored. */
export async function readMetadataText(src: ByteSource, area: DiskArea): Promise<MetadataText | undefined> {
  if (area.size < MDA_HEADER_SIZE * 2 || area.offset + area.size > src.size) {
    throw new DiskFormatError(
      MDA_LAYER,
      `metadata area ${area.offset}+${area.size} does not fit the PV`,
      area.offset,
    );
  }
  const h = await src.read(area.offset, MDA_HEADER_SIZE);
  const at = area.offset;
  if (ascii(h, 4, 16) !== MDA_MAGIC) throw new DiskFormatError(MDA_LAYER, 'bad mda_header magic', at + 4);
  if (lvmCrc(h.subarray(4)) !== u32(h, 0))
    throw new DiskFormatError(MDA_LAYER, 'mda_header CRC mismatch', at);
  const version = u32(h, 20);
  if (version !== 1) throw new DiskFormatError(MDA_LAYER, `mda_header version ${version}`, at + 20);
  const start = u64(h, 24, MDA_LAYER, at);
  const size = u64(h, 32, MDA_LAYER, at);
  if (start !== area.offset || size !== area.size) {
    throw new DiskFormatError(
      MDA_LAYER,
      `mda_header describes ${start}+${size}, the label ${area.offset}+${area.size}`,
      at + 24,
    );
  }
  const offset = u64(h, 40, MDA_LAYER, at);
  const length = u64(h, 48, MDA_LAYER, at);
  const checksum = u32(h, 56);
  const flags = u32(h, 60);
  if (offset === 0 || length === 0 || flags & RAW_LOCN_IGNORED) return undefined;
  if (
    offset < MDA_HEADER_SIZE ||
    offset >= size ||
    length > size - MDA_HEADER_SIZE ||
    length > MAX_METADATA_BYTES
  ) {
    throw new DiskFormatError(
      MDA_LAYER,
      `metadata location ${offset}+${length} does not fit the ${size}-byte area`,
      at + 40,
    );
  }
  const first = Math.min(length, size - offset);
  const a = await src.read(start + offset, first);
  const b = first < length ? await src.read(start + MDA_HEADER_SIZE, length - first) : new Uint8Array(0);
  const bytes = new Uint8Array(length);
  bytes.set(a);
  bytes.set(b, first);
  if (a.length + b.length !== length)
    throw new DiskFormatError(MDA_LAYER, 'short read of metadata text', start + offset);
  if (lvmCrc(bytes) !== checksum) throw new DiskFormatError(MDA_LAYER, 'metadata text CRC mismatch', at + 56);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  // Metadata is ASCII in practice; latin1 keeps one character per byte so positions map to offsets.
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end));
  const offsetOf = (p: number) => (p < first ? start + offset + p : start + MDA_HEADER_SIZE + (p - first));
  return { text, offsetOf, areaOffset: area.offset };
}
