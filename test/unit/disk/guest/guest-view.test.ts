import { describe, expect, it } from 'vitest';
import { GuestPathError, GuestView } from '../../../../shared/disk/guest/guest-view.ts';
import { MemFs } from '../../../support/mem-fs.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function guest() {
  const root = new MemFs({
    etc: {
      'os-release': { symlink: '../usr/lib/os-release' },
      passwd: 'root:x:0:0',
      escape: { symlink: '../../../../../../var/secret' },
      absolute: { symlink: '/var/secret' },
      loop1: { symlink: 'loop2' },
      loop2: { symlink: 'loop1' },
      dangling: { symlink: '/nope' },
    },
    usr: {},
    var: { 'on-root-fs': 'hidden by the /var mount' },
    boot: { efi: {} },
  });
  const usr = new MemFs({ lib: { 'os-release': 'ID=rhel\nVERSION_ID="9.4"\n' }, bin: { sh: 'ELF' } });
  const varFs = new MemFs({
    secret: 's3cret',
    lib: { dpkg: { status: 'Package: bash' } },
    up: { symlink: '..' },
  });
  const efi = new MemFs({ EFI: { BOOT: { 'BOOTX64.EFI': new Uint8Array([1, 2, 3]) } } }, { kind: 'vfat' });
  return new GuestView([
    { mountPoint: '/', volumeId: 'lvm:rhel/root', fs: root },
    { mountPoint: '/usr', volumeId: 'lvm:rhel/usr', fs: usr },
    { mountPoint: '/var', volumeId: 'disk0p3', fs: varFs },
    { mountPoint: '/boot/efi', volumeId: 'disk0p1', fs: efi },
  ]);
}

describe('GuestView', () => {
  it('follows a relative symlink across a mount point', async () => {
    const g = guest();
    expect(text(await g.readFile('/etc/os-release'))).toContain('ID=rhel');
    const r = await g.resolve('/etc/os-release');
    expect(r.path).toBe('/usr/lib/os-release');
    expect(r.mount.volumeId).toBe('lvm:rhel/usr');
  });

  it('reads from the mounted filesystem, not the directory under it', async () => {
    const g = guest();
    expect(text(await g.readFile('/var/lib/dpkg/status'))).toBe('Package: bash');
    await expect(g.stat('/var/on-root-fs')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never escapes the guest root through .. or absolute symlinks', async () => {
    const g = guest();
    const escaped = await g.resolve('/etc/escape');
    expect(escaped.path).toBe('/var/secret');
    expect((await g.resolve('/etc/absolute')).path).toBe('/var/secret');
    expect((await g.resolve('/../../..')).path).toBe('/');
    expect((await g.resolve('/var/up/etc/passwd')).path).toBe('/etc/passwd');
    expect((await g.resolve('/var/lib/../../../../etc/passwd')).path).toBe('/etc/passwd');
  });

  it('detects symlink loops and bounds the number of follows', async () => {
    const g = guest();
    await expect(g.stat('/etc/loop1')).rejects.toMatchObject({ code: 'ELOOP' });
    expect((await g.lstat('/etc/loop1')).type).toBe('symlink');
    expect(await g.readlink('/etc/loop1')).toBe('loop2');
  });

  it('reports missing files, non-directories and relative paths clearly', async () => {
    const g = guest();
    await expect(g.stat('/etc/dangling')).rejects.toBeInstanceOf(GuestPathError);
    await expect(g.stat('/etc/passwd/x')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(g.stat('etc/passwd')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.readFile('/etc')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(g.readFile('/etc/passwd', { maxBytes: 3 })).rejects.toMatchObject({ code: 'EFBIG' });
  });

  it('streams a file', async () => {
    const g = guest();
    const chunks: Buffer[] = [];
    for await (const c of g.createReadStream('/boot/efi/EFI/BOOT/BOOTX64.EFI', { chunkSize: 2 }))
      chunks.push(c as Buffer);
    expect(chunks.map((c) => [...c])).toEqual([[1, 2], [3]]);
  });

  it('walks every filesystem in sorted order, crossing mounts, without following symlinks', async () => {
    const g = guest();
    const paths: string[] = [];
    for await (const e of g.walk('/')) paths.push(`${e.path}${e.node.type === 'dir' ? '/' : ''}`);
    expect(paths).toContain('/boot/efi/EFI/BOOT/BOOTX64.EFI');
    expect(paths).toContain('/usr/lib/os-release');
    expect(paths).toContain('/var/lib/dpkg/status');
    expect(paths).not.toContain('/var/on-root-fs');
    expect(paths.filter((p) => p.startsWith('/var/up'))).toEqual(['/var/up']);
    expect(paths.indexOf('/boot/')).toBeLessThan(paths.indexOf('/etc/'));
  });
});
