export { decodeExtent } from './bmap.ts';
export { probeXfs } from './probe.ts';
export { parseSuperblock, type Superblock } from './superblock.ts';
export { XfsFileSystem } from './xfs-fs.ts';
