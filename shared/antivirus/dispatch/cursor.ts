/** A one-item look-ahead over a sync or async sequence, for merge-joins of sorted streams. */
export class Cursor<T> {
  private readonly iterator: AsyncIterator<T> | Iterator<T>;
  private current: T | undefined;
  private started = false;
  private done = false;

  constructor(source: AsyncIterable<T> | Iterable<T>) {
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (source as Iterable<T>)[Symbol.iterator]();
  }

  /** The item at the cursor, undefined at the end; reads the first item on first use. */
  async peek(): Promise<T | undefined> {
    if (!this.started) {
      this.started = true;
      await this.advance();
    }
    return this.current;
  }

  /** Moves to the next item. */
  async advance(): Promise<void> {
    this.started = true;
    if (this.done) return;
    const r = await this.iterator.next();
    if (r.done) {
      this.done = true;
      this.current = undefined;
    } else {
      this.current = r.value;
    }
  }

  /** Stops the underlying sequence early (runs its `finally`). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      this.current = undefined;
      await this.iterator.return?.();
    }
  }
}
