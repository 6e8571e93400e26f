/**
 * Alpine secdb (`https://secdb.alpinelinux.org/v3.20/main.json`): per package, `secfixes` maps a fixed
 * version to the ids it fixes; the key `"0"` lists ids the package was never affected by.
 * The document's shape is checked; one bad package entry is a note, not the end of the feed.
 */
import type { Advisory, AdvisoryFeed, FeedSource } from '../types.ts';
import { FeedFormatError } from '../types.ts';

const ID = /^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const VERSION = /^[0-9][0-9A-Za-z._+~-]*$/;
const DISTRO = /^(v\d+\.\d+|edge)$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseSecdb(json: unknown, source: FeedSource): AdvisoryFeed {
  const where = source.location;
  if (!isObject(json)) throw new FeedFormatError('secdb', 'not a JSON object', where);
  const { distroversion, reponame, packages } = json;
  if (typeof distroversion !== 'string' || !DISTRO.test(distroversion))
    throw new FeedFormatError('secdb', `bad distroversion ${JSON.stringify(distroversion)}`, where);
  if (!Array.isArray(packages)) throw new FeedFormatError('secdb', 'packages is not an array', where);
  const ecosystem = `Alpine:${distroversion}`;
  const notes: string[] = ['secdb carries no date of its own: freshness is the file time'];
  const advisories: Advisory[] = [];
  packages.forEach((entry, i) => {
    const pkg = isObject(entry) ? entry.pkg : undefined;
    if (!isObject(pkg) || typeof pkg.name !== 'string' || !pkg.name || !isObject(pkg.secfixes)) {
      notes.push(`packages[${i}]: not {pkg: {name, secfixes}}; skipped`);
      return;
    }
    const name = pkg.name;
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      if (!Array.isArray(ids) || (version !== '0' && !VERSION.test(version))) {
        notes.push(`${name} ${JSON.stringify(version)}: bad secfixes entry; skipped`);
        continue;
      }
      for (const item of ids) {
        const found = typeof item === 'string' ? item.split(/\s+/).filter((t) => ID.test(t)) : [];
        if (found.length === 0) {
          notes.push(`${name} ${version}: no advisory id in ${JSON.stringify(item)}; skipped`);
          continue;
        }
        const [id, ...aliases] = found as [string, ...string[]];
        advisories.push({
          id,
          aliases,
          ecosystem,
          package: name,
          kind: 'security',
          status: version === '0' ? 'not-affected' : 'affected',
          ranges:
            version === '0' ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }],
          versions: [],
          severity: { cvss: [] },
        });
      }
    }
  });
  if (typeof reponame === 'string') notes.push(`repository ${reponame}`);
  return { kind: 'alpine-secdb', source, advisories, notes };
}
