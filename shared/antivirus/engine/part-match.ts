/**
 * Matching one signature part (a run of elements with no gaps) at a given position of a buffer. Parts
 * of plain bytes, nibbles and `??` compile to value/mask arrays checked in a tight loop; parts with
 * alternatives are matched by backtracking, which yields every end position the alternatives allow.
 */
import type { AltOption, PatternElement, PatternPart } from '../signatures/types.ts';

export interface CompiledPart {
  readonly part: PatternPart;
  /** Set when every element is a (masked) byte: then the part has one fixed length. */
  readonly values: Uint8Array | undefined;
  readonly masks: Uint8Array | undefined;
}

export function compilePart(part: PatternPart): CompiledPart {
  if (part.elements.every((e) => e.kind === 'byte')) {
    const values = new Uint8Array(part.elements.length);
    const masks = new Uint8Array(part.elements.length);
    part.elements.forEach((e, i) => {
      if (e.kind !== 'byte') return;
      values[i] = e.value;
      masks[i] = e.mask;
    });
    return { part, values, masks };
  }
  return { part, values: undefined, masks: undefined };
}

function optionAt(o: AltOption, buf: Uint8Array, p: number, limit: number): boolean {
  const n = o.values.length;
  if (p + n > limit) return false;
  for (let j = 0; j < n; j++) if ((buf[p + j]! & o.masks[j]!) !== o.values[j]) return false;
  return true;
}

function walk(
  elements: readonly PatternElement[],
  k: number,
  buf: Uint8Array,
  p: number,
  limit: number,
  ends: number[],
): void {
  for (; k < elements.length; k++) {
    const e = elements[k] as PatternElement;
    if (e.kind === 'byte') {
      if (p >= limit || (buf[p]! & e.mask) !== e.value) return;
      p++;
      continue;
    }
    if (e.negated) {
      const n = e.options[0]?.values.length ?? 0;
      if (p + n > limit) return;
      for (const o of e.options) if (optionAt(o, buf, p, limit)) return;
      p += n;
      continue;
    }
    // Alternatives: try each; the last one continues this loop, the others recurse.
    const seen = new Set<number>();
    for (const o of e.options) {
      if (!optionAt(o, buf, p, limit)) continue;
      const q = p + o.values.length;
      if (seen.has(q)) continue;
      seen.add(q);
      walk(elements, k + 1, buf, q, limit, ends);
    }
    return;
  }
  if (!ends.includes(p)) ends.push(p);
}

/**
 * Appends to `ends` every position just past a match of the part starting at `start`, reading no byte
 * at or beyond `limit`. Positions are indexes into `buf`.
 */
export function matchPartAt(
  cp: CompiledPart,
  buf: Uint8Array,
  start: number,
  limit: number,
  ends: number[],
): void {
  const { values, masks } = cp;
  if (values && masks) {
    const n = values.length;
    if (start < 0 || start + n > limit) return;
    for (let j = 0; j < n; j++) if ((buf[start + j]! & masks[j]!) !== values[j]) return;
    ends.push(start + n);
    return;
  }
  if (start < 0) return;
  walk(cp.part.elements, 0, buf, start, limit, ends);
}
