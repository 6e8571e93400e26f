/**
 * The chain over a real disk image: the committed Debian 12 ext4 image read through the connector, the
 * container and filesystem readers (the default snapshot opener), planned and scanned with the shipped
 * database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../../shared/adapters/local/sqlite-registry.ts';
import { decodeScanTask } from '../../../../shared/antivirus/dispatch/tasks.ts';
import { createEngine } from '../../../../shared/antivirus/scan/engines.ts';
import { AntivirusPolicy } from '../../../../shared/contracts/service.ts';
import { runAvDispatch } from '../../../../shared/domain/antivirus/dispatch-run.ts';
import { scanOnlySnapshotId } from '../../../../shared/domain/antivirus/keys.ts';
import { runAvScanTask } from '../../../../shared/domain/antivirus/scan-run.ts';
import { fixedClock, RecordingBus, silentLogger } from '../../../support/fakes.ts';
import { debian12Image, ImageConnector } from '../../../support/image-connector.ts';
import { guest, RecordingQueue, requested, tenantId } from './support.ts';

describe('anti-virus scan of a real disk image', () => {
  it('walks the ext4 guest, scans every regular file, closes every disk and deletes its snapshot', async () => {
    const registry = new SqliteRegistry(openDatabase(':memory:'));
    const connector = new ImageConnector(debian12Image());
    const queue = new RecordingQueue();
    const bus = new RecordingBus();
    const deps = {
      registry,
      bus,
      queues: queue,
      objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-av-img-'))),
      clock: fixedClock(),
      logger: silentLogger,
      connectors: { get: () => connector },
    };
    await registry.createGuest(guest);
    await registry.putSubscription({
      tenantId,
      guestId: guest.id,
      service: 'antivirus',
      policy: AntivirusPolicy.parse({ exclusions: { globs: ['**/debian_version'] } }),
      enabledAt: guest.createdAt,
      updatedAt: guest.createdAt,
    });
    const jobId = 'job_0000000001eeeeeeeeeeeeeeee';
    const delivery = { receiveCount: 1, maxReceiveCount: 3, messageId: 'd' };
    const dispatched = await runAvDispatch(deps, requested(jobId), delivery);
    expect(dispatched).toMatchObject({ outcome: 'dispatched' });
    const tasks = queue.sent.map((m) => decodeScanTask(m.body));
    expect(tasks.length).toBeGreaterThan(0);
    const engines = () => createEngine('builtin', {});
    for (const [i, task] of tasks.entries()) {
      await runAvScanTask(deps, task, { ...delivery, messageId: `t${i}` }, { engines });
    }
    const completed = bus.ofType('AV Scan Completed');
    expect(completed).toHaveLength(1);
    const { summary } = completed[0]!.detail;
    const files = tasks.reduce((n, t) => n + t.files.length, 0);
    expect(summary).toMatchObject({ status: 'COMPLETED', result: 'NO_THREATS_FOUND', mode: 'full', files });
    expect(tasks.flatMap((t) => t.files.map((f) => f.path))).toEqual([
      '/etc/os-release',
      '/var/lib/dpkg/status',
    ]);
    expect(summary.skipped.byReason).toEqual({ 'excluded-glob': 1 });
    expect(summary.bytes).toBeGreaterThan(1000);
    expect(await registry.getJob(tenantId, jobId)).toMatchObject({ status: 'succeeded' });
    expect(connector.openDisks).toBe(0);
    expect(connector.deleted).toEqual([scanOnlySnapshotId(jobId)]);
  });
});
