/** A damaged or unsupported rpm database file (not a header blob: those raise RpmHeaderError). */
export class RpmdbFormatError extends Error {
  /** Byte offset in the database file where the problem is. */
  readonly offset: number;
  constructor(format: string, message: string, offset: number) {
    super(`${format}: ${message} (offset ${offset})`);
    this.name = 'RpmdbFormatError';
    this.offset = offset;
  }
}

/** One header blob read from an rpm database, with the key it was stored under. */
export interface RpmdbBlob {
  /** The header instance number (sqlite hnum, BDB key, ndb pkgidx). */
  instance: number;
  blob: Uint8Array;
}

/** What a database reader returns: the blobs it could read and notes about what it could not. */
export interface RpmdbRead {
  blobs: RpmdbBlob[];
  notes: string[];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
