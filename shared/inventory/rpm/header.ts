/**
 * RPM header blobs as the rpm database stores them: no lead and no header magic, just
 *
 *   il (BE int32: number of index entries) | dl (BE int32: bytes of data)
 *   il × 16-byte index entries { tag, type, offset, count } (BE int32 each)
 *   dl bytes of data store
 *
 * The first entry is usually a region tag (HEADER_IMMUTABLE 63, or 61/62) whose data is a 16-byte
 * trailer entry with a negative offset giving the region's size (rpm's docs/manual/hregions.md). The
 * checks follow rpm 4.18's hdrblobInit/hdrblobVerifyRegion/hdrblobVerifyInfo: every blob rpm itself would
 * refuse is refused here with an RpmHeaderError naming the byte offset in the blob. Nothing else is thrown
 * on bad input.
 */

export class RpmHeaderError extends Error {
  /** Byte offset in the blob where the problem is. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`rpm header: ${message} (offset ${offset})`);
    this.name = 'RpmHeaderError';
    this.offset = offset;
  }
}

export const RpmType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;
export type RpmTypeValue = (typeof RpmType)[keyof typeof RpmType];

export const RpmTag = {
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

/** rpm's caps: HEADER_TAGS_MAX and HEADER_DATA_MAX (256 MiB). */
export const HEADER_TAGS_MAX = 0xffff;
export const HEADER_DATA_MAX = 0x0fffffff;

const ENTRY_SIZE = 16;
const REGION_TAG_COUNT = 16;
/** Size of one item for fixed-size types; -1 for the string types. */
const TYPE_SIZE: readonly number[] = [0, 1, 1, 2, 4, 8, -1, 1, -1, -1];

export interface RpmHeaderEntry {
  tag: number;
  type: RpmTypeValue;
  /** Offset in the data store. */
  offset: number;
  count: number;
  /** Bytes of data the entry covers. */
  length: number;
}

export interface RpmHeader {
  /** Entries by tag (the first of duplicates wins), region tags excluded. */
  entries: Map<number, RpmHeaderEntry>;
  /** The data store. */
  data: Uint8Array;
  /** The region tag (61/62/63) and its entry count, when the header has one. */
  region?: { tag: number; entries: number; dataLength: number };
}

function isRegionTag(tag: number): boolean {
  return tag === RpmTag.HEADERIMAGE || tag === RpmTag.HEADERSIGNATURES || tag === RpmTag.HEADERIMMUTABLE;
}

/** Bytes up to and including the `count`-th NUL from `start`, or -1 if the data store ends first. */
function stringsLength(data: Uint8Array, start: number, count: number): number {
  let at = start;
  for (let i = 0; i < count; i++) {
    const nul = data.indexOf(0, at);
    if (nul < 0) return -1;
    at = nul + 1;
  }
  return at - start;
}

/** Parses and validates a header blob (exactly `8 + 16 × il + dl` bytes). */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  if (blob.length < 8) throw new RpmHeaderError(`blob of ${blob.length} bytes, shorter than its intro`, 0);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il < 1 || il > HEADER_TAGS_MAX) throw new RpmHeaderError(`index count ${il} out of range`, 0);
  if (dl > HEADER_DATA_MAX) throw new RpmHeaderError(`data length ${dl} out of range`, 4);
  const dataStart = 8 + il * ENTRY_SIZE;
  const expected = dataStart + dl;
  if (blob.length < expected) {
    throw new RpmHeaderError(
      `blob of ${blob.length} bytes is truncated: il ${il} and dl ${dl} need ${expected}`,
      0,
    );
  }
  if (blob.length > expected) {
    throw new RpmHeaderError(`${blob.length - expected} trailing bytes after il ${il}, dl ${dl}`, expected);
  }
  const data = blob.subarray(dataStart);

  const entryAt = (i: number) => {
    const at = 8 + i * ENTRY_SIZE;
    return {
      at,
      tag: view.getInt32(at),
      type: view.getInt32(at + 4),
      offset: view.getInt32(at + 8),
      count: view.getUint32(at + 12),
    };
  };

  // The region: first entry tagged 61/62/63, whose data is a trailer entry with a negative offset.
  let region: RpmHeader['region'];
  let rdl = 0;
  const first = entryAt(0);
  if (isRegionTag(first.tag)) {
    if (first.type !== RpmType.BIN || first.count !== REGION_TAG_COUNT) {
      throw new RpmHeaderError(
        `region tag ${first.tag} has type ${first.type} count ${first.count}`,
        first.at,
      );
    }
    if (first.offset < 0 || first.offset + REGION_TAG_COUNT > dl) {
      throw new RpmHeaderError(`region trailer offset ${first.offset} outside the data store`, first.at + 8);
    }
    const tAt = dataStart + first.offset;
    const tTag = view.getInt32(tAt);
    const tType = view.getInt32(tAt + 4);
    const tOffset = view.getInt32(tAt + 8);
    const tCount = view.getUint32(tAt + 12);
    if (tTag !== first.tag || tType !== RpmType.BIN || tCount !== REGION_TAG_COUNT) {
      throw new RpmHeaderError(`bad region trailer: tag ${tTag} type ${tType} count ${tCount}`, tAt);
    }
    const size = -tOffset;
    const ril = size / ENTRY_SIZE;
    if (tOffset >= 0 || size % ENTRY_SIZE !== 0 || ril > il) {
      throw new RpmHeaderError(
        `region trailer claims ${size} bytes of index, header has ${il} entries`,
        tAt + 8,
      );
    }
    rdl = first.offset + REGION_TAG_COUNT;
    region = { tag: first.tag, entries: ril, dataLength: rdl };
  }

  const entries = new Map<number, RpmHeaderEntry>();
  let end = 0;
  for (let i = region ? 1 : 0; i < il; i++) {
    const e = entryAt(i);
    if (e.tag < RpmTag.HEADERI18NTABLE) throw new RpmHeaderError(`entry ${i} has invalid tag ${e.tag}`, e.at);
    if (e.type < RpmType.CHAR || e.type > RpmType.I18NSTRING) {
      throw new RpmHeaderError(`entry ${i} (tag ${e.tag}) has unknown type ${e.type}`, e.at + 4);
    }
    const type = e.type as RpmTypeValue;
    const size = TYPE_SIZE[type]!;
    if (e.offset < 0 || e.offset >= dl) {
      throw new RpmHeaderError(
        `entry ${i} (tag ${e.tag}) offset ${e.offset} outside the data store`,
        e.at + 8,
      );
    }
    if (size > 1 && e.offset % size !== 0) {
      throw new RpmHeaderError(
        `entry ${i} (tag ${e.tag}) type ${type} offset ${e.offset} is misaligned`,
        e.at + 8,
      );
    }
    if (end > e.offset) {
      throw new RpmHeaderError(
        `entry ${i} (tag ${e.tag}) data at ${e.offset} overlaps the previous entry`,
        e.at + 8,
      );
    }
    if (e.count < 1 || e.count > HEADER_DATA_MAX) {
      throw new RpmHeaderError(`entry ${i} (tag ${e.tag}) count ${e.count} out of range`, e.at + 12);
    }
    let length: number;
    if (size > 0) {
      length = size * e.count;
      if (e.offset + length > dl) {
        throw new RpmHeaderError(
          `entry ${i} (tag ${e.tag}): ${e.count} × ${size} bytes overflow the data store`,
          e.at + 12,
        );
      }
    } else {
      if (type === RpmType.STRING && e.count !== 1) {
        throw new RpmHeaderError(`entry ${i} (tag ${e.tag}) is a STRING with count ${e.count}`, e.at + 12);
      }
      length = stringsLength(data, e.offset, e.count);
      if (length < 0) {
        throw new RpmHeaderError(
          `entry ${i} (tag ${e.tag}): string without NUL terminator in the data store`,
          dataStart + e.offset,
        );
      }
    }
    end = e.offset + length;
    if (region && end > rdl - REGION_TAG_COUNT && e.offset < rdl) {
      throw new RpmHeaderError(`entry ${i} (tag ${e.tag}) data overlaps the region trailer`, e.at + 8);
    }
    if (!entries.has(e.tag))
      entries.set(e.tag, { tag: e.tag, type, offset: e.offset, count: e.count, length });
  }
  return region ? { entries, data, region } : { entries, data };
}

