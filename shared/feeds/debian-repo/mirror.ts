/**
 * A Debian/Ubuntu mirror laid out as `dists/<suite>/{InRelease|Release}` and
 * `dists/<suite>/<component>/binary-<arch>/Packages[.xz|.gz]`, local folder or http(s) base URL,
 * several suites at once. Each Packages file read is hashed on the way and checked against the
 * Release's SHA256 list; a mismatch is a note (an excerpt or a mirror caught mid-sync), not a failure.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decompressed, isUrl, openBytes, readAll } from '../io.ts';
import type { AvailablePackage, ChecksummedFile, DebianRelease, DebRepoFeed } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { classifySuite, parsePackages } from './packages.ts';
import { parseRelease, type ReleaseSignatureCheck, releaseKey } from './release.ts';

export interface MirrorOptions {
  /** Suites to read; required for URLs (a web server cannot be listed), default all under dists/. */
  suites?: string[];
  /** Only these architectures (`all` must be named to get binary-all). Default: every one present. */
  architectures?: string[];
  components?: string[];
  maxBytes?: number;
  /** Verify each InRelease against these keys (a Release without a valid signature is refused). */
  signature?: ReleaseSignatureCheck;
}

const PACKAGES = /^(.+)\/binary-([^/]+)\/Packages(\.xz|\.gz)?$/;
const PREFERENCE = ['.xz', '.gz', ''] as const;

function joinLocation(base: string, ...parts: string[]): string {
  if (isUrl(base)) return [base.replace(/\/+$/, ''), ...parts].join('/');
  return join(base, ...parts);
}

/** A file on disk, or (URL) a HEAD that answers 2xx: a partial mirror may not serve every listed index. */
async function exists(location: string): Promise<boolean> {
  if (isUrl(location)) {
    const response = await fetch(location, { method: 'HEAD' });
    return response.ok;
  }
  try {
    return (await stat(location)).isFile();
  } catch {
    return false;
  }
}

async function readRelease(
  root: string,
  suite: string,
  signature: ReleaseSignatureCheck | undefined,
): Promise<DebianRelease> {
  for (const name of ['InRelease', 'Release']) {
    const location = joinLocation(root, 'dists', suite, name);
    let opened: Awaited<ReturnType<typeof openBytes>>;
    try {
      opened = await openBytes(location);
    } catch (error) {
      if (error instanceof FeedFormatError || (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const data = await readAll(opened.body, 64 * 1024 * 1024, location);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch (cause) {
      throw new FeedFormatError('Release', 'not valid UTF-8', location, { cause });
    }
    return parseRelease(text, { location, ...(opened.mtime ? { mtime: opened.mtime } : {}) }, signature);
  }
  throw new FeedFormatError('mirror', `dists/${suite} has neither InRelease nor Release`, root);
}

interface IndexFile {
  component: string;
  arch: string;
  relPath: string;
  listed?: ChecksummedFile;
}

/** The Packages files to read for one suite: listed ones first (best compression present), else found on disk. */
async function indexFiles(root: string, suite: string, release: DebianRelease, options: MirrorOptions) {
  const groups = new Map<string, Map<string, ChecksummedFile>>();
  for (const entry of release.sha256) {
    const m = PACKAGES.exec(entry.path);
    if (!m || m[1]!.endsWith('/debian-installer')) continue;
    const key = `${m[1]}\0${m[2]}`;
    if (!groups.has(key)) groups.set(key, new Map());
    groups.get(key)!.set(m[3] ?? '', entry);
  }
  if (groups.size === 0 && !isUrl(root)) {
    for (const component of release.components) {
      const dir = joinLocation(root, 'dists', suite, component);
      const entries = await readdir(dir).catch(() => [] as string[]);
      for (const d of entries)
        if (d.startsWith('binary-')) groups.set(`${component}\0${d.slice(7)}`, new Map());
    }
  }
  const out: IndexFile[] = [];
  for (const [key, variants] of groups) {
    const [component, arch] = key.split('\0') as [string, string];
    if (options.architectures && !options.architectures.includes(arch)) continue;
    if (options.components && !options.components.includes(component.replace(/^updates\//, ''))) continue;
    // Listed variants first (their checksums can be checked), then, for a local folder, any on disk.
    const order = [
      ...PREFERENCE.filter((e) => variants.has(e)),
      ...(isUrl(root) ? [] : PREFERENCE.filter((e) => !variants.has(e))),
    ];
    for (const ext of order) {
      const relPath = `${component}/binary-${arch}/Packages${ext}`;
      const listed = variants.get(ext);
      if (await exists(joinLocation(root, 'dists', suite, relPath))) {
        out.push({ component, arch, relPath, ...(listed ? { listed } : {}) });
        break;
      }
    }
  }
  return out;
}

async function* hashed(body: AsyncIterable<Uint8Array>, done: (sha256: string, size: number) => void) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  done(hash.digest('hex'), size);
}

async function suitesOf(root: string, options: MirrorOptions): Promise<string[]> {
  if (options.suites) return options.suites;
  if (isUrl(root)) throw new FeedFormatError('mirror', 'name the suites to read from a URL', root);
  const dists = joinLocation(root, 'dists');
  const names = await readdir(dists).catch(() => {
    throw new FeedFormatError('mirror', 'no dists/ folder', root);
  });
  return names.sort();
}

/** Reads every suite of a mirror into one feed (all suites must belong to one release). */
export async function readDebianMirror(root: string, options: MirrorOptions = {}): Promise<DebRepoFeed> {
  const releases: DebianRelease[] = [];
  const packages: AvailablePackage[] = [];
  const notes: string[] = [];
  const keys = new Set<string>();
  for (const suite of await suitesOf(root, options)) {
    const release = await readRelease(root, suite, options.signature);
    releases.push(release);
    keys.add(releaseKey(release));
    const files = await indexFiles(root, suite, release, options);
    if (files.length === 0) notes.push(`dists/${suite}: no Packages index found`);
    for (const file of files) {
      const location = joinLocation(root, 'dists', suite, file.relPath);
      const opened = await openBytes(location);
      const check = hashed(opened.body, (sha256, size) => {
        if (file.listed && (file.listed.sha256 !== sha256 || file.listed.size !== size))
          notes.push(
            `dists/${suite}/${file.relPath}: SHA256/size differ from the Release list (excerpt or stale mirror)`,
          );
      });
      const { bytes } = await decompressed(check, location, options.maxBytes);
      const context = {
        suite,
        component: file.component.replace(/^updates\//, ''),
        classification: classifySuite(suite),
      };
      for await (const p of parsePackages(bytes, location, context)) packages.push(p);
    }
  }
  if (releases.length === 0) throw new FeedFormatError('mirror', 'no suites under dists/', root);
  if (keys.size > 1) notes.push(`suites of several releases in one mirror: ${[...keys].join(', ')}`);
  const first = releases[0]!;
  const dates = releases
    .map((r) => r.date)
    .filter((d): d is string => !!d)
    .sort();
  const valid = releases
    .map((r) => r.validUntil)
    .filter((d): d is string => !!d)
    .sort();
  return {
    kind: 'deb-repo',
    scheme: 'dpkg',
    release: releaseKey(first),
    source: {
      location: root,
      ...(dates.length ? { date: dates.at(-1)! } : {}),
      ...(valid.length ? { validUntil: valid[0]! } : {}),
    },
    releases,
    packages,
    notes: [...new Set([...releases.flatMap((r) => r.notes), ...notes])],
  };
}
