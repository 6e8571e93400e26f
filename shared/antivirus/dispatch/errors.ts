/** Errors of scan dispatch: a glob that cannot be compiled, a file index that cannot be trusted, bad input. */

/** A glob pattern the matcher does not understand; `position` is the index in the pattern. */
export class GlobSyntaxError extends Error {
  override name = 'GlobSyntaxError';
  readonly pattern: string;
  readonly position: number;
  constructor(pattern: string, position: number, reason: string) {
    super(`glob ${JSON.stringify(pattern)} at position ${position}: ${reason}`);
    this.pattern = pattern;
    this.position = position;
  }
}

/** A file index that is truncated, out of order or malformed; `line` is 1-based within the decompressed text. */
export class FileIndexFormatError extends Error {
  override name = 'FileIndexFormatError';
  readonly line: number | undefined;
  constructor(message: string, line?: number, options?: ErrorOptions) {
    super(`file index${line === undefined ? '' : ` line ${line}`}: ${message}`, options);
    this.line = line;
  }
}

/** Inputs that break a dispatch invariant (options out of range, results that do not fit the plan). */
export class DispatchInputError extends Error {
  override name = 'DispatchInputError';
}
