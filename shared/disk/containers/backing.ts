import { type ByteSource, type Container, DiskFormatError } from '../types.ts';
import { type OpenContainerOptions, type ResolvedFile, toResolved } from './types.ts';

export type Opener = (source: ByteSource, options: OpenContainerOptions) => Promise<Container>;

export const DEFAULT_MAX_DEPTH = 16;

/** The chain of images open so far, this one included. */
export function chainOf(options: OpenContainerOptions): readonly string[] {
  return options.chain ?? (options.path ? [options.path] : []);
}

/**
 * Opens a file an image names as its backing file (or VMDK parent), as a container, checking the chain
 * for depth and loops. `at` is where the name is stored in the image, for errors.
 */
export async function openBacking(
  open: Opener,
  layer: string,
  name: string,
  format: OpenContainerOptions['format'],
  options: OpenContainerOptions,
  at: number,
): Promise<Container> {
  const resolve = options.resolveBacking;
  if (!resolve)
    throw new DiskFormatError(layer, `needs backing file "${name}" but no resolver was given`, at);
  const chain = chainOf(options);
  const maxDepth = options.maxBackingDepth ?? DEFAULT_MAX_DEPTH;
  if (chain.length > maxDepth) {
    throw new DiskFormatError(layer, `backing chain is deeper than ${maxDepth} (${chain.join(' -> ')})`, at);
  }
  const resolved = toResolved(await resolve(name, options.path));
  const key = resolved.path ?? name;
  if (chain.includes(key)) {
    await resolved.source.close();
    throw new DiskFormatError(layer, `backing file loop: ${[...chain, key].join(' -> ')}`, at);
  }
  try {
    return await open(resolved.source, {
      ...options,
      path: key,
      format,
      chain: [...chain, key],
    });
  } catch (error) {
    await resolved.source.close();
    throw error;
  }
}

/** Opens a file an image names as plain bytes (a VMDK extent). */
export async function openExtentFile(
  layer: string,
  name: string,
  options: OpenContainerOptions,
  at: number,
): Promise<ResolvedFile> {
  const resolve = options.resolveBacking;
  if (!resolve) throw new DiskFormatError(layer, `needs extent file "${name}" but no resolver was given`, at);
  return toResolved(await resolve(name, options.path));
}
