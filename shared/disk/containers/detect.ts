import { type ByteSource, type Container, DiskFormatError } from '../types.ts';
import { startsWith, view } from './bytes.ts';
import { openQcow2 } from './qcow2.ts';
import { QCOW2_MAGIC } from './qcow2-header.ts';
import { RawContainer } from './raw.ts';
import type { OpenContainerOptions } from './types.ts';
import { openDescriptorVmdk, openSparseVmdk } from './vmdk.ts';
import { looksLikeDescriptor } from './vmdk-descriptor.ts';
import { VMDK_MAGIC } from './vmdk-sparse.ts';

export type ContainerFormat = 'raw' | 'qcow2' | 'vmdk-sparse' | 'vmdk-descriptor';

/** Formats we recognise but do not read: better a clear refusal than reading them as a raw disk. */
const REFUSED: { magic: string; at: number; name: string }[] = [
  { magic: 'vhdxfile', at: 0, name: 'VHDX' },
  { magic: 'conectix', at: 0, name: 'dynamic VHD' },
  { magic: '<<< Oracle VM VirtualBox Disk Image >>>', at: 0, name: 'VDI' },
  { magic: '<<< Sun xVM VirtualBox Disk Image >>>', at: 0, name: 'VDI' },
  { magic: 'COWD', at: 0, name: 'VMware ESX sparse (COWD)' },
];

/** Which container format a source holds, judged from its first bytes. */
export async function detectContainer(source: ByteSource): Promise<ContainerFormat> {
  const head = await source.read(0, Math.min(source.size, 1024));
  if (head.length >= 4) {
    const dv = view(head);
    if (dv.getUint32(0, false) === QCOW2_MAGIC) return 'qcow2';
    if (dv.getUint32(0, true) === VMDK_MAGIC) return 'vmdk-sparse';
  }
  if (source.size <= 1024 * 1024 && looksLikeDescriptor(head)) return 'vmdk-descriptor';
  for (const r of REFUSED) {
    if (r.name && startsWith(head, r.magic, r.at)) {
      throw new DiskFormatError('container', `${r.name} images are not supported`, r.at);
    }
  }
  return 'raw';
}

/**
 * Opens the virtual disk a source holds: qcow2, VMDK (sparse, streamOptimized, descriptor with
 * extents) or raw (anything else). On success the container owns the source and closes it.
 */
export async function openContainer(
  source: ByteSource,
  options: OpenContainerOptions = {},
): Promise<Container> {
  const format = options.format ?? (await detectContainer(source));
  switch (format) {
    case 'raw':
      return new RawContainer(source);
    case 'qcow2':
      return openQcow2(source, options, openContainer);
    case 'vmdk': {
      const detected = await detectContainer(source);
      if (detected === 'vmdk-sparse') return openSparseVmdk(source, options, openContainer);
      if (detected === 'vmdk-descriptor') return openDescriptorVmdk(source, options, openContainer);
      throw new DiskFormatError('vmdk', 'not a VMDK (no sparse header or descriptor)', 0);
    }
    case 'vmdk-sparse':
      return openSparseVmdk(source, options, openContainer);
    case 'vmdk-descriptor':
      return openDescriptorVmdk(source, options, openContainer);
  }
}
