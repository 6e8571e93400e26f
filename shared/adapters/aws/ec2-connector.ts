/**
 * Connector for EC2 instances (kind `aws-ec2`), in the one region its client is for.
 *
 * An Outboard snapshot is a group of EBS snapshots, one per volume of the instance, taken together
 * by CreateSnapshots (crash-consistent across volumes). Every EBS snapshot of the group is tagged:
 *
 *   outboard:tenant    the tenant id
 *   outboard:guest     the guest id
 *   outboard:snapshot  the request's snapshotId (deterministic): a repeated createSnapshot finds the
 *                      group it already made and returns it instead of taking another
 *   outboard:device    the device name the volume was attached as (e.g. /dev/xvda), which fixes the
 *                      disk order for good even if volumes are later detached or deleted
 *
 * plus the request's tags and (CopyTagsFromSource) the volume's tags. Disk index = position in
 * device-name order (digit runs compare as numbers: /dev/sda2 before /dev/sda10;
 * the rest by character code).
 *
 * Reading blocks (openDisk) goes through the EBS direct APIs (ListSnapshotBlocks, GetSnapshotBlock):
 * only the blocks a reader asks for are fetched, nothing is restored to a volume.
 */
import {
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type Snapshot,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { SnapshotDisk } from '../../contracts/job.ts';
import type { ByteSource } from '../../disk/types.ts';
import type { Connector, DiscoveredGuest, DiskReader, SnapshotInfo, SnapshotRequest } from '../../ports.ts';
import { isAwsError } from './util.ts';

export const EC2_TAGS = {
  tenant: 'outboard:tenant',
  guest: 'outboard:guest',
  snapshot: 'outboard:snapshot',
  device: 'outboard:device',
} as const;
const RESERVED_TAG_PREFIX = 'outboard:';
const GIB = 2 ** 30;

export class Ec2ConnectorError extends Error {
  override name = 'Ec2ConnectorError';
}

export class SnapshotFailedError extends Error {
  override name = 'SnapshotFailedError';
}

export class DiskReaderUnavailableError extends Error {
  override name = 'DiskReaderUnavailableError';
}

export interface Ec2ConnectorOptions {
  client: EC2Client;
  /** Opens one EBS snapshot for block reads (the EBS direct API source); without it openDisk refuses. */
  openEbsSnapshot?: (ebsSnapshotId: string) => Promise<ByteSource>;
  /** The client's region; put on discovered guests' refs and checked against requests' refs. */
  region?: string;
}

/** One EBS snapshot of a group, as far as the connector cares. */
interface EbsSnapshot {
  snapshotId: string;
  volumeId: string;
  sizeGiB: number;
  state: string;
  startTime?: Date;
  tags: Record<string, string>;
}

const tagsToRecord = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key, t.Value ?? '']));

const recordToTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** The fields DescribeSnapshots' Snapshot and CreateSnapshots' SnapshotInfo share. */
type SnapshotFields = Pick<
  Snapshot,
  'SnapshotId' | 'VolumeId' | 'VolumeSize' | 'State' | 'StartTime' | 'Tags'
>;

function toEbs(s: SnapshotFields): EbsSnapshot {
  return {
    snapshotId: s.SnapshotId ?? '',
    volumeId: s.VolumeId ?? '',
    sizeGiB: s.VolumeSize ?? 0,
    state: s.State ?? 'pending',
    ...(s.StartTime ? { startTime: s.StartTime } : {}),
    tags: tagsToRecord(s.Tags),
  };
}

