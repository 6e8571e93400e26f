import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler, FEED_URLS_ENV } from '../../../functions/feed-sync/function.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../../../shared/adapters/local/sqlite-monitor-state.ts';
import { SqliteRegistry } from '../../../shared/adapters/local/sqlite-registry.ts';
import type { Deps, Logger } from '../../../shared/deps.ts';
import { importFeedsIntoStore, loadFeedSources } from '../../../shared/domain/patching/feeds.ts';
import { FEED_INDEX_KEY } from '../../../shared/domain/patching/keys.ts';
import { loadFeedIndex } from '../../../shared/feeds/index-store.ts';
import { FEED_KEYRINGS_ENV } from '../../../shared/feeds/openpgp/load.ts';
import {
  fixedClock,
  MemoryConnector,
  MemoryScheduler,
  RecordingBus,
  silentLogger,
} from '../../support/fakes.ts';

const feeds = new URL('../../fixtures/feeds/', import.meta.url).pathname;
const mirror = join(feeds, 'debian-mirror');
const osv = join(feeds, 'osv/all.zip');
const secdb = join(feeds, 'alpine/v3.20/main.json');

function setup() {
  const messages: string[] = [];
  const logger: Logger = { ...silentLogger, info: (m: string) => void messages.push(m) };
  const deps: Deps = {
    clock: fixedClock(),
    registry: new SqliteRegistry(openDatabase(':memory:')),
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-feeds-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-feeds-archive-'))),
    monitorState: new SqliteMonitorStateStore(openDatabase(':memory:')),
    bus: new RecordingBus(),
    queues: { send: async () => undefined },
    scheduler: new MemoryScheduler(),
    connectors: { get: () => new MemoryConnector() },
    buckets: { open: async () => undefined },
    logger,
    tenancy: { estate: 'internal', internalTenantId: 'internal', tenantClaim: 'tenant_id' },
  };
  return { deps, messages };
}

describe('feed-sync', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('says there is nothing to sync, and succeeds, when OUTBOARD_FEED_URLS is unset or blank', async () => {
    for (const env of [{}, { [FEED_URLS_ENV]: ' , ' }]) {
      expect(await createHandler(t.deps, env)({})).toEqual({ synced: 0, sources: [] });
    }
    expect(t.messages.join('\n')).toMatch(/nothing to sync/);
    expect(await t.deps.objects.head(FEED_INDEX_KEY)).toBeUndefined();
  });

  it('imports the listed feeds and saves the index scans read', async () => {
    const result = await createHandler(t.deps, { [FEED_URLS_ENV]: `${mirror}, ${osv}` })({});
    expect(result).toMatchObject({ synced: 2, sources: [mirror, osv], indexKey: FEED_INDEX_KEY });
    const index = await loadFeedIndex(t.deps.objects, FEED_INDEX_KEY);
    expect(index?.releases()).toContain('Debian:12');
    expect(index?.ecosystems()).toContain('Debian:12');
  });

  it('keeps feeds imported by hand, and replaces only its own list', async () => {
    await importFeedsIntoStore(t.deps, [secdb]);
    await createHandler(t.deps, { [FEED_URLS_ENV]: `${mirror},${osv}` })({});
    await createHandler(t.deps, { [FEED_URLS_ENV]: mirror })({});
    const sources = await loadFeedSources(t.deps.objects);
    expect(sources?.sources.map((s) => [s.location, s.origin])).toEqual([
      [secdb, 'import'],
      [mirror, 'sync'],
    ]);
    const index = await loadFeedIndex(t.deps.objects, FEED_INDEX_KEY);
    expect(index?.ecosystems()).toEqual(['Alpine:v3.20']);
  });

  it('fails, leaving the index as it was, when a listed feed cannot be read', async () => {
    await createHandler(t.deps, { [FEED_URLS_ENV]: mirror })({});
    const before = await t.deps.objects.head(FEED_INDEX_KEY);
    await expect(
      createHandler(t.deps, { [FEED_URLS_ENV]: `${mirror},${join(feeds, 'missing.zip')}` })({}),
    ).rejects.toThrow(/missing\.zip could not be imported.*index was not changed/);
    expect((await t.deps.objects.head(FEED_INDEX_KEY))?.etag).toBe(before?.etag);
  });

  it('with OUTBOARD_FEED_KEYRINGS, refuses a mirror whose Release is not signed by one of the keys', async () => {
    const keyring = join(feeds, 'openpgp', 'debian-archive-bookworm-automatic.asc');
    await expect(
      createHandler(t.deps, { [FEED_URLS_ENV]: mirror, [FEED_KEYRINGS_ENV]: keyring })({}),
    ).rejects.toThrow(/dists\/bookworm\/Release.*not signed/);
    expect(await t.deps.objects.head(FEED_INDEX_KEY)).toBeUndefined();
  });
});

describe('importFeedsIntoStore', () => {
  it('merges with every location imported before, unless told to replace them', async () => {
    const { deps } = setup();
    await importFeedsIntoStore(deps, [mirror]);
    await importFeedsIntoStore(deps, [osv, mirror]);
    expect((await loadFeedSources(deps.objects))?.sources.map((s) => s.location)).toEqual([mirror, osv]);
    await importFeedsIntoStore(deps, [secdb], { replace: 'all' });
    expect((await loadFeedSources(deps.objects))?.sources.map((s) => s.location)).toEqual([secdb]);
  });
});
