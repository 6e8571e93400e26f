/**
 * `importFeed(pathOrUrl)`: works out what a path or URL holds and parses it.
 *   folder with dists/            → Debian/Ubuntu mirror (every suite)
 *   folder with repodata/         → RPM repository (primary + updateinfo)
 *   folder of .json               → OSV records
 *   …/repomd.xml, URL ending in / → RPM repository (URL + `suites` → Debian mirror)
 *   Packages[.gz|.xz]             → one Packages index (suite from …/dists/<suite>/… or options)
 *   APKINDEX.tar.gz               → Alpine index
 *   .zip                          → OSV zip (osv.dev all.zip)
 *   .json                         → Alpine secdb, or one OSV record
 * Anything else is rejected with a FeedFormatError saying what was seen.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { alpineReleaseFromPath, readApkIndex } from './alpine/apkindex.ts';
import { parseSecdb } from './alpine/secdb.ts';
import { readDebianMirror } from './debian-repo/mirror.ts';
import { parsePackages } from './debian-repo/packages.ts';
import type { ReleaseSignatureCheck } from './debian-repo/release.ts';
import { decompressed, isUrl, openBytes, readAll } from './io.ts';
import { osvAdvisories, readOsvFolder, readOsvZip } from './osv/osv.ts';
import { readRpmRepo } from './rpm-repo/repo.ts';
import type { AvailablePackage, DebRepoFeed, Feed } from './types.ts';
import { FeedFormatError } from './types.ts';

export interface ImportOptions {
  /** Release key for package feeds that do not name it (RPM repos, bare Packages, APKINDEX off-path). */
  release?: string;
  /** Debian mirror suites (required for a mirror URL). */
  suites?: string[];
  architectures?: string[];
  components?: string[];
  /** Suite of a bare Packages file when the path does not show it. */
  suite?: string;
  /** OSV: keep only these ecosystems. */
  ecosystems?: string[];
  maxBytes?: number;
  /** Debian/Ubuntu mirrors: verify each InRelease against these keys (see debian-repo/release.ts). */
  signature?: ReleaseSignatureCheck;
}

async function kindOfPath(path: string): Promise<'dir' | 'file' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'missing';
  } catch {
    return 'missing';
  }
}

async function importFolder(dir: string, options: ImportOptions): Promise<Feed[]> {
  if ((await kindOfPath(join(dir, 'dists'))) === 'dir') return [await readDebianMirror(dir, options)];
  if ((await kindOfPath(join(dir, 'repodata', 'repomd.xml'))) === 'file')
    return [await readRpmRepo(dir, options)];
  const names = await readdir(dir);
  if (names.some((n) => /\.json(\.gz)?$/.test(n))) return [await readOsvFolder(dir, options)];
  throw new FeedFormatError('import', 'folder has no dists/, repodata/repomd.xml or .json files', dir);
}

