/**
 * The acceptance check, end to end through the CLI: `outboard scan IMG --feed MIRROR` must
 * name exactly the (package, version) pairs `apt list --upgradable` names for the same dpkg database
 * and the same package lists — this machine's real /var/lib/dpkg/status and /var/lib/apt/lists.
 *
 * The mirror is rebuilt from the apt lists (lz4 Packages decompressed into
 * dists/<suite>/main/binary-<arch>/Packages, the InRelease files copied); the guest is an ext4 image
 * packed with `mke2fs -d`. apt reads the same status file through `-o Dir::State::status=…`
 * (read-only, no root needed). A second database, with some packages lowered to older versions the
 * lists really carry, makes the check meaningful even on a machine with nothing to upgrade.
 * Not covered here because this machine has none of them: backports (pinned at 100), Ubuntu phased
 * updates, foreign architectures.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../shared/patching/types.ts';
import { requireTools, run } from '../support/system-tools.ts';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;
const LISTS = '/var/lib/apt/lists';

function outboard(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

let work: string;
let arch: string;
let mirror: string;
/** suite → Packages text. */
const packagesText = new Map<string, string>();

function buildMirror(): string {
  const root = join(work, 'mirror');
  const suites: string[] = [];
  for (const name of readdirSync(LISTS)) {
    const m = /^(.+)_dists_([a-z]+(?:-updates|-security)?)_InRelease$/.exec(name);
    if (!m) continue;
    const [, prefix, suite] = m as unknown as [string, string, string];
    const lz4 = join(LISTS, `${prefix}_dists_${suite}_main_binary-${arch}_Packages.lz4`);
    const dir = join(root, 'dists', suite, 'main', `binary-${arch}`);
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('lz4', ['-dc', lz4], { maxBuffer: 1 << 30 });
    expect(r.status, `lz4 -dc ${lz4}: ${r.stderr}`).toBe(0);
    writeFileSync(join(dir, 'Packages'), r.stdout);
    packagesText.set(suite, r.stdout.toString('utf8'));
    copyFileSync(join(LISTS, name), join(root, 'dists', suite, 'InRelease'));
    suites.push(suite);
  }
  expect(suites.length, `no <suite>_InRelease with a main Packages.lz4 in ${LISTS}`).toBeGreaterThan(0);
  return root;
}

function image(name: string, status: string): { img: string; statusPath: string } {
  const tree = join(work, name);
  mkdirSync(join(tree, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(tree, 'etc'), { recursive: true });
  const statusPath = join(tree, 'var/lib/dpkg/status');
  writeFileSync(statusPath, status);
  copyFileSync('/etc/os-release', join(tree, 'etc/os-release'));
  const img = `${tree}.img`;
  const mk = run('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tree, img, '128M']);
  expect(mk.code, mk.stderr).toBe(0);
  return { img, statusPath };
}

/** The oracle: apt's own answer for a status file, as `name version` lines. */
function aptUpgradable(statusPath: string): string[] {
  const r = run('apt', [
    'list',
    '--upgradable',
    '-o',
    `Dir::State::status=${statusPath}`,
    '-o',
    `Dir::State::Lists=${LISTS}`,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    // name/suite[,suite] version arch [upgradable from: X]
    const m = /^([^/\s]+)\/\S+ (\S+) (\S+) \[upgradable from: ([^\]]+)\]$/.exec(line);
    if (m) out.push(`${m[1]} ${m[2]}`);
    else
      expect(line === '' || line === 'Listing...' || line.startsWith('Listing'), `unparsed: ${line}`).toBe(
        true,
      );
  }
  return [...new Set(out)].sort();
}

function scanUpdates(img: string): { pairs: string[]; result: ScanResult } {
  const r = outboard('scan', img, '--feed', mirror, '--format', 'json');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout) as ScanResult;
  expect(result.assessable).toBe(true);
  const pairs = [
    ...new Set(result.findings.filter((f) => f.update).map((f) => `${f.package} ${f.fixedVersion}`)),
  ].sort();
  return { pairs, result };
}

interface Stanza {
  name: string;
  version: string;
  arch: string;
}

function stanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  for (const block of text.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(block)?.[1];
    const version = /^Version: (.+)$/m.exec(block)?.[1];
    const a = /^Architecture: (.+)$/m.exec(block)?.[1];
    if (name && version && a) out.push({ name, version, arch: a });
  }
  return out;
}

function dpkgCompare(a: string, op: 'lt' | 'gt', b: string): boolean {
  return spawnSync('dpkg', ['--compare-versions', a, op, b]).status === 0;
}

/**
 * The real status with up to `n` installed packages lowered to an older version the lists carry for
 * the same name and architecture.
 */
