/**
 * The acceptance check, end to end through the CLI: `outboard inventory` on an ext4 image
 * packed by `mke2fs -d` must list exactly the packages `dpkg-query --admindir` lists as installed
 * for the same dpkg database — this machine's real /var/lib/dpkg/status, alone and with pending
 * updates/ records (which dpkg-query applies, as dpkg does after an interrupted run).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../shared/inventory/types.ts';
import { requireTools, run } from '../support/system-tools.ts';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/inventory/', import.meta.url).pathname;
/** dpkg's states in which a package's files are on disk and configured: what the inventory counts. */
const INSTALLED_STATES = new Set(['installed', 'triggers-pending', 'triggers-awaited']);

function outboard(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The oracle: dpkg-query's own reading of the database, `name\tversion\tarch` per installed instance. */
function dpkgQuery(admindir: string): string[] {
  const r = run('dpkg-query', [
    `--admindir=${admindir}`,
    '-W',
    '-f',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format syntax
    '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n',
  ]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .filter(([state]) => INSTALLED_STATES.has(state!))
    .map(([, name, version, arch]) => `${name}\t${version}\t${arch}`)
    .sort();
}

function image(tree: string): string {
  const img = `${tree}.img`;
  const mk = run('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', tree, img, '64M']);
  expect(mk.code, mk.stderr).toBe(0);
  return img;
}

function tree(withUpdates: boolean): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ob-inventory-')), 'root');
  mkdirSync(join(dir, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(dir, 'etc'));
  copyFileSync('/var/lib/dpkg/status', join(dir, 'var/lib/dpkg/status'));
  copyFileSync(join(FIXTURES, 'os/debian12/etc/os-release'), join(dir, 'etc/os-release'));
  if (withUpdates)
    cpSync(join(FIXTURES, 'debian12/updates'), join(dir, 'var/lib/dpkg/updates'), { recursive: true });
  return dir;
}

describe('outboard inventory equals dpkg-query for the same dpkg database', () => {
  beforeAll(() => requireTools('dpkg-query', 'mke2fs'));

  for (const withUpdates of [false, true]) {
    it(`this machine's /var/lib/dpkg/status${withUpdates ? ' with pending updates/ records' : ''}`, () => {
      const root = tree(withUpdates);
      const want = dpkgQuery(join(root, 'var/lib/dpkg'));
      expect(want.length).toBeGreaterThan(50);
      const inv = JSON.parse(outboard('inventory', image(root), '--format', 'json')) as Inventory;
      const got = inv.packages.map((p) => `${p.name}\t${p.version}\t${p.arch}`).sort();
      expect(got).toEqual(want);
      expect(inv.packages.every((p) => p.format === 'dpkg')).toBe(true);
      expect(inv.os).toMatchObject({ id: 'debian', ecosystem: 'Debian:12' });
      if (withUpdates) {
        expect(got).toContain('hello\t2.10-3\tamd64');
        expect(inv.notes.join('\n')).toMatch(/zstd.*half-installed/);
      }
    });
  }

  it('the same packages as CycloneDX components and as table rows', () => {
    const root = tree(true);
    const want = dpkgQuery(join(root, 'var/lib/dpkg'));
    const img = image(root);
    const bom = JSON.parse(outboard('inventory', img, '--format', 'cyclonedx'));
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(
      bom.components.map((c: { name: string; version: string }) => `${c.name}\t${c.version}`).sort(),
    ).toEqual(want.map((l) => l.split('\t').slice(0, 2).join('\t')).sort());
    const table = outboard('inventory', img);
    expect(table).toContain(`${want.length} package(s)`);
  });
});
