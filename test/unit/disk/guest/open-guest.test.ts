import { describe, expect, it } from 'vitest';
import { openGuest } from '../../../../shared/disk/guest/open-guest.ts';
import { parseOsRelease } from '../../../../shared/disk/guest/os-release.ts';
import type { ByteSource, FileSystem, Volume } from '../../../../shared/disk/types.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';
import { MemFs } from '../../../support/mem-fs.ts';

const nothing: ByteSource = { size: 0, read: async () => new Uint8Array(), close: async () => undefined };

function fixture(fstab: string, options: { rootNeedsRecovery?: boolean } = {}) {
  const filesystems = new Map<ByteSource, FileSystem>();
  const vol = (id: string, fs: FileSystem | undefined, extra: Partial<Volume> = {}): Volume => {
    const source: ByteSource = { ...nothing };
    if (fs) filesystems.set(source, fs);
    return { id, source, kind: 'partition', ...extra };
  };
  const efi = new MemFs(
    { EFI: { BOOT: { 'BOOTX64.EFI': 'x' } } },
    { kind: 'vfat', uuid: 'ABCD-1234', label: 'EFI' },
  );
  const boot = new MemFs(
    { 'vmlinuz-6.1': 'kernel', grub2: { 'grub.cfg': 'menu' } },
    { kind: 'xfs', uuid: 'b00t' },
  );
  const root = new MemFs(
    {
      etc: { fstab, 'os-release': { symlink: '../usr/lib/os-release' } },
      usr: {
        lib: { 'os-release': 'ID="rocky"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n' },
      },
      boot: {},
      var: {},
    },
    { kind: 'xfs', uuid: 'r00t', needsRecovery: options.rootNeedsRecovery ?? false },
  );
  const varFs = new MemFs({ log: { messages: 'hello' } }, { kind: 'ext4', uuid: 'v4r', label: 'var' });
  const volumes = [
    vol('disk0p1', efi, {
      partition: {
        number: 1,
        offset: 0,
        size: 1,
        scheme: 'gpt',
        type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
        partUuid: 'p-efi',
        name: 'EFI System Partition',
      },
    }),
    vol('disk0p2', boot, {
      partition: { number: 2, offset: 0, size: 1, scheme: 'gpt', type: 'x', partUuid: 'p-boot' },
    }),
    vol('disk0p3', undefined, {
      partition: {
        number: 3,
        offset: 0,
        size: 1,
        scheme: 'gpt',
        type: 'e6d6d379-f507-44c2-a23c-238f2a3df928',
      },
    }),
    vol('lvm:rl/root', root, { kind: 'lvm', lvm: { vg: 'rl', lv: 'root', uuid: 'u' } }),
    vol('disk1', varFs, { kind: 'disk' }),
  ];
  const probe = async (source: ByteSource) => {
    if (source === volumes[2]!.source) throw new DiskFormatError('xfs', 'bad superblock magic', 0);
    return filesystems.get(source);
  };
  return { listVolumes: async () => ({ volumes, tables: [], notes: [] }), probes: [probe] };
}

describe('openGuest', () => {
  it('finds the root by its contents and mounts what /etc/fstab names', async () => {
    const fstab = [
      '/dev/mapper/rl-root / xfs defaults 0 0',
      'UUID=b00t /boot xfs defaults 0 0',
      'UUID=ABCD-1234 /boot/efi vfat umask=0077 0 2',
      'LABEL=var /var ext4 defaults 0 2',
      'UUID=gone /srv xfs defaults,nofail 0 0',
      '/dev/mapper/rl-swap none swap defaults 0 0',
    ].join('\n');
    const g = await openGuest([nothing, nothing], fixture(fstab));
    expect(g.rootVolumeId).toBe('lvm:rl/root');
    expect(g.osRelease).toMatchObject({ ID: 'rocky', VERSION_ID: '9.4' });
    expect(
      Object.fromEntries(g.volumes.filter((v) => v.mountPoint).map((v) => [v.mountPoint, v.volume.id])),
    ).toEqual({
      '/': 'lvm:rl/root',
      '/boot': 'disk0p2',
      '/boot/efi': 'disk0p1',
      '/var': 'disk1',
    });
    expect(new TextDecoder().decode(await g.view!.readFile('/var/log/messages'))).toBe('hello');
    expect((await g.view!.stat('/boot/efi/EFI/BOOT/BOOTX64.EFI')).type).toBe('file');
    expect(g.notes.some((n) => n.includes('UUID=gone'))).toBe(true);
    expect(g.volumes.find((v) => v.volume.id === 'disk0p3')?.problem).toMatch(
      /xfs at offset 0: bad superblock magic/,
    );
  });

  it('reports filesystems whose journal was not replayed', async () => {
    const g = await openGuest([nothing], fixture('', { rootNeedsRecovery: true }));
    expect(g.needsRecovery.map((n) => n.volumeId)).toEqual(['lvm:rl/root']);
  });

  it('says so when no volume holds a filesystem', async () => {
    const f = fixture('');
    const g = await openGuest([nothing], { ...f, probes: [async () => undefined] });
    expect(g.view).toBeUndefined();
    expect(g.notes.join()).toMatch(/no filesystem was readable/);
  });

  it('shows a lone filesystem without an OS at /, and several at /<volume id>', async () => {
    const data = new MemFs({ 'a.txt': 'a' });
    const other = new MemFs({ 'b.txt': 'b' });
    const src = (n: number): ByteSource => ({ ...nothing, size: n });
    const one = src(1);
    const two = src(2);
    const fsOf = new Map<ByteSource, FileSystem>([
      [one, data],
      [two, other],
    ]);
    const single = await openGuest([one], {
      listVolumes: async () => ({
        volumes: [{ id: 'disk0', source: one, kind: 'disk' }],
        tables: [],
        notes: [],
      }),
      probes: [async (s) => fsOf.get(s)],
    });
    expect(new TextDecoder().decode(await single.view!.readFile('/a.txt'))).toBe('a');
    const both = await openGuest([one, two], {
      listVolumes: async () => ({
        volumes: [
          { id: 'disk0', source: one, kind: 'disk' },
          { id: 'disk1', source: two, kind: 'disk' },
        ],
        tables: [],
        notes: [],
      }),
      probes: [async (s) => fsOf.get(s)],
    });
    const paths: string[] = [];
    for await (const e of both.view!.walk('/')) paths.push(e.path);
    expect(paths).toEqual(['/', '/disk0', '/disk0/a.txt', '/disk1', '/disk1/b.txt']);
  });
});

describe('parseOsRelease', () => {
  it('reads quoted, unquoted and escaped values and ignores junk', () => {
    expect(
      parseOsRelease(
        'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID=\'12\'\nX="a \\"b\\""\nnot a line\n# c\n',
      ),
    ).toEqual({
      NAME: 'Debian GNU/Linux',
      ID: 'debian',
      VERSION_ID: '12',
      X: 'a "b"',
    });
  });
});
