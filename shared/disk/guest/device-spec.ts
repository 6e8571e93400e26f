/**
 * Which volume an fstab spec names: UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-(uuid|label|…) links,
 * LVM device paths (/dev/mapper/vg-lv, /dev/vg/lv) and kernel device names (/dev/sda2, /dev/vdb1,
 * /dev/xvda1, /dev/nvme0n1p2), the last by disk order and partition number.
 */
export interface VolumeIdentity {
  /** The volume's id: disk0, disk0p2, lvm:vg/lv. */
  id: string;
  uuid?: string;
  label?: string;
  partUuid?: string;
  partLabel?: string;
  lvm?: { vg: string; lv: string };
  /** Disk index and partition number (0 for a whole disk). */
  disk?: number;
  partition?: number;
}

function unhex(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** LVM doubles dashes inside names in /dev/mapper paths: vg--data-lv--root is vg-data / lv-root. */
function splitMapperName(name: string): { vg: string; lv: string } | undefined {
  const m = /^((?:[^-]|--)+)-((?:[^-]|--)+)$/.exec(name);
  if (!m) return undefined;
  return { vg: m[1]!.replaceAll('--', '-'), lv: m[2]!.replaceAll('--', '-') };
}

const KERNEL_DISK = /^\/dev\/(?:(?:s|v|xv|h)d([a-z]+)(\d*)|nvme(\d+)n1(?:p(\d+))?|mmcblk(\d+)(?:p(\d+))?)$/;

function diskIndex(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

export function matchSpec(spec: string, volumes: VolumeIdentity[]): VolumeIdentity | undefined {
  const eq = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
  const byLink = /^\/dev\/disk\/by-(uuid|label|partuuid|partlabel)\/(.+)$/.exec(spec);
  const [kind, value] = eq
    ? [eq[1]!.toLowerCase(), eq[2]!.replace(/^"(.*)"$/, '$1')]
    : byLink
      ? [byLink[1]!, unhex(byLink[2]!)]
      : [undefined, undefined];
  if (kind && value !== undefined) {
    const v = value.toLowerCase();
    return volumes.find((vol) => {
      if (kind === 'uuid') return vol.uuid?.toLowerCase() === v;
      if (kind === 'label') return vol.label === value;
      if (kind === 'partuuid') return vol.partUuid?.toLowerCase() === v;
      return vol.partLabel === value;
    });
  }
  const mapper = /^\/dev\/mapper\/(.+)$/.exec(spec);
  const vglv = mapper ? splitMapperName(mapper[1]!) : /^\/dev\/([^/]+)\/([^/]+)$/.exec(spec);
  if (vglv) {
    const [vg, lv] = Array.isArray(vglv) ? [vglv[1]!, vglv[2]!] : [vglv.vg, vglv.lv];
    const found = volumes.find((vol) => vol.lvm?.vg === vg && vol.lvm?.lv === lv);
    if (found) return found;
  }
  const k = KERNEL_DISK.exec(spec);
  if (k) {
    const disk = k[1] ? diskIndex(k[1]) : Number(k[3] ?? k[5]);
    const part = Number(k[2] || k[4] || k[6] || 0);
    return volumes.find((vol) => vol.disk === disk && (vol.partition ?? 0) === part);
  }
  return undefined;
}
