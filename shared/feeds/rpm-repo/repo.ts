/**
 * An RPM repository (folder or base URL holding `repodata/repomd.xml`): packages from primary,
 * advisories from updateinfo. Packages named (same name, EVR, arch) by a security advisory are
 * classified `security`, by another advisory `updates`; the rest `unknown`.
 */
import { decompressed, isUrl, openBytes } from '../io.ts';
import type { Advisory, AvailablePackage, RpmAdvisory, RpmRepoFeed } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { parsePrimary } from './primary.ts';
import { parseRepomd } from './repomd.ts';
import { parseUpdateinfo } from './updateinfo.ts';

export interface RpmRepoOptions {
  /** Release key for the index (`Rocky Linux:9`); default guessed from advisory ids + `.elN`, else the location. */
  release?: string;
  /** Label stored as each package's `suite` (default: last path segment(s) of the location). */
  label?: string;
  maxBytes?: number;
}

const VENDORS: Record<string, string> = {
  RLSA: 'Rocky Linux',
  RLBA: 'Rocky Linux',
  RLEA: 'Rocky Linux',
  ALSA: 'AlmaLinux',
  ALBA: 'AlmaLinux',
  ALEA: 'AlmaLinux',
};

/** `Rocky Linux:9` from `RLSA-2024:4312` + release `38.el9_4.1`; undefined when not recognisable. */
export function guessRpmRelease(advisories: RpmAdvisory[]): string | undefined {
  for (const a of advisories) {
    const vendor = VENDORS[a.id.slice(0, 4)];
    const el = a.packages.map((p) => /\.el(\d+)/.exec(p.release)?.[1]).find(Boolean);
    if (vendor && el) return `${vendor}:${el}`;
  }
  return undefined;
}

function join(base: string, href: string) {
  return isUrl(base) ? `${base.replace(/\/+$/, '')}/${href}` : `${base.replace(/\/+$/, '')}/${href}`;
}

/** One Advisory per (erratum, package name, EVR). */
export function rpmAdvisories(list: RpmAdvisory[], ecosystem: string): Advisory[] {
  const out: Advisory[] = [];
  for (const a of list) {
    const seen = new Set<string>();
    for (const p of a.packages) {
      const key = `${p.name}\0${p.evr}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        id: a.id,
        aliases: a.cves,
        ecosystem,
        package: p.name,
        kind: a.type,
        status: 'affected',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: p.evr }] }],
        versions: [],
        severity: { cvss: [], ...(a.severity ? { text: a.severity } : {}) },
        ...(a.title ? { summary: a.title } : {}),
        ...(a.issued ? { published: a.issued } : {}),
        ...(a.updated ? { modified: a.updated } : {}),
      });
    }
  }
  return out;
}

export async function readRpmRepo(root: string, options: RpmRepoOptions = {}): Promise<RpmRepoFeed> {
  const base = root.replace(/\/repodata\/repomd\.xml$/, '').replace(/\/+$/, '');
  const repomdLocation = join(base, 'repodata/repomd.xml');
  const opened = await openBytes(repomdLocation);
  const repomd = await parseRepomd((await decompressed(opened.body, repomdLocation, 64 << 20)).bytes, {
    location: repomdLocation,
    ...(opened.mtime ? { mtime: opened.mtime } : {}),
  });
  const primary = repomd.data.get('primary');
  if (!primary) throw new FeedFormatError('repomd', 'no primary data', repomdLocation);
  const label = options.label ?? base.split('/').filter(Boolean).slice(-3).join('/');
  const notes: string[] = [];
  const packages: AvailablePackage[] = [];
  const errata: RpmAdvisory[] = [];
  const open = async (href: string) => {
    const location = join(base, href);
    const file = await openBytes(location);
    return { location, bytes: (await decompressed(file.body, location, options.maxBytes)).bytes };
  };
  const p = await open(primary.href);
  await parsePrimary(p.bytes, p.location, label, (pkg) => packages.push(pkg));
  const updateinfo = repomd.data.get('updateinfo');
  if (updateinfo) {
    const u = await open(updateinfo.href);
    await parseUpdateinfo(u.bytes, u.location, (a) => errata.push(a));
  } else notes.push('no updateinfo in repomd: no advisories, packages unclassified');
  const classes = new Map<string, 'security' | 'updates'>();
  for (const a of errata)
    for (const q of a.packages) {
      const key = `${q.name}\0${q.evr}\0${q.arch}`;
      if (a.type === 'security') classes.set(key, 'security');
      else if (!classes.has(key)) classes.set(key, 'updates');
    }
  for (const pkg of packages)
    pkg.classification = classes.get(`${pkg.name}\0${pkg.version}\0${pkg.arch}`) ?? 'unknown';
  const release = options.release ?? guessRpmRelease(errata) ?? base;
  if (!options.release)
    notes.push(`release key ${JSON.stringify(release)} was guessed; pass options.release to set it`);
  return {
    kind: 'rpm-repo',
    scheme: 'rpm',
    release,
    source: repomd.source,
    ...(repomd.revision ? { revision: repomd.revision } : {}),
    packages,
    advisories: rpmAdvisories(errata, release),
    notes,
  };
}
