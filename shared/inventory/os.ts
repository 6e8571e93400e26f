/**
 * Which OS a guest runs, and the OSV advisory ecosystem its release maps to. os-release(5) first
 * (`/etc/os-release`, then `/usr/lib/os-release`), then the older release files:
 * `/etc/debian_version`, `/etc/{centos,rocky,almalinux,redhat}-release`, `/etc/alpine-release`.
 *
 * Ecosystem names follow OSV: `Debian:12`, `Ubuntu:22.04:LTS` / `Ubuntu:24.10`, `Alpine:v3.20`,
 * `Rocky Linux:9`, `AlmaLinux:9`. Red Hat's OSV records are per repository
 * (`Red Hat:enterprise_linux:9::baseos`, `…::appstream`, `…::crb`); an installed package does not
 * say which repository it came from, so a RHEL guest gets the release part
 * `Red Hat:enterprise_linux:9` and {@link ecosystemCovers} matches it against the per-repository
 * names. Ubuntu Pro (`Ubuntu:Pro:…`) needs an attached Pro subscription, which os-release does not
 * show, so it is never implied. Anything else — Debian testing/sid, Alpine edge, CentOS, Fedora,
 * unknown IDs — has no ecosystem rather than a guessed one, and a note says why.
 */
import { parseOsRelease } from '../disk/guest/os-release.ts';
import { describeError, readText } from './read.ts';
import type { GuestFiles, OsIdentity } from './types.ts';

export interface OsResult {
  os?: OsIdentity;
  notes: string[];
}

const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'] as const;

/** Release files of the Red Hat family, most specific first (all of them exist on a Rocky guest). */
const RH_RELEASE_PATHS = [
  '/etc/rocky-release',
  '/etc/almalinux-release',
  '/etc/centos-release',
  '/etc/redhat-release',
] as const;

/** `NAME release X.Y (Codename)` names as the release files spell them, to os-release IDs. */
const RH_NAMES: readonly { pattern: RegExp; id: string }[] = [
  { pattern: /^Red Hat Enterprise Linux\b/, id: 'rhel' },
  { pattern: /^CentOS( Linux| Stream)?$/, id: 'centos' },
  { pattern: /^Rocky Linux$/, id: 'rocky' },
  { pattern: /^AlmaLinux$/, id: 'almalinux' },
  { pattern: /^Fedora$/, id: 'fedora' },
];

const ID_PATTERN = /^[a-z0-9._-]+$/;

export async function identifyOs(files: GuestFiles): Promise<OsResult> {
  const notes: string[] = [];
  for (const path of OS_RELEASE_PATHS) {
    let text: string | undefined;
    try {
      text = await readText(files, path, 64 * 1024);
    } catch (error) {
      notes.push(`${path}: cannot be read (${describeError(error)})`);
      continue;
    }
    if (text === undefined) continue;
    const fields = parseOsRelease(text);
    if (Object.keys(fields).length === 0 || text.includes('\0')) {
      notes.push(`${path}: no KEY=value lines (damaged?); ignored`);
      continue;
    }
    const id = fields.ID ?? 'linux';
    if (!ID_PATTERN.test(id)) {
      notes.push(`${path}: ID "${id}" is not a valid os-release ID; ignored`);
      continue;
    }
    const os: OsIdentity = {
      id,
      idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
      evidence: { file: path, collector: 'os-release' },
    };
    if (fields.VERSION_ID) os.versionId = fields.VERSION_ID;
    if (fields.VERSION_CODENAME) os.versionCodename = fields.VERSION_CODENAME;
    if (fields.PRETTY_NAME) os.prettyName = fields.PRETTY_NAME;
    const ecosystem = ecosystemFor(os, fields.VERSION ?? '', notes);
    if (ecosystem) os.ecosystem = ecosystem;
    return { os, notes };
  }

  const fallback = await fromReleaseFiles(files, notes);
  if (fallback) {
    const ecosystem = ecosystemFor(fallback, fallback.prettyName ?? '', notes);
    if (ecosystem) fallback.ecosystem = ecosystem;
    return { os: fallback, notes };
  }
  notes.push('no os-release or distribution release file found: the OS is unknown');
  return { notes };
}

