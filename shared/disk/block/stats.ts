import type { FetchStats } from '../types.ts';

export function emptyStats(): FetchStats {
  return { requests: 0, bytesFetched: 0, blocksFetched: 0, cacheHits: 0 };
}
