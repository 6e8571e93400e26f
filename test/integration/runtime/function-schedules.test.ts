import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteScheduleManager } from '../../../shared/adapters/local/sqlite-scheduler.ts';
import { FEED_INDEX_KEY } from '../../../shared/domain/patching/keys.ts';
import { loadRuntimeConfig } from '../../../shared/runtime/config.ts';
import { functionSchedule, functionScheduleName } from '../../../shared/runtime/function-schedules.ts';
import { homePaths } from '../../../shared/runtime/local-deps.ts';
import { type Runtime, startRuntime } from '../../../shared/runtime/runtime.ts';
import { findFunction, Topology } from '../../../shared/topology.ts';
import { waitFor } from '../../support/runtime-process.ts';

const factory = new URL('../../support/functions/recorder.ts', import.meta.url).pathname;
const feeds = new URL('../../fixtures/feeds/', import.meta.url).pathname;

// Validated like the real topology, then pointed at the recording factory (outside functions/).
const parsed = Topology.parse({
  functions: [
    findFunction('api'),
    // The API's ingest route sends to this function's queue.
    findFunction('ingest'),
    {
      name: 'ticker',
      description: 'Runs every minute.',
      entry: 'functions/ticker/handler.ts',
      factory: 'functions/ticker/function.ts',
      memoryMb: 256,
      timeoutSeconds: 10,
      concurrency: 1,
      trigger: { kind: 'schedule', expression: 'rate(1 minute)', timezone: 'UTC' },
      access: { objects: 'readwrite' },
    },
  ],
});
const topology: Topology = {
  functions: parsed.functions.map((fn) => (fn.name === 'ticker' ? { ...fn, factory } : fn)),
};

describe('schedule-triggered functions on the local runtime', () => {
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  const start = (home: string) =>
    startRuntime(
      loadRuntimeConfig({ OUTBOARD_HOME: home, OUTBOARD_HTTP_PORT: '0', OUTBOARD_LOG_LEVEL: 'SILENT' }),
      { topology, schedulerTickMs: 50 },
    );

  it('creates the function’s schedule at start, first due one interval later', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-fnsched-'));
    const before = Date.now();
    runtime = await start(home);
    const next = runtime.parts.scheduler.nextFireOf(functionScheduleName('ticker'));
    expect(next!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(next!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    // The real topology's feed-sync is scheduled the same way.
    expect(functionSchedule(findFunction('feed-sync'))).toMatchObject({ expression: 'rate(6 hours)' });
  });

  it('invokes the function when its schedule comes due, with the scheduled time, once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-fnsched-'));
    // The schedule as a runtime stopped 61 s ago left it: due 1 s ago.
    const db = openDatabase(homePaths(home).database);
    const scheduler = new SqliteScheduleManager(db, () => Date.now() - 61_000);
    await scheduler.upsert(functionSchedule(topology.functions.find((f) => f.name === 'ticker')!)!);
    const due = scheduler.nextFireOf(functionScheduleName('ticker'))!;
    db.close();

    runtime = await start(home);
    const objects = new FsObjectStore(homePaths(home).objects);
    const invocations = await waitFor(
      'the scheduled invocation',
      async () => {
        const listed = await objects.list('invocations/');
        return listed.items.length ? listed.items : undefined;
      },
      10_000,
    );
    const event = JSON.parse(new TextDecoder().decode((await objects.get(invocations[0]!.key))!.body));
    expect(event).toEqual({ function: 'ticker', scheduledTime: due.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    // Moved on to its next time; nothing went to the bus.
    expect(runtime.parts.scheduler.nextFireOf(functionScheduleName('ticker'))!.getTime()).toBeGreaterThan(
      Date.now(),
    );
    expect(runtime.parts.bus.archived()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await objects.list('invocations/')).items).toHaveLength(1);
  });

  it('runs feed-sync on its schedule with the real topology, importing OUTBOARD_FEED_URLS', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-fnsched-'));
    const db = openDatabase(homePaths(home).database);
    const scheduler = new SqliteScheduleManager(db, () => Date.now() - 6 * 3_600_000 - 1000);
    await scheduler.upsert(functionSchedule(findFunction('feed-sync'))!);
    db.close();
    // Worker threads copy the environment when they start (on the first invocation).
    const saved = process.env.OUTBOARD_FEED_URLS;
    process.env.OUTBOARD_FEED_URLS = `${join(feeds, 'debian-mirror')},${join(feeds, 'osv/all.zip')}`;
    try {
      runtime = await startRuntime(
        loadRuntimeConfig({ OUTBOARD_HOME: home, OUTBOARD_HTTP_PORT: '0', OUTBOARD_LOG_LEVEL: 'SILENT' }),
        { schedulerTickMs: 50 },
      );
      const objects = new FsObjectStore(homePaths(home).objects);
      await waitFor('the feed index', async () => objects.head(FEED_INDEX_KEY), 20_000);
    } finally {
      if (saved === undefined) delete process.env.OUTBOARD_FEED_URLS;
      else process.env.OUTBOARD_FEED_URLS = saved;
    }
  });
});
