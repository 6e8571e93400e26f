import { DiskFormatError } from '../types.ts';
import { u64be, view } from './bytes.ts';

export const QCOW2_MAGIC = 0x514649fb;
const LAYER = 'qcow2';
/** QEMU's limit on the L1 table: 32 MiB of entries. */
const MAX_L1_BYTES = 32 * 1024 * 1024;

/** Incompatible feature bits (v3). */
export const Qcow2Incompatible = {
  dirty: 1 << 0,
  corrupt: 1 << 1,
  externalData: 1 << 2,
  compressionType: 1 << 3,
  extendedL2: 1 << 4,
} as const;

export interface Qcow2Header {
  version: 2 | 3;
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  clusterSize: number;
  size: number;
  l1Size: number;
  l1TableOffset: number;
  snapshots: number;
  incompatible: number;
  headerLength: number;
  compression: 'deflate' | 'zstd';
}

function fail(message: string, offset: number): never {
  throw new DiskFormatError(LAYER, message, offset);
}

/** Parses and checks the fixed header (the first 104+ bytes) against the size of the file holding it. */
export function parseQcow2Header(bytes: Uint8Array, fileSize: number): Qcow2Header {
  if (bytes.length < 72) fail(`header is truncated (${bytes.length} bytes)`, 0);
  const dv = view(bytes);
  if (dv.getUint32(0) !== QCOW2_MAGIC) fail('bad magic', 0);
  const version = dv.getUint32(4);
  if (version !== 2 && version !== 3) fail(`unsupported version ${version}`, 4);
  if (version === 3 && bytes.length < 104) fail(`v3 header is truncated (${bytes.length} bytes)`, 0);

  const clusterBits = dv.getUint32(20);
  if (clusterBits < 9 || clusterBits > 21) fail(`cluster_bits ${clusterBits} is outside 9..21`, 20);
  const clusterSize = 2 ** clusterBits;

  const size = u64be(dv, 24);
  if (size === undefined) fail('virtual size is too large', 24);
  if (dv.getUint32(32) !== 0)
    fail(`encrypted images are not supported (crypt_method ${dv.getUint32(32)})`, 32);

  let incompatible = 0;
  let headerLength = 72;
  let compression: Qcow2Header['compression'] = 'deflate';
  if (version === 3) {
    if (dv.getUint32(72) !== 0) fail('unknown incompatible feature bits (above bit 31)', 72);
    incompatible = dv.getUint32(76);
    headerLength = dv.getUint32(100);
    if (headerLength < 104 || headerLength > clusterSize || headerLength > fileSize) {
      fail(`bad header_length ${headerLength}`, 100);
    }
    if (incompatible & Qcow2Incompatible.externalData) fail('external data files are not supported', 72);
    if (incompatible & Qcow2Incompatible.extendedL2) {
      fail('extended L2 entries (subclusters) are not supported', 72);
    }
    const known = 0x1f;
    if (incompatible & ~known) fail(`unknown incompatible features 0x${incompatible.toString(16)}`, 72);
    if (incompatible & Qcow2Incompatible.compressionType) {
      if (headerLength <= 104 || bytes.length <= 104)
        fail('compression type bit set but no compression_type', 104);
      const type = bytes[104];
      if (type === 1) compression = 'zstd';
      else if (type !== 0) fail(`unknown compression type ${type}`, 104);
    }
  }

  const backingFileOffset = u64be(dv, 8);
  const backingFileSize = dv.getUint32(16);
  if (backingFileOffset === undefined) fail('backing file offset is too large', 8);
  if (backingFileOffset !== 0) {
    if (backingFileSize === 0 || backingFileSize > 1023)
      fail(`bad backing file name length ${backingFileSize}`, 16);
    if (backingFileOffset + backingFileSize > Math.min(fileSize, clusterSize)) {
      fail('backing file name lies outside the header cluster', 8);
    }
  }

  const l1Size = dv.getUint32(36);
  const l1TableOffset = u64be(dv, 40);
  if (l1TableOffset === undefined) fail('L1 table offset is too large', 40);
  const l2Entries = clusterSize / 8;
  const needed = Math.ceil(size / (clusterSize * l2Entries));
  if (l1Size * 8 > MAX_L1_BYTES) fail(`L1 table of ${l1Size} entries is absurdly large`, 36);
  if (l1Size < needed) fail(`L1 table has ${l1Size} entries, the virtual size needs ${needed}`, 36);
  if (l1Size > 0) {
    if (l1TableOffset % clusterSize !== 0)
      fail(`L1 table offset ${l1TableOffset} is not cluster-aligned`, 40);
    if (l1TableOffset === 0 || l1TableOffset + l1Size * 8 > fileSize) {
      fail(
        `L1 table (${l1Size} entries at ${l1TableOffset}) does not fit in the file (${fileSize} bytes)`,
        36,
      );
    }
  }

  return {
    version,
    backingFileOffset,
    backingFileSize,
    clusterBits,
    clusterSize,
    size,
    l1Size,
    l1TableOffset,
    snapshots: dv.getUint32(60),
    incompatible,
    headerLength,
    compression,
  };
}

export interface Qcow2Extensions {
  backingFormat?: string;
}

/** Walks the header extensions that follow the header (up to the end of the first cluster). */
export function parseQcow2Extensions(bytes: Uint8Array, header: Qcow2Header): Qcow2Extensions {
  const dv = view(bytes);
  const result: Qcow2Extensions = {};
  let at = header.headerLength;
  const end = Math.min(bytes.length, header.clusterSize);
  while (at + 8 <= end) {
    const type = dv.getUint32(at);
    const length = dv.getUint32(at + 4);
    if (type === 0) break;
    if (at + 8 + length > end)
      fail(`header extension 0x${type.toString(16)} runs past the header cluster`, at);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 0xe2792aca) result.backingFormat = new TextDecoder().decode(data);
    else if (type === 0x0537be77) fail('encrypted images are not supported', at);
    else if (type === 0x44415441) fail('external data files are not supported', at);
    at += 8 + Math.ceil(length / 8) * 8;
  }
  return result;
}
