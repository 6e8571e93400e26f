/** The one error archive readers throw: the archive's structure is broken or uses what is not supported. */
import type { ArchiveFormat } from './types.ts';

/**
 * A zip, gzip or tar whose structure cannot be walked: names the format, the archive's path, the byte
 * offset of the problem (when there is one) and says that its members were not extracted.
 */
export class ArchiveFormatError extends Error {
  override name = 'ArchiveFormatError';
  readonly format: ArchiveFormat | 'archive';
  readonly path: string;
  readonly offset: number | undefined;
  constructor(
    format: ArchiveFormat | 'archive',
    path: string,
    message: string,
    offset?: number,
    options?: ErrorOptions,
  ) {
    super(`${format} ${path}${offset === undefined ? '' : ` at offset ${offset}`}: ${message}`, options);
    this.format = format;
    this.path = path;
    this.offset = offset;
  }
}
