/**
 * Importing feeds into the object store, for `outboard feeds import` and the feed-sync function.
 *
 * The index is rebuilt whole from every location ever imported: `feeds/sources.json` lists them, and
 * an import re-reads each listed location with the new ones, then writes the new index and the new list.
 * So importing a Debian mirror and later an OSV zip gives an index of both, and a later import (or a
 * feed-sync run) refreshes all of them from their sources. Nothing is written unless every location
 * reads: a location that has gone away fails the import, naming it; `replace` starts a new list.
 */
import { z } from 'zod';
import type { Logger } from '../../deps.ts';
import { importFeed } from '../../feeds/import.ts';
import { buildFeedIndex } from '../../feeds/index.ts';
import { saveFeedIndex } from '../../feeds/index-store.ts';
import type { Keyring } from '../../feeds/openpgp/keyring.ts';
import type { Feed } from '../../feeds/types.ts';
import type { Clock, ObjectStore } from '../../ports.ts';
import { FEED_INDEX_KEY, FEED_SOURCES_KEY } from './keys.ts';

const FeedSummary = z.strictObject({
  kind: z.string(),
  release: z.string().optional(),
  location: z.string(),
  date: z.string().optional(),
  validUntil: z.string().optional(),
  mtime: z.string().optional(),
  packages: z.number().int().nonnegative(),
  advisories: z.number().int().nonnegative(),
  notes: z.number().int().nonnegative(),
});

export const FeedSources = z.strictObject({
  format: z.literal('outboard-feed-sources'),
  version: z.literal(1),
  updatedAt: z.string(),
  sources: z.array(
    z.strictObject({
      location: z.string().min(1),
      /** Who listed it: `outboard feeds import`, or the feed-sync function (from OUTBOARD_FEED_URLS). */
      origin: z.enum(['import', 'sync']),
      importedAt: z.string(),
      feeds: z.array(FeedSummary),
    }),
  ),
});
export type FeedSources = z.infer<typeof FeedSources>;

export class FeedImportError extends Error {
  override name = 'FeedImportError';
  readonly location: string;
  constructor(location: string, cause: unknown) {
    super(
      `feed ${location} could not be imported: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        'the feed index was not changed',
      { cause },
    );
    this.location = location;
  }
}

export async function loadFeedSources(store: ObjectStore): Promise<FeedSources | undefined> {
  const object = await store.get(FEED_SOURCES_KEY);
  if (!object) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(object.body));
  } catch (cause) {
    throw new Error(`${FEED_SOURCES_KEY} is not JSON; re-import with --replace`, { cause });
  }
  const parsed = FeedSources.safeParse(json);
  if (!parsed.success)
    throw new Error(`${FEED_SOURCES_KEY} is not a feed source list; re-import with --replace`);
  return parsed.data;
}

function summarize(feed: Feed): z.infer<typeof FeedSummary> {
  return {
    kind: feed.kind,
    ...('release' in feed ? { release: feed.release } : {}),
    location: feed.source.location,
    ...(feed.source.date ? { date: feed.source.date } : {}),
    ...(feed.source.validUntil ? { validUntil: feed.source.validUntil } : {}),
    ...(feed.source.mtime ? { mtime: feed.source.mtime } : {}),
    packages: 'packages' in feed ? feed.packages.length : 0,
    advisories: 'advisories' in feed ? feed.advisories.length : 0,
    notes: feed.notes.length,
  };
}

export type FeedOrigin = FeedSources['sources'][number]['origin'];

export interface ImportFeedsOptions {
  /** Who lists these locations. @default 'import' */
  origin?: FeedOrigin;
  /**
   * Which previously imported locations to forget: `all` (the index holds only these), `own` (those of
   * the same origin: feed-sync's list is OUTBOARD_FEED_URLS as it is now). @default none
   */
  replace?: 'all' | 'own';
  /** Called before each location is read. */
  progress?: (location: string, index: number, total: number) => void;
  /** Verify Debian/Ubuntu mirrors' InRelease files against these keys (none: not verified, noted). */
  keyring?: Keyring;
  logger?: Pick<Logger, 'info'>;
}

/** Imports `locations` with those imported before (see `replace`), then saves the index and the list. */
export async function importFeedsIntoStore(
  deps: { objects: ObjectStore; clock: Clock },
  locations: string[],
  options: ImportFeedsOptions = {},
): Promise<FeedSources & { indexBytes: number }> {
  const origin = options.origin ?? 'import';
  const previous = options.replace === 'all' ? undefined : await loadFeedSources(deps.objects);
  const kept = (previous?.sources ?? []).filter((s) => options.replace !== 'own' || s.origin !== origin);
  const origins = new Map<string, FeedOrigin>(kept.map((s) => [s.location, s.origin]));
  for (const location of locations) if (!origins.has(location)) origins.set(location, origin);
  const all = [...origins.keys()];
  const feeds: Feed[] = [];
  const sources: FeedSources['sources'] = [];
  for (const [i, location] of all.entries()) {
    options.progress?.(location, i, all.length);
    let imported: Feed[];
    try {
      imported = await importFeed(
        location,
        options.keyring ? { signature: { keyring: options.keyring, now: deps.clock.now().getTime() } } : {},
      );
    } catch (error) {
      throw new FeedImportError(location, error);
    }
    feeds.push(...imported);
    sources.push({
      location,
      origin: origins.get(location) ?? origin,
      importedAt: deps.clock.now().toISOString(),
      feeds: imported.map(summarize),
    });
    options.logger?.info('feed imported', { location, feeds: imported.length });
  }
  const index = buildFeedIndex(feeds);
  const { bytes } = await saveFeedIndex(deps.objects, FEED_INDEX_KEY, index);
  const manifest: FeedSources = {
    format: 'outboard-feed-sources',
    version: 1,
    updatedAt: deps.clock.now().toISOString(),
    sources,
  };
  await deps.objects.put(FEED_SOURCES_KEY, JSON.stringify(manifest, null, 2), {
    contentType: 'application/json',
  });
  return { ...manifest, indexBytes: bytes };
}

/** `OUTBOARD_FEED_URLS`: comma-separated URLs or paths; blanks ignored. */
export function feedLocationsFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
