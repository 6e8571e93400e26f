import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectInventory } from '../../../shared/inventory/collect.ts';
import { FIXTURES, memFiles, treeEntries } from './mem-files.ts';

const fixture = (p: string) => new Uint8Array(readFileSync(join(FIXTURES, p)));
/** How many package instances dpkg-query lists as installed for the fixture database (status + updates). */
const INSTALLED = readFileSync(join(FIXTURES, 'debian12/dpkg-query.tsv'), 'utf8').match(
  /^installed\t/gm,
)!.length;
const STATUS_INSTALLED = new TextDecoder()
  .decode(fixture('debian12/status'))
  .match(/^Status: install ok installed$/gm)!.length;

describe('collectInventory', () => {
  it('a Debian 12 guest: OS, packages (status + updates), kernels with the GRUB default', async () => {
    const files = memFiles({
      ...treeEntries(join(FIXTURES, 'os/debian12')),
      ...treeEntries(join(FIXTURES, 'debian12'), '/var/lib/dpkg'),
      ...treeEntries(join(FIXTURES, 'boot/debian12')),
      '/boot/vmlinuz-6.1.0-28-amd64': 'k',
      '/boot/vmlinuz-6.1.0-25-amd64': 'k',
    });
    const inv = await collectInventory(files);
    expect(inv.os).toMatchObject({ id: 'debian', ecosystem: 'Debian:12' });
    expect(inv.packages.length).toBe(INSTALLED);
    expect(inv.packages.every((p) => p.format === 'dpkg')).toBe(true);
    expect(inv.kernels.map((k) => [k.release, k.bootDefault])).toEqual([
      ['6.1.0-25-amd64', true],
      ['6.1.0-28-amd64', false],
    ]);
    expect(inv.notes.join('\n')).toMatch(/half-installed/);
  });

  it('an Alpine guest: apk packages, extlinux default', async () => {
    const files = memFiles({
      ...treeEntries(join(FIXTURES, 'os/alpine320')),
      ...treeEntries(join(FIXTURES, 'boot/alpine')),
      '/lib/apk/db/installed': fixture('alpine/installed'),
      '/boot/vmlinuz-lts': 'k',
      '/lib/modules/6.6.54-0-lts/modules.dep': '',
    });
    const inv = await collectInventory(files);
    expect(inv.os?.ecosystem).toBe('Alpine:v3.20');
    expect(inv.packages.map((p) => p.name)).toEqual(['musl', 'busybox', 'libcrypto3', 'linux-lts']);
    expect(inv.kernels).toMatchObject([{ release: '6.6.54-0-lts', package: 'linux-lts', bootDefault: true }]);
    expect(inv.notes).toEqual([]);
  });

  it('an image with both dpkg and apk reports both, with a note', async () => {
    const files = memFiles({
      '/var/lib/dpkg/status': 'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n',
      '/lib/apk/db/installed': 'P:b\nV:1-r0\n',
    });
    const inv = await collectInventory(files);
    expect(inv.packages.map((p) => `${p.format}:${p.name}`)).toEqual(['dpkg:a', 'apk:b']);
    expect(inv.notes.join()).toMatch(/more than one package manager.*dpkg, apk/);
  });

  it('a collector that throws becomes a note; the rest of the inventory is kept', async () => {
    const files = memFiles({ '/etc/os-release': 'ID=debian\nVERSION_ID=12\n' });
    const inv = await collectInventory(files, {
      collectors: [
        {
          name: 'broken',
          collect: async () => {
            throw new Error('EIO: bad sector');
          },
        },
        { name: 'fine', collect: async () => ({ packages: [], notes: ['fine ran'] }) },
      ],
    });
    expect(inv.os?.id).toBe('debian');
    expect(inv.notes).toContain(
      'the broken packages could not be read, so the package inventory is incomplete: EIO: bad sector',
    );
    expect(inv.notes).toContain('fine ran');
  });

  it('a damaged status file: fewer packages only together with a note that says so', async () => {
    const status = new TextDecoder().decode(fixture('debian12/status'));
    const cut = status.indexOf('\nPackage: bash\n');
    const damaged = `${status.slice(0, cut + 1)}Package bash\n${status.slice(cut + '\nPackage: bash\n'.length)}`;
    const inv = await collectInventory(memFiles({ '/var/lib/dpkg/status': damaged }));
    expect(inv.packages.find((p) => p.name === 'bash')).toBeUndefined();
    expect(inv.packages.length).toBe(STATUS_INSTALLED - 1);
    expect(inv.notes.join()).toMatch(
      /1 stanza\(s\) could not be read, so the package inventory is incomplete/,
    );
  });

  it('an empty guest: no OS, nothing installed, a note', async () => {
    const inv = await collectInventory(memFiles({ '/srv/data': 'x' }));
    expect(inv).toEqual({
      packages: [],
      kernels: [],
      notes: ['no os-release or distribution release file found: the OS is unknown'],
    });
  });
});
