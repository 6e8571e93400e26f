/**
 * A whole guest, as an installer would lay it out, built without root: disk 0 has a GPT with an
 * EFI system partition (FAT32), /boot (ext4) and the root (XFS, with /etc/fstab); disk 1 is a bare
 * ext4 filesystem for /var. The guest view must find the root by its contents and mount the rest
 * by UUID and LABEL, across both disks, as raw and as qcow2.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools, run } from '../../support/system-tools.ts';

const BIN = new URL('../../../bin/outboard.ts', import.meta.url).pathname;
const MiB = 1024 * 1024;

function outboard(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * MiB });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(r: { code: number | null; stderr: string }, what: string) {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr}`);
}

/** Copies `src` into `disk` at byte `offset` without truncating it. */
function place(src: string, disk: string, offset: number) {
  const data = readFileSync(src);
  const fd = openSync(disk, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('a guest with root, /boot, /boot/efi and /var on two disks', () => {
  let dir: string;
  let disk0: string;
  let disk1: string;

  beforeAll(() => {
    requireTools('sfdisk', 'mkfs.vfat', 'mcopy', 'mke2fs', 'mkfs.xfs', 'qemu-img');
    dir = mkdtempSync(join(tmpdir(), 'ob-guest-'));
    disk0 = join(dir, 'disk0.img');
    disk1 = join(dir, 'disk1.img');
    must(run('truncate', ['-s', '512M', disk0]), 'truncate');
    const layout = [
      'label: gpt',
      'start=2048, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI System Partition"',
      'start=133120, size=65536, type=0FC63DAF-8483-4772-8E69-3D69D8477DE4, name="boot"',
      'start=198656, size=655360, type=0FC63DAF-8483-4772-8E69-3D69D8477DE4, name="root"',
      '',
    ].join('\n');
    const sf = spawnSync('sfdisk', ['--quiet', disk0], { input: layout, encoding: 'utf8' });
    if (sf.status !== 0) throw new Error(sf.stderr);

    // EFI system partition: FAT32 made in its own file (files copied with mtools), then placed.
    const esp = join(dir, 'esp.img');
    must(
      run('mkfs.vfat', ['-F', '32', '-s', '1', '-n', 'ESP', '-i', '1234ABCD', '-C', esp, String(131072 / 2)]),
      'mkfs.vfat',
    );
    must(run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']), 'mmd');
    writeFileSync(join(dir, 'BOOTX64.EFI'), Buffer.alloc(70_000, 0x4d));
    must(run('mcopy', ['-i', esp, join(dir, 'BOOTX64.EFI'), '::/EFI/BOOT/BOOTX64.EFI']), 'mcopy');
    place(esp, disk0, 2048 * 512);
    rmSync(esp);

    // /boot: ext4 written in place with -E offset.
    const boot = join(dir, 'boot');
    mkdirSync(join(boot, 'grub2'), { recursive: true });
    writeFileSync(join(boot, 'vmlinuz-6.1.0-13-amd64'), Buffer.alloc(300_000, 0x6b));
    writeFileSync(join(boot, 'grub2/grub.cfg'), 'set default=0\n');
    must(
      run('mke2fs', [
        '-q',
        '-F',
        '-t',
        'ext4',
        '-U',
        '11111111-2222-3333-4444-555555555555',
        '-E',
        `offset=${133120 * 512}`,
        '-d',
        boot,
        disk0,
        `${65536 / 2}k`,
      ]),
      'mke2fs /boot',
    );

    // Root: XFS made in its own file by mkfs.xfs -p, then placed at the partition's offset.
    const proto = [
      'root',
      '0 0',
      'd--755 0 0',
      'etc d--755 0 0',
      `fstab ---644 0 0 ${join(dir, 'fstab')}`,
      'os-release l--777 0 0 ../usr/lib/os-release',
      '$',
      'usr d--755 0 0',
      'lib d--755 0 0',
      `os-release ---644 0 0 ${join(dir, 'os-release')}`,
      '$',
      '$',
      'boot d--755 0 0',
      '$',
      'var d--755 0 0',
      '$',
      '$',
      '',
    ].join('\n');
    writeFileSync(
      join(dir, 'fstab'),
      [
        'UUID=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee /     xfs  defaults 0 0',
        'UUID=11111111-2222-3333-4444-555555555555 /boot ext4 defaults 1 2',
        'UUID=1234-ABCD /boot/efi vfat umask=0077,shortname=winnt 0 2',
        'LABEL=vardata /var ext4 defaults 0 2',
        '/dev/mapper/vg-swap none swap sw 0 0',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'os-release'),
      'NAME="Test Linux"\nID=testlinux\nVERSION_ID="9.4"\nPRETTY_NAME="Test Linux 9.4"\n',
    );
    writeFileSync(join(dir, 'root.proto'), proto);
    const rootImg = join(dir, 'root.xfs');
    must(run('truncate', ['-s', `${655360 * 512}`, rootImg]), 'truncate root');
    must(
      run('mkfs.xfs', [
        '-q',
        '-f',
        '-m',
        'uuid=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        '-p',
        join(dir, 'root.proto'),
        rootImg,
      ]),
      'mkfs.xfs',
    );
    place(rootImg, disk0, 198656 * 512);
    rmSync(rootImg);

    // Disk 1: a bare ext4 filesystem (no partition table) labelled for /var.
    const varTree = join(dir, 'var');
    mkdirSync(join(varTree, 'log'), { recursive: true });
    mkdirSync(join(varTree, 'lib/dpkg'), { recursive: true });
    writeFileSync(join(varTree, 'log/messages'), 'Nov 26 13:00:00 guest kernel: hello\n');
    writeFileSync(join(varTree, 'lib/dpkg/status'), 'Package: bash\nStatus: install ok installed\n');
    must(
      run('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'vardata', '-d', varTree, disk1, '64M']),
      'mke2fs /var',
    );
  });

  for (const format of ['raw', 'qcow2'] as const) {
    it(`mounts every volume where /etc/fstab says (${format})`, () => {
      const [d0, d1] =
        format === 'raw'
          ? [disk0, disk1]
          : [disk0, disk1].map((d) => {
              must(run('qemu-img', ['convert', '-O', 'qcow2', d, `${d}.qcow2`]), 'qemu-img');
              return `${d}.qcow2`;
            });
      const info = outboard(['image', 'info', d0!, d1!, '--json']);
      expect(info.stderr).toBe('');
      const parsed = JSON.parse(info.stdout) as {
        volumes: { id: string; mountPoint?: string; filesystem?: { kind: string } }[];
        rootVolume: string;
        os: Record<string, string>;
      };
      expect(parsed.rootVolume).toBe('disk0p3');
      expect(parsed.os.PRETTY_NAME).toBe('Test Linux 9.4');
      const mounts = Object.fromEntries(
        parsed.volumes
          .filter((v) => v.mountPoint)
          .map((v) => [v.mountPoint, `${v.id}:${v.filesystem?.kind}`]),
      );
      expect(mounts).toEqual({
        '/': 'disk0p3:xfs',
        '/boot': 'disk0p2:ext4',
        '/boot/efi': 'disk0p1:vfat',
        '/var': 'disk1:ext4',
      });

      const files = outboard(['image', 'files', d0!, d1!]);
      expect(files.code).toBe(0);
      expect(files.stdout.split('\n').filter(Boolean)).toEqual([
        '/boot/efi/EFI/BOOT/BOOTX64.EFI\t70000',
        '/boot/grub2/grub.cfg\t14',
        '/boot/vmlinuz-6.1.0-13-amd64\t300000',
        `/etc/fstab\t${readFileSync(join(dir, 'fstab')).length}`,
        `/usr/lib/os-release\t${readFileSync(join(dir, 'os-release')).length}`,
        '/var/lib/dpkg/status\t43',
        '/var/log/messages\t36',
      ]);
      const cat = outboard(['image', 'cat', d0!, '/var/lib/dpkg/status', '--disk', d1!]);
      expect(cat.stdout).toBe('Package: bash\nStatus: install ok installed\n');
    });
  }
});