function loweredStatus(real: string, n: number): { status: string; lowered: string[] } {
  const older = new Map<string, string[]>();
  for (const text of packagesText.values())
    for (const s of stanzas(text)) {
      const key = `${s.name}\u0000${s.arch}`;
      older.set(key, [...(older.get(key) ?? []), s.version]);
    }
  const blocks = real.split(/\n\n+/);
  const lowered: string[] = [];
  const out = blocks.map((block) => {
    if (lowered.length >= n) return block;
    if (!/^Status: install ok installed$/m.test(block)) return block;
    const name = /^Package: (.+)$/m.exec(block)?.[1];
    const version = /^Version: (.+)$/m.exec(block)?.[1];
    const a = /^Architecture: (.+)$/m.exec(block)?.[1];
    if (!name || !version || !a) return block;
    const candidates = (older.get(`${name}\u0000${a}`) ?? []).filter((v) => dpkgCompare(v, 'lt', version));
    if (candidates.length === 0) return block;
    const lower = candidates[0]!;
    lowered.push(`${name} ${version} → ${lower}`);
    return block.replace(/^Version: .+$/m, `Version: ${lower}`);
  });
  return { status: `${out.join('\n\n').trimEnd()}\n`, lowered };
}

describe('outboard scan equals apt list --upgradable for the same status and lists', () => {
  beforeAll(() => {
    requireTools('apt', 'dpkg', 'lz4', 'mke2fs');
    work = mkdtempSync(join(tmpdir(), 'ob-scan-apt-'));
    arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
    mirror = buildMirror();
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("this machine's /var/lib/dpkg/status", () => {
    const { img, statusPath } = image('real', readFileSync('/var/lib/dpkg/status', 'utf8'));
    const want = aptUpgradable(statusPath);
    const { pairs, result } = scanUpdates(img);
    process.stderr.write(
      `scan-apt (real status): ${result.counts.packages} packages, apt ${want.length} upgradable, outboard ${pairs.length}\n`,
    );
    expect(result.counts.packages).toBeGreaterThan(50);
    expect(pairs).toEqual(want);
  });

  it('the same status with packages lowered to older versions the lists carry', () => {
    const { status, lowered } = loweredStatus(readFileSync('/var/lib/dpkg/status', 'utf8'), 12);
    expect(lowered.length, 'no installed package has an older version in the lists').toBeGreaterThan(0);
    const { img, statusPath } = image('lowered', status);
    const want = aptUpgradable(statusPath);
    const { pairs } = scanUpdates(img);
    process.stderr.write(
      `scan-apt (lowered): ${lowered.length} lowered, apt ${want.length} upgradable, outboard ${pairs.length}\n`,
    );
    expect(pairs).toEqual(want);
    for (const l of lowered) expect(want.some((w) => w.startsWith(`${l.split(' ')[0]} `))).toBe(true);
  });

  it('--severity, --exit-code, formats and exit statuses', () => {
    const { img } = image('codes', readFileSync('/var/lib/dpkg/status', 'utf8'));
    const sarif = outboard('scan', img, '--feed', mirror, '--format', 'sarif');
    expect(sarif.status).toBe(0);
    expect(JSON.parse(sarif.stdout)).toMatchObject({ version: '2.1.0' });
    const bom = outboard('scan', img, '--feed', mirror, '--format', 'cyclonedx');
    expect(JSON.parse(bom.stdout)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const table = outboard('scan', img, '--feed', mirror);
    expect(table.stdout).toMatch(/^os: .*\(Debian:12\)/);
    // Without an advisory feed every finding is Unknown: --severity low leaves none, so exit 0.
    const filtered = outboard(
      'scan',
      img,
      '--feed',
      mirror,
      '--severity',
      'low',
      '--exit-code',
      '9',
      '--format',
      'json',
    );
    expect(filtered.status).toBe(0);
    expect(JSON.parse(filtered.stdout).findings).toEqual([]);
    const any = outboard('scan', img, '--feed', mirror, '--exit-code', '9', '--format', 'json');
    expect(any.status).toBe(JSON.parse(any.stdout).findings.length > 0 ? 9 : 0);
    // Bad arguments: 2.
    expect(outboard('scan', img).status).toBe(2);
    expect(outboard('scan', img, '--feed', mirror, '--format', 'xml').status).toBe(2);
    expect(outboard('scan', img, '--feed', mirror, '--severity', 'urgent').status).toBe(2);
    expect(outboard('scan', img, '--feed', join(work, 'nowhere')).status).toBe(2);
  });

  it('a guest with no feed for its release is not assessable: exit 3, never "no findings"', () => {
    const tree = join(work, 'bullseye');
    mkdirSync(join(tree, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(join(tree, 'etc'), { recursive: true });
    copyFileSync('/var/lib/dpkg/status', join(tree, 'var/lib/dpkg/status'));
    writeFileSync(
      join(tree, 'etc/os-release'),
      'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n',
    );
    const img = `${tree}.img`;
    expect(run('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tree, img, '64M']).code).toBe(0);
    const r = outboard('scan', img, '--feed', mirror);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/NOT ASSESSABLE/);
    expect(r.stderr).toMatch(/not assessable: no feed covers Debian:11/);
  });
});
