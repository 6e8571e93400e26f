/**
 * Ignore lists (`.ign2`, and the older `.ign`): one signature per line, as `Name`, `Name:MD5` or the old
 * `Database:Line:Name`. ClamAV applies them while loading, so an ignored signature is never loaded at all.
 * `Name:MD5` ignores the signature only when the MD5 of its whole database line (without the line end)
 * is that hash. Names compare exactly, after ClamAV's normalisation: a `.UNOFFICIAL` suffix or a trailing
 * `.{…}` clause of the signature's name is dropped first. Also: how reported names are made.
 */
import { createHash } from 'node:crypto';
import { databaseLines } from './lines.ts';
import type { IgnoreEntry, LoadError } from './types.ts';

export interface IgnoreMatcher {
  readonly size: number;
  /** True when `name` (as written in its database) on database line `line` is to be ignored. */
  ignores(name: string, line: string): boolean;
}

export interface IgnoreListResult {
  entries: IgnoreEntry[];
  errors: LoadError[];
}

export function parseIgnoreList(text: string, file: string): IgnoreListResult {
  const out: IgnoreListResult = { entries: [], errors: [] };
  for (const { number, text: line } of databaseLines(text).lines) {
    const fields = line.split(':');
    if (fields.length > 3) {
      out.errors.push({
        file,
        line: number,
        reason: `too many fields (${fields.length}); expected Name[:MD5]`,
      });
      continue;
    }
    const name = fields.length === 3 ? (fields[2] as string) : (fields[0] as string);
    const md5 = fields.length === 2 ? (fields[1] as string) : undefined;
    if (name === '') {
      out.errors.push({ file, line: number, reason: 'no signature name' });
      continue;
    }
    if (md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(md5)) {
      out.errors.push({ file, line: number, reason: `malformed MD5 "${md5}"` });
      continue;
    }
    out.entries.push({ name, lineMd5: md5?.toLowerCase(), source: { file, line: number } });
  }
  return out;
}

/** ClamAV's name normalisation before the ignore-list lookup. */
function normaliseForIgnore(name: string): string {
  if (name.length > 3 && name.endsWith('}')) {
    const at = name.indexOf('.{');
    return at >= 0 ? name.slice(0, at) : name;
  }
  if (name.length > 11 && name.endsWith('.UNOFFICIAL')) return name.slice(0, -11);
  return name;
}

export function ignoreMatcher(entries: readonly IgnoreEntry[]): IgnoreMatcher {
  const byName = new Map<string, (string | undefined)[]>();
  for (const e of entries) {
    const list = byName.get(e.name) ?? [];
    list.push(e.lineMd5);
    byName.set(e.name, list);
  }
  return {
    size: entries.length,
    ignores(name: string, line: string): boolean {
      const list = byName.get(normaliseForIgnore(name));
      if (!list) return false;
      if (list.includes(undefined)) return true;
      const md5 = createHash('md5').update(Buffer.from(line, 'latin1')).digest('hex');
      return list.includes(md5);
    },
  };
}

/** The name clamscan reports for a signature from a local, unsigned database. */
export function applyClamName(name: string): string {
  const at = name.indexOf(' (Clam)');
  const base = at >= 0 ? name.slice(0, at) : name;
  return `${base}.UNOFFICIAL`;
}