async function fromReleaseFiles(files: GuestFiles, notes: string[]): Promise<OsIdentity | undefined> {
  const read = async (path: string) => {
    try {
      return (await readText(files, path, 4096))?.trim();
    } catch (error) {
      notes.push(`${path}: cannot be read (${describeError(error)})`);
      return undefined;
    }
  };

  for (const path of RH_RELEASE_PATHS) {
    const line = await read(path);
    if (line === undefined) continue;
    const m = /^(.+?) release (\d+(?:\.\d+)*)(?: \(([^()]*)\))?$/.exec(line);
    const id = m ? RH_NAMES.find((n) => n.pattern.test(m[1]!))?.id : undefined;
    if (!m || !id) {
      notes.push(`${path}: "${line.slice(0, 80)}" is not a release line this reader knows; ignored`);
      continue;
    }
    const os: OsIdentity = {
      id,
      versionId: m[2]!,
      prettyName: line,
      idLike: [],
      evidence: { file: path, collector: 'redhat-release' },
    };
    return os;
  }

  const alpine = await read('/etc/alpine-release');
  if (alpine !== undefined) {
    if (/^\d+\.\d+(?:\.\d+)?(?:_[a-z]+\d*)?$/.test(alpine)) {
      return {
        id: 'alpine',
        versionId: alpine,
        idLike: [],
        evidence: { file: '/etc/alpine-release', collector: 'alpine-release' },
      };
    }
    notes.push(`/etc/alpine-release: "${alpine.slice(0, 80)}" is not an Alpine version; ignored`);
  }

  const debian = await read('/etc/debian_version');
  if (debian !== undefined) {
    if (/^\d+(?:\.\d+)*$/.test(debian)) {
      return {
        id: 'debian',
        versionId: debian,
        idLike: [],
        evidence: { file: '/etc/debian_version', collector: 'debian_version' },
      };
    }
    if (/^[a-z]+\/sid$/.test(debian) || debian === 'sid') {
      return {
        id: 'debian',
        versionCodename: debian.split('/')[0]!,
        idLike: [],
        evidence: { file: '/etc/debian_version', collector: 'debian_version' },
      };
    }
    notes.push(`/etc/debian_version: "${debian.slice(0, 80)}" is not a Debian version; ignored`);
  }
  return undefined;
}

function major(versionId: string | undefined): string | undefined {
  return versionId && /^\d+(?:\.\d+)*$/.test(versionId) ? versionId.split('.')[0] : undefined;
}

/** The OSV ecosystem for a release, or undefined (with a note) when it has none or is not known. */
export function ecosystemFor(os: OsIdentity, versionText: string, notes: string[]): string | undefined {
  const v = os.versionId;
  switch (os.id) {
    case 'debian': {
      const m = major(v);
      if (m) return `Debian:${m}`;
      const what = os.versionCodename ?? os.prettyName;
      notes.push(
        `Debian${what ? ` ${what}` : ''} has no numeric version (testing or unstable): no advisory ecosystem`,
      );
      return undefined;
    }
    case 'ubuntu': {
      if (v && /^\d{2}\.\d{2}$/.test(v)) {
        return /\bLTS\b/.test(versionText) ? `Ubuntu:${v}:LTS` : `Ubuntu:${v}`;
      }
      notes.push(`Ubuntu VERSION_ID "${v ?? ''}" is not YY.MM: no advisory ecosystem`);
      return undefined;
    }
    case 'alpine': {
      const m = v ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(v) : null;
      if (m) return `Alpine:v${m[1]}.${m[2]}`;
      notes.push(`Alpine ${v ?? ''} is not a stable release (edge?): no advisory ecosystem`);
      return undefined;
    }
    case 'rocky':
    case 'almalinux':
    case 'rhel': {
      const m = major(v);
      const name = os.id === 'rocky' ? 'Rocky Linux' : os.id === 'almalinux' ? 'AlmaLinux' : undefined;
      if (m) return name ? `${name}:${m}` : `Red Hat:enterprise_linux:${m}`;
      notes.push(`${os.id} VERSION_ID "${v ?? ''}" has no major version: no advisory ecosystem`);
      return undefined;
    }
    default:
      notes.push(`no advisory ecosystem is known for ${os.id}${v ? ` ${v}` : ''}`);
      return undefined;
  }
}

/**
 * Whether an advisory's ecosystem applies to a guest whose inventory names `ecosystem`: equal, or,
 * for Red Hat, one of the release's repositories (`Red Hat:enterprise_linux:9` covers
 * `Red Hat:enterprise_linux:9::baseos`).
 */
export function ecosystemCovers(ecosystem: string, advisoryEcosystem: string): boolean {
  if (ecosystem === advisoryEcosystem) return true;
  return ecosystem.startsWith('Red Hat:') && advisoryEcosystem.startsWith(`${ecosystem}::`);
}
