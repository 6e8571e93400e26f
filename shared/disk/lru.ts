/** A least-recently-used map bounded by the total weight (usually bytes) of its values. */
export class LruCache<K, V> {
  readonly #map = new Map<K, { value: V; weight: number }>();
  readonly #capacity: number;
  #weight = 0;

  /** `capacity` is the largest total weight kept; 0 keeps nothing. */
  constructor(capacity: number) {
    if (!Number.isFinite(capacity) || capacity < 0) throw new RangeError(`bad cache capacity ${capacity}`);
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Total weight held, never above the capacity. */
  get weight(): number {
    return this.#weight;
  }

  get(key: K): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Adds or replaces; a value heavier than the whole capacity is not kept. */
  set(key: K, value: V, weight = 1): void {
    this.delete(key);
    if (weight > this.#capacity) return;
    this.#map.set(key, { value, weight });
    this.#weight += weight;
    while (this.#weight > this.#capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const entry = this.#map.get(key);
    if (!entry) return;
    this.#map.delete(key);
    this.#weight -= entry.weight;
  }

  clear(): void {
    this.#map.clear();
    this.#weight = 0;
  }
}