/** Natural order of device names: digit runs compare as numbers, the rest by code unit. */
export function compareDeviceNames(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export class Ec2Connector implements Connector {
  readonly kind = 'aws-ec2' as const;
  readonly #client: EC2Client;
  readonly #region: string | undefined;

  readonly #openEbs: Ec2ConnectorOptions['openEbsSnapshot'];

  constructor(options: Ec2ConnectorOptions) {
    this.#client = options.client;
    this.#openEbs = options.openEbsSnapshot;
    this.#region = options.region;
  }

  async listGuests(): Promise<DiscoveredGuest[]> {
    const guests: DiscoveredGuest[] = [];
    for await (const instance of this.#instances({
      Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
    })) {
      if (!instance.InstanceId) continue;
      const name = tagsToRecord(instance.Tags).Name?.trim();
      guests.push({
        name: name || instance.InstanceId,
        ref: {
          connector: 'aws-ec2',
          instanceId: instance.InstanceId,
          ...(this.#region ? { region: this.#region } : {}),
        },
      });
    }
    return guests;
  }

  async createSnapshot(request: SnapshotRequest): Promise<SnapshotInfo> {
    const { tenantId, guestId, snapshotId, ref } = request;
    const what = `snapshot "${snapshotId}" of guest ${tenantId}/${guestId}`;
    if (ref.connector !== 'aws-ec2') {
      throw new Ec2ConnectorError(
        `${what}: the guest's connector is "${ref.connector}", not "aws-ec2"; not taken`,
      );
    }
    if (ref.region && this.#region && ref.region !== this.#region) {
      throw new Ec2ConnectorError(
        `${what}: instance ${ref.instanceId} is in ${ref.region} but this connector works in ${this.#region}; not taken`,
      );
    }
    const reserved = Object.keys(request.tags).filter((k) => k.startsWith(RESERVED_TAG_PREFIX));
    if (reserved.length > 0) {
      throw new Ec2ConnectorError(
        `${what}: tag keys starting with "${RESERVED_TAG_PREFIX}" are Outboard's own (${reserved.join(', ')}); not taken`,
      );
    }

    const existing = await this.#describeSnapshots(this.#groupFilters(tenantId, snapshotId));
    if (existing.length > 0) {
      const other = existing.find((s) => s.tags[EC2_TAGS.guest] !== guestId);
      if (other) {
        throw new Ec2ConnectorError(
          `${what}: EBS snapshot ${other.snapshotId} already carries this snapshot id for guest "${other.tags[EC2_TAGS.guest]}"; not taken`,
        );
      }
      return this.#info(tenantId, snapshotId, existing, true);
    }

    const devices = await this.#instanceDevices(ref.instanceId, what);
    const out = await this.#client.send(
      new CreateSnapshotsCommand({
        Description: `Outboard ${snapshotId} (${tenantId}/${guestId})`,
        InstanceSpecification: { InstanceId: ref.instanceId, ExcludeBootVolume: false },
        CopyTagsFromSource: 'volume',
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: recordToTags({
              ...request.tags,
              [EC2_TAGS.tenant]: tenantId,
              [EC2_TAGS.guest]: guestId,
              [EC2_TAGS.snapshot]: snapshotId,
            }),
          },
        ],
      }),
    );
    const snapshots = (out.Snapshots ?? []).map(toEbs);
    if (snapshots.length === 0) {
      throw new Ec2ConnectorError(
        `${what}: instance ${ref.instanceId} has no EBS volumes; nothing to snapshot`,
      );
    }
    for (const s of snapshots) {
      const device = devices.get(s.volumeId);
      if (device) s.tags[EC2_TAGS.device] = device;
    }
    await this.#tagDevices(snapshots.filter((s) => devices.has(s.volumeId)));
    return this.#info(tenantId, snapshotId, snapshots, true);
  }

  async getSnapshot(tenantId: string, snapshotId: string): Promise<SnapshotInfo | undefined> {
    const snapshots = await this.#describeSnapshots(this.#groupFilters(tenantId, snapshotId));
    return snapshots.length === 0 ? undefined : this.#info(tenantId, snapshotId, snapshots, false);
  }

  async listSnapshots(tenantId: string, guestId?: string): Promise<SnapshotInfo[]> {
    const filters: Filter[] = [{ Name: `tag:${EC2_TAGS.tenant}`, Values: [tenantId] }];
    if (guestId !== undefined) filters.push({ Name: `tag:${EC2_TAGS.guest}`, Values: [guestId] });
    const groups = new Map<string, EbsSnapshot[]>();
    for (const s of await this.#describeSnapshots(filters)) {
      const id = s.tags[EC2_TAGS.snapshot];
      if (!id) continue;
      groups.set(id, [...(groups.get(id) ?? []), s]);
    }
    const infos: SnapshotInfo[] = [];
    for (const [id, snapshots] of groups) infos.push(await this.#info(tenantId, id, snapshots, false));
    return infos.sort((a, b) =>
      a.createdAt === b.createdAt
        ? a.snapshotId < b.snapshotId
          ? -1
          : 1
        : a.createdAt < b.createdAt
          ? -1
          : 1,
    );
  }

  async openDisk(tenantId: string, snapshotId: string, diskIndex: number): Promise<DiskReader> {
    if (!this.#openEbs) {
      throw new DiskReaderUnavailableError(
        `aws-ec2: cannot open disk ${diskIndex} of snapshot "${snapshotId}" (tenant ${tenantId}): no EBS direct API client configured`,
      );
    }
    const snapshots = await this.#describeSnapshots(this.#groupFilters(tenantId, snapshotId));
    if (snapshots.length === 0) {
      throw new DiskReaderUnavailableError(
        `aws-ec2: snapshot "${snapshotId}" (tenant ${tenantId}) does not exist`,
      );
    }
    const info = await this.#info(tenantId, snapshotId, snapshots, false);
    if (info.state !== 'completed') {
      throw new DiskReaderUnavailableError(
        `aws-ec2: snapshot "${snapshotId}" is still pending; only completed EBS snapshots can be read`,
      );
    }
    const ebs = this.#ordered(snapshots)[diskIndex];
    if (!Number.isInteger(diskIndex) || !ebs) {
      throw new DiskReaderUnavailableError(
        `aws-ec2: snapshot "${snapshotId}" has ${snapshots.length} disk(s); there is no disk ${diskIndex}`,
      );
    }
    const source = await this.#openEbs(ebs.snapshotId);
    return {
      size: source.size,
      read: (offset, length) => source.read(offset, length),
      close: () => source.close(),
    };
  }

  async deleteSnapshot(tenantId: string, snapshotId: string): Promise<void> {
    const snapshots = await this.#describeSnapshots(this.#groupFilters(tenantId, snapshotId));
    for (const s of snapshots) {
      try {
        await this.#client.send(new DeleteSnapshotCommand({ SnapshotId: s.snapshotId }));
      } catch (error) {
        if (!isAwsError(error, 'InvalidSnapshot.NotFound')) throw error;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  #groupFilters(tenantId: string, snapshotId: string): Filter[] {
    return [
      { Name: `tag:${EC2_TAGS.tenant}`, Values: [tenantId] },
      { Name: `tag:${EC2_TAGS.snapshot}`, Values: [snapshotId] },
    ];
  }

  async #describeSnapshots(filters: Filter[]): Promise<EbsSnapshot[]> {
    const snapshots: EbsSnapshot[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: filters,
          MaxResults: 1000,
          NextToken: token,
        }),
      );
      snapshots.push(...(out.Snapshots ?? []).map(toEbs));
      token = out.NextToken;
    } while (token);
    return snapshots;
  }

  async *#instances(input: DescribeInstancesCommandInput): AsyncGenerator<Instance> {
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new DescribeInstancesCommand({
          ...input,
          ...(input.InstanceIds ? {} : { MaxResults: 1000 }),
          NextToken: token,
        }),
      );
      for (const reservation of out.Reservations ?? []) yield* reservation.Instances ?? [];
      token = out.NextToken;
    } while (token);
  }

  /** Volume id → device name for an instance's EBS volumes. */
  async #instanceDevices(instanceId: string, what: string): Promise<Map<string, string>> {
    const devices = new Map<string, string>();
    let found = false;
    try {
      for await (const instance of this.#instances({ InstanceIds: [instanceId] })) {
        found = true;
        for (const mapping of instance.BlockDeviceMappings ?? []) {
          if (mapping.Ebs?.VolumeId && mapping.DeviceName)
            devices.set(mapping.Ebs.VolumeId, mapping.DeviceName);
        }
      }
    } catch (error) {
      if (!isAwsError(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
    }
    if (!found) {
      throw new Ec2ConnectorError(
        `${what}: instance ${instanceId} not found${this.#region ? ` in ${this.#region}` : ''}; not taken`,
      );
    }
    return devices;
  }

  /** Device names of volumes (by their current attachment); volumes gone or detached are left out. */
  async #volumeDevices(volumeIds: string[]): Promise<Map<string, string>> {
    const devices = new Map<string, string>();
    if (volumeIds.length === 0) return devices;
    let token: string | undefined;
    do {
      // A filter rather than VolumeIds: a deleted volume is then just absent, not an error.
      const out = await this.#client.send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: volumeIds }], NextToken: token }),
      );
      for (const v of out.Volumes ?? []) {
        const device = v.Attachments?.find((a) => a.Device)?.Device;
        if (v.VolumeId && device) devices.set(v.VolumeId, device);
      }
      token = out.NextToken;
    } while (token);
    return devices;
  }

  async #tagDevices(snapshots: EbsSnapshot[]): Promise<void> {
    for (const s of snapshots) {
      const device = s.tags[EC2_TAGS.device];
      if (!device) continue;
      await this.#client.send(
        new CreateTagsCommand({ Resources: [s.snapshotId], Tags: [{ Key: EC2_TAGS.device, Value: device }] }),
      );
    }
  }

  /**
   * The Outboard view of a group. Snapshots without a device tag (a createSnapshot interrupted before
   * tagging) get their device from the volume's attachment; with `tagMissing` the tag is written.
   */
  async #info(
    tenantId: string,
    snapshotId: string,
    snapshots: EbsSnapshot[],
    tagMissing: boolean,
  ): Promise<SnapshotInfo> {
    const untagged = snapshots.filter((s) => !s.tags[EC2_TAGS.device]);
    if (untagged.length > 0) {
      const devices = await this.#volumeDevices([...new Set(untagged.map((s) => s.volumeId))]);
      for (const s of untagged) {
        const device = devices.get(s.volumeId);
        if (device) s.tags[EC2_TAGS.device] = device;
      }
      if (tagMissing) await this.#tagDevices(untagged);
    }

    const failed = snapshots.filter((s) => s.state === 'error');
    if (failed.length > 0) {
      throw new SnapshotFailedError(
        `snapshot "${snapshotId}" (tenant ${tenantId}) failed: EBS snapshot ${failed.map((s) => s.snapshotId).join(', ')} is in state "error"`,
      );
    }

    const ordered = this.#ordered(snapshots);
    const disks: SnapshotDisk[] = ordered.map((s, index) => ({
      index,
      sizeBytes: s.sizeGiB * GIB,
      source: s.volumeId || s.snapshotId,
    }));

    const internal = new Set<string>(Object.values(EC2_TAGS));
    const first = ordered[0] as EbsSnapshot;
    const tags = Object.fromEntries(
      Object.entries(first.tags).filter(
        ([k, v]) => !internal.has(k) && ordered.every((s) => s.tags[k] === v),
      ),
    );
    const times = ordered.flatMap((s) => (s.startTime ? [s.startTime.getTime()] : []));

    return {
      connector: 'aws-ec2',
      snapshotId,
      tenantId,
      guestId: first.tags[EC2_TAGS.guest] ?? '',
      disks,
      tags,
      createdAt: new Date(times.length > 0 ? Math.min(...times) : Date.now()).toISOString(),
      state: ordered.every((s) => s.state === 'completed') ? 'completed' : 'pending',
    };
  }

  /** Disk order: by device name (digit runs as numbers), then volume id, then snapshot id. */
  #ordered(snapshots: EbsSnapshot[]): EbsSnapshot[] {
    return [...snapshots].sort((a, b) => {
      const da = a.tags[EC2_TAGS.device];
      const db = b.tags[EC2_TAGS.device];
      if (da && db && da !== db) return compareDeviceNames(da, db);
      if (da && !db) return -1;
      if (!da && db) return 1;
      return a.volumeId === b.volumeId
        ? a.snapshotId < b.snapshotId
          ? -1
          : 1
        : a.volumeId < b.volumeId
          ? -1
          : 1;
    });
  }
}
