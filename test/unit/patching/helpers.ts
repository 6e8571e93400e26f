/** Small literal inventories and feeds for the matcher tests. */
import type { Advisory, AvailablePackage, Feed, UpdateClass } from '../../../shared/feeds/types.ts';
import type {
  InstalledPackage,
  Inventory,
  OsIdentity,
  PackageFormat,
} from '../../../shared/inventory/types.ts';

export const DEBIAN_12: OsIdentity = {
  id: 'debian',
  versionId: '12',
  versionCodename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  idLike: [],
  ecosystem: 'Debian:12',
  evidence: { file: '/etc/os-release', collector: 'os-release' },
};

export const UBUNTU_2204: OsIdentity = {
  id: 'ubuntu',
  versionId: '22.04',
  versionCodename: 'jammy',
  idLike: ['debian'],
  ecosystem: 'Ubuntu:22.04:LTS',
  evidence: { file: '/etc/os-release', collector: 'os-release' },
};

export const ROCKY_9: OsIdentity = {
  id: 'rocky',
  versionId: '9.4',
  idLike: ['rhel', 'centos', 'fedora'],
  ecosystem: 'Rocky Linux:9',
  evidence: { file: '/etc/os-release', collector: 'os-release' },
};

export const ALPINE_320: OsIdentity = {
  id: 'alpine',
  versionId: '3.20.3',
  idLike: [],
  ecosystem: 'Alpine:v3.20',
  evidence: { file: '/etc/os-release', collector: 'os-release' },
};

const COLLECTOR: Record<PackageFormat, { file: string; collector: string }> = {
  dpkg: { file: '/var/lib/dpkg/status', collector: 'dpkg-status' },
  rpm: { file: '/var/lib/rpm/rpmdb.sqlite', collector: 'rpmdb-sqlite' },
  apk: { file: '/lib/apk/db/installed', collector: 'apk-installed' },
};

/** `name version [arch] [source[ sourceVersion]]`. */
export function pkg(format: PackageFormat, spec: string): InstalledPackage {
  const [name, version, arch, source, sourceVersion] = spec.split(' ') as [
    string,
    string,
    string?,
    string?,
    string?,
  ];
  return {
    format,
    name,
    version,
    ...(arch && arch !== '-' ? { arch } : {}),
    source: { name: source ?? name, ...(sourceVersion ? { version: sourceVersion } : {}) },
    evidence: COLLECTOR[format],
  };
}

export function inventory(os: OsIdentity | undefined, packages: InstalledPackage[]): Inventory {
  return { ...(os ? { os } : {}), packages, kernels: [], notes: [] };
}

/** `name version arch suite class [source]`. */
export function offered(spec: string): AvailablePackage {
  const [name, version, arch, suite, classification, source] = spec.split(' ') as [
    string,
    string,
    string,
    string,
    UpdateClass,
    string?,
  ];
  return { name, version, arch, suite, classification, source: { name: source ?? name } };
}

export function debRepo(release: string, specs: string[], location = 'mirror'): Feed {
  return {
    kind: 'deb-repo',
    scheme: 'dpkg',
    release,
    source: { location, date: '2026-11-25T00:00:00.000Z' },
    releases: [],
    packages: specs.map(offered),
    notes: [],
  };
}

export function rpmRepo(release: string, specs: string[], advisories: Advisory[] = []): Feed {
  return {
    kind: 'rpm-repo',
    scheme: 'rpm',
    release,
    source: { location: 'rpm-repo' },
    packages: specs.map(offered),
    advisories,
    notes: [],
  };
}

export function advisory(
  partial: Partial<Advisory> & Pick<Advisory, 'id' | 'ecosystem' | 'package'>,
): Advisory {
  return {
    aliases: [],
    kind: 'security',
    status: 'affected',
    ranges: [],
    versions: [],
    severity: { cvss: [] },
    ...partial,
  };
}

export function fixedIn(version: string) {
  return [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: version }] }];
}

export function secdb(advisories: Advisory[], location = 'secdb'): Feed {
  return { kind: 'alpine-secdb', source: { location }, advisories, notes: [] };
}

export function osv(advisories: Advisory[], location = 'osv'): Feed {
  return { kind: 'osv', source: { location }, advisories, notes: [] };
}