const utf8 = new TextDecoder('utf-8');

/** A string tag's value (the first string of an array or i18n string), or undefined. */
export function headerString(h: RpmHeader, tag: number): string | undefined {
  const e = h.entries.get(tag);
  if (!e) return undefined;
  if (e.type !== RpmType.STRING && e.type !== RpmType.STRING_ARRAY && e.type !== RpmType.I18NSTRING) {
    return undefined;
  }
  const nul = h.data.indexOf(0, e.offset);
  return utf8.decode(h.data.subarray(e.offset, nul));
}

/** All strings of a string(-array) tag. */
export function headerStrings(h: RpmHeader, tag: number): string[] {
  const e = h.entries.get(tag);
  if (!e || (e.type !== RpmType.STRING && e.type !== RpmType.STRING_ARRAY && e.type !== RpmType.I18NSTRING)) {
    return [];
  }
  return utf8.decode(h.data.subarray(e.offset, e.offset + e.length - 1)).split('\0');
}

/** An integer tag's first value (INT8/16/32 unsigned as rpm prints them; INT64 as a number), or undefined. */
export function headerNumber(h: RpmHeader, tag: number): number | undefined {
  const e = h.entries.get(tag);
  if (!e) return undefined;
  const view = new DataView(h.data.buffer, h.data.byteOffset + e.offset, e.length);
  switch (e.type) {
    case RpmType.CHAR:
    case RpmType.INT8:
      return view.getUint8(0);
    case RpmType.INT16:
      return view.getUint16(0);
    case RpmType.INT32:
      return view.getUint32(0);
    case RpmType.INT64:
      return Number(view.getBigUint64(0));
    default:
      return undefined;
  }
}
