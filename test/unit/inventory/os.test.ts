import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecosystemCovers, identifyOs } from '../../../shared/inventory/os.ts';
import { FIXTURES, memFiles, treeEntries } from './mem-files.ts';

const guest = (name: string) => memFiles(treeEntries(join(FIXTURES, 'os', name)));

describe('identifyOs on real release files', () => {
  const cases = [
    ['debian12', 'debian', '12', 'Debian:12', '/etc/os-release'],
    ['ubuntu2204', 'ubuntu', '22.04', 'Ubuntu:22.04:LTS', '/etc/os-release'],
    ['ubuntu2404', 'ubuntu', '24.04', 'Ubuntu:24.04:LTS', '/usr/lib/os-release'],
    ['ubuntu2410', 'ubuntu', '24.10', 'Ubuntu:24.10', '/etc/os-release'],
    ['rhel9', 'rhel', '9.4', 'Red Hat:enterprise_linux:9', '/etc/os-release'],
    ['rocky9', 'rocky', '9.4', 'Rocky Linux:9', '/etc/os-release'],
    ['alma9', 'almalinux', '9.4', 'AlmaLinux:9', '/etc/os-release'],
    ['alpine320', 'alpine', '3.20.3', 'Alpine:v3.20', '/etc/os-release'],
  ] as const;
  for (const [dir, id, versionId, ecosystem, file] of cases) {
    it(`${dir}: ${ecosystem}`, async () => {
      const { os } = await identifyOs(guest(dir));
      expect(os).toMatchObject({ id, versionId, ecosystem, evidence: { file, collector: 'os-release' } });
    });
  }

  it('reads ID_LIKE, the codename and the pretty name', async () => {
    const { os } = await identifyOs(guest('rocky9'));
    expect(os?.idLike).toEqual(['rhel', 'centos', 'fedora']);
    expect(os?.prettyName).toBe('Rocky Linux 9.4 (Blue Onyx)');
    expect((await identifyOs(guest('ubuntu2204'))).os?.versionCodename).toBe('jammy');
  });

  it('CentOS 7 with only /etc/redhat-release: identified, but no ecosystem is guessed', async () => {
    const { os, notes } = await identifyOs(guest('centos7'));
    expect(os).toMatchObject({
      id: 'centos',
      versionId: '7.9.2009',
      evidence: { file: '/etc/redhat-release', collector: 'redhat-release' },
    });
    expect(os?.ecosystem).toBeUndefined();
    expect(notes.join('\n')).toMatch(/no advisory ecosystem is known for centos/);
  });

  it('Debian testing/sid has no numeric version: no ecosystem, and a note says so', async () => {
    const { os, notes } = await identifyOs(guest('debian-sid'));
    expect(os).toMatchObject({ id: 'debian', versionCodename: 'trixie' });
    expect(os?.versionId).toBeUndefined();
    expect(os?.ecosystem).toBeUndefined();
    expect(notes.join('\n')).toMatch(/testing or unstable/);
  });

  it('falls back to /etc/debian_version, /etc/alpine-release and the Red Hat release files', async () => {
    const deb = await identifyOs(memFiles({ '/etc/debian_version': '12.11\n' }));
    expect(deb.os).toMatchObject({ id: 'debian', versionId: '12.11', ecosystem: 'Debian:12' });
    const sid = await identifyOs(memFiles({ '/etc/debian_version': 'trixie/sid\n' }));
    expect(sid.os?.ecosystem).toBeUndefined();
    const alpine = await identifyOs(memFiles({ '/etc/alpine-release': '3.20.3\n' }));
    expect(alpine.os).toMatchObject({ id: 'alpine', ecosystem: 'Alpine:v3.20' });
    const rocky = await identifyOs(
      memFiles({
        '/etc/redhat-release': 'Rocky Linux release 9.4 (Blue Onyx)\n',
        '/etc/rocky-release': 'Rocky Linux release 9.4 (Blue Onyx)\n',
      }),
    );
    expect(rocky.os).toMatchObject({
      id: 'rocky',
      ecosystem: 'Rocky Linux:9',
      evidence: { file: '/etc/rocky-release' },
    });
    const alma = await identifyOs(
      memFiles({ '/etc/almalinux-release': 'AlmaLinux release 9.4 (Seafoam Ocelot)' }),
    );
    expect(alma.os?.ecosystem).toBe('AlmaLinux:9');
    const rhel7 = await identifyOs(
      memFiles({ '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)' }),
    );
    expect(rhel7.os).toMatchObject({ id: 'rhel', versionId: '7.9', ecosystem: 'Red Hat:enterprise_linux:7' });
  });

  it('Alpine edge and unknown distributions get no ecosystem', async () => {
    const edge = await identifyOs(
      memFiles({ '/etc/os-release': 'ID=alpine\nVERSION_ID=3.21_alpha20240807\n' }),
    );
    expect(edge.os?.ecosystem).toBeUndefined();
    const arch = await identifyOs(
      memFiles({ '/etc/os-release': 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n' }),
    );
    expect(arch.os).toMatchObject({ id: 'arch' });
    expect(arch.os?.ecosystem).toBeUndefined();
    expect(arch.notes.join()).toMatch(/no advisory ecosystem is known for arch/);
  });

  it('never implies Ubuntu Pro from a plain os-release', async () => {
    const { os } = await identifyOs(guest('ubuntu2204'));
    expect(os?.ecosystem).not.toMatch(/Pro/);
  });

  it('rejects what it does not understand and falls through to the next file', async () => {
    const junk = await identifyOs(
      memFiles({ '/etc/os-release': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 10, 0xff]) }),
    );
    expect(junk.os).toBeUndefined();
    expect(junk.notes.join('\n')).toMatch(/\/etc\/os-release: no KEY=value lines/);
    const badId = await identifyOs(
      memFiles({
        '/etc/os-release': 'ID="Not An ID"\n',
        '/usr/lib/os-release': 'ID=debian\nVERSION_ID="12"\n',
      }),
    );
    expect(badId.os).toMatchObject({ id: 'debian', evidence: { file: '/usr/lib/os-release' } });
    const badRelease = await identifyOs(memFiles({ '/etc/redhat-release': 'Something Linux 3000' }));
    expect(badRelease.os).toBeUndefined();
    expect(badRelease.notes.join('\n')).toMatch(/not a release line/);
    const none = await identifyOs(memFiles({ '/etc/hostname': 'x' }));
    expect(none.os).toBeUndefined();
    expect(none.notes.join()).toMatch(/OS is unknown/);
  });

  it('follows an /etc/os-release symlink to /usr/lib/os-release', async () => {
    const files = memFiles({
      '/etc/os-release': { symlink: '../usr/lib/os-release' },
      '/usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\n',
    });
    expect((await identifyOs(files)).os?.ecosystem).toBe('Ubuntu:24.04:LTS');
  });
});

describe('ecosystemCovers', () => {
  it('matches Red Hat repositories of the release, and nothing else loosely', () => {
    expect(ecosystemCovers('Red Hat:enterprise_linux:9', 'Red Hat:enterprise_linux:9::baseos')).toBe(true);
    expect(ecosystemCovers('Red Hat:enterprise_linux:9', 'Red Hat:enterprise_linux:9::appstream')).toBe(true);
    expect(ecosystemCovers('Red Hat:enterprise_linux:9', 'Red Hat:enterprise_linux:8::baseos')).toBe(false);
    expect(ecosystemCovers('Ubuntu:22.04:LTS', 'Ubuntu:Pro:22.04:LTS')).toBe(false);
    expect(ecosystemCovers('Debian:12', 'Debian:12')).toBe(true);
    expect(ecosystemCovers('Debian:1', 'Debian:12')).toBe(false);
  });
});
