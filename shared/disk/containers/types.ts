import type { ByteSource } from '../types.ts';

/** A file a container names (backing file, VMDK extent), as the resolver found it. */
export interface ResolvedFile {
  source: ByteSource;
  /** Where it was found (absolute path or another unique key); used to base further names and find loops. */
  path?: string;
}

/**
 * Finds a file an image names: a qcow2 backing file, a VMDK parent or extent. `relativeTo` is the
 * path of the image that names it (when known). Answer a plain source or one with its path.
 */
export type ResolveFile = (name: string, relativeTo?: string) => Promise<ByteSource | ResolvedFile>;

export interface OpenContainerOptions {
  /** Opens backing files and extents; without it, images that name other files are refused. */
  resolveBacking?: ResolveFile;
  /** Path (or key) of this image: the base of relative names and the start of loop detection. */
  path?: string;
  /** Longest backing chain (default 16). */
  maxBackingDepth?: number;
  /** Bytes of L2 / grain tables each image keeps cached (default 8 MiB). */
  tableCacheBytes?: number;
  /** Open as this format instead of probing (a qcow2 backing file whose format the image names). */
  format?: 'raw' | 'qcow2' | 'vmdk';
  /** @internal The images already open above this one in a backing chain. */
  chain?: readonly string[];
}

export function toResolved(file: ByteSource | ResolvedFile): ResolvedFile {
  return 'source' in file ? file : { source: file };
}
