/**
 * Image files to a guest view, and what the CLI shows of them: `image info`, `image files`,
 * `image cat`. Everything is read through the layers; nothing is mounted and nothing is written.
 */
import { createHash } from 'node:crypto';
import { openImageFile } from './containers/index.ts';
import { type OpenedGuest, openGuest } from './guest/open-guest.ts';
import { FILESYSTEM_PROBES } from './probes.ts';
import type { Container, FileSystem, FsNode } from './types.ts';
import { listVolumes } from './volumes.ts';

export interface OpenedImages {
  containers: Container[];
  guest: OpenedGuest;
  close(): Promise<void>;
}

export async function openImages(paths: string[]): Promise<OpenedImages> {
  const containers: Container[] = [];
  try {
    for (const path of paths) containers.push(await openImageFile(path));
    const guest = await openGuest(containers, { listVolumes, probes: FILESYSTEM_PROBES });
    return {
      containers,
      guest,
      close: async () => {
        await Promise.all(containers.map((c) => c.close()));
      },
    };
  } catch (error) {
    await Promise.all(containers.map((c) => c.close()));
    throw error;
  }
}

export function describeImages(paths: string[], opened: OpenedImages) {
  const { guest } = opened;
  return {
    disks: opened.containers.map((c, i) => ({ path: paths[i], ...c.info })),
    partitionTables: guest.tables.map((t) => ({
      scheme: t.scheme,
      sectorSize: t.sectorSize,
      ...(t.diskId ? { diskId: t.diskId } : {}),
      partitions: t.partitions,
      notes: t.notes,
    })),
    volumes: guest.volumes.map((v) => ({
      id: v.volume.id,
      kind: v.volume.kind,
      size: v.volume.source.size,
      ...(v.fs ? { filesystem: v.fs.info } : {}),
      ...(v.problem ? { problem: v.problem } : {}),
      ...(v.mountPoint ? { mountPoint: v.mountPoint } : {}),
    })),
    ...(guest.rootVolumeId ? { rootVolume: guest.rootVolumeId } : {}),
    ...(guest.osRelease ? { os: guest.osRelease } : {}),
    needsRecovery: guest.needsRecovery.map((n) => n.volumeId),
    notes: guest.notes,
  };
}

/** SHA-256 of a file, read through its filesystem in 1 MiB pieces. */
export async function hashNode(fs: FileSystem, node: FsNode): Promise<string> {
  const hash = createHash('sha256');
  const chunk = 1024 * 1024;
  for (let offset = 0; offset < node.size; offset += chunk) {
    hash.update(await fs.read(node, offset, Math.min(chunk, node.size - offset)));
  }
  return hash.digest('hex');
}

export interface FileLine {
  path: string;
  size: number;
  sha256?: string;
}

/** Every regular file of the guest, sorted by path (byte order), with its hash if asked. */
export async function listGuestFiles(
  opened: OpenedImages,
  options: { hash?: 'sha256' } = {},
): Promise<FileLine[]> {
  const view = opened.guest.view;
  if (!view) return [];
  const files: { path: string; fs: FileSystem; node: FsNode }[] = [];
  for await (const entry of view.walk('/')) {
    if (entry.node.type === 'file') files.push({ path: entry.path, fs: entry.mount.fs, node: entry.node });
  }
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const out: FileLine[] = [];
  for (const f of files) {
    out.push({
      path: f.path,
      size: f.node.size,
      ...(options.hash ? { sha256: await hashNode(f.fs, f.node) } : {}),
    });
  }
  return out;
}
