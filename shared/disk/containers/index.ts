export { type ContainerFormat, detectContainer, openContainer } from './detect.ts';
export { type OpenImageFileOptions, openImageFile } from './image-file.ts';
export { RawContainer } from './raw.ts';
export type { OpenContainerOptions, ResolvedFile, ResolveFile } from './types.ts';
