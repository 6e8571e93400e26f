import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectKernels,
  GRUB_NEXT_ENTRY,
  GRUB_SAVED_ENTRY,
  parseGrubCfg,
  resolveGrubEntry,
  shellWords,
} from '../../../shared/inventory/kernels.ts';
import type { InstalledPackage } from '../../../shared/inventory/types.ts';
import { FIXTURES, memFiles, treeEntries } from './mem-files.ts';

const boot = (name: string) => treeEntries(join(FIXTURES, 'boot', name));
const pkg = (
  format: InstalledPackage['format'],
  name: string,
  version: string,
  arch?: string,
): InstalledPackage => ({
  format,
  name,
  version,
  ...(arch ? { arch } : {}),
  source: { name },
  evidence: { file: '/db', collector: 'test' },
});
const summary = (ks: { release: string; bootDefault: boolean; package?: string }[]) =>
  ks.map((k) => `${k.release}${k.package ? ` (${k.package})` : ''}${k.bootDefault ? ' *' : ''}`);

const debianFiles = (extra: Record<string, string> = {}) =>
  memFiles({
    ...boot('debian12'),
    '/boot/vmlinuz-6.1.0-28-amd64': 'kernel',
    '/boot/vmlinuz-6.1.0-25-amd64': 'kernel',
    '/lib/modules/6.1.0-28-amd64/modules.dep': '',
    '/lib/modules/6.1.0-25-amd64/modules.dep': '',
    ...extra,
  });
const debianPackages = [
  pkg('dpkg', 'linux-image-6.1.0-28-amd64', '6.1.119-1', 'amd64'),
  pkg('dpkg', 'linux-image-6.1.0-25-amd64', '6.1.106-3', 'amd64'),
  pkg('dpkg', 'linux-image-amd64', '6.1.119-1', 'amd64'),
];

