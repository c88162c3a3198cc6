/**
 * A Map that keeps at most `capacity` entries, forgetting the least recently
 * written one first. Nonce bookkeeping on both sides is per peer-chosen value,
 * so it must be bounded or a peer could grow it without limit.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    private readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores the entry as the most recent one, evicting the oldest beyond capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      const [k, v] = oldest.value;
      this.map.delete(k);
      this.onEvict?.(k, v);
    }
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
