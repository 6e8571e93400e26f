/**
 * The offset field of a body signature: `*`, `n`, `EOF-n`, each optionally followed by `,shift` (a
 * floating window: the match may start anywhere from the offset to offset+shift). Executable-relative
 * offsets (`EP+n`, `EP-n`, `Sx+n`, `SEx`, `SL+n`) are only valid for PE, ELF and Mach-O targets in
 * ClamAV; this engine does not compute them and says so. Parsing follows ClamAV's quirks: numbers are
 * digits only, an empty number reads as 0 (`8,` is 8, `,8` is 0 with shift 8).
 */
import { digitsValue } from './lines.ts';
import type { BodyOffset } from './types.ts';

export type OffsetResult =
  | { ok: true; offset: BodyOffset }
  | { ok: false; unsupported: boolean; reason: string };

const EXECUTABLE_TARGETS = new Set([1, 6, 9]);

export function parseOffset(text: string, target: number): OffsetResult {
  if (text === '*') return { ok: true, offset: { kind: 'any' } };
  if (text.length > 64) return { ok: false, unsupported: false, reason: 'offset string too long' };
  let base = text;
  let shift = 0;
  const comma = text.indexOf(',');
  if (comma >= 0) {
    const s = digitsValue(text.slice(comma + 1));
    if (s === undefined)
      return { ok: false, unsupported: false, reason: `invalid offset shift "${text.slice(comma + 1)}"` };
    shift = s;
    base = text.slice(0, comma);
  }
  let relative: string | undefined;
  if (base.startsWith('EP+') || base.startsWith('EP-')) relative = 'entry-point';
  else if (base.startsWith('S')) relative = 'section';
  else if (base.startsWith('VI')) relative = 'version-info';
  if (relative !== undefined) {
    if (!EXECUTABLE_TARGETS.has(target))
      return { ok: false, unsupported: false, reason: `offset "${text}" is not valid for target ${target}` };
    return {
      ok: false,
      unsupported: true,
      reason: `${relative} relative offset "${text}" needs executable parsing, which this engine does not do`,
    };
  }
  if (base.includes('$'))
    return {
      ok: false,
      unsupported: false,
      reason: `macro offset "${text}" is only valid in logical signatures`,
    };
  if (base.startsWith('EOF-')) {
    const back = digitsValue(base.slice(4));
    if (back === undefined) return { ok: false, unsupported: false, reason: `invalid offset "${text}"` };
    return { ok: true, offset: { kind: 'eof', back, shift } };
  }
  const offset = digitsValue(base);
  if (offset === undefined) return { ok: false, unsupported: false, reason: `invalid offset "${text}"` };
  return { ok: true, offset: { kind: 'absolute', offset, shift } };
}
