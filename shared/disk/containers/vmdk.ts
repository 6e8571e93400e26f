import { ConcatSource } from '../block/concat-source.ts';
import { ZeroSource } from '../block/memory-source.ts';
import { SliceSource } from '../block/slice-source.ts';
import type { ByteSource, Container, ContainerInfo } from '../types.ts';
import { DiskFormatError } from '../types.ts';
import { type Opener, openBacking, openExtentFile } from './backing.ts';
import type { OpenContainerOptions } from './types.ts';
import { parseVmdkDescriptor, type VmdkDescriptor } from './vmdk-descriptor.ts';
import { readEmbeddedDescriptor, readSparseHeader, SparseExtent } from './vmdk-sparse.ts';

const LAYER = 'vmdk';
const SECTOR = 512;
const MAX_DESCRIPTOR = 1024 * 1024;

class VmdkContainer implements Container {
  readonly size: number;
  readonly info: ContainerInfo;
  readonly #disk: ByteSource;
  readonly #owned: ByteSource[];

  constructor(disk: ByteSource, details: ContainerInfo['details'], owned: ByteSource[]) {
    this.#disk = disk;
    this.size = disk.size;
    this.info = { format: 'vmdk', virtualSize: disk.size, details };
    this.#owned = owned;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.#disk.read(offset, length);
  }

  async close(): Promise<void> {
    await Promise.all([this.#disk.close(), ...this.#owned.map((s) => s.close())]);
  }
}

/** A parent (delta disks) as a source covering `size` bytes from `base`, zeros past its end. */
function parentWindow(parent: Container, base: number, size: number): ByteSource {
  const inside = Math.max(0, Math.min(size, parent.size - base));
  const window = new SliceSource(parent, Math.min(base, parent.size), inside);
  return inside === size ? window : new ConcatSource([window, new ZeroSource(size - inside)]);
}

async function openParent(d: VmdkDescriptor, options: OpenContainerOptions, open: Opener, at: number) {
  if (!d.parentFileNameHint) return undefined;
  return openBacking(open, LAYER, d.parentFileNameHint, 'vmdk', options, at);
}

/** Opens a VMDK whose file starts with a sparse extent header ("KDMV"): monolithicSparse, streamOptimized. */
export async function openSparseVmdk(
  source: ByteSource,
  options: OpenContainerOptions,
  open: Opener,
): Promise<Container> {
  const header = await readSparseHeader(source);
  const text = await readEmbeddedDescriptor(source, header);
  const descriptor =
    text === undefined ? undefined : parseVmdkDescriptor(text, header.descriptorOffset * SECTOR);
  const parent = descriptor
    ? await openParent(descriptor, options, open, header.descriptorOffset * SECTOR)
    : undefined;
  try {
    const extent = await SparseExtent.open(
      source,
      header,
      parent && parentWindow(parent, 0, header.capacity),
      options.tableCacheBytes,
    );
    const details: ContainerInfo['details'] = {
      createType: descriptor?.createType ?? (header.compressed ? 'streamOptimized' : 'monolithicSparse'),
      version: header.version,
      grainSize: header.grainSize * SECTOR,
      compressed: header.compressed,
      extents: 1,
    };
    if (descriptor?.parentFileNameHint) details.parentFileNameHint = descriptor.parentFileNameHint;
    return new VmdkContainer(extent, details, parent ? [parent] : []);
  } catch (error) {
    await parent?.close();
    throw error;
  }
}

/** Opens a VMDK descriptor file (monolithicFlat, twoGbMaxExtentFlat/Sparse, vmfs…): its extents, in order. */
export async function openDescriptorVmdk(
  source: ByteSource,
  options: OpenContainerOptions,
  open: Opener,
): Promise<Container> {
  if (source.size > MAX_DESCRIPTOR) throw new DiskFormatError(LAYER, 'descriptor file is too large', 0);
  const d = parseVmdkDescriptor(new TextDecoder().decode(await source.read(0, source.size)));
  if (d.extents.length === 0) throw new DiskFormatError(LAYER, 'descriptor lists no extents', 0);
  const opened: ByteSource[] = [];
  const parent = await openParent(d, options, open, 0);
  try {
    const parts: ByteSource[] = [];
    let base = 0;
    for (const e of d.extents) {
      const size = e.sectors * SECTOR;
      parts.push(await openExtent(e, size, base, parent, options, opened));
      base += size;
    }
    await source.close();
    const details: ContainerInfo['details'] = {
      createType: d.createType ?? 'unknown',
      extents: d.extents.length,
    };
    if (d.parentFileNameHint) details.parentFileNameHint = d.parentFileNameHint;
    return new VmdkContainer(new ConcatSource(parts), details, parent ? [parent] : []);
  } catch (error) {
    await Promise.all([...opened.map((s) => s.close()), parent?.close()]);
    throw error;
  }
}

async function openExtent(
  e: VmdkDescriptor['extents'][number],
  size: number,
  base: number,
  parent: Container | undefined,
  options: OpenContainerOptions,
  opened: ByteSource[],
): Promise<ByteSource> {
  if (e.type === 'ZERO') return new ZeroSource(size);
  if (!e.file) throw new DiskFormatError(LAYER, `${e.type} extent names no file`, 0);
  if (e.type === 'FLAT' || e.type === 'VMFS' || e.type === 'VMFSRAW' || e.type === 'VMFSRDM') {
    const file = (await openExtentFile(LAYER, e.file, options, 0)).source;
    opened.push(file);
    if (e.offset * SECTOR + size > file.size) {
      throw new DiskFormatError(LAYER, `extent file "${e.file}" is shorter than the descriptor says`, 0);
    }
    return new SliceSource(file, e.offset * SECTOR, size, { closeParent: true });
  }
  if (e.type === 'SPARSE') {
    const file = (await openExtentFile(LAYER, e.file, options, 0)).source;
    opened.push(file);
    const header = await readSparseHeader(file);
    if (header.capacity < size)
      throw new DiskFormatError(LAYER, `sparse extent "${e.file}" is smaller than the descriptor says`, 12);
    const extent = await SparseExtent.open(
      file,
      header,
      parent && parentWindow(parent, base, size),
      options.tableCacheBytes,
    );
    return new SliceSource(extent, 0, size, { closeParent: true });
  }
  throw new DiskFormatError(LAYER, `extent type ${e.type} is not supported`, 0);
}
