/**
 * /etc/fstab as the guest's init would read it: whitespace-separated fields, `#` comments, octal
 * escapes (`\040` for a space) in the spec and mount point. Only entries that mount a local
 * filesystem are returned; swap, pseudo and network filesystems and bind mounts are left out.
 */
export interface FstabEntry {
  spec: string;
  mountPoint: string;
  type: string;
  options: string[];
  line: number;
}

const NOT_LOCAL = new Set([
  'swap',
  'proc',
  'sysfs',
  'devpts',
  'tmpfs',
  'devtmpfs',
  'nfs',
  'nfs4',
  'cifs',
  'smbfs',
  'sshfs',
  'fuse',
  'cgroup',
  'cgroup2',
  'securityfs',
  'debugfs',
  'hugetlbfs',
  'mqueue',
  'efivarfs',
  'none',
  'auto.master',
  'autofs',
  'iso9660',
  'udf',
]);

function decodeOctalEscapes(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

export function parseFstab(text: string): { entries: FstabEntry[]; skipped: string[] } {
  const entries: FstabEntry[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    if (fields.length < 3) {
      skipped.push(`line ${index + 1}: fewer than 3 fields`);
      return;
    }
    const [spec, mountPoint, type, options = 'defaults'] = fields.map(decodeOctalEscapes) as [
      string,
      string,
      string,
      string?,
    ];
    const opts = options.split(',');
    if (NOT_LOCAL.has(type) || type.startsWith('fuse.') || opts.includes('bind') || opts.includes('rbind'))
      return;
    if (!mountPoint.startsWith('/')) {
      skipped.push(`line ${index + 1}: mount point "${mountPoint}" is not absolute`);
      return;
    }
    entries.push({ spec, mountPoint: normalizeMountPoint(mountPoint), type, options: opts, line: index + 1 });
  });
  return { entries, skipped };
}

function normalizeMountPoint(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}
