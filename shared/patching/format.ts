/**
 * A scan result as text: an aligned table, JSON (the ScanResult), CycloneDX 1.6 VEX (the affected
 * packages as components with purls, one vulnerability per advisory with `affects` refs to them) or
 * SARIF 2.1.0 (one rule per advisory id, one result per finding, level from severity).
 */
import { randomUUID } from 'node:crypto';
import { packageUrl } from '../inventory/format.ts';
import type { InstalledPackage } from '../inventory/types.ts';
import { type Rating, rank, ratingFromText, ratingOfSeverity } from './severity.ts';
import type { Finding, ScanResult } from './types.ts';

export const SCAN_FORMATS = ['table', 'json', 'cyclonedx', 'sarif'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

const LEVEL_RATING: Record<SeverityLevel, Rating> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** Keeps the findings rated at or above `min` (an `Unknown` rating is below every level). */
export function filterBySeverity(result: ScanResult, min: SeverityLevel | undefined): ScanResult {
  if (!min) return result;
  const floor = rank(LEVEL_RATING[min]);
  const findings = result.findings.filter((f) => rank(f.severity) >= floor);
  const bySeverity: Record<string, number> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return { ...result, findings, counts: { ...result.counts, findings: findings.length, bySeverity } };
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

export function formatScanTable(result: ScanResult): string {
  const lines: string[] = [];
  const os = result.os;
  lines.push(
    os
      ? `os: ${os.prettyName ?? `${os.id} ${os.versionId ?? ''}`.trim()}${os.ecosystem ? ` (${os.ecosystem})` : ''}`
      : 'os: unknown',
  );
  if (!result.assessable) {
    lines.push('NOT ASSESSABLE: this guest could not be checked; no findings does not mean up to date.');
    for (const r of result.reasons) lines.push(`  ${r}`);
    return lines.join('\n');
  }
  if (result.findings.length) {
    const rows = [
      ['PACKAGE', 'INSTALLED', 'FIXED', 'CLASS', 'SEVERITY', 'ADVISORIES'],
      ...result.findings.map((f) => [
        f.arch && f.arch !== 'all' && f.arch !== 'noarch' ? `${f.package}:${f.arch}` : f.package,
        f.installedVersion,
        f.fixedVersion ?? '(no fix)',
        f.classification,
        f.severity,
        advisoryList(f),
      ]),
    ];
    lines.push('', ...align(rows));
  }
  const sev = Object.entries(result.counts.bySeverity)
    .sort(([a], [b]) => rank(b as Rating) - rank(a as Rating))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  lines.push(
    '',
    `${result.counts.findings} finding(s) in ${result.counts.packages} package(s)${sev ? ` (${sev})` : ''}`,
  );
  for (const f of result.feeds)
    lines.push(
      `feed: ${f.kind} ${f.location}${f.release ? ` [${f.release}]` : ''}${f.date ? ` dated ${f.date}` : f.mtime ? ` file time ${f.mtime}` : ''}${f.validUntil ? ` valid until ${f.validUntil}` : ''}`,
    );
  for (const r of result.reasons) lines.push(`note: ${r}`);
  return lines.join('\n');
}

function advisoryList(f: Finding): string {
  if (f.advisories.length === 0) return '-';
  const ids = f.advisories.map((a) => a.id);
  return ids.length > 4 ? `${ids.slice(0, 4).join(' ')} +${ids.length - 4}` : ids.join(' ');
}

function packageOf(result: ScanResult, f: Finding): InstalledPackage {
  return (
    result.inventory.packages.find(
      (p) => p.name === f.package && p.version === f.installedVersion && p.arch === f.arch,
    ) ?? {
      format: 'dpkg',
      name: f.package,
      version: f.installedVersion,
      ...(f.arch ? { arch: f.arch } : {}),
      source: { name: f.sourcePackage },
      evidence: f.evidence,
    }
  );
}

const CDX_SEVERITY: Record<Rating, string> = {
  Unknown: 'unknown',
  None: 'none',
  Low: 'low',
  Medium: 'medium',
  High: 'high',
  Critical: 'critical',
};

function cvssMethod(type: string, vector: string): string {
  if (type === 'CVSS_V4' || vector.startsWith('CVSS:4.0/')) return 'CVSSv4';
  if (vector.startsWith('CVSS:3.1/')) return 'CVSSv31';
  if (type === 'CVSS_V3' || vector.startsWith('CVSS:3.0/')) return 'CVSSv3';
  if (type === 'CVSS_V2') return 'CVSSv2';
  return 'other';
}

export interface ScanDocumentOptions {
  serialNumber?: string;
  timestamp?: string;
  toolVersion?: string;
}

/** CycloneDX 1.6 VEX document. */
export function toCycloneDxVex(result: ScanResult, options: ScanDocumentOptions = {}) {
  const os = result.os;
  const refs = new Map<Finding, string>();
  const components: Record<string, unknown>[] = [];
  const used = new Set<string>();
  for (const f of result.findings) {
    const purl = packageUrl(packageOf(result, f), os);
    let ref = purl;
    for (let n = 1; used.has(ref); n++) ref = `${purl}#${n}`;
    used.add(ref);
    refs.set(f, ref);
    components.push({
      type: 'library',
      'bom-ref': ref,
      name: f.package,
      version: f.installedVersion,
      purl,
      properties: [
        { name: 'outboard:finding:status', value: f.status },
        { name: 'outboard:finding:classification', value: f.classification },
        ...(f.fixedVersion ? [{ name: 'outboard:finding:fixed-version', value: f.fixedVersion }] : []),
        ...(f.update ? [{ name: 'outboard:update:suite', value: f.update.suite }] : []),
      ],
    });
  }
  const byId = new Map<string, { advisory: Finding['advisories'][number]; findings: Finding[] }>();
  for (const f of result.findings)
    for (const a of f.advisories) {
      const entry = byId.get(a.id);
      if (entry) entry.findings.push(f);
      else byId.set(a.id, { advisory: a, findings: [f] });
    }
  const vulnerabilities = [...byId.values()].map(({ advisory: a, findings }) => {
    const ratings: Record<string, unknown>[] = a.severity.cvss.map((c) => ({
      ...(c.score !== undefined ? { score: c.score } : {}),
      ...(c.rating ? { severity: CDX_SEVERITY[c.rating] } : {}),
      method: cvssMethod(c.type, c.vector),
      vector: c.vector,
    }));
    if (a.severity.text)
      ratings.push({
        source: { name: a.ecosystem },
        severity: CDX_SEVERITY[ratingFromText(a.severity.text)],
        method: 'other',
        justification: `distribution severity: ${a.severity.text}`,
      });
    const fixes = findings.map((f) => f.advisories.find((x) => x.id === a.id)?.fixedVersion).filter(Boolean);
    return {
      'bom-ref': `vuln:${a.id}`,
      id: a.id,
      source: { name: a.ecosystem, ...(a.feed ? { url: a.feed } : {}) },
      ...(a.aliases.length
        ? {
            references: a.aliases.map((id) => ({
              id,
              source: { name: id.startsWith('CVE-') ? 'NVD' : a.ecosystem },
            })),
          }
        : {}),
      ...(ratings.length ? { ratings } : {}),
      ...(fixes.length ? { recommendation: `Upgrade to ${[...new Set(fixes)].join(', ')} or later` } : {}),
      affects: findings.map((f) => ({
        ref: refs.get(f)!,
        versions: [{ version: f.installedVersion, status: 'affected' }],
      })),
    };
  });
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
    ...(os
      ? {
          component: {
            type: 'operating-system',
            'bom-ref': 'os',
            name: os.id,
            ...(os.versionId ? { version: os.versionId } : {}),
            ...(os.prettyName ? { description: os.prettyName } : {}),
          },
        }
      : {}),
    properties: [
      { name: 'outboard:scan:assessable', value: String(result.assessable) },
      ...result.reasons.map((r) => ({ name: 'outboard:scan:reason', value: r })),
      ...result.feeds.map((f) => ({
        name: 'outboard:scan:feed',
        value: `${f.kind} ${f.location}${f.date ? ` ${f.date}` : ''}`,
      })),
    ],
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${options.serialNumber ?? randomUUID()}`,
    version: 1,
    metadata,
    components,
    vulnerabilities,
  };
}

const SARIF_LEVEL: Record<Rating, 'error' | 'warning' | 'note'> = {
  Critical: 'error',
  High: 'error',
  Medium: 'warning',
  Low: 'note',
  None: 'note',
  Unknown: 'warning',
};

function ruleFor(f: Finding): string {
  if (f.advisories.length === 0) return `outboard/update-${f.classification}`;
  // The advisory rated highest (ties: first listed).
  let best = f.advisories[0]!;
  for (const a of f.advisories) if (rank(ratingOf(a)) > rank(ratingOf(best))) best = a;
  return best.id;
}

function ratingOf(a: Finding['advisories'][number]): Rating {
  return ratingOfSeverity(a.severity);
}

/** SARIF 2.1.0 log. */
export function toSarif(result: ScanResult) {
  const rules = new Map<string, Record<string, unknown>>();
  for (const f of result.findings) {
    for (const a of f.advisories) {
      if (rules.has(a.id)) continue;
      const score = Math.max(-1, ...a.severity.cvss.map((c) => c.score ?? -1));
      rules.set(a.id, {
        id: a.id,
        name: a.id.replace(/[^A-Za-z0-9]/g, ''),
        shortDescription: { text: `${a.id}${a.aliases.length ? ` (${a.aliases.join(', ')})` : ''}` },
        properties: {
          tags: ['security', 'vulnerability', a.ecosystem],
          ...(score >= 0 ? { 'security-severity': score.toFixed(1) } : {}),
          ...(a.severity.text ? { 'distribution-severity': a.severity.text } : {}),
          aliases: a.aliases,
          feed: a.feed,
        },
      });
    }
    if (f.advisories.length === 0) {
      const id = ruleFor(f);
      if (!rules.has(id))
        rules.set(id, {
          id,
          name: id.replace(/[^A-Za-z0-9]/g, ''),
          shortDescription: { text: `A ${f.classification} update is available from the repositories` },
          properties: { tags: ['update', f.classification] },
        });
    }
  }
  const ruleIds = [...rules.keys()];
  const results = result.findings.map((f) => {
    const ruleId = ruleFor(f);
    const level =
      f.severity === 'Unknown'
        ? f.classification === 'security'
          ? 'warning'
          : 'note'
        : SARIF_LEVEL[f.severity];
    const fix = f.fixedVersion ? `; fixed in ${f.fixedVersion}` : '; no fix released';
    return {
      ruleId,
      ruleIndex: ruleIds.indexOf(ruleId),
      level,
      message: {
        text: `${f.package} ${f.installedVersion}${fix}${f.advisories.length ? ` (${f.advisories.map((a) => a.id).join(', ')})` : ''}`,
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: f.evidence.file.replace(/^\/+/, '') } },
          logicalLocations: [
            {
              name: f.package,
              kind: 'package',
              fullyQualifiedName: packageUrl(packageOf(result, f), result.os),
            },
          ],
        },
      ],
      properties: {
        status: f.status,
        classification: f.classification,
        severity: f.severity,
        installedVersion: f.installedVersion,
        ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
        advisories: f.advisories.map((a) => a.id),
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'outboard', rules: [...rules.values()] } },
        results,
        properties: { assessable: result.assessable, reasons: result.reasons, feeds: result.feeds },
      },
    ],
  };
}

export function formatScan(
  result: ScanResult,
  format: ScanFormat,
  options: ScanDocumentOptions = {},
): string {
  if (format === 'table') return formatScanTable(result);
  if (format === 'json') return JSON.stringify(result, null, 2);
  if (format === 'cyclonedx') return JSON.stringify(toCycloneDxVex(result, options), null, 2);
  return JSON.stringify(toSarif(result), null, 2);
}
