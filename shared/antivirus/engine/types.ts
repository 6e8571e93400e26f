/**
 * The anti-virus engine interface the rest of Outboard uses (scanner function, CLI, clamd adapter), and
 * the verdict shapes. A file the engine could not scan is `not-scanned` with a reason: callers must fail
 * closed and never count it as clean.
 */

/** One signature that matched a file. `offset` is where a body match starts (bytes from the file start). */
export interface Detection {
  /** ClamAV-style name, including `.UNOFFICIAL` for local unsigned databases. */
  signature: string;
  kind: 'hash' | 'body';
  offset?: number;
}

export type NotScannedReason =
  | 'too-large'
  | 'unreadable'
  | 'engine-error'
  | 'archive-limit'
  | 'zip-bomb'
  | 'encrypted';

export type FileVerdict =
  | { status: 'clean' }
  | { status: 'infected'; signature: string; detections?: Detection[] }
  | { status: 'not-scanned'; reason: NotScannedReason; detail: string };

export interface EngineDescription {
  engine: string;
  engineVersion: string;
  signatures: number;
  signatureVersion: string;
}

export interface ScanMeta {
  /** Path as the caller names the file (reported, never opened by the engine). */
  path: string;
  /** Size in bytes as the caller knows it; the engine checks it against what it reads. */
  size: number;
}

export interface ScanEngine {
  readonly name: string;
  describe(): Promise<EngineDescription>;
  scanStream(input: AsyncIterable<Uint8Array>, meta: ScanMeta): Promise<FileVerdict>;
  close(): Promise<void>;
}

/** One member of an expanded archive. */
export interface ArchiveMember {
  path: string;
  data: Uint8Array;
}

/**
 * Opens an archive for the engine: given the file's bytes, its meta and the current recursion depth
 * (0 for the file itself), returns its members, or null when the content is not an archive it handles.
 * Limits (depth, file count, expanded size) are the hook's to enforce: it throws an `ArchiveLimitError`
 * (see `builtin-engine.ts`) to make the file `not-scanned`.
 */
export type ExpandArchive = (
  bytes: Uint8Array,
  meta: ScanMeta,
  depth: number,
) => AsyncIterable<ArchiveMember> | null;
