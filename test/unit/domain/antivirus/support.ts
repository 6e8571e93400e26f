/**
 * A small world for the anti-virus chain's tests: the real registry (SQLite in memory), the real object
 * store (a temporary folder), a bus and a queue that record what they are given, a connector whose
 * snapshots are in-memory guests (each snapshot freezes the guest's tree as it was when first opened),
 * and the built-in engine with the shipped database. Messages the dispatcher sends are delivered by the
 * test, in any order and as often as it likes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '../../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import { SqliteRegistry } from '../../../../shared/adapters/local/sqlite-registry.ts';
import { decodeScanTask } from '../../../../shared/antivirus/dispatch/tasks.ts';
import type { ScanEngine } from '../../../../shared/antivirus/engine/types.ts';
import { createEngine } from '../../../../shared/antivirus/scan/engines.ts';
import type { ScanTask } from '../../../../shared/contracts/antivirus.ts';
import type { EventDetail } from '../../../../shared/contracts/events.ts';
import type { Guest } from '../../../../shared/contracts/guest.ts';
import type { RestorePoint } from '../../../../shared/contracts/job.ts';
import { AntivirusPolicy } from '../../../../shared/contracts/service.ts';
import { GuestView } from '../../../../shared/disk/guest/guest-view.ts';
import {
  type AvDelivery,
  type AvDispatchInput,
  type AvDispatchOptions,
  runAvDispatch,
} from '../../../../shared/domain/antivirus/dispatch-run.ts';
import type { SnapshotOpener } from '../../../../shared/domain/antivirus/open-snapshot.ts';
import { type AvScanOptions, runAvScanTask } from '../../../../shared/domain/antivirus/scan-run.ts';
import type { OutgoingMessage, QueueSender } from '../../../../shared/ports.ts';
import { fixedClock, MemoryConnector, RecordingBus, silentLogger } from '../../../support/fakes.ts';
import { MemFs, type MemTree } from '../../../support/mem-fs.ts';

export const tenantId = 'acme';
const disks = ['/images/web.img'];
export const guest: Guest = {
  connector: 'local',
  disks,
  tenantId,
  id: 'gst_0000000001aaaaaaaaaaaaaaaa',
  name: 'web',
  hostnames: [],
  addresses: [],
  tags: {},
  createdAt: '2026-01-01T00:00:00.000Z',
};

export class RecordingQueue implements QueueSender {
  readonly sent: { queue: string; body: string }[] = [];
  failNext = 0;
  async send(queue: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('queue unavailable (test)');
    }
    for (const m of messages) this.sent.push({ queue, body: m.body });
  }
  tasks(): ScanTask[] {
    return this.sent.map((m) => decodeScanTask(m.body));
  }
}

/** A connector whose snapshots are in-memory guests, frozen from `tree` when first opened. */
export class TreeConnector extends MemoryConnector {
  tree: MemTree = {};
  readonly frozen = new Map<string, MemTree>();
  deleted: string[] = [];
  opened = 0;
  closed = 0;
  /** Errors thrown by the next opens. */
  openFailures: Error[] = [];

  override async deleteSnapshot(tenant: string, id: string) {
    this.deleted.push(id);
    await super.deleteSnapshot(tenant, id);
  }

  /** A snapshot as a backup would have taken it, holding `tree`. */
  async backup(snapshotId: string, tree: MemTree) {
    this.frozen.set(snapshotId, tree);
    return this.createSnapshot({
      tenantId,
      guestId: guest.id,
      snapshotId,
      ref: { connector: 'local', disks },
      tags: {},
    });
  }

  readonly open: SnapshotOpener = async (_connector, _tenant, snapshotId) => {
    const failure = this.openFailures.shift();
    if (failure) throw failure;
    if (!this.snapshots.has(snapshotId))
      throw Object.assign(new Error(`no snapshot ${snapshotId}`), { retryable: false });
    if (!this.frozen.has(snapshotId)) this.frozen.set(snapshotId, this.tree);
    const view = new GuestView([
      { mountPoint: '/', volumeId: 'disk0', fs: new MemFs(this.frozen.get(snapshotId)!) },
    ]);
    this.opened++;
    return {
      view,
      notes: [],
      close: async () => {
        this.closed++;
      },
    };
  };
}

