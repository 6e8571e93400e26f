/**
 * Hash signatures keyed by digest: a map per hash type for sized entries (`hash:size`) and one for any-size
 * (`*`) entries. A scan computes a digest type only when the database has entries of that type that the
 * file's size could match. Lookup order is ClamAV's: MD5, SHA1, SHA256, each sized before any-size.
 */
import type { HashSignature, HashType } from '../signatures/types.ts';

export const HASH_ORDER: readonly HashType[] = ['md5', 'sha1', 'sha256'];

interface PerType {
  sized: Map<string, string[]>;
  wild: Map<string, string[]>;
  sizes: Set<number>;
}

export class HashIndex {
  private readonly byType = new Map<HashType, PerType>();
  readonly count: number;

  constructor(signatures: readonly HashSignature[]) {
    for (const s of signatures) {
      let t = this.byType.get(s.type);
      if (!t) {
        t = { sized: new Map(), wild: new Map(), sizes: new Set() };
        this.byType.set(s.type, t);
      }
      const key = s.size === undefined ? s.hash : `${s.hash}:${s.size}`;
      const map = s.size === undefined ? t.wild : t.sized;
      // clamscan reports the later of two identical entries (it binary-searches a sorted array; with
      // three or more duplicates its pick depends on its sort, which this does not reproduce).
      const names = (map.get(key) ?? []).filter((n) => n !== s.name);
      names.unshift(s.name);
      map.set(key, names);
      if (s.size !== undefined) t.sizes.add(s.size);
    }
    this.count = signatures.length;
  }

  /** Hash types worth computing for a file of this size (all present types when the size is unknown). */
  typesFor(size: number | undefined): HashType[] {
    return HASH_ORDER.filter((type) => {
      const t = this.byType.get(type);
      if (!t) return false;
      return size === undefined || t.wild.size > 0 || t.sizes.has(size);
    });
  }

  /** Names matching the digests, in ClamAV's order. */
  match(digests: Partial<Record<HashType, string>>, size: number): string[] {
    const out: string[] = [];
    for (const type of HASH_ORDER) {
      const digest = digests[type];
      const t = this.byType.get(type);
      if (!digest || !t) continue;
      for (const n of t.sized.get(`${digest}:${size}`) ?? []) out.push(n);
      for (const n of t.wild.get(digest) ?? []) out.push(n);
    }
    return out;
  }
}
