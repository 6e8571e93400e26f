/**
 * From a guest's disks to its files: find every volume, probe each for a filesystem, pick the root
 * by its contents (the filesystem that holds /etc/os-release), and mount the others where the root's
 * /etc/fstab says, matching UUID=, LABEL=, PARTUUID=, PARTLABEL= and device paths.
 */
import type {
  ByteSource,
  FileSystem,
  FileSystemInfo,
  FileSystemProbe,
  PartitionTable,
  Volume,
} from '../types.ts';
import { DiskFormatError } from '../types.ts';
import { matchSpec, type VolumeIdentity } from './device-spec.ts';
import { emptyRoot } from './empty-root.ts';
import { parseFstab } from './fstab.ts';
import { GuestPathError, GuestView, type Mount } from './guest-view.ts';
import { parseOsRelease } from './os-release.ts';

export interface ProbedVolume {
  volume: Volume;
  identity: VolumeIdentity;
  fs?: FileSystem;
  /** Why no filesystem was found, or why the one found could not be read. */
  problem?: string;
  mountPoint?: string;
}

export interface OpenedGuest {
  view?: GuestView;
  volumes: ProbedVolume[];
  tables: PartitionTable[];
  rootVolumeId?: string;
  osRelease?: Record<string, string>;
  /** Filesystems whose journal or log was not replayed: what is read from them may lack the last writes. */
  needsRecovery: { volumeId: string; info: FileSystemInfo }[];
  notes: string[];
}

export interface OpenGuestOptions {
  listVolumes: (
    disks: ByteSource[],
  ) => Promise<{ volumes: Volume[]; tables: PartitionTable[]; notes: string[] }>;
  probes: FileSystemProbe[];
}

function identityOf(
  volume: Volume,
  fs: FileSystem | undefined,
  diskIndex: number | undefined,
): VolumeIdentity {
  return {
    id: volume.id,
    ...(fs?.info.uuid ? { uuid: fs.info.uuid } : {}),
    ...(fs?.info.label ? { label: fs.info.label } : {}),
    ...(volume.partition?.partUuid ? { partUuid: volume.partition.partUuid } : {}),
    ...(volume.partition?.name ? { partLabel: volume.partition.name } : {}),
    ...(volume.lvm ? { lvm: { vg: volume.lvm.vg, lv: volume.lvm.lv } } : {}),
    ...(diskIndex !== undefined ? { disk: diskIndex, partition: volume.partition?.number ?? 0 } : {}),
  };
}

async function probe(
  volume: Volume,
  probes: FileSystemProbe[],
): Promise<{ fs?: FileSystem; problem?: string }> {
  for (const p of probes) {
    try {
      const fs = await p(volume.source);
      if (fs) return { fs };
    } catch (error) {
      if (error instanceof DiskFormatError) return { problem: error.message };
      throw error;
    }
  }
  return { problem: 'no filesystem recognised' };
}

async function exists(view: GuestView, path: string): Promise<boolean> {
  try {
    await view.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof GuestPathError) return false;
    throw error;
  }
}

export async function openGuest(disks: ByteSource[], options: OpenGuestOptions): Promise<OpenedGuest> {
  const { volumes, tables, notes } = await options.listVolumes(disks);
  const probed: ProbedVolume[] = [];
  for (const volume of volumes) {
    const { fs, problem } = await probe(volume, options.probes);
    const diskMatch = /^disk(\d+)/.exec(volume.id);
    const identity = identityOf(
      volume,
      fs,
      volume.kind === 'lvm' || !diskMatch ? undefined : Number(diskMatch[1]),
    );
    probed.push({ volume, identity, ...(fs ? { fs } : {}), ...(problem ? { problem } : {}) });
  }
  const result: OpenedGuest = {
    volumes: probed,
    tables,
    needsRecovery: probed.flatMap((p) =>
      p.fs?.info.needsRecovery ? [{ volumeId: p.volume.id, info: p.fs.info }] : [],
    ),
    notes: [...notes],
  };

  // The root is the filesystem holding /etc/os-release (a file or a link, e.g. into a separate /usr),
  // else one with /etc/fstab; never chosen by partition name or flag.
  let root: ProbedVolume | undefined;
  for (const marker of ['/etc/os-release', '/usr/lib/os-release', '/etc/fstab']) {
    for (const p of probed) {
      if (!p.fs || root) continue;
      const alone = new GuestView([{ mountPoint: '/', volumeId: p.volume.id, fs: p.fs }]);
      if (await exists(alone, marker)) root = p;
    }
    if (root) break;
  }
  if (!root) {
    const readable = probed.filter((p) => p.fs);
    if (readable.length === 1) {
      // A data disk or a bare filesystem image: its one filesystem is the whole view.
      const only = readable[0]!;
      only.mountPoint = '/';
      result.view = new GuestView([{ mountPoint: '/', volumeId: only.volume.id, fs: only.fs! }]);
      result.notes.push(`no volume holds an OS; ${only.volume.id} is shown at /`);
    } else if (readable.length > 1) {
      const mounts: Mount[] = [{ mountPoint: '/', volumeId: '(none)', fs: emptyRoot }];
      for (const p of readable) {
        p.mountPoint = `/${p.volume.id.replace(/[/:]/g, '_')}`;
        mounts.push({ mountPoint: p.mountPoint, volumeId: p.volume.id, fs: p.fs! });
      }
      result.view = new GuestView(mounts);
      result.notes.push('no volume holds an OS; every filesystem is shown at /<volume id> (: and / as _)');
    } else {
      result.notes.push('no volume holds /etc/os-release or /etc/fstab, and no filesystem was readable');
    }
    return result;
  }
  root.mountPoint = '/';
  result.rootVolumeId = root.volume.id;
  const mounts: Mount[] = [{ mountPoint: '/', volumeId: root.volume.id, fs: root.fs! }];
  const rootOnly = new GuestView(mounts);
  let fstabText: string | undefined;
  try {
    fstabText = new TextDecoder().decode(await rootOnly.readFile('/etc/fstab', { maxBytes: 1024 * 1024 }));
  } catch (error) {
    if (!(error instanceof GuestPathError)) throw error;
    result.notes.push(`no readable /etc/fstab (${error.code}): only the root filesystem is mounted`);
  }
  if (fstabText !== undefined) {
    const { entries, skipped } = parseFstab(fstabText);
    result.notes.push(...skipped.map((s) => `/etc/fstab ${s}`));
    const identities = probed.map((p) => p.identity);
    for (const entry of entries) {
      if (entry.mountPoint === '/') continue;
      const id = matchSpec(entry.spec, identities);
      const target = probed.find((p) => p.volume.id === id?.id);
      if (!target?.fs) {
        result.notes.push(
          `/etc/fstab line ${entry.line}: ${entry.spec} on ${entry.mountPoint} not found among the volumes`,
        );
        continue;
      }
      if (mounts.some((m) => m.mountPoint === entry.mountPoint)) continue;
      target.mountPoint = entry.mountPoint;
      mounts.push({ mountPoint: entry.mountPoint, volumeId: target.volume.id, fs: target.fs });
    }
  }
  result.view = new GuestView(mounts);
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const text = new TextDecoder().decode(await result.view.readFile(path, { maxBytes: 64 * 1024 }));
      result.osRelease = parseOsRelease(text);
      break;
    } catch (error) {
      if (!(error instanceof GuestPathError)) throw error;
    }
  }
  return result;
}
