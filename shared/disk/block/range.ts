/**
 * Checks the arguments of `ByteSource.read` and answers how many bytes the read gives: `length`, or fewer
 * where the source ends (0 at or past the end). Negative, fractional or unsafe arguments are a RangeError.
 */
export function readableLength(offset: number, length: number, size: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad read offset ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`bad read length ${length}`);
  if (offset >= size) return 0;
  return Math.min(length, size - offset);
}

/** Rejects reads on a closed source. */
export function assertOpen(closed: boolean, what: string): void {
  if (closed) throw new Error(`${what} is closed`);
}
