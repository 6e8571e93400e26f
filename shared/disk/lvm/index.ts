/**
 * Finds LVM2 physical volumes among candidate volumes, reads their volume groups' newest metadata and
 * maps each linear or striped logical volume to a ByteSource. Read-only: nothing is activated or written.
 */
import type { ByteSource } from '../types.ts';
import { DiskFormatError } from '../types.ts';
import type { PvLabel } from './label.ts';
import { readMetadataText, readPvLabel } from './label.ts';
import type { MappedSegment } from './mapped-source.ts';
import { mappedSource } from './mapped-source.ts';
import type { LvMeta, VgMeta } from './metadata.ts';
import { parseVgMetadata } from './metadata.ts';

export type { ConfigNode, ConfigSection, ConfigValue } from './config.ts';
export { parseLvmConfig } from './config.ts';
export type { PvLabel } from './label.ts';
export { readPvLabel } from './label.ts';
export type { LvMeta, PvMeta, SegmentMeta, VgMeta } from './metadata.ts';
export { parseVgMetadata } from './metadata.ts';

const LAYER = 'lvm';
const SECTOR = 512;

export interface LvmSource {
  id: string;
  source: ByteSource;
}

export interface VolumeGroupInfo {
  name: string;
  uuid: string;
  seqno: number;
  extentSize: number;
  physicalVolumes: { name: string; uuid: string; sourceId?: string }[];
  logicalVolumes: string[];
}

export interface LogicalVolume {
  vg: string;
  lv: string;
  uuid: string;
  source: ByteSource;
  size: number;
}

export interface LvmScan {
  volumeGroups: VolumeGroupInfo[];
  logicalVolumes: LogicalVolume[];
  notes: string[];
}

interface FoundPv {
  id: string;
  source: ByteSource;
  label: PvLabel;
}

export async function scanLvm(sources: LvmSource[]): Promise<LvmScan> {
  const notes: string[] = [];
  const pvs = new Map<string, FoundPv>();
  const newest = new Map<string, { meta: VgMeta; from: string }>();
  for (const { id, source } of sources) {
    const label = await readPvLabel(source);
    if (!label) continue;
    const dup = pvs.get(label.uuid);
    if (dup) {
      notes.push(`${id} carries the same PV UUID as ${dup.id} (a duplicate or multipath device): ignored`);
      continue;
    }
    pvs.set(label.uuid, { id, source, label });
    for (const area of label.metadataAreas) {
      const text = await readMetadataText(source, area);
      if (!text) continue;
      const meta = parseVgMetadata(text.text, text.offsetOf);
      const seen = newest.get(meta.uuid);
      if (seen && seen.meta.seqno !== meta.seqno) {
        notes.push(
          `VG ${meta.name}: ${id} has metadata seqno ${meta.seqno}, ${seen.from} has ${seen.meta.seqno}; the newest is used`,
        );
      }
      if (!seen || meta.seqno > seen.meta.seqno) newest.set(meta.uuid, { meta, from: id });
    }
  }
  const volumeGroups: VolumeGroupInfo[] = [];
  const logicalVolumes: LogicalVolume[] = [];
  for (const { meta } of newest.values()) {
    volumeGroups.push({
      name: meta.name,
      uuid: meta.uuid,
      seqno: meta.seqno,
      extentSize: meta.extentSize * SECTOR,
      physicalVolumes: meta.pvs.map((p) => {
        const found = pvs.get(bareUuid(p.uuid));
        return found ? { name: p.name, uuid: p.uuid, sourceId: found.id } : { name: p.name, uuid: p.uuid };
      }),
      logicalVolumes: meta.lvs.map((l) => l.name),
    });
    for (const lv of meta.lvs) {
      const mapped = mapLv(meta, lv, pvs, notes);
      if (mapped) logicalVolumes.push(mapped);
    }
  }
  return { volumeGroups, logicalVolumes, notes };
}

function bareUuid(uuid: string): string {
  return uuid.replace(/-/g, '');
}

const SUPPORTED = new Set(['striped', 'linear']);

function mapLv(
  vg: VgMeta,
  lv: LvMeta,
  pvs: Map<string, FoundPv>,
  notes: string[],
): LogicalVolume | undefined {
  const name = `${vg.name}/${lv.name}`;
  const unsupported = [...new Set(lv.segments.map((s) => s.type).filter((t) => !SUPPORTED.has(t)))];
  if (unsupported.length) {
    notes.push(
      `${name}: segment type ${unsupported.join(', ')} is not supported (thin, raid, mirror, snapshot, cache…): skipped`,
    );
    return undefined;
  }
  if (!lv.status.includes('VISIBLE')) return undefined; // internal: pool data, snapshot store, mirror images
  const extentBytes = vg.extentSize * SECTOR;
  const byName = new Map(vg.pvs.map((p) => [p.name, p]));
  const missing = new Set<string>();
  const segments: MappedSegment[] = [];
  for (const seg of lv.segments) {
    const perStripe = seg.extentCount / seg.stripeCount;
    if (!Number.isInteger(perStripe)) {
      throw new DiskFormatError(
        LAYER,
        `${name}: ${seg.extentCount} extents do not divide into ${seg.stripeCount} stripes`,
        seg.at,
      );
    }
    const stripeBytes = seg.stripeSize * SECTOR;
    if (seg.stripeCount > 1 && (stripeBytes === 0 || (perStripe * extentBytes) % stripeBytes !== 0)) {
      throw new DiskFormatError(
        LAYER,
        `${name}: stripe size ${stripeBytes} does not divide the stripe area`,
        seg.at,
      );
    }
    const stripes: MappedSegment['stripes'] = [];
    for (const s of seg.stripes) {
      const pvMeta = byName.get(s.pv)!;
      const found = pvs.get(bareUuid(pvMeta.uuid));
      if (!found) {
        missing.add(s.pv);
        continue;
      }
      if (s.start + perStripe > pvMeta.peCount) {
        throw new DiskFormatError(
          LAYER,
          `${name}: extents ${s.start}..${s.start + perStripe - 1} on ${s.pv} exceed its ${pvMeta.peCount} extents`,
          seg.at,
        );
      }
      const offset = pvMeta.peStart * SECTOR + s.start * extentBytes;
      if (offset + perStripe * extentBytes > found.source.size) {
        throw new DiskFormatError(
          LAYER,
          `${name}: extents ${s.start}..${s.start + perStripe - 1} on ${s.pv} run past the end of ${found.id} (${found.source.size} bytes)`,
          offset,
        );
      }
      stripes.push({ source: found.source, offset });
    }
    segments.push({
      start: seg.startExtent * extentBytes,
      length: seg.extentCount * extentBytes,
      stripeBytes,
      stripes,
    });
  }
  if (missing.size) {
    notes.push(`${name}: physical volume(s) ${[...missing].join(', ')} not found: skipped`);
    return undefined;
  }
  const source = mappedSource(segments, LAYER);
  return { vg: vg.name, lv: lv.name, uuid: lv.uuid, source, size: source.size };
}