export function setup() {
  const registry = new SqliteRegistry(openDatabase(':memory:'));
  const bus = new RecordingBus();
  const queue = new RecordingQueue();
  const connector = new TreeConnector();
  const objects = new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-av-')));
  const clock = fixedClock(Date.parse('2026-03-01T12:00:00.000Z'));
  const deps = {
    registry,
    bus,
    objects,
    clock,
    queues: queue,
    logger: silentLogger,
    connectors: {
      get: (kind: string) => {
        if (kind !== 'local') throw new Error(`connector ${kind} is not available here`);
        return connector;
      },
    },
  };
  let engine: (kind: string) => Promise<ScanEngine> = () => createEngine('builtin', {});
  let messageIds = 0;
  const env = {
    registry,
    bus,
    queue,
    connector,
    objects,
    clock,
    deps,
    /** Replaces the engine every task gets. */
    useEngine(make: (kind: string) => Promise<ScanEngine>) {
      engine = make;
    },
    /** A fresh message id (each send of a message has its own; its redeliveries keep it). */
    messageId: () => `msg-${++messageIds}`,
    async enableAntivirus(policy: Record<string, unknown> = {}) {
      await registry.putSubscription({
        tenantId,
        guestId: guest.id,
        service: 'antivirus',
        policy: AntivirusPolicy.parse(policy),
        enabledAt: guest.createdAt,
        updatedAt: guest.createdAt,
      });
    },
    dispatch(input: AvDispatchInput, delivery: Partial<AvDelivery> = {}, options: AvDispatchOptions = {}) {
      return runAvDispatch(
        deps,
        input,
        { receiveCount: 1, maxReceiveCount: 3, messageId: env.messageId(), ...delivery },
        { openSnapshot: connector.open, ...options },
      );
    },
    scan(task: ScanTask, delivery: Partial<AvDelivery> = {}, options: Partial<AvScanOptions> = {}) {
      return runAvScanTask(
        deps,
        task,
        { receiveCount: 1, maxReceiveCount: 3, messageId: env.messageId(), ...delivery },
        { engines: (kind) => engine(kind), openSnapshot: connector.open, ...options },
      );
    },
    /** Delivers every task sent so far (once each, in order); returns their outcomes. */
    async scanAll(from = 0) {
      const out = [];
      for (const task of queue.tasks().slice(from)) out.push(await env.scan(task));
      return out;
    },
    /** A restore point of `tree`, as the backup chain records it, and its Backup Completed event. */
    async restorePoint(
      n: number,
      tree: MemTree,
    ): Promise<{ rp: RestorePoint; event: EventDetail<'Backup Completed'> }> {
      const snapshotId = `ob-backup${n}`;
      const snapshot = await connector.backup(snapshotId, tree);
      const id = `rp_00000000${n}0bbbbbbbbbbbbbbbb`;
      const jobId = `job_00000000${n}0bbbbbbbbbbbbbbbb`;
      const rp: RestorePoint = {
        tenantId,
        id,
        guestId: guest.id,
        jobId,
        connector: 'local',
        snapshotId,
        disks: snapshot.disks,
        tags: {},
        createdAt: clock.now().toISOString(),
      };
      await registry.createRestorePoint(rp);
      const event: EventDetail<'Backup Completed'> = {
        schemaVersion: 1,
        tenantId,
        correlationId: `c-backup-${n}`,
        guestId: guest.id,
        jobId,
        restorePointId: id,
        connector: 'local',
        snapshotId,
        disks: snapshot.disks,
        startedAt: rp.createdAt,
        finishedAt: rp.createdAt,
      };
      return { rp, event };
    },
  };
  return env;
}

export type Env = ReturnType<typeof setup>;

export function requested(jobId?: string, scheduledTime?: string): AvDispatchInput {
  return {
    kind: 'requested',
    detail: {
      schemaVersion: 1,
      tenantId,
      correlationId: 'c-1',
      guestId: guest.id,
      ...(jobId ? { jobId } : {}),
      trigger: scheduledTime ? { kind: 'schedule', scheduledTime } : { kind: 'api' },
    },
  };
}

export function afterBackup(event: EventDetail<'Backup Completed'>): AvDispatchInput {
  return { kind: 'backup', detail: event };
}

const enc = new TextEncoder();
export const text = (s: string) => enc.encode(s);

/** A small guest: a few directories and ordinary files. */
export function cleanTree(): MemTree {
  return {
    etc: { hostname: 'web\n', 'app.conf': 'port=8080\n'.repeat(20) },
    usr: { bin: { tool: text('\x7fELF tool binary '.repeat(40)) } },
    var: { log: { 'syslog.1': 'boot ok\n'.repeat(100) }, empty: {} },
    home: { ada: { 'notes.txt': 'remember the milk\n', link: { symlink: '/etc/hostname' } } },
  };
}
