/**
 * The demo estate: on the first start of a NEW home (no guests registered, no feeds imported), the
 * local runtime unpacks the three demo guest images of `demo/estate/` into `<home>/demo/`, copies and
 * imports the demo feeds (`demo/feeds/`, through the same code path as `outboard feeds import`),
 * registers the guests `demo-debian12`, `demo-rocky9` and `demo-alpine320` (local connector, tag
 * `demo=true`) and enables patching and backup with default policies, through the domain functions, so
 * events and schedules are made as for any guest. `OUTBOARD_DEMO=0` turns it off.
 *
 * Crash-safe and idempotent: `demo/seeding.json` (object store) is written before anything else and
 * `demo/estate.json` last. A start that finds `estate.json` does nothing; one that finds only
 * `seeding.json` completes the seed (each step skips what is already there: images are unpacked to a
 * temporary name and renamed, guests are looked up by name and tag, services by subscription); one
 * that finds neither seeds only if the home has no guest and no feed, so a home in use is never touched.
 */
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Guest, RegisterGuestRequest } from '../contracts/guest.ts';
import { PolicySchemas, type Service } from '../contracts/service.ts';
import { enableService, registerGuest } from '../domain/guests/guests.ts';
import { importFeedsIntoStore, loadFeedSources } from '../domain/patching/feeds.ts';
import type { RuntimeConfig } from './config.ts';
import type { LocalParts } from './local-deps.ts';

/** The committed demo estate (images and feeds), beside `shared/`. */
export const DEMO_SOURCE_DIR = new URL('../../demo/', import.meta.url).pathname;
export const DEMO_MARKER_KEY = 'demo/estate.json';
export const DEMO_SEEDING_KEY = 'demo/seeding.json';
export const DEMO_TAGS = { demo: 'true' } as const;

export const DEMO_GUESTS = [
  { name: 'demo-debian12', image: 'debian12.img' },
  { name: 'demo-rocky9', image: 'rocky9.img' },
  { name: 'demo-alpine320', image: 'alpine320.img' },
] as const;

/** Feed locations inside the copied `feeds/` folder, imported together. */
export const DEMO_FEEDS = [
  'debian-mirror',
  'rpm-repo',
  'alpine/v3.20/main.json',
  'alpine/v3.20/main/x86_64/APKINDEX.tar.gz',
  'osv',
] as const;

const SERVICES: Service[] = ['patching', 'backup'];

export type DemoSeedOutcome =
  | { status: 'created'; guests: { id: string; name: string }[]; dir: string }
  | { status: 'skipped'; reason: string };

export interface DemoSeedOptions {
  config: RuntimeConfig;
  parts: Pick<LocalParts, 'registry' | 'bus' | 'scheduler' | 'objects'>;
  logger: Logger;
  /** Where the committed images and feeds are (default: the repository's `demo/`). */
  sourceDir?: string;
  clock?: { now: () => Date };
}

/** Seeds the demo estate into a new home (see the module comment); never throws for a home in use. */
export async function seedDemoEstate(options: DemoSeedOptions): Promise<DemoSeedOutcome> {
  const { config, parts, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const source = options.sourceDir ?? DEMO_SOURCE_DIR;
  if (!config.demo) return { status: 'skipped', reason: 'OUTBOARD_DEMO=0' };
  if (config.estate !== 'internal')
    return { status: 'skipped', reason: 'the demo estate is only seeded in an internal estate' };
  if (await parts.objects.get(DEMO_MARKER_KEY)) return { status: 'skipped', reason: 'already seeded' };
  const tenantId = config.internalTenantId;
  const resuming = (await parts.objects.get(DEMO_SEEDING_KEY)) !== undefined;
  if (!resuming) {
    if ((await parts.registry.listGuests(tenantId, { limit: 1 })).items.length > 0)
      return { status: 'skipped', reason: 'the home already has guests' };
    if (await loadFeedSources(parts.objects).catch(() => true))
      return { status: 'skipped', reason: 'the home already has feeds' };
    if (!existsSync(join(source, 'estate')) || !existsSync(join(source, 'feeds')))
      return { status: 'skipped', reason: `no demo estate at ${source}` };
    await parts.objects.put(
      DEMO_SEEDING_KEY,
      JSON.stringify({ startedAt: clock.now().toISOString(), source }, null, 2),
      { contentType: 'application/json' },
    );
  }

  const dir = join(config.home, 'demo');
  await mkdir(dir, { recursive: true });
  for (const g of DEMO_GUESTS) {
    const target = join(dir, g.image);
    if (!existsSync(target)) await gunzipSparse(join(source, 'estate', `${g.image}.gz`), target);
  }
  const feedsDir = join(dir, 'feeds');
  if (!existsSync(feedsDir)) {
    const tmp = `${feedsDir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await cp(join(source, 'feeds'), tmp, { recursive: true });
    await rename(tmp, feedsDir);
  }
  const locations = DEMO_FEEDS.map((f) => join(feedsDir, f));
  const imported = new Set((await loadFeedSources(parts.objects))?.sources.map((s) => s.location) ?? []);
  if (locations.some((l) => !imported.has(l)))
    await importFeedsIntoStore({ objects: parts.objects, clock }, locations, { logger });

  const deps = { registry: parts.registry, bus: parts.bus, scheduler: parts.scheduler, clock, logger };
  const existing = await allGuests(parts.registry, tenantId);
  const guests: { id: string; name: string }[] = [];
  for (const g of DEMO_GUESTS) {
    const scope = { tenantId, correlationId: `demo-estate-${g.name}` };
    let guest = existing.find((e) => e.name === g.name && e.tags.demo === DEMO_TAGS.demo);
    guest ??= await registerGuest(
      deps,
      scope,
      RegisterGuestRequest.parse({
        name: g.name,
        connector: 'local',
        disks: [join(dir, g.image)],
        hostnames: [g.name],
        tags: DEMO_TAGS,
      }),
    );
    for (const service of SERVICES)
      if (!(await parts.registry.getSubscription(tenantId, guest.id, service)))
        await enableService(deps, scope, guest.id, service, PolicySchemas[service].parse({}));
    guests.push({ id: guest.id, name: guest.name });
  }

  await parts.objects.put(
    DEMO_MARKER_KEY,
    JSON.stringify({ seededAt: clock.now().toISOString(), dir, guests, feeds: locations }, null, 2),
    { contentType: 'application/json' },
  );
  logger.info('demo estate created', { guests, dir });
  return { status: 'created', guests, dir };
}

async function allGuests(registry: LocalParts['registry'], tenantId: string): Promise<Guest[]> {
  const out: Guest[] = [];
  let cursor: string | undefined;
  do {
    const page = await registry.listGuests(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Gunzips `from` into `to` (via a temporary name), leaving runs of zero blocks as holes. */
async function gunzipSparse(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp`;
  const file = await open(tmp, 'w');
  const BLOCK = 65_536;
  let position = 0;
  let pending: Buffer = Buffer.alloc(0);
  const flush = async (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; at += BLOCK) {
      const block = chunk.subarray(at, at + BLOCK);
      if (block.some((b) => b !== 0)) await file.write(block, 0, block.length, position);
      position += block.length;
    }
  };
  try {
    for await (const data of createReadStream(from).pipe(createGunzip())) {
      pending = pending.length ? Buffer.concat([pending, data as Buffer]) : (data as Buffer);
      const whole = pending.length - (pending.length % BLOCK);
      if (whole > 0) {
        await flush(pending.subarray(0, whole));
        pending = pending.subarray(whole);
      }
    }
    await flush(pending);
    await file.truncate(position);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, to);
}
