/**
 * One pass over a file's bytes that feeds the engine and, on the way, computes the file's SHA-256 and
 * MD5, counts its bytes and keeps its first bytes (and, when asked, all of them) for archive expansion.
 *
 * The engine pulls through `chunks()`. If it stops early (it refused the file, or had its answer), the
 * source is not closed: `drain()` reads the rest for the hashes, `close()` ends the source. Hashes are
 * only reported once every byte went through (`complete`), so a partial read never vouches for a file.
 */
import { createHash, type Hash } from 'node:crypto';

/** How many leading bytes are kept whatever happens: enough for every archive's magic (a tar header). */
export const PREFIX_BYTES = 512;

export class HashingReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly sha256: Hash = createHash('sha256');
  private readonly md5: Hash = createHash('md5');
  private readonly prefixParts: Uint8Array[] = [];
  private prefixLength = 0;
  private kept: Uint8Array[] | undefined;
  private keptLength = 0;
  private readonly keepUpTo: number;
  private readonly keepIf: (prefix: Uint8Array) => boolean;
  private ended = false;
  private closed = false;
  /** Bytes read so far. */
  bytes = 0;
  /** Set once the whole file was kept past `keepUpTo`: it was dropped. */
  keptOverflow = false;

  /**
   * `keep`: hold the whole file in memory up to `upTo` bytes while `when(prefix)` holds for its first
   * `PREFIX_BYTES` (asked once they are in, or at the end for a shorter file).
   */
  constructor(
    source: AsyncIterable<Uint8Array>,
    keep?: { upTo: number; when: (prefix: Uint8Array) => boolean },
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    this.keepUpTo = keep?.upTo ?? 0;
    this.keepIf = keep?.when ?? (() => false);
    if (keep) this.kept = [];
  }

  /** Whether the source has been read to its end. */
  get complete(): boolean {
    return this.ended;
  }

  /** The chunks, for the engine; stopping early leaves the source open (see `drain`). */
  chunks(): AsyncIterable<Uint8Array> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          const chunk = await this.pull();
          return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
        },
        return: async (): Promise<IteratorResult<Uint8Array>> => ({ done: true, value: undefined }),
      }),
    };
  }

  /** Reads whatever the engine left, for the hashes and the byte count. */
  async drain(): Promise<void> {
    while ((await this.pull()) !== undefined) {
      // hashed and counted by pull
    }
  }

  /** Ends the source (its `return`), if it was not read to the end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ended) await this.iterator.return?.();
  }

  /** The first bytes of the file (at most `PREFIX_BYTES`). */
  prefix(): Uint8Array {
    return Buffer.concat(this.prefixParts, this.prefixLength);
  }

  /** The whole file, if it was kept. */
  keptBytes(): Uint8Array | undefined {
    if (!this.ended || !this.kept) return undefined;
    if (this.prefixLength < PREFIX_BYTES && !this.keepIf(this.prefix())) return undefined;
    return Buffer.concat(this.kept, this.keptLength);
  }

  /** Lower-case hex digests, once the whole file went through. */
  digests(): { sha256: string; md5: string } | undefined {
    if (!this.ended) return undefined;
    return { sha256: this.sha256.copy().digest('hex'), md5: this.md5.copy().digest('hex') };
  }

  private async pull(): Promise<Uint8Array | undefined> {
    if (this.ended || this.closed) return undefined;
    const r = await this.iterator.next();
    if (r.done) {
      this.ended = true;
      return undefined;
    }
    const chunk = r.value;
    this.bytes += chunk.length;
    this.sha256.update(chunk);
    this.md5.update(chunk);
    if (this.prefixLength < PREFIX_BYTES) {
      const part = chunk.subarray(0, PREFIX_BYTES - this.prefixLength);
      this.prefixParts.push(Uint8Array.from(part));
      this.prefixLength += part.length;
      // Once the prefix is in, a file that is no archive is not held any longer.
      if (this.prefixLength >= PREFIX_BYTES && this.kept && !this.keepIf(this.prefix()))
        this.kept = undefined;
    }
    if (this.kept) {
      this.keptLength += chunk.length;
      if (this.keptLength > this.keepUpTo) {
        this.kept = undefined;
        this.keptOverflow = true;
      } else {
        this.kept.push(chunk);
      }
    }
    return chunk;
  }
}