describe('kernels and the default boot entry', () => {
  it('Debian GRUB: saved_entry in grubenv names a submenu entry', async () => {
    const r = await collectKernels(debianFiles(), debianPackages);
    expect(summary(r.kernels)).toEqual([
      '6.1.0-25-amd64 (linux-image-6.1.0-25-amd64) *',
      '6.1.0-28-amd64 (linux-image-6.1.0-28-amd64)',
    ]);
    expect(r.kernels[0]!.evidence).toEqual({
      file: '/boot/vmlinuz-6.1.0-25-amd64',
      collector: 'kernel-image',
    });
    expect(r.notes).toEqual([]);
  });

  it('Debian GRUB without a saved entry: entry 0', async () => {
    const files = debianFiles({ '/boot/grub/grubenv': `# GRUB Environment Block\n${'#'.repeat(1000)}` });
    const r = await collectKernels(files, debianPackages);
    expect(r.kernels.find((k) => k.bootDefault)?.release).toBe('6.1.0-28-amd64');
  });

  it('GRUB with set default="1>2" and by title', async () => {
    const cfg = (d: string) =>
      `set default="${d}"\nmenuentry 'A' { linux /boot/vmlinuz-6.1.0-28-amd64 }\nsubmenu 'More' {\n menuentry 'B' {\n linux /boot/vmlinuz-6.1.0-28-amd64\n }\n menuentry 'C' --id c-id {\n linux /vmlinuz-6.1.0-25-amd64 ro\n }\n}\n`;
    for (const d of ['1>1', 'More>C', '1>c-id']) {
      const r = await collectKernels(
        debianFiles({ '/boot/grub/grub.cfg': cfg(d), '/boot/grub/grubenv': '' }),
        debianPackages,
      );
      expect(r.kernels.find((k) => k.bootDefault)?.release, d).toBe('6.1.0-25-amd64');
    }
    const missing = await collectKernels(debianFiles({ '/boot/grub/grub.cfg': cfg('7') }), debianPackages);
    expect(missing.kernels.some((k) => k.bootDefault)).toBe(false);
    expect(missing.notes.join()).toMatch(/default "7" names no menu entry/);
  });

  it('RHEL 9: BLS entries with saved_entry in /boot/grub2/grubenv; kernel-core packages', async () => {
    const files = memFiles({
      ...boot('rhel9'),
      '/boot/vmlinuz-5.14.0-427.13.1.el9_4.x86_64': 'k',
      '/boot/vmlinuz-5.14.0-362.8.1.el9_3.x86_64': 'k',
      '/boot/vmlinuz-0-rescue-0f1e2d3c4b5a69788796a5b4c3d2e1f0': 'k',
      '/usr/lib/modules/5.14.0-427.13.1.el9_4.x86_64/vmlinuz': 'k',
      '/usr/lib/modules/5.14.0-362.8.1.el9_3.x86_64/vmlinuz': 'k',
      '/lib': { symlink: 'usr/lib' },
    });
    const r = await collectKernels(files, [
      pkg('rpm', 'kernel', '5.14.0-427.13.1.el9_4', 'x86_64'),
      pkg('rpm', 'kernel-core', '5.14.0-427.13.1.el9_4', 'x86_64'),
      pkg('rpm', 'kernel-core', '5.14.0-362.8.1.el9_3', 'x86_64'),
      pkg('rpm', 'kernel-tools', '5.14.0-427.13.1.el9_4', 'x86_64'),
    ]);
    expect(summary(r.kernels)).toEqual([
      '5.14.0-362.8.1.el9_3.x86_64 (kernel-core) *',
      '5.14.0-427.13.1.el9_4.x86_64 (kernel-core)',
    ]);
    expect(r.notes).toEqual([]);
  });

  it('RHEL 9 without saved_entry: no default guessed, and a note', async () => {
    const files = memFiles({
      ...boot('rhel9'),
      '/boot/grub2/grubenv': '# GRUB Environment Block\n',
      '/boot/vmlinuz-5.14.0-427.13.1.el9_4.x86_64': 'k',
    });
    const r = await collectKernels(files, []);
    expect(r.kernels.map((k) => k.bootDefault)).toEqual([false]);
    expect(r.notes.join()).toMatch(/no saved_entry/);
  });

  it('systemd-boot: loader.conf default glob on the ESP, kernel-install entries', async () => {
    const files = memFiles({
      ...boot('systemd-boot'),
      '/lib/modules/6.1.0-28-amd64/modules.dep': '',
      '/lib/modules/6.1.0-25-amd64/modules.dep': '',
    });
    const r = await collectKernels(files, debianPackages);
    expect(summary(r.kernels)).toEqual([
      '6.1.0-25-amd64 (linux-image-6.1.0-25-amd64) *',
      '6.1.0-28-amd64 (linux-image-6.1.0-28-amd64)',
    ]);
  });

  it('systemd-boot @saved: not decided', async () => {
    const files = memFiles({
      ...boot('systemd-boot'),
      '/boot/efi/loader/loader.conf': 'default @saved\n',
      '/lib/modules/6.1.0-28-amd64/modules.dep': '',
    });
    const r = await collectKernels(files, []);
    expect(r.kernels.some((k) => k.bootDefault)).toBe(false);
    expect(r.notes.join()).toMatch(/EFI variable/);
  });

  it('Alpine extlinux: MENU DEFAULT label, flavour-named image, linux-lts package', async () => {
    const files = memFiles({
      ...boot('alpine'),
      '/boot/vmlinuz-lts': 'k',
      '/lib/modules/6.6.54-0-lts/modules.dep': '',
    });
    const r = await collectKernels(files, [
      pkg('apk', 'linux-lts', '6.6.54-r0', 'x86_64'),
      pkg('apk', 'linux-firmware', '20240909-r0'),
    ]);
    expect(summary(r.kernels)).toEqual(['6.6.54-0-lts (linux-lts) *']);
    expect(r.kernels[0]!.evidence.file).toBe('/boot/vmlinuz-lts');
  });

  it('no bootloader configuration: nothing is default, and a note says so', async () => {
    const r = await collectKernels(memFiles({ '/boot/vmlinuz-6.1.0-28-amd64': 'k' }), []);
    expect(summary(r.kernels)).toEqual(['6.1.0-28-amd64']);
    expect(r.notes).toEqual(['no bootloader configuration names a default kernel']);
  });

  it('a leftover modules directory is listed with a note; containers have no kernels and no notes', async () => {
    const r = await collectKernels(memFiles({ '/lib/modules/5.10.0-9-amd64/extra/x.ko': '' }), []);
    expect(r.kernels.map((k) => k.evidence.collector)).toEqual(['kernel-modules']);
    expect(r.notes.join()).toMatch(/only a modules directory/);
    expect(await collectKernels(memFiles({ '/etc/os-release': 'ID=debian' }), [])).toEqual({
      kernels: [],
      notes: [],
    });
  });

  it('a default that names a kernel that is not installed is a note', async () => {
    const files = memFiles({
      '/boot/grub/grub.cfg': "menuentry 'x' {\n linux /boot/vmlinuz-6.9.9-1-amd64\n}\n",
      '/boot/vmlinuz-6.1.0-28-amd64': 'k',
    });
    const r = await collectKernels(files, []);
    expect(r.notes.join()).toMatch(/starts kernel 6\.9\.9-1-amd64, which is not installed/);
  });

  it('refuses a grub.cfg whose braces do not balance', async () => {
    expect(parseGrubCfg("menuentry 'x' {\n linux /vmlinuz-1.2\n")).toBeUndefined();
    expect(parseGrubCfg('}\n')).toBeUndefined();
    const r = await collectKernels(
      memFiles({ '/boot/grub/grub.cfg': "menuentry 'x' {\n", '/boot/vmlinuz-6.1.0-28-amd64': 'k' }),
      [],
    );
    expect(r.notes.join()).toMatch(/could not be parsed/);
  });
});

describe('grub.cfg pieces', () => {
  it('shell words: quotes and escapes as grub-mkconfig writes them', () => {
    expect(shellWords(`menuentry 'Debian, it'\\''s' --class x $menuentry_id_option "a\\"b" {`)).toEqual([
      'menuentry',
      "Debian, it's",
      '--class',
      'x',
      '$menuentry_id_option',
      'a"b',
      '{',
    ]);
    expect(shellWords("menuentry 'unterminated")).toBeUndefined();
  });

  it('menu tree of a real Debian grub.cfg', () => {
    const cfg = treeEntries(join(FIXTURES, 'boot/debian12'))['/boot/grub/grub.cfg']!;
    const parsed = parseGrubCfg(new TextDecoder().decode(cfg))!;
    expect(parsed.defaults).toEqual([GRUB_NEXT_ENTRY, GRUB_SAVED_ENTRY]);
    expect(parsed.items.map((i) => i.kind)).toEqual(['menuentry', 'submenu', 'menuentry']);
    expect(parsed.items[1]!.items).toHaveLength(4);
    expect(resolveGrubEntry(parsed.items, '1>2')?.kernel).toBe('/boot/vmlinuz-6.1.0-25-amd64');
    expect(resolveGrubEntry(parsed.items, 'uefi-firmware')?.kernel).toBeUndefined();
  });
});
