/** Helpers of the LVM suite: rewrite a PV image's committed metadata text with valid checksums. */
import { lvmCrc } from '../../../../shared/disk/lvm/label.ts';
import { le32, le64 } from '../partitions/support.ts';

export interface Rlocn {
  mdaStart: number;
  mdaSize: number;
  offset: number;
  size: number;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The first metadata area of a PV made by the fixture script (label in sector 1) and its raw location. */
export function rlocn(pv: Uint8Array): Rlocn {
  const label = 512;
  const pvh = label + dv(pv).getUint32(label + 20, true);
  let p = pvh + 40;
  while (dv(pv).getBigUint64(p, true) !== 0n) p += 16; // data areas
  p += 16;
  const mdaStart = Number(dv(pv).getBigUint64(p, true));
  const mdaSize = Number(dv(pv).getBigUint64(p + 8, true));
  return {
    mdaStart,
    mdaSize,
    offset: Number(dv(pv).getBigUint64(mdaStart + 40, true)),
    size: Number(dv(pv).getBigUint64(mdaStart + 48, true)),
  };
}

export function metadataText(pv: Uint8Array): string {
  const r = rlocn(pv);
  return new TextDecoder('latin1')
    .decode(pv.subarray(r.mdaStart + r.offset, r.mdaStart + r.offset + r.size))
    .replace(/\0+$/, '');
}

/**
 * A copy of the PV with its metadata text replaced (NUL-terminated, as LVM writes it), placed at `at`
 * within the metadata area (default: where it was), wrapping round the circular buffer when it must.
 */
export function withMetadata(pv: Uint8Array, text: string, at?: number): Uint8Array {
  const out = pv.slice();
  const r = rlocn(out);
  const bytes = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const offset = at ?? r.offset;
  const first = Math.min(bytes.length, r.mdaSize - offset);
  out.set(bytes.subarray(0, first), r.mdaStart + offset);
  out.set(bytes.subarray(first), r.mdaStart + 512);
  le64(out, r.mdaStart + 40, offset);
  le64(out, r.mdaStart + 48, bytes.length);
  le32(out, r.mdaStart + 56, lvmCrc(bytes));
  le32(out, r.mdaStart, lvmCrc(out.subarray(r.mdaStart + 4, r.mdaStart + 512)));
  return out;
}

export function editMetadata(pv: Uint8Array, edit: (text: string) => string): Uint8Array {
  return withMetadata(pv, edit(metadataText(pv)));
}
