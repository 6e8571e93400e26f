/**
 * Orders the fixed versions of every advisory key, once, when the index is saved: for a key of a
 * Debian or Ubuntu ecosystem under dpkg's order, of an RPM ecosystem under rpm's. Nearly every
 * distribution record is `introduced 0, fixed X` (the simple rows of {@link AdvisoryRows}); with its
 * key's fixes in order, the matcher finds where an installed version falls by a binary search and
 * then reads, per row, only an integer — instead of comparing the installed version with each row's
 * fixed version. Both orders are total preorders (lexicographic over parsed parts), so the search
 * and the per-row comparison always agree; versions that compare equal share one rank.
 *
 * Only simple affected rows with a fix valid under the scheme get a rank; the matcher treats every
 * other row as before. Which scheme a key is ordered by only decides whether the ranks are used: the
 * matcher uses them only when the guest's packages are compared under the same scheme.
 */
import { dpkg, rpm, type VersionScheme } from '../versions/index.ts';
import type { AdvisoryRows } from './advisory-rows.ts';
import type { FixedRanks, KeyTable } from './index-tables.ts';

/** The schemes fixed versions are ordered by; a key records 1 + the index here (0: not ordered). */
export const RANK_SCHEMES = ['dpkg', 'rpm'] as const satisfies readonly VersionScheme[];

const RPM_ECOSYSTEMS = [
  'Red Hat',
  'Rocky Linux',
  'AlmaLinux',
  'SUSE',
  'openSUSE',
  'openEuler',
  'Mageia',
  'Photon OS',
  'Azure Linux',
  'CentOS',
  'Fedora',
  'Oracle Linux',
];

/** The scheme an advisory ecosystem's versions are compared by, when it is one fixes are ordered by. */
export function rankSchemeOf(ecosystem: string): (typeof RANK_SCHEMES)[number] | undefined {
  const family = ecosystem.split(':', 1)[0]!;
  if (family === 'Debian' || family === 'Ubuntu') return 'dpkg';
  if (RPM_ECOSYSTEMS.includes(family)) return 'rpm';
  return undefined;
}

type Parser = {
  parse(v: string): object;
  isValid(v: string): boolean;
  compareParsed(a: object, b: object): number;
};
const PARSERS: Record<(typeof RANK_SCHEMES)[number], Parser> = {
  dpkg: dpkg as unknown as Parser,
  rpm: rpm as unknown as Parser,
};

/** Growable int32 list. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Ranks the fixed versions of every key of `rows` (whose keys are `keys`). Reads every key's rows. */
export function rankFixedVersions(rows: AdvisoryRows, keys: KeyTable): FixedRanks {
  const size = keys.size;
  const scheme = new Int32Array(size);
  const start = new Int32Array(size);
  const count = new Int32Array(size);
  const rank = new Int32Array(rows.length).fill(-1);
  const ranked = new IntList();
  const parsedBy = new Map<string, Map<number, object | null>>();
  const schemes = new Map<string, ReturnType<typeof rankSchemeOf>>();
  for (let k = 0; k < size; k++) {
    const span = rows.keySpan(k);
    start[k] = ranked.length;
    const key = keys.key(k);
    const ecosystem = key.slice(0, key.indexOf('\u0000'));
    if (!schemes.has(ecosystem)) schemes.set(ecosystem, rankSchemeOf(ecosystem));
    const s = schemes.get(ecosystem);
    if (!s) continue;
    const parser = PARSERS[s];
    let parsed = parsedBy.get(s);
    if (!parsed) {
      parsed = new Map();
      parsedBy.set(s, parsed);
    }
    const cache = parsed;
    const parsedOf = (id: number): object | null => {
      let p = cache.get(id);
      if (p === undefined) {
        const v = rows.string(id);
        p = parser.isValid(v) ? parser.parse(v) : null;
        cache.set(id, p);
      }
      return p;
    };
    const first = rows.start(span);
    const end = first + rows.count(span);
    const ids = new Set<number>();
    for (let r = first; r < end; r++) {
      const f = rows.simpleFixed[r]!;
      if (f >= 0 && !rows.notAffected[r] && parsedOf(f) !== null) ids.add(f);
    }
    const order = [...ids].sort((a, b) => parser.compareParsed(parsedOf(a)!, parsedOf(b)!));
    const rankOfId = new Map<number, number>();
    let last: object | undefined;
    let n = -1;
    for (const id of order) {
      const p = parsedOf(id)!;
      if (last === undefined || parser.compareParsed(last, p) !== 0) {
        n++;
        ranked.push(id);
        last = p;
      }
      rankOfId.set(id, n);
    }
    for (let r = first; r < end; r++) {
      const got = rankOfId.get(rows.simpleFixed[r]!);
      if (got !== undefined && !rows.notAffected[r]) rank[r] = got;
    }
    scheme[k] = RANK_SCHEMES.indexOf(s) + 1;
    count[k] = n + 1;
  }
  return { scheme, start, count, ranked: ranked.data.slice(0, ranked.length), rank };
}
