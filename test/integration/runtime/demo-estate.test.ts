/**
 * The demo estate `npm start` seeds into a new home: the real runtime process with a fresh OUTBOARD_HOME
 * registers the three demo guests, imports the demo feeds and enables patching and backup; a patch scan of
 * each guest finds real advisories. A second start does not seed again; OUTBOARD_DEMO=0 seeds nothing; a
 * home in use is never touched; an interrupted seed is completed (in-process, with the runtime's parts).
 * (test/support/runtime-process.ts turns the demo off by default; these tests turn it on with any value
 * but `0`, as an unset OUTBOARD_DEMO does.)
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGuest } from '../../../shared/domain/guests/guests.ts';
import { loadRuntimeConfig } from '../../../shared/runtime/config.ts';
import {
  DEMO_FEEDS,
  DEMO_MARKER_KEY,
  DEMO_SEEDING_KEY,
  seedDemoEstate,
} from '../../../shared/runtime/demo-estate.ts';
import { closeLocalParts, openLocalParts } from '../../../shared/runtime/local-deps.ts';
import { api, type RuntimeProcess, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';

interface Guest {
  id: string;
  name: string;
  connector: string;
  disks: string[];
  tags: Record<string, string>;
}
interface Job {
  id: string;
  status: string;
  error?: { code: string; message: string };
  result?: Record<string, unknown>;
}
interface Finding {
  package: string;
  severity: string;
  advisories: { id: string; aliases: string[] }[];
}

const NAMES = ['demo-alpine320', 'demo-debian12', 'demo-rocky9'];
const silent = new Logger({ serviceName: 'demo-estate-test', logLevel: 'SILENT' });

async function guestsOf(base: string): Promise<Guest[]> {
  const r = await api<{ items: Guest[] }>(base, 'GET', '/v1/guests?limit=100');
  expect(r.status).toBe(200);
  return r.body.items;
}

async function finishedJob(base: string, jobId: string): Promise<Job> {
  return waitFor(
    `job ${jobId}`,
    async () => {
      const r = await api<Job>(base, 'GET', `/v1/jobs/${jobId}`);
      return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
    },
    60_000,
  );
}

describe('the demo estate of a new home', () => {
  let home: string;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ob-demo-'));
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home, OUTBOARD_DEMO: '1' }, 30_000);
  });

  afterAll(async () => {
    if (runtime) expect(await runtime.stop()).toBe(0);
  });

  it('is announced in the banner with how to turn it off', () => {
    expect(runtime.output()).toMatch(/Demo estate created in .*demo-debian12 \(gst_/);
    expect(runtime.output()).toMatch(/OUTBOARD_DEMO=0/);
  });

  it('registers the three demo guests with their disks, tag and services', async () => {
    const guests = await guestsOf(runtime.url);
    expect(guests.map((g) => g.name).sort()).toEqual(NAMES);
    for (const g of guests) {
      expect(g.connector).toBe('local');
      expect(g.tags).toEqual({ demo: 'true' });
      expect(g.disks).toHaveLength(1);
      expect(g.disks[0]!.startsWith(join(home, 'demo'))).toBe(true);
      expect(statSync(g.disks[0]!).size).toBeGreaterThan(1 << 20);
      const services = await api<{ items: { service: string }[] }>(
        runtime.url,
        'GET',
        `/v1/guests/${g.id}/services`,
      );
      expect(services.body.items.map((s) => s.service).sort()).toEqual(['backup', 'patching']);
    }
  });

  it('scans each demo guest and finds real advisories', async () => {
    const guests = await guestsOf(runtime.url);
    const jobs = new Map<string, string>();
    for (const g of guests) {
      const requested = await api<{ jobId: string }>(runtime.url, 'POST', `/v1/guests/${g.id}/patch-scans`);
      expect(requested.status).toBe(202);
      jobs.set(g.name, requested.body.jobId);
    }
    const ids = new Map<string, Set<string>>();
    const findings = new Map<string, Finding[]>();
    for (const g of guests) {
      const job = await finishedJob(runtime.url, jobs.get(g.name)!);
      expect(job.error).toBeUndefined();
      expect(job.status).toBe('succeeded');
      expect(job.result).toMatchObject({ assessable: true });
      const r = await api<{ items: Finding[] }>(runtime.url, 'GET', `/v1/guests/${g.id}/findings?limit=100`);
      expect(r.status).toBe(200);
      findings.set(g.name, r.body.items);
      ids.set(
        g.name,
        new Set(r.body.items.flatMap((f) => f.advisories.flatMap((a) => [a.id, ...a.aliases]))),
      );
    }
    const deb = findings.get('demo-debian12')!;
    expect(deb.find((f) => f.package === 'libc6')?.advisories).toEqual([
      expect.objectContaining({ id: 'DSA-5514-1', aliases: ['CVE-2023-4911'] }),
    ]);
    const rocky = findings.get('demo-rocky9')!;
    const rockyIds = (pkg: string) => rocky.find((f) => f.package === pkg)?.advisories.map((a) => a.id);
    expect(rockyIds('glibc')).toEqual(['RLSA-2023:5455']);
    expect(rockyIds('openssh-server')).toEqual(['RLSA-2024:4312']);
    expect(rockyIds('openssl-libs')).toEqual(['RLSA-2024:2447']);
    expect(ids.get('demo-rocky9')).toContain('CVE-2024-6387');
    for (const cve of ['CVE-2024-6119', 'CVE-2024-5535', 'CVE-2024-4741', 'CVE-2023-42363'])
      expect(ids.get('demo-alpine320')).toContain(cve);
    expect(findings.get('demo-alpine320')!.find((f) => f.package === 'libcrypto3')?.severity).toBe('High');
  });

  it('does not seed again at the next start', async () => {
    const before = (await guestsOf(runtime.url)).map((g) => g.id).sort();
    expect(await runtime.stop()).toBe(0);
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home, OUTBOARD_DEMO: '1' }, 30_000);
    expect(runtime.output()).not.toMatch(/Demo estate/);
    expect((await guestsOf(runtime.url)).map((g) => g.id).sort()).toEqual(before);
  });
});

describe('OUTBOARD_DEMO=0', () => {
  it('seeds nothing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-nodemo-'));
    const runtime = await startRuntimeProcess({ OUTBOARD_HOME: home, OUTBOARD_DEMO: '0' });
    try {
      expect(runtime.output()).not.toMatch(/Demo estate/);
      expect(await guestsOf(runtime.url)).toEqual([]);
      expect(existsSync(join(home, 'demo'))).toBe(false);
    } finally {
      expect(await runtime.stop()).toBe(0);
    }
  });
});

describe('seedDemoEstate', () => {
  const partsOf = (home: string) => {
    const config = loadRuntimeConfig({ OUTBOARD_HOME: home, OUTBOARD_LOG_LEVEL: 'SILENT' });
    return { config, parts: openLocalParts(config) };
  };
  const clock = { now: () => new Date() };

  it('never touches a home that has guests', async () => {
    const { config, parts } = partsOf(mkdtempSync(join(tmpdir(), 'ob-used-')));
    try {
      await registerGuest(
        { ...parts, clock, logger: silent },
        { tenantId: 'internal', correlationId: 'test' },
        {
          name: 'mine',
          connector: 'local',
          disks: ['/srv/mine.img'],
          hostnames: [],
          addresses: [],
          tags: {},
        },
      );
      expect(await seedDemoEstate({ config, parts, logger: silent })).toEqual({
        status: 'skipped',
        reason: 'the home already has guests',
      });
      expect((await parts.registry.listGuests('internal', { limit: 10 })).items).toHaveLength(1);
      expect(await parts.objects.get(DEMO_SEEDING_KEY)).toBeUndefined();
    } finally {
      closeLocalParts(parts);
    }
  });

  it('completes an interrupted seed without duplicating what was done', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-partial-'));
    const { config, parts } = partsOf(home);
    try {
      // A seed that stopped after its first guest: the intent marker and one demo guest, no final marker.
      await parts.objects.put(DEMO_SEEDING_KEY, '{}');
      const first = await registerGuest(
        { ...parts, clock, logger: silent },
        { tenantId: 'internal', correlationId: 'test' },
        {
          name: 'demo-debian12',
          connector: 'local',
          disks: [join(home, 'demo', 'debian12.img')],
          hostnames: [],
          addresses: [],
          tags: { demo: 'true' },
        },
      );
      const done = await seedDemoEstate({ config, parts, logger: silent });
      expect(done.status).toBe('created');
      const guests = (await parts.registry.listGuests('internal', { limit: 10 })).items;
      expect(guests.map((g) => g.name).sort()).toEqual(NAMES);
      expect(guests.find((g) => g.name === 'demo-debian12')!.id).toBe(first.id);
      for (const g of guests)
        expect(
          (await parts.registry.listSubscriptions('internal', g.id)).map((s) => s.service).sort(),
        ).toEqual(['backup', 'patching']);
      expect(await parts.objects.get(DEMO_MARKER_KEY)).toBeDefined();
      const sources = JSON.parse(
        new TextDecoder().decode((await parts.objects.get('feeds/sources.json'))!.body),
      ) as { sources: { location: string }[] };
      expect(sources.sources.map((s) => s.location)).toEqual(
        DEMO_FEEDS.map((f) => join(home, 'demo/feeds', f)),
      );
      expect(await seedDemoEstate({ config, parts, logger: silent })).toEqual({
        status: 'skipped',
        reason: 'already seeded',
      });
      expect((await parts.registry.listGuests('internal', { limit: 10 })).items).toHaveLength(3);
    } finally {
      closeLocalParts(parts);
    }
  });
});
