/** Test doubles for ports whose real adapters need a machine (connectors) or that tests want to observe (bus). */
import type { DetailType, OutboardEvent } from '../../shared/contracts/events.ts';
import type { ConnectorKind } from '../../shared/contracts/guest.ts';
import type { Deps, Logger } from '../../shared/deps.ts';
import type {
  Connector,
  DiskReader,
  EventPublisher,
  ScheduleDefinition,
  ScheduleManager,
  SnapshotInfo,
  SnapshotRequest,
} from '../../shared/ports.ts';

export class RecordingBus implements EventPublisher {
  readonly events: OutboardEvent[] = [];
  failNext = 0;
  async publish(events: OutboardEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('bus unavailable (test)');
    }
    this.events.push(...events);
  }
  ofType<K extends DetailType>(type: K) {
    return this.events.filter((e) => e.detailType === type) as OutboardEvent<K>[];
  }
}

export class MemoryScheduler implements ScheduleManager {
  readonly schedules = new Map<string, ScheduleDefinition>();
  failNext = 0;
  async upsert(schedule: ScheduleDefinition) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('scheduler unavailable (test)');
    }
    this.schedules.set(schedule.name, schedule);
  }
  async delete(name: string) {
    this.schedules.delete(name);
  }
  async get(name: string) {
    return this.schedules.get(name);
  }
}

/** A connector that keeps snapshots in memory and counts how many it really took. */
export class MemoryConnector implements Connector {
  readonly kind: ConnectorKind = 'local';
  readonly snapshots = new Map<string, SnapshotInfo>();
  created = 0;
  failures: Error[] = [];
  async listGuests() {
    return [];
  }
  async createSnapshot(request: SnapshotRequest): Promise<SnapshotInfo> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const existing = this.snapshots.get(request.snapshotId);
    if (existing) return existing;
    this.created++;
    const disks = request.ref.connector === 'local' ? request.ref.disks : [];
    const info: SnapshotInfo = {
      connector: 'local',
      snapshotId: request.snapshotId,
      tenantId: request.tenantId,
      guestId: request.guestId,
      disks: disks.map((source, index) => ({ index, sizeBytes: 1024, source })),
      tags: request.tags,
      createdAt: new Date().toISOString(),
      state: 'completed',
    };
    this.snapshots.set(request.snapshotId, info);
    return info;
  }
  async getSnapshot(_tenantId: string, id: string) {
    return this.snapshots.get(id);
  }
  async listSnapshots() {
    return [...this.snapshots.values()];
  }
  async openDisk(_tenantId: string, _snapshotId: string, _diskIndex: number): Promise<DiskReader> {
    throw new Error('MemoryConnector has no disk contents');
  }
  async deleteSnapshot(_tenantId: string, id: string) {
    this.snapshots.delete(id);
  }
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
};

export function fixedClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

export type { Deps };