function baseName(location: string): string {
  return (
    location
      .replace(/[?#].*$/, '')
      .replace(/\/+$/, '')
      .split('/')
      .at(-1) ?? ''
  );
}

async function importPackages(location: string, options: ImportOptions): Promise<DebRepoFeed> {
  const suite = options.suite ?? /\/dists\/([^/]+)\//.exec(location)?.[1] ?? 'unknown';
  const component = /\/dists\/[^/]+\/(.+)\/binary-[^/]+\//.exec(location)?.[1];
  const packages: AvailablePackage[] = [];
  const opened = await openBytes(location);
  const { bytes } = await decompressed(opened.body, location, options.maxBytes);
  for await (const p of parsePackages(bytes, location, { suite, ...(component ? { component } : {}) }))
    packages.push(p);
  return {
    kind: 'deb-repo',
    scheme: 'dpkg',
    release: options.release ?? suite.replace(/[-/].*$/, ''),
    source: { location, ...(opened.mtime ? { mtime: opened.mtime } : {}) },
    releases: [],
    packages,
    notes: [
      'a bare Packages file: no Release read, so no date, no checksums, no signature',
      ...(options.release
        ? []
        : ['release key taken from the suite name; pass options.release (e.g. Debian:12)']),
    ],
  };
}

async function importJson(location: string, options: ImportOptions): Promise<Feed[]> {
  const opened = await openBytes(location);
  const { bytes } = await decompressed(opened.body, location, options.maxBytes ?? 512 << 20);
  const data = await readAll(bytes, options.maxBytes ?? 512 << 20, location);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (cause) {
    throw new FeedFormatError('import', 'not JSON', location, { cause });
  }
  const source = { location, ...(opened.mtime ? { mtime: opened.mtime } : {}) };
  if (typeof json === 'object' && json !== null && 'distroversion' in json && 'packages' in json)
    return [parseSecdb(json, source)];
  if (typeof json === 'object' && json !== null && 'id' in json && 'modified' in json) {
    const advisories = osvAdvisories(json, location, options);
    const modified = (json as { modified: unknown }).modified;
    return [
      {
        kind: 'osv',
        source: {
          ...source,
          ...(typeof modified === 'string' ? { date: new Date(modified).toISOString() } : {}),
        },
        advisories,
        notes: [],
      },
    ];
  }
  throw new FeedFormatError('import', 'JSON is neither an Alpine secdb nor an OSV record', location);
}

/** Sniffs the first decompressed bytes of a file whose name says nothing. */
async function sniff(location: string): Promise<'packages' | 'tar' | 'zip' | 'json' | 'xml' | 'unknown'> {
  const opened = await openBytes(location);
  const it = opened.body[Symbol.asyncIterator]();
  const first = await it.next();
  await it.return?.();
  const raw = first.done ? new Uint8Array(0) : first.value;
  if (raw[0] === 0x50 && raw[1] === 0x4b) return 'zip';
  const once = async function* () {
    yield raw;
  };
  const { bytes } = await decompressed(once(), location, 1 << 20);
  let head: Uint8Array = new Uint8Array(0);
  try {
    for await (const chunk of bytes) {
      head = chunk;
      break;
    }
  } catch {
    // a truncated compressed head may not decode; what did decode is enough
  }
  if (head.length >= 512 && new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar')
    return 'tar';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 256)).trimStart();
  if (text.startsWith('Package:')) return 'packages';
  if (text.startsWith('{')) return 'json';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'xml';
  return 'unknown';
}

/** Parses whatever `pathOrUrl` holds into feeds. */
export async function importFeed(pathOrUrl: string, options: ImportOptions = {}): Promise<Feed[]> {
  const url = isUrl(pathOrUrl);
  if (!url) {
    const kind = await kindOfPath(pathOrUrl);
    if (kind === 'missing') throw new FeedFormatError('import', 'no such file or folder', pathOrUrl);
    if (kind === 'dir') return importFolder(pathOrUrl, options);
  } else if (pathOrUrl.endsWith('/')) {
    if (options.suites) return [await readDebianMirror(pathOrUrl, options)];
    return [await readRpmRepo(pathOrUrl, options)];
  }
  const name = baseName(pathOrUrl);
  if (name === 'repomd.xml') return [await readRpmRepo(pathOrUrl, options)];
  if (/(^|[-_.])Packages(\.gz|\.xz)?$/.test(name)) return [await importPackages(pathOrUrl, options)];
  if (/^(In)?Release$/.test(name))
    throw new FeedFormatError(
      'import',
      'a Release file alone lists no packages; import the mirror root',
      pathOrUrl,
    );
  if (/^APKINDEX\.tar\.gz$/.test(name))
    return [await readApkIndex(pathOrUrl, alpineOptions(pathOrUrl, options))];
  if (/\.zip$/i.test(name)) return [await readOsvZip(pathOrUrl, options)];
  if (/\.json(\.gz)?$/i.test(name)) return importJson(pathOrUrl, options);
  const seen = await sniff(pathOrUrl);
  switch (seen) {
    case 'packages':
      return [await importPackages(pathOrUrl, options)];
    case 'tar':
      return [await readApkIndex(pathOrUrl, alpineOptions(pathOrUrl, options))];
    case 'zip':
      return [await readOsvZip(pathOrUrl, options)];
    case 'json':
      return importJson(pathOrUrl, options);
    default:
      throw new FeedFormatError(
        'import',
        `not a feed this importer knows (content looks like: ${seen})`,
        pathOrUrl,
      );
  }
}

function alpineOptions(location: string, options: ImportOptions) {
  const release = options.release ?? alpineReleaseFromPath(location);
  return { ...(release ? { release } : {}), ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) };
}
