import { DiskFormatError } from '../types.ts';

export interface VmdkExtentLine {
  access: 'RW' | 'RDONLY' | 'NOACCESS';
  /** Size in 512-byte sectors. */
  sectors: number;
  type: string;
  file?: string;
  /** Offset in the file, in sectors (flat extents). */
  offset: number;
}

export interface VmdkDescriptor {
  fields: Record<string, string>;
  createType: string | undefined;
  parentCid: string | undefined;
  parentFileNameHint: string | undefined;
  extents: VmdkExtentLine[];
}

const EXTENT = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Za-z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;
const FIELD = /^([A-Za-z0-9_.]+)\s*=\s*"?([^"]*)"?\s*$/;
const MAX_EXTENTS = 4096;

/** True when the bytes look like a VMDK descriptor file (text starting with its comment or fields). */
export function looksLikeDescriptor(bytes: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1024)));
  return (
    /^\s*# Disk DescriptorFile/.test(text) ||
    (/^\s*(#.*\n\s*)*version\s*=/.test(text) && text.includes('createType'))
  );
}

/** Parses a descriptor; `at` is where the text starts in its file, for errors. */
export function parseVmdkDescriptor(text: string, at = 0): VmdkDescriptor {
  const fields: Record<string, string> = {};
  const extents: VmdkExtentLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const extent = EXTENT.exec(line);
    if (extent) {
      if (extents.length >= MAX_EXTENTS) throw new DiskFormatError('vmdk', 'too many extents', at);
      const sectors = Number(extent[2]);
      const offset = Number(extent[5] ?? 0);
      if (!Number.isSafeInteger(sectors * 512) || !Number.isSafeInteger(offset * 512)) {
        throw new DiskFormatError('vmdk', `extent size or offset too large: ${line}`, at);
      }
      const entry: VmdkExtentLine = {
        access: extent[1] as VmdkExtentLine['access'],
        sectors,
        type: extent[3]!.toUpperCase(),
        offset,
      };
      if (extent[4] !== undefined) entry.file = extent[4];
      extents.push(entry);
      continue;
    }
    const field = FIELD.exec(line);
    if (field) fields[field[1]!] = field[2]!;
  }
  const parentCid = fields.parentCID;
  return {
    fields,
    createType: fields.createType,
    parentCid,
    parentFileNameHint:
      parentCid && parentCid.toLowerCase() !== 'ffffffff' ? fields.parentFileNameHint : undefined,
    extents,
  };
}
