import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../../shared/adapters/local/sqlite-registry.ts';
import type { RestorePoint } from '../../../../shared/contracts/job.ts';
import { listRestorePoints } from '../../../../shared/domain/antivirus/restore-points.ts';
import { collectPages } from '../../../support/registry-contract.ts';

const tenantId = 'acme';
const guestId = 'gst_0000000001aaaaaaaaaaaaaaaa';

/** 20 restore points, one a minute; those whose number is in `infected` are marked. */
async function registryWith(infected: number[]) {
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  for (let n = 0; n < 20; n++) {
    const id = `rp_${String(n).padStart(12, '0')}`;
    const rp: RestorePoint = {
      tenantId,
      id,
      guestId,
      jobId: `job_${String(n).padStart(12, '0')}`,
      connector: 'local',
      snapshotId: `ob-${n}`,
      disks: [{ index: 0, sizeBytes: 1024, source: '/images/a.img' }],
      tags: {},
      createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + n * 60_000).toISOString(),
    };
    await registry.createRestorePoint(rp);
    if (infected.includes(n)) {
      await registry.markRestorePointInfected(tenantId, id, {
        jobId: 'job_0000000000ffffffff',
        detections: 1,
        markedAt: '2026-01-02T00:00:00.000Z',
      });
    }
  }
  return registry;
}

const numbers = (items: RestorePoint[]) => items.map((rp) => Number(rp.id.slice(3)));

describe('listing restore points for the portal', () => {
  it('hides infected restore points unless asked, keeping pages full and every clean one listed once', async () => {
    const infected = [19, 17, 16, 15, 14, 13, 12, 3];
    const registry = await registryWith(infected);
    const clean = Array.from({ length: 20 }, (_, i) => 19 - i).filter((n) => !infected.includes(n));
    for (const limit of [1, 3, 5, 50]) {
      const { items } = await collectPages(
        (page) => listRestorePoints({ registry }, tenantId, guestId, { ...page, includeInfected: false }),
        limit,
      );
      expect(numbers(items)).toEqual(clean);
    }
    const first = await listRestorePoints({ registry }, tenantId, guestId, {
      limit: 3,
      includeInfected: false,
    });
    expect(numbers(first.items)).toEqual([18, 11, 10]);

    const all = await collectPages(
      (page) => listRestorePoints({ registry }, tenantId, guestId, { ...page, includeInfected: true }),
      7,
    );
    expect(all.items).toHaveLength(20);
    expect(all.items.filter((rp) => rp.infected).map((rp) => Number(rp.id.slice(3)))).toEqual(infected);
  });

  it('stops after a bounded number of reads and returns a short page with a cursor', async () => {
    const registry = await registryWith(Array.from({ length: 19 }, (_, i) => 19 - i));
    const page = await listRestorePoints({ registry }, tenantId, guestId, {
      limit: 2,
      includeInfected: false,
      maxReads: 3,
    });
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeDefined();
    const rest = await listRestorePoints({ registry }, tenantId, guestId, {
      limit: 2,
      cursor: page.nextCursor!,
      includeInfected: false,
    });
    expect(numbers(rest.items)).toEqual([0]);
  });
});
