export { ExtFileSystem } from './ext-fs.ts';
export { probeExt } from './probe.ts';
