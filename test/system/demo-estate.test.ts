/**
 * The demo estate checked with real tools:
 *   - the Rocky guest's inventory (`outboard inventory`) equals what `rpm --dbpath DIR -qa` lists for the
 *     same rpmdb: the committed image's rpmdb (copied out with `outboard image cat`) and the one a fresh
 *     build leaves in DEMO_RPMDB_DIR;
 *   - scripts/demo/build-estate.sh rebuilds the estate in a temporary folder: its Debian and Alpine images
 *     and its feeds are byte-identical to the committed ones, every image is commit-sized, and each fresh
 *     image scans (`outboard scan`) with findings that name real advisories.
 * The build needs root (loop devices for LVM).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools, run } from '../support/system-tools.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/outboard.ts');
const DEMO = join(ROOT, 'demo');
const QF = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';
const FEEDS = [
  'debian-mirror',
  'rpm-repo',
  'alpine/v3.20/main.json',
  'alpine/v3.20/main/x86_64/APKINDEX.tar.gz',
  'osv',
];
const EXPECTED: Record<string, string[]> = {
  debian12: ['DSA-5514-1', 'CVE-2023-4911'],
  rocky9: ['RLSA-2023:5455', 'RLSA-2024:4312', 'RLSA-2024:2447', 'CVE-2024-6387'],
  alpine320: ['CVE-2024-6119', 'CVE-2024-5535', 'CVE-2024-4741', 'CVE-2023-42363', 'ALPINE-CVE-2024-6119'],
};

let work: string;
let fresh: string;

function outboard(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'buffer', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function unpack(gz: string, name: string): string {
  const img = join(work, `${name}-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(img, gunzipSync(readFileSync(gz)));
  return img;
}

function rpmList(dbdir: string): string[] {
  const r = run('rpm', ['--dbpath', dbdir, '-qa', '--qf', QF]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('gpg-pubkey\t'))
    .sort();
}

function inventoryList(img: string): string[] {
  const r = outboard('inventory', img, '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  const inv = JSON.parse(r.stdout.toString()) as {
    packages: { format: string; name: string; version: string; arch?: string }[];
  };
  expect(inv.packages.every((p) => p.format === 'rpm')).toBe(true);
  return inv.packages
    .map((p) => `${p.name}\t${p.version.includes(':') ? p.version : `0:${p.version}`}\t${p.arch ?? '(none)'}`)
    .sort();
}

function advisoryIds(img: string, feedsDir: string): { ids: Set<string>; findings: number } {
  const r = outboard('scan', img, ...FEEDS.flatMap((f) => ['--feed', join(feedsDir, f)]), '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  const result = JSON.parse(r.stdout.toString()) as {
    assessable: boolean;
    findings: { advisories: { id: string; aliases: string[] }[] }[];
  };
  expect(result.assessable).toBe(true);
  return {
    ids: new Set(result.findings.flatMap((f) => f.advisories.flatMap((a) => [a.id, ...a.aliases]))),
    findings: result.findings.length,
  };
}

describe('the demo estate', () => {
  beforeAll(() => {
    requireTools(
      'rpm',
      'rpmbuild',
      'sfdisk',
      'mke2fs',
      'debugfs',
      'mkfs.xfs',
      'losetup',
      'pvcreate',
      'xz',
      'gzip',
    );
    work = mkdtempSync(join(tmpdir(), 'ob-demo-sys-'));
    fresh = join(work, 'fresh');
    const r = spawnSync('bash', [join(ROOT, 'scripts/demo/build-estate.sh'), fresh], {
      encoding: 'utf8',
      env: { ...process.env, DEMO_RPMDB_DIR: join(work, 'rpmdb') },
    });
    expect(r.status, `build-estate.sh failed:\n${r.stderr}`).toBe(0);
    expect(r.stderr).toBe('');
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('committed Rocky image: outboard inventory equals rpm -qa of its rpmdb', () => {
    const img = unpack(join(DEMO, 'estate/rocky9.img.gz'), 'rocky9');
    const db = join(work, 'committed-rpmdb');
    mkdirSync(db);
    const cat = outboard('image', 'cat', img, '/var/lib/rpm/rpmdb.sqlite');
    expect(cat.code, cat.stderr).toBe(0);
    writeFileSync(join(db, 'rpmdb.sqlite'), cat.stdout);
    const expected = rpmList(db);
    expect(expected.length).toBeGreaterThanOrEqual(20);
    expect(expected).toContain('openssl-libs\t1:3.0.7-24.el9\tx86_64');
    expect(inventoryList(img)).toEqual(expected);
  });

  it('fresh Rocky image: outboard inventory equals rpm -qa of the rpmdb the build left', () => {
    const img = unpack(join(fresh, 'estate/rocky9.img.gz'), 'rocky9-fresh');
    expect(inventoryList(img)).toEqual(rpmList(join(work, 'rpmdb')));
  });

  it('rebuilds the Debian and Alpine images and the feeds byte for byte, all commit-sized', () => {
    for (const name of ['debian12', 'alpine320'])
      expect(
        readFileSync(join(fresh, `estate/${name}.img.gz`)).equals(
          readFileSync(join(DEMO, `estate/${name}.img.gz`)),
        ),
        name,
      ).toBe(true);
    const diff = run('diff', ['-r', join(DEMO, 'feeds'), join(fresh, 'feeds')]);
    expect(diff.code, diff.stdout).toBe(0);
    let total = 0;
    for (const name of Object.keys(EXPECTED)) {
      const size = statSync(join(fresh, `estate/${name}.img.gz`)).size;
      expect(size, name).toBeLessThanOrEqual(300 * 1024);
      total += size;
    }
    expect(total).toBeLessThanOrEqual(1024 * 1024);
  });

  for (const [name, ids] of Object.entries(EXPECTED)) {
    it(`fresh ${name} image scans with findings naming real advisories`, () => {
      const scanned = advisoryIds(unpack(join(fresh, `estate/${name}.img.gz`), name), join(fresh, 'feeds'));
      expect(scanned.findings).toBeGreaterThan(0);
      for (const id of ids) expect(scanned.ids, id).toContain(id);
    });
  }
});
