import { describe, expect, it } from 'vitest';
import { matchSpec, type VolumeIdentity } from '../../../../shared/disk/guest/device-spec.ts';
import { parseFstab } from '../../../../shared/disk/guest/fstab.ts';

const FSTAB = `
# /etc/fstab: static file system information.
/dev/mapper/rhel-root   /                       xfs     defaults        0 0
UUID=7f1c-aa02          /boot/efi               vfat    umask=0077,shortname=winnt 0 2
LABEL=var               /var                    ext4    defaults        0 2
PARTUUID=0b7e5e3c-0f3b-4b8e-9c1e-3a8a7d2f7c11 /srv xfs defaults 0 0
/dev/vdb1               /data\\040disk            ext4    defaults,nofail 0 2
/dev/mapper/rhel-swap   none                    swap    defaults        0 0
proc                    /proc                   proc    defaults        0 0
tmpfs                   /tmp                    tmpfs   size=1G         0 0
/srv/export             /mnt/bind               none    bind            0 0
server:/export          /mnt/nfs                nfs     defaults        0 0
broken-line
`;

describe('parseFstab', () => {
  it('keeps local filesystems, decodes octal escapes and skips swap, pseudo, network and bind mounts', () => {
    const { entries, skipped } = parseFstab(FSTAB);
    expect(entries.map((e) => [e.spec, e.mountPoint, e.type])).toEqual([
      ['/dev/mapper/rhel-root', '/', 'xfs'],
      ['UUID=7f1c-aa02', '/boot/efi', 'vfat'],
      ['LABEL=var', '/var', 'ext4'],
      ['PARTUUID=0b7e5e3c-0f3b-4b8e-9c1e-3a8a7d2f7c11', '/srv', 'xfs'],
      ['/dev/vdb1', '/data disk', 'ext4'],
    ]);
    expect(skipped).toEqual(['line 13: fewer than 3 fields']);
  });
});

describe('matchSpec', () => {
  const volumes: VolumeIdentity[] = [
    { id: 'disk0p1', disk: 0, partition: 1, uuid: '7F1C-AA02', partUuid: 'aaaa-1' },
    { id: 'disk0p2', disk: 0, partition: 2, partUuid: '0b7e5e3c-0f3b-4b8e-9c1e-3a8a7d2f7c11' },
    { id: 'lvm:rhel/root', lvm: { vg: 'rhel', lv: 'root' }, uuid: 'u-root' },
    { id: 'lvm:vg-data/lv-home', lvm: { vg: 'vg-data', lv: 'lv-home' } },
    { id: 'disk1p1', disk: 1, partition: 1, label: 'var' },
    { id: 'disk2', disk: 2, partition: 0, label: 'My Data' },
  ];
  it.each([
    ['UUID=7f1c-aa02', 'disk0p1'],
    ['UUID="u-root"', 'lvm:rhel/root'],
    ['LABEL=var', 'disk1p1'],
    ['/dev/disk/by-label/My\\x20Data', 'disk2'],
    ['PARTUUID=0B7E5E3C-0F3B-4B8E-9C1E-3A8A7D2F7C11', 'disk0p2'],
    ['/dev/mapper/rhel-root', 'lvm:rhel/root'],
    ['/dev/rhel/root', 'lvm:rhel/root'],
    ['/dev/mapper/vg--data-lv--home', 'lvm:vg-data/lv-home'],
    ['/dev/sda1', 'disk0p1'],
    ['/dev/vda2', 'disk0p2'],
    ['/dev/xvdb1', 'disk1p1'],
    ['/dev/nvme1n1p1', 'disk1p1'],
    ['/dev/sdc', 'disk2'],
  ])('%s names %s', (spec, id) => {
    expect(matchSpec(spec, volumes)?.id).toBe(id);
  });

  it('names nothing for an unknown spec', () => {
    expect(matchSpec('UUID=missing', volumes)).toBeUndefined();
    expect(matchSpec('/dev/sdz9', volumes)).toBeUndefined();
    expect(matchSpec('tmpfs', volumes)).toBeUndefined();
  });
});
