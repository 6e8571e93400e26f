import { AWS_ENV, type Deps } from '../../shared/deps.ts';
import { feedLocationsFrom, importFeedsIntoStore } from '../../shared/domain/patching/feeds.ts';
import { FEED_INDEX_KEY } from '../../shared/domain/patching/keys.ts';
import { FEED_KEYRINGS_ENV, keyringPathsFrom, loadKeyring } from '../../shared/feeds/openpgp/load.ts';

/** The variable listing the upstream feeds: comma-separated URLs (or, locally, paths). */
export const FEED_URLS_ENV = AWS_ENV.feedUrls;

export interface FeedSyncResult {
  synced: number;
  sources: string[];
  indexKey?: string;
  indexBytes?: number;
}

/**
 * Runs on a schedule: re-imports the feeds of OUTBOARD_FEED_URLS (and every feed `outboard feeds import`
 * listed) and saves the index patch scans read; with OUTBOARD_FEED_KEYRINGS, each Debian/Ubuntu mirror's
 * InRelease must carry a valid signature by one of those keys. With the variable unset there is nothing to sync: it
 * says so and succeeds. A feed that cannot be read fails the invocation and leaves the index as it was.
 */
export function createHandler(deps: Deps, env: Record<string, string | undefined> = process.env) {
  return async (_event: unknown): Promise<FeedSyncResult> => {
    const locations = feedLocationsFrom(env[FEED_URLS_ENV]);
    if (locations.length === 0) {
      deps.logger.info(`feed sync: ${FEED_URLS_ENV} is not set, nothing to sync`);
      return { synced: 0, sources: [] };
    }
    const started = deps.clock.now().getTime();
    const keyrings = keyringPathsFrom(env[FEED_KEYRINGS_ENV]);
    const keyring = keyrings.length > 0 ? await loadKeyring(keyrings) : undefined;
    const saved = await importFeedsIntoStore(deps, locations, {
      origin: 'sync',
      replace: 'own',
      logger: deps.logger,
      ...(keyring ? { keyring } : {}),
    });
    deps.logger.info('feed sync: index saved', {
      indexKey: FEED_INDEX_KEY,
      indexBytes: saved.indexBytes,
      sources: saved.sources.map((s) => s.location),
      feeds: saved.sources.reduce((n, s) => n + s.feeds.length, 0),
      durationMs: deps.clock.now().getTime() - started,
    });
    return {
      synced: saved.sources.length,
      sources: saved.sources.map((s) => s.location),
      indexKey: FEED_INDEX_KEY,
      indexBytes: saved.indexBytes,
    };
  };
}
