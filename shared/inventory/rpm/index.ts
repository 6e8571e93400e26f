/**
 * Installed rpm packages, read from the guest's rpm database without running rpm.
 *
 * Where: `/usr/lib/sysimage/rpm` (rpm's newer %_dbpath: Fedora 36+, openSUSE, SLES 15 SP?+) and
 * `/var/lib/rpm` (RHEL/CentOS/Rocky/Alma); one is often a symlink to the other, which the guest view
 * resolves, so a database found through both with the same bytes is read once. Which: the newest backend
 * present wins — `rpmdb.sqlite` (sqlite), then `Packages.db` (ndb), then `Packages` (Berkeley DB) — and
 * every other database found is named in a note. If the chosen database cannot be read at all, the next one
 * is tried.
 *
 * Versions: `[epoch:]version-release`, the epoch written only when the header has a non-zero EPOCH (rpm
 * compares a missing epoch as 0, so `0:1.0-1` and `1.0-1` are the same version; rpm -q prints neither).
 * Source: SOURCERPM `name-version-release.src.rpm` gives the source name and `[epoch:]version-release`,
 * with the binary package's epoch (a source rpm's file name carries none, and its subpackages share it).
 * A header without SOURCERPM is its own source. gpg-pubkey pseudo-packages (imported keys) are left out.
 */
import type { GuestFiles, InstalledPackage } from '../types.ts';
import { readBdbPackages } from './bdb.ts';
import { errorMessage, type RpmdbRead } from './errors.ts';
import { headerNumber, headerString, parseRpmHeader, RpmHeaderError, RpmTag } from './header.ts';
import { readNdbPackages } from './ndb.ts';
import { readSqlitePackages, SQLITE_MAX_BYTES } from './sqlite.ts';

export { RpmdbFormatError } from './errors.ts';
export { parseRpmHeader, RpmHeaderError, RpmTag, RpmType } from './header.ts';

export const RPMDB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'] as const;

export const RPMDB_BACKENDS = [
  { file: 'rpmdb.sqlite', backend: 'sqlite', collector: 'rpmdb-sqlite' },
  { file: 'Packages.db', backend: 'ndb', collector: 'rpmdb-ndb' },
  { file: 'Packages', backend: 'bdb', collector: 'rpmdb-bdb' },
] as const;
type Backend = (typeof RPMDB_BACKENDS)[number];

interface Candidate {
  path: string;
  kind: Backend;
  size: number;
}

async function fileSize(files: GuestFiles, path: string): Promise<number | undefined> {
  try {
    const st = await files.stat(path);
    return st.type === 'file' ? st.size : undefined;
  } catch {
    return undefined;
  }
}

async function sameBytes(files: GuestFiles, a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([
      files.readFile(a, { maxBytes: SQLITE_MAX_BYTES }),
      files.readFile(b, { maxBytes: SQLITE_MAX_BYTES }),
    ]);
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);
  } catch {
    return false;
  }
}

async function readDb(files: GuestFiles, c: Candidate): Promise<RpmdbRead> {
  if (c.kind.backend === 'sqlite') return readSqlitePackages(files, c.path);
  const bytes = await files.readFile(c.path, { maxBytes: SQLITE_MAX_BYTES });
  return c.kind.backend === 'ndb' ? readNdbPackages(bytes) : readBdbPackages(bytes);
}

/** `name-version-release.src.rpm` → name and version-release; undefined if it is not shaped so. */
export function parseSourceRpm(sourceRpm: string): { name: string; versionRelease: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  if (!m) return undefined;
  return { name: m[1]!, versionRelease: `${m[2]}-${m[3]}` };
}

/** The package a header blob describes; undefined (with a note) for gpg-pubkey or unreadable headers. */
export function packageFromHeader(
  blob: Uint8Array,
  evidence: InstalledPackage['evidence'],
  notes: string[],
  instance?: number,
): InstalledPackage | undefined {
  const where = `${evidence.file}${instance === undefined ? '' : ` package ${instance}`}`;
  let h: ReturnType<typeof parseRpmHeader>;
  try {
    h = parseRpmHeader(blob);
  } catch (err) {
    if (!(err instanceof RpmHeaderError)) throw err;
    notes.push(`${where}: ${err.message}; skipped`);
    return undefined;
  }
  const name = headerString(h, RpmTag.NAME);
  const version = headerString(h, RpmTag.VERSION);
  const release = headerString(h, RpmTag.RELEASE);
  if (name === 'gpg-pubkey') return undefined;
  if (!name || version === undefined || release === undefined) {
    notes.push(`${where}: header without NAME, VERSION or RELEASE; skipped`);
    return undefined;
  }
  const epoch = headerNumber(h, RpmTag.EPOCH);
  const prefix = epoch ? `${epoch}:` : '';
  const arch = headerString(h, RpmTag.ARCH);
  const sourceRpm = headerString(h, RpmTag.SOURCERPM);
  const parsed = sourceRpm ? parseSourceRpm(sourceRpm) : undefined;
  if (sourceRpm && !parsed) notes.push(`${where}: SOURCERPM ${JSON.stringify(sourceRpm)} not understood`);
  const full = `${prefix}${version}-${release}`;
  const pkg: InstalledPackage = {
    format: 'rpm',
    name,
    version: full,
    source: parsed
      ? { name: parsed.name, version: `${prefix}${parsed.versionRelease}` }
      : { name, version: full },
    evidence,
  };
  if (arch) pkg.arch = arch;
  return pkg;
}

export async function collectRpm(
  files: GuestFiles,
): Promise<{ packages: InstalledPackage[]; notes: string[] }> {
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  for (const kind of RPMDB_BACKENDS) {
    for (const dir of RPMDB_DIRS) {
      const path = `${dir}/${kind.file}`;
      const size = await fileSize(files, path);
      if (size === undefined) continue;
      // The same database through a symlinked directory (or an identical copy): read it once.
      const twin = candidates.find((c) => c.kind === kind && c.size === size);
      if (twin && (await sameBytes(files, twin.path, path))) continue;
      candidates.push({ path, kind, size });
    }
  }
  if (candidates.length === 0) return { packages: [], notes };

  for (const [i, chosen] of candidates.entries()) {
    let read: RpmdbRead;
    try {
      read = await readDb(files, chosen);
    } catch (err) {
      notes.push(`${chosen.path} (${chosen.kind.backend}) could not be read: ${errorMessage(err)}`);
      continue;
    }
    for (const other of candidates) {
      if (other === chosen) continue;
      const state = candidates.indexOf(other) < i ? 'unreadable' : 'not read';
      notes.push(`${other.path} (${other.kind.backend}) ${state}: packages come from ${chosen.path}`);
    }
    notes.push(...read.notes.map((n) => (n.startsWith('/') ? n : `${chosen.path}: ${n}`)));
    const evidence = { file: chosen.path, collector: chosen.kind.collector };
    const packages: InstalledPackage[] = [];
    for (const { instance, blob } of read.blobs) {
      const pkg = packageFromHeader(blob, evidence, notes, instance);
      if (pkg) packages.push(pkg);
    }
    packages.sort(
      (a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.arch ?? '', b.arch ?? ''),
    );
    return { packages, notes };
  }
  return { packages: [], notes };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
