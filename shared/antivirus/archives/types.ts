/**
 * What opening an archive yields: the members it holds (and those of archives nested in them), and the
 * members it could not open, each with the reason a scanner records for a file it did not scan.
 */

/** The container formats recognised by their magic bytes. A .tar.gz is a gzip holding a tar. */
export type ArchiveFormat = 'zip' | 'gzip' | 'tar';

/** Why a member was not scanned; a subset of the engine's not-scanned reasons, so they pass through. */
export type ArchiveSkipReason = 'too-large' | 'unreadable' | 'archive-limit' | 'zip-bomb' | 'encrypted';

/** One extracted member. Members that are archives themselves are yielded too, before their own members. */
export interface ArchiveEntry {
  readonly kind: 'entry';
  /** The member's path under the file's own: `outer.zip/inner/file.txt`, `x.tar.gz/x.tar/etc/passwd`. */
  readonly path: string;
  readonly data: Uint8Array;
  /** 1 for a member of the top-level file, 2 for a member of an archive inside it, and so on. */
  readonly depth: number;
  /** The format of the archive the member came from. */
  readonly container: ArchiveFormat;
}

/** A member, or a whole archive, that was not extracted, and why. */
export interface ArchiveSkip {
  readonly kind: 'not-scanned';
  /** The member's path, or the archive's when the whole of it (or the rest of it) was given up. */
  readonly path: string;
  readonly reason: ArchiveSkipReason;
  readonly detail: string;
}

export type ArchiveItem = ArchiveEntry | ArchiveSkip;

/** Where the bytes being expanded came from. */
export interface ArchiveMeta {
  /** The file's path, the prefix of every member path. */
  readonly path: string;
  /** How deep the bytes themselves are nested: 0 for a top-level file. */
  readonly depth?: number;
}
