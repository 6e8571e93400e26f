import type { ByteSource } from '../../types.ts';
import type { Superblock } from './superblock.ts';

/** What every reader below the filesystem object needs: the volume and its geometry. */
export interface XfsContext {
  source: ByteSource;
  sb: Superblock;
}
