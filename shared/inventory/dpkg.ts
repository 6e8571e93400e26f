/**
 * Installed Debian packages from dpkg's database, read as dpkg reads it:
 *
 * - `/var/lib/dpkg/status`, one stanza per package instance (name + architecture);
 * - `/var/lib/dpkg/updates/NNNN`, records dpkg journaled but had not yet folded into `status`
 *   (after a crash or an interrupted run), applied on top of it in numeric order, each record
 *   replacing the instance it names;
 * - `/var/lib/dpkg/status.d/*`, distroless images: one control file per package (usually without a
 *   `Status:` field — being there means installed), with `*.md5sums` siblings that are not stanzas.
 *
 * A package counts as installed when its status is `installed`, `triggers-pending` or
 * `triggers-awaited` (its files are on disk and configured) with any selection (`install`, `hold`,
 * `deinstall`, `purge`): the set `dpkg-query -W` lists minus `config-files` and the half-done
 * states. Half-installed, unpacked and half-configured packages are named in notes, and a stanza
 * that cannot be read makes a note saying the inventory is incomplete, never a silent omission.
 */
import { ControlFormatError, parseControl, printable, type Stanza } from './control.ts';
import { describeError, listDir, MAX_DB_BYTES, plainOrder, readBytes } from './read.ts';
import type { GuestFiles, InstalledPackage } from './types.ts';

export const DPKG_ADMINDIR = '/var/lib/dpkg';

