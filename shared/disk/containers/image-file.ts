import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FileSource, type FileSourceOptions } from '../block/file-source.ts';
import type { Container } from '../types.ts';
import { openContainer } from './detect.ts';
import type { OpenContainerOptions, ResolvedFile } from './types.ts';

export interface OpenImageFileOptions
  extends Pick<OpenContainerOptions, 'maxBackingDepth' | 'tableCacheBytes' | 'format'> {
  /** Cache and read-ahead of each file opened (the image, its backing files and extents). */
  file?: FileSourceOptions;
}

/**
 * Opens an image file on the local disk as a container. Backing files and extents it names are opened
 * relative to the directory of the file that names them (absolute names as they are), up to 16 deep,
 * with loops (by real path) refused.
 */
export async function openImageFile(path: string, options: OpenImageFileOptions = {}): Promise<Container> {
  const real = await realpath(path);
  const resolveBacking = async (name: string, relativeTo?: string): Promise<ResolvedFile> => {
    const base = relativeTo ? dirname(relativeTo) : dirname(real);
    const target = await realpath(isAbsolute(name) ? name : resolve(base, name));
    return { source: await FileSource.open(target, options.file), path: target };
  };
  const source = await FileSource.open(real, options.file);
  try {
    return await openContainer(source, { ...options, path: real, resolveBacking });
  } catch (error) {
    await source.close();
    throw error;
  }
}
