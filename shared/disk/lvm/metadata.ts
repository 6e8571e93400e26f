/** The volume group described by LVM metadata text: its PVs, LVs and their segments. */
import { DiskFormatError } from '../types.ts';
import type { ConfigNode, ConfigScalar, ConfigSection } from './config.ts';
import { parseLvmConfig } from './config.ts';

const LAYER = 'lvm metadata';

export interface PvMeta {
  /** The name the metadata uses (`pv0`). */
  name: string;
  /** PV UUID as the metadata writes it (with dashes). */
  uuid: string;
  /** In 512-byte sectors. */
  peStart: number;
  peCount: number;
}

export interface SegmentMeta {
  startExtent: number;
  extentCount: number;
  type: string;
  stripeCount: number;
  /** In 512-byte sectors; only for stripe_count > 1. */
  stripeSize: number;
  /** PV name and start extent on that PV, one per stripe. */
  stripes: { pv: string; start: number }[];
  /** Offset of the segment's text on the PV (for errors). */
  at: number;
}

export interface LvMeta {
  name: string;
  uuid: string;
  status: string[];
  segments: SegmentMeta[];
  at: number;
}

export interface VgMeta {
  name: string;
  uuid: string;
  seqno: number;
  /** In 512-byte sectors. */
  extentSize: number;
  pvs: PvMeta[];
  lvs: LvMeta[];
}

type At = (position: number) => number;

function section(node: ConfigNode | undefined, what: string, parentAt: number, at: At): ConfigSection {
  if (node?.kind !== 'section')
    throw new DiskFormatError(LAYER, `missing section ${what}`, at(node?.at ?? parentAt));
  return node;
}

function scalar(s: ConfigSection, key: string, at: At): ConfigScalar {
  const n = s.entries.get(key);
  if (n?.kind !== 'value' || Array.isArray(n.value)) {
    throw new DiskFormatError(LAYER, `missing or malformed "${key}"`, at(n?.at ?? s.at));
  }
  return n.value;
}

function int(s: ConfigSection, key: string, at: At, min = 0): number {
  const v = scalar(s, key, at);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new DiskFormatError(LAYER, `"${key}" must be an integer >= ${min}`, at(s.entries.get(key)!.at));
  }
  return v;
}

function str(s: ConfigSection, key: string, at: At): string {
  const v = scalar(s, key, at);
  if (typeof v !== 'string')
    throw new DiskFormatError(LAYER, `"${key}" must be a string`, at(s.entries.get(key)!.at));
  return v;
}

function strings(s: ConfigSection, key: string): string[] {
  const n = s.entries.get(key);
  if (n?.kind !== 'value' || !Array.isArray(n.value)) return [];
  return n.value.filter((x): x is string => typeof x === 'string');
}

function sections(s: ConfigNode | undefined): [string, ConfigSection][] {
  if (s?.kind !== 'section') return [];
  return [...s.entries].filter((e): e is [string, ConfigSection] => e[1].kind === 'section');
}

/** Parses metadata text and reads the one volume group it describes. */
export function parseVgMetadata(text: string, offsetOf: At = (p) => p): VgMeta {
  const root = parseLvmConfig(text, { layer: LAYER, offsetOf });
  const vgs = sections(root);
  if (vgs.length !== 1)
    throw new DiskFormatError(LAYER, `expected one volume group section, found ${vgs.length}`, offsetOf(0));
  const [name, vg] = vgs[0]!;
  const extentSize = int(vg, 'extent_size', offsetOf, 1);
  const pvSection = section(vg.entries.get('physical_volumes'), 'physical_volumes', vg.at, offsetOf);
  const pvs = sections(pvSection).map(
    ([pvName, pv]): PvMeta => ({
      name: pvName,
      uuid: str(pv, 'id', offsetOf),
      peStart: int(pv, 'pe_start', offsetOf),
      peCount: int(pv, 'pe_count', offsetOf),
    }),
  );
  const pvNames = new Set(pvs.map((p) => p.name));
  const lvs = sections(vg.entries.get('logical_volumes')).map(([lvName, lv]) =>
    readLv(lvName, lv, pvNames, offsetOf),
  );
  return { name, uuid: str(vg, 'id', offsetOf), seqno: int(vg, 'seqno', offsetOf), extentSize, pvs, lvs };
}

function readLv(name: string, lv: ConfigSection, pvNames: Set<string>, at: At): LvMeta {
  const count = int(lv, 'segment_count', at, 1);
  const segments: SegmentMeta[] = [];
  for (let k = 1; k <= count; k++) {
    const s = section(lv.entries.get(`segment${k}`), `${name}/segment${k}`, lv.at, at);
    const type = str(s, 'type', at);
    const seg: SegmentMeta = {
      startExtent: int(s, 'start_extent', at),
      extentCount: int(s, 'extent_count', at, 1),
      type,
      stripeCount: 0,
      stripeSize: 0,
      stripes: [],
      at: at(s.at),
    };
    if (type === 'striped' || type === 'linear') {
      seg.stripeCount = type === 'linear' ? 1 : int(s, 'stripe_count', at, 1);
      if (seg.stripeCount > 1) seg.stripeSize = int(s, 'stripe_size', at, 1);
      const list = s.entries.get('stripes');
      if (list?.kind !== 'value' || !Array.isArray(list.value) || list.value.length !== seg.stripeCount * 2) {
        throw new DiskFormatError(
          LAYER,
          `${name}/segment${k}: "stripes" must list ${seg.stripeCount} PV/extent pairs`,
          at(list?.at ?? s.at),
        );
      }
      for (let j = 0; j < seg.stripeCount; j++) {
        const pv = list.value[j * 2];
        const start = list.value[j * 2 + 1];
        if (
          typeof pv !== 'string' ||
          typeof start !== 'number' ||
          !Number.isSafeInteger(start) ||
          start < 0
        ) {
          throw new DiskFormatError(LAYER, `${name}/segment${k}: malformed stripe ${j}`, at(list.at));
        }
        if (!pvNames.has(pv)) {
          throw new DiskFormatError(
            LAYER,
            `${name}/segment${k}: stripe ${j} names PV "${pv}", which the VG does not list`,
            at(list.at),
          );
        }
        seg.stripes.push({ pv, start });
      }
    }
    segments.push(seg);
  }
  segments.sort((a, b) => a.startExtent - b.startExtent);
  let next = 0;
  for (const s of segments) {
    if (s.startExtent !== next) {
      throw new DiskFormatError(LAYER, `${name}: segments leave a gap or overlap at extent ${next}`, s.at);
    }
    next += s.extentCount;
  }
  return { name, uuid: str(lv, 'id', at), status: strings(lv, 'status'), segments, at: at(lv.at) };
}
