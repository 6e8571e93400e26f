/**
 * `.ndb` body signatures: `Name:TargetType:Offset:HexSignature[:MinFlevel[:MaxFlevel]]`, checked in
 * clamscan's order: field count, ignore list, functionality levels (digits only; a range that excludes
 * ClamAV 1.4 skips the line), target (a number or `*`; 15 and above are skipped as ClamAV 1.4 has no such
 * matcher), then offset and hex pattern. Targets this engine matches: 0 (any file) and 7 (normalised
 * ASCII text); a well-formed signature for another target is reported as unsupported.
 */
import { parseHexSignature } from './hex-pattern.ts';
import { applyClamName, type IgnoreMatcher } from './ign2.ts';
import { databaseLines, digitsValue, isDigits } from './lines.ts';
import { parseOffset } from './offset.ts';
import {
  type BodySignature,
  CLAMAV_FLEVEL,
  type LoadError,
  type SkippedEntry,
  type UnsupportedEntry,
} from './types.ts';

/** ClamAV 1.4 has matchers for targets 0–14. */
export const CLAMAV_TARGETS = 15;

/** Targets whose file-type handling this engine implements. */
export const SUPPORTED_TARGETS: ReadonlySet<number> = new Set([0, 7]);

const TARGET_NAMES: Record<number, string> = {
  1: 'PE',
  2: 'OLE2',
  3: 'HTML',
  4: 'mail',
  5: 'graphics',
  6: 'ELF',
  8: 'unused',
  9: 'Mach-O',
  10: 'PDF',
  11: 'Flash',
  12: 'Java',
  13: 'internal',
  14: 'other',
};

export interface NdbResult {
  signatures: BodySignature[];
  skipped: SkippedEntry[];
  unsupported: UnsupportedEntry[];
  errors: LoadError[];
}

export function parseNdb(text: string, file: string, ignore?: IgnoreMatcher): NdbResult {
  const out: NdbResult = { signatures: [], skipped: [], unsupported: [], errors: [] };
  const { lines, count } = databaseLines(text);
  if (count === 0) out.errors.push({ file, reason: 'empty database file' });
  for (const { number, text: line } of lines) {
    const fail = (reason: string) => out.errors.push({ file, line: number, reason });
    const fields = line.split(':');
    if (fields.length < 4 || fields.length > 6) {
      fail(`expected Name:Target:Offset:HexSignature[:MinFlevel[:MaxFlevel]], found ${fields.length} fields`);
      continue;
    }
    const [name, targetText, offsetText, hex] = fields as [string, string, string, string];
    if (ignore?.ignores(name, line)) {
      out.skipped.push({ file, line: number, reason: `${name}: on the ignore list` });
      continue;
    }
    if (fields.length > 4) {
      const min = fields[4] as string;
      if (!isDigits(min)) {
        fail(`invalid minimum functionality level "${min}"`);
        continue;
      }
      if ((digitsValue(min) ?? Number.POSITIVE_INFINITY) > CLAMAV_FLEVEL) {
        out.skipped.push({ file, line: number, reason: `${name}: needs functionality level ${min}` });
        continue;
      }
      if (fields.length === 6) {
        const max = fields[5] as string;
        if (!isDigits(max)) {
          fail(`invalid maximum functionality level "${max}"`);
          continue;
        }
        if ((digitsValue(max) ?? Number.POSITIVE_INFINITY) < CLAMAV_FLEVEL) {
          out.skipped.push({ file, line: number, reason: `${name}: only for functionality level ≤ ${max}` });
          continue;
        }
      }
    }
    if (targetText !== '*' && !isDigits(targetText)) {
      fail(`invalid target type "${targetText}"`);
      continue;
    }
    const target = targetText === '*' ? 0 : (digitsValue(targetText) ?? Number.POSITIVE_INFINITY);
    if (target >= CLAMAV_TARGETS) {
      out.skipped.push({
        file,
        line: number,
        reason: `${name}: target type ${targetText} does not exist in ClamAV 1.4`,
      });
      continue;
    }
    if (name === '') {
      fail('empty signature name');
      continue;
    }
    const offset = parseOffset(offsetText, target);
    const pattern = parseHexSignature(hex, target, offsetText);
    if (!pattern.ok && !pattern.unsupported) {
      fail(pattern.reason);
      continue;
    }
    if (!offset.ok && !offset.unsupported) {
      fail(offset.reason);
      continue;
    }
    if (!pattern.ok) {
      out.unsupported.push({ file, line: number, reason: `${name}: ${pattern.reason}` });
      continue;
    }
    if (!offset.ok) {
      out.unsupported.push({ file, line: number, reason: `${name}: ${offset.reason}` });
      continue;
    }
    if (!SUPPORTED_TARGETS.has(target)) {
      out.unsupported.push({
        file,
        line: number,
        reason: `${name}: target type ${target} (${TARGET_NAMES[target] ?? 'unknown'}) needs file-type handling this engine does not do`,
      });
      continue;
    }
    out.signatures.push({
      name: applyClamName(name),
      target,
      offset: offset.offset,
      parts: pattern.parts,
      gaps: pattern.gaps,
      staticOnly: pattern.staticOnly,
      hex,
      source: { file, line: number },
    });
  }
  return out;
}
