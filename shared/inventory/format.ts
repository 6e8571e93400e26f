/**
 * An inventory as text: an aligned table, JSON, or a CycloneDX 1.6 SBOM whose components carry
 * package URLs (purl-spec: `deb`, `rpm`, `apk` types; namespace the vendor, `arch`, `epoch`,
 * `distro` and — as syft and trivy write it — `upstream` for a source package that differs).
 */
import { randomUUID } from 'node:crypto';
import type { InstalledPackage, Inventory, OsIdentity } from './types.ts';

export const INVENTORY_FORMATS = ['table', 'json', 'cyclonedx'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

/** Percent-encodes everything but `A-Z a-z 0-9 . - _ ~` and `:`, which purl never encodes. */
export function purlEncode(s: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9.\-_~:]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function distroQualifier(os: OsIdentity | undefined): string | undefined {
  if (!os) return undefined;
  const release = os.versionId ?? os.versionCodename;
  return release ? `${os.id}-${release}` : undefined;
}

/** The purl namespace (vendor) for a package format on this OS. */
function vendor(pkg: InstalledPackage, os: OsIdentity | undefined): string | undefined {
  if (pkg.format === 'apk')
    return os && os.id !== 'alpine' && !os.idLike.includes('alpine') ? os.id : 'alpine';
  if (pkg.format === 'dpkg') return os?.id ?? 'debian';
  if (!os) return undefined;
  return os.id === 'rhel' ? 'redhat' : os.id;
}

export function packageUrl(pkg: InstalledPackage, os: OsIdentity | undefined): string {
  const type = pkg.format === 'dpkg' ? 'deb' : pkg.format;
  const q = new Map<string, string>();
  let version = pkg.version;
  if (pkg.format === 'rpm') {
    const m = /^(\d+):(.*)$/.exec(version);
    if (m) {
      q.set('epoch', m[1]!);
      version = m[2]!;
    }
  }
  if (pkg.arch) q.set('arch', pkg.arch);
  const distro = distroQualifier(os);
  if (distro && (pkg.format !== 'apk' || os?.id === 'alpine' || os?.idLike.includes('alpine'))) {
    q.set('distro', distro);
  }
  if (
    pkg.format === 'dpkg' &&
    (pkg.source.name !== pkg.name || (pkg.source.version ?? pkg.version) !== pkg.version)
  ) {
    q.set(
      'upstream',
      pkg.source.version && pkg.source.version !== pkg.version
        ? `${pkg.source.name}@${pkg.source.version}`
        : pkg.source.name,
    );
  }
  const ns = vendor(pkg, os);
  // deb and apk names are case-insensitive and written lower-case; rpm names are case-sensitive.
  const name = pkg.format === 'rpm' ? pkg.name : pkg.name.toLowerCase();
  const qualifiers = [...q.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${purlEncode(v)}`)
    .join('&');
  return `pkg:${type}/${ns ? `${purlEncode(ns.toLowerCase())}/` : ''}${purlEncode(name)}@${purlEncode(version)}${qualifiers ? `?${qualifiers}` : ''}`;
}

export function formatJson(inv: Inventory): string {
  return JSON.stringify(inv, null, 2);
}

export function formatTable(inv: Inventory): string {
  const lines: string[] = [];
  if (inv.os) {
    const o = inv.os;
    lines.push(
      `os: ${o.prettyName ?? `${o.id} ${o.versionId ?? ''}`.trim()} (id ${o.id}${o.versionId ? `, version ${o.versionId}` : ''}${o.ecosystem ? `, ecosystem ${o.ecosystem}` : ''}) from ${o.evidence.file}`,
    );
  } else lines.push('os: unknown');
  const rows = [
    ['FORMAT', 'NAME', 'VERSION', 'ARCH', 'SOURCE'],
    ...inv.packages.map((p) => [
      p.format,
      p.name,
      p.version,
      p.arch ?? '-',
      p.source.name === p.name && (p.source.version ?? p.version) === p.version
        ? '-'
        : `${p.source.name}${p.source.version && p.source.version !== p.version ? ` ${p.source.version}` : ''}`,
    ]),
  ];
  lines.push('', ...align(rows));
  lines.push('', `${inv.packages.length} package(s)`);
  if (inv.kernels.length) {
    lines.push(
      '',
      ...align([
        ['KERNEL', 'PACKAGE', 'DEFAULT'],
        ...inv.kernels.map((k) => [k.release, k.package ?? '-', k.bootDefault ? 'yes' : '']),
      ]),
    );
  }
  if (inv.notes.length) lines.push('', ...inv.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export interface CycloneDxOptions {
  serialNumber?: string;
  timestamp?: string;
  toolVersion?: string;
}

export function toCycloneDx(inv: Inventory, options: CycloneDxOptions = {}) {
  const os = inv.os;
  const property = (name: string, value: string) => ({ name, value });
  const components = inv.packages.map((p) => {
    const purl = packageUrl(p, os);
    const properties = [
      property('outboard:package:format', p.format),
      ...(p.arch ? [property('outboard:package:arch', p.arch)] : []),
      property('outboard:package:source', p.source.name),
      ...(p.source.version ? [property('outboard:package:source-version', p.source.version)] : []),
      property('outboard:evidence:file', p.evidence.file),
      property('outboard:evidence:collector', p.evidence.collector),
    ];
    return { type: 'library', 'bom-ref': purl, name: p.name, version: p.version, purl, properties };
  });
  // Two instances of one package (multi-arch) have different purls; identical purls would be a
  // broken database, and CycloneDX requires bom-refs to be unique.
  const seen = new Map<string, number>();
  for (const c of components) {
    const n = seen.get(c['bom-ref']) ?? 0;
    seen.set(c['bom-ref'], n + 1);
    if (n > 0) c['bom-ref'] = `${c['bom-ref']}#${n}`;
  }
  const metadata: Record<string, unknown> = {
    timestamp: options.timestamp ?? new Date().toISOString(),
    tools: {
      components: [
        {
          type: 'application',
          name: 'outboard',
          ...(options.toolVersion ? { version: options.toolVersion } : {}),
        },
      ],
    },
  };
  if (os) {
    metadata.component = {
      type: 'operating-system',
      'bom-ref': 'os',
      name: os.id,
      ...(os.versionId ? { version: os.versionId } : {}),
      ...(os.prettyName ? { description: os.prettyName } : {}),
      properties: [
        ...(os.versionCodename ? [property('outboard:os:codename', os.versionCodename)] : []),
        ...(os.ecosystem ? [property('outboard:os:ecosystem', os.ecosystem)] : []),
        ...os.idLike.map((l) => property('outboard:os:id-like', l)),
        ...inv.kernels.map((k) =>
          property(k.bootDefault ? 'outboard:kernel:default' : 'outboard:kernel', k.release),
        ),
        property('outboard:evidence:file', os.evidence.file),
      ],
    };
  }
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${options.serialNumber ?? randomUUID()}`,
    version: 1,
    metadata,
    components,
    ...(inv.notes.length ? { properties: inv.notes.map((n) => property('outboard:note', n)) } : {}),
  };
}

export function formatInventory(
  inv: Inventory,
  format: InventoryFormat,
  options: CycloneDxOptions = {},
): string {
  if (format === 'table') return formatTable(inv);
  if (format === 'json') return formatJson(inv);
  return JSON.stringify(toCycloneDx(inv, options), null, 2);
}
