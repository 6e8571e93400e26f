import { describe, expect, it } from 'vitest';
import {
  formatInventory,
  formatTable,
  packageUrl,
  purlEncode,
  toCycloneDx,
} from '../../../shared/inventory/format.ts';
import type { InstalledPackage, Inventory, OsIdentity } from '../../../shared/inventory/types.ts';

const ev = { file: '/var/lib/dpkg/status', collector: 'dpkg-status' };
const debian: OsIdentity = {
  id: 'debian',
  versionId: '12',
  versionCodename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  idLike: [],
  ecosystem: 'Debian:12',
  evidence: { file: '/etc/os-release', collector: 'os-release' },
};
const deb = (
  name: string,
  version: string,
  arch: string,
  source: InstalledPackage['source'],
): InstalledPackage => ({
  format: 'dpkg',
  name,
  version,
  arch,
  source,
  evidence: ev,
});

describe('package URLs', () => {
  it('deb: vendor, arch, distro, upstream; + and @ percent-encoded, : kept', () => {
    expect(
      packageUrl(deb('bash', '5.2.15-2+b8', 'amd64', { name: 'bash', version: '5.2.15-2' }), debian),
    ).toBe('pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2');
    expect(
      packageUrl(
        deb('libssl3', '3.0.19-1~deb12u2', 'amd64', { name: 'openssl', version: '3.0.19-1~deb12u2' }),
        debian,
      ),
    ).toBe('pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl');
    expect(
      packageUrl(
        deb('zlib1g', '1:1.2.13.dfsg-1', 'amd64', { name: 'zlib', version: '1:1.2.13.dfsg-1' }),
        debian,
      ),
    ).toBe('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib');
    expect(packageUrl(deb('adduser', '3.134', 'all', { name: 'adduser', version: '3.134' }), debian)).toBe(
      'pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12',
    );
    const ubuntu = { ...debian, id: 'ubuntu', versionId: '22.04' };
    expect(
      packageUrl(
        deb('libc6', '2.35-0ubuntu3.8', 'amd64', { name: 'glibc', version: '2.35-0ubuntu3.8' }),
        ubuntu,
      ),
    ).toBe('pkg:deb/ubuntu/libc6@2.35-0ubuntu3.8?arch=amd64&distro=ubuntu-22.04&upstream=glibc');
  });

  it('rpm: epoch as a qualifier, vendor from the OS', () => {
    const rhel: OsIdentity = { id: 'rhel', versionId: '9.4', idLike: ['fedora'], evidence: debian.evidence };
    const p: InstalledPackage = {
      format: 'rpm',
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      source: { name: 'openssl', version: '1:3.0.7-27.el9' },
      evidence: { file: '/var/lib/rpm/rpmdb.sqlite', collector: 'rpmdb-sqlite' },
    };
    expect(packageUrl(p, rhel)).toBe(
      'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1',
    );
    expect(packageUrl({ ...p, version: '3.0.7-27.el9' }, { ...rhel, id: 'rocky' })).toBe(
      'pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.4',
    );
  });

  it('apk: alpine vendor and full release in distro', () => {
    const alpine: OsIdentity = { id: 'alpine', versionId: '3.20.3', idLike: [], evidence: debian.evidence };
    const p: InstalledPackage = {
      format: 'apk',
      name: 'libcrypto3',
      version: '3.3.2-r0',
      arch: 'x86_64',
      source: { name: 'openssl', version: '3.3.2-r0' },
      evidence: { file: '/lib/apk/db/installed', collector: 'apk-installed' },
    };
    expect(packageUrl(p, alpine)).toBe('pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3');
  });

  it('percent-encodes per the purl spec', () => {
    expect(purlEncode('a+b c/d@e?f#g&h=i:j~k.l_m-n')).toBe('a%2Bb%20c%2Fd%40e%3Ff%23g%26h%3Di:j~k.l_m-n');
    expect(purlEncode('é')).toBe('%C3%A9');
  });
});

const inv: Inventory = {
  os: debian,
  packages: [
    deb('bash', '5.2.15-2+b8', 'amd64', { name: 'bash', version: '5.2.15-2' }),
    deb('libc6', '2.36-9+deb12u9', 'amd64', { name: 'glibc', version: '2.36-9+deb12u9' }),
    deb('libc6', '2.36-9+deb12u9', 'i386', { name: 'glibc', version: '2.36-9+deb12u9' }),
  ],
  kernels: [
    { release: '6.1.0-28-amd64', package: 'linux-image-6.1.0-28-amd64', bootDefault: true, evidence: ev },
  ],
  notes: ['a note'],
};

describe('output formats', () => {
  it('table: aligned columns, kernels, notes', () => {
    const lines = formatTable(inv).split('\n');
    expect(lines[0]).toBe(
      'os: Debian GNU/Linux 12 (bookworm) (id debian, version 12, ecosystem Debian:12) from /etc/os-release',
    );
    expect(lines.slice(2, 6)).toEqual([
      'FORMAT  NAME   VERSION         ARCH   SOURCE',
      'dpkg    bash   5.2.15-2+b8     amd64  bash 5.2.15-2',
      'dpkg    libc6  2.36-9+deb12u9  amd64  glibc',
      'dpkg    libc6  2.36-9+deb12u9  i386   glibc',
    ]);
    expect(lines).toContain('KERNEL          PACKAGE                     DEFAULT');
    expect(lines).toContain('6.1.0-28-amd64  linux-image-6.1.0-28-amd64  yes');
    expect(lines[lines.length - 1]).toBe('note: a note');
  });

  it('json: the inventory itself', () => {
    expect(JSON.parse(formatInventory(inv, 'json'))).toEqual(inv);
  });

  it('CycloneDX 1.6', () => {
    const bom = toCycloneDx(inv, {
      serialNumber: '3e671687-395b-41f5-a30f-a58921a69b79',
      timestamp: '2024-01-01T00:00:00Z',
    });
    expect(bom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      metadata: {
        timestamp: '2024-01-01T00:00:00Z',
        component: {
          type: 'operating-system',
          name: 'debian',
          version: '12',
          description: 'Debian GNU/Linux 12 (bookworm)',
        },
      },
    });
    expect(bom.components.map((c) => [c.type, c.name, c.version, c.purl])).toEqual([
      [
        'library',
        'bash',
        '5.2.15-2+b8',
        'pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2',
      ],
      [
        'library',
        'libc6',
        '2.36-9+deb12u9',
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&distro=debian-12&upstream=glibc',
      ],
      [
        'library',
        'libc6',
        '2.36-9+deb12u9',
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=i386&distro=debian-12&upstream=glibc',
      ],
    ]);
    expect(new Set(bom.components.map((c) => c['bom-ref'])).size).toBe(3);
    const generated = JSON.parse(formatInventory(inv, 'cyclonedx'));
    expect(generated.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