const WANT = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const EFLAG = new Set(['ok', 'reinstreq']);
const STATUS = new Set([
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);
const INSTALLED = new Set(['installed', 'triggers-pending', 'triggers-awaited']);

/** dpkg's package-name rule: starts alphanumeric; then alphanumerics and `+ - . _`. */
const NAME = /^[a-z0-9][a-z0-9+._-]*$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;

/** `[epoch:]upstream[-revision]` with the characters dpkg allows in each part. */
export function isDpkgVersion(v: string): boolean {
  const m = /^(?:(\d+):)?(.+)$/.exec(v);
  if (!m) return false;
  const rest = m[2]!;
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : undefined;
  const upstreamChars = m[1] !== undefined ? /^[A-Za-z0-9.+~:-]+$/ : /^[A-Za-z0-9.+~-]+$/;
  if (!upstreamChars.test(upstream) || !/^[0-9]/.test(upstream)) return false;
  return revision === undefined || /^[A-Za-z0-9.+~]+$/.test(revision);
}

export interface DpkgRecord {
  name: string;
  arch?: string;
  version?: string;
  want: string;
  eflag: string;
  status: string;
  source?: { name: string; version?: string };
  file: string;
  collector: 'dpkg-status' | 'dpkg-updates' | 'dpkg-status.d';
}

export interface DpkgResult {
  packages: InstalledPackage[];
  notes: string[];
}

/** Reads one stanza into a record, or says what is wrong with it. */
export function recordFrom(
  stanza: Stanza,
  file: string,
  collector: DpkgRecord['collector'],
): DpkgRecord | string {
  const f = stanza.fields;
  const name = f.get('package');
  if (name === undefined) return 'stanza without a Package field';
  if (!NAME.test(name)) return `invalid package name "${printable(name)}"`;
  let want = 'install';
  let eflag = 'ok';
  let status = 'installed';
  const statusField = f.get('status');
  if (statusField !== undefined) {
    const words = statusField.split(/[ \t]+/);
    if (words.length !== 3 || !WANT.has(words[0]!) || !EFLAG.has(words[1]!) || !STATUS.has(words[2]!)) {
      return `${name}: Status "${printable(statusField)}" is not "want flag status"`;
    }
    [want, eflag, status] = words as [string, string, string];
  } else if (collector !== 'dpkg-status.d') {
    return `${name}: no Status field`;
  }
  const record: DpkgRecord = { name, want, eflag, status, file, collector };
  const version = f.get('version');
  if (version !== undefined) {
    if (!isDpkgVersion(version)) return `${name}: invalid Version "${printable(version)}"`;
    record.version = version;
  } else if (status !== 'not-installed' && status !== 'config-files') {
    return `${name}: no Version field`;
  }
  const arch = f.get('architecture');
  if (arch !== undefined) {
    if (!ARCH.test(arch)) return `${name}: invalid Architecture "${printable(arch)}"`;
    record.arch = arch;
  }
  const source = f.get('source');
  if (source !== undefined) {
    const m = /^(\S+)(?:[ \t]+\((\S+)\))?$/.exec(source);
    if (!m || !NAME.test(m[1]!) || (m[2] !== undefined && !isDpkgVersion(m[2]))) {
      return `${name}: invalid Source "${printable(source)}"`;
    }
    record.source = m[2] !== undefined ? { name: m[1]!, version: m[2] } : { name: m[1]! };
  }
  return record;
}

/** The source package: `Source: name (version)`, else the binary's own name and version less a binNMU `+bN`. */
export function sourceOf(r: DpkgRecord): { name: string; version?: string } {
  const version = r.source?.version ?? r.version?.replace(/\+b\d+$/, '');
  const name = r.source?.name ?? r.name;
  return version !== undefined ? { name, version } : { name };
}

const key = (r: DpkgRecord) => `${r.name}:${r.arch ?? ''}`;

/** dpkg's database under `admindir`, or undefined when the guest has none. */
export async function collectDpkg(
  files: GuestFiles,
  admindir = DPKG_ADMINDIR,
): Promise<DpkgResult | undefined> {
  const notes: string[] = [];
  const records = new Map<string, DpkgRecord>();
  let found = false;

  const readStanzas = async (path: string, collector: DpkgRecord['collector']) => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readBytes(files, path, MAX_DB_BYTES);
    } catch (error) {
      notes.push(`${path}: cannot be read (${describeError(error)}); the package inventory is incomplete`);
      found = true;
      return;
    }
    if (bytes === undefined) return;
    found = true;
    let parsed: ReturnType<typeof parseControl>;
    try {
      parsed = parseControl(bytes);
    } catch (error) {
      if (!(error instanceof ControlFormatError)) throw error;
      notes.push(`${path}: ${error.message}; none of it was read, so the package inventory is incomplete`);
      return;
    }
    const problems = parsed.errors.map((e) => `line ${e.line}: ${e.problem}`);
    for (const stanza of parsed.stanzas) {
      const r = recordFrom(stanza, path, collector);
      if (typeof r === 'string') problems.push(`line ${stanza.line}: ${r}`);
      else {
        if (collector === 'dpkg-status.d' && records.has(key(r))) {
          notes.push(`${path}: ${r.name} is also described by ${records.get(key(r))!.file}; using ${path}`);
        }
        records.set(key(r), r);
      }
    }
    if (problems.length) {
      notes.push(
        `${path}: ${problems.length} stanza(s) could not be read, so the package inventory is incomplete: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
      );
    }
  };

  await readStanzas(`${admindir}/status`, 'dpkg-status');

  let updates: { name: string; type: string }[] | undefined;
  try {
    updates = await listDir(files, `${admindir}/updates`);
  } catch (error) {
    notes.push(
      `${admindir}/updates: cannot be listed (${describeError(error)}); pending dpkg records may be missing`,
    );
  }
  const pending = (updates ?? [])
    .filter((e) => /^\d+$/.test(e.name))
    .sort((a, b) => Number(a.name) - Number(b.name) || (a.name < b.name ? -1 : 1));
  if (pending.length) {
    notes.push(
      `${admindir}/updates holds ${pending.length} record(s) dpkg had not yet merged into status (an interrupted dpkg run); applied on top of it`,
    );
  }
  for (const e of pending) await readStanzas(`${admindir}/updates/${e.name}`, 'dpkg-updates');

  let distroless: { name: string; type: string }[] | undefined;
  try {
    distroless = await listDir(files, `${admindir}/status.d`);
  } catch (error) {
    notes.push(
      `${admindir}/status.d: cannot be listed (${describeError(error)}); the package inventory is incomplete`,
    );
  }
  const perPackage = (distroless ?? [])
    .filter((e) => !e.name.startsWith('.') && !e.name.endsWith('.md5sums') && e.type !== 'dir')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of perPackage) await readStanzas(`${admindir}/status.d/${e.name}`, 'dpkg-status.d');

  if (!found && !distroless) return undefined;

  const packages: InstalledPackage[] = [];
  const partial: string[] = [];
  let configFiles = 0;
  for (const r of records.values()) {
    if (INSTALLED.has(r.status) && r.version !== undefined) {
      if (r.eflag === 'reinstreq')
        notes.push(`${r.name} ${r.version}: dpkg marks it as needing reinstallation`);
      const pkg: InstalledPackage = {
        format: 'dpkg',
        name: r.name,
        version: r.version,
        source: sourceOf(r),
        evidence: { file: r.file, collector: r.collector },
      };
      if (r.arch !== undefined) pkg.arch = r.arch;
      packages.push(pkg);
    } else if (r.status === 'config-files') configFiles++;
    else if (r.status !== 'not-installed')
      partial.push(`${r.name}${r.arch ? `:${r.arch}` : ''} ${r.version ?? ''} (${r.status})`);
  }
  if (partial.length) {
    notes.push(
      `${partial.length} dpkg package(s) are not fully installed and are not counted: ${partial.join(', ')}; their files may be partly on disk`,
    );
  }
  if (configFiles)
    notes.push(`${configFiles} removed dpkg package(s) left only configuration files (not counted)`);
  packages.sort((a, b) => plainOrder(a.name, b.name) || plainOrder(a.arch ?? '', b.arch ?? ''));
  return { packages, notes };
}
