import {
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compareDeviceNames, Ec2Connector } from '../../../../shared/adapters/aws/ec2-connector.ts';
import type { SnapshotRequest } from '../../../../shared/ports.ts';

const ec2 = mockClient(EC2Client);
const connector = () =>
  new Ec2Connector({ client: new EC2Client({ region: 'eu-west-1' }), region: 'eu-west-1' });
const INSTANCE = 'i-0123456789abcdef0';
const GIB = 2 ** 30;

const request = (over: Partial<SnapshotRequest> = {}): SnapshotRequest => ({
  tenantId: 't1',
  guestId: 'gst_0000000001',
  snapshotId: 'job_0000000001',
  ref: { connector: 'aws-ec2', instanceId: INSTANCE, region: 'eu-west-1' },
  tags: { policy: 'nightly' },
  ...over,
});

const groupTags = (snapshotId = 'job_0000000001', guestId = 'gst_0000000001') => [
  { Key: 'outboard:tenant', Value: 't1' },
  { Key: 'outboard:guest', Value: guestId },
  { Key: 'outboard:snapshot', Value: snapshotId },
  { Key: 'policy', Value: 'nightly' },
];

const ebs = (id: string, volume: string, size: number, over: Partial<Snapshot> = {}): Snapshot => ({
  SnapshotId: id,
  VolumeId: volume,
  VolumeSize: size,
  State: 'completed',
  StartTime: new Date('2026-01-01T02:00:00Z'),
  Tags: groupTags(),
  ...over,
});

const withDevice = (s: Snapshot, device: string): Snapshot => ({
  ...s,
  Tags: [...(s.Tags ?? []), { Key: 'outboard:device', Value: device }],
});

beforeEach(() => {
  ec2.reset();
});

describe('Ec2Connector.createSnapshot', () => {
  it('snapshots every volume with CreateSnapshots, tags the group and orders disks by device', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: INSTANCE,
              BlockDeviceMappings: [
                { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-data' } },
                { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-root' } },
              ],
            },
          ],
        },
      ],
    });
    ec2.on(CreateSnapshotsCommand).resolves({
      Snapshots: [
        ebs('snap-b', 'vol-root', 8, { State: 'pending' }),
        ebs('snap-a', 'vol-data', 100, { State: 'pending' }),
      ],
    });
    ec2.on(CreateTagsCommand).resolves({});

    const info = await connector().createSnapshot(request());

    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0]?.args[0].input).toEqual({
      OwnerIds: ['self'],
      Filters: [
        { Name: 'tag:outboard:tenant', Values: ['t1'] },
        { Name: 'tag:outboard:snapshot', Values: ['job_0000000001'] },
      ],
      MaxResults: 1000,
      NextToken: undefined,
    });
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0]?.args[0].input).toEqual({
      Description: 'Outboard job_0000000001 (t1/gst_0000000001)',
      InstanceSpecification: { InstanceId: INSTANCE, ExcludeBootVolume: false },
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'policy', Value: 'nightly' },
            { Key: 'outboard:tenant', Value: 't1' },
            { Key: 'outboard:guest', Value: 'gst_0000000001' },
            { Key: 'outboard:snapshot', Value: 'job_0000000001' },
          ],
        },
      ],
    });
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Resources: ['snap-b'], Tags: [{ Key: 'outboard:device', Value: '/dev/xvda' }] },
      { Resources: ['snap-a'], Tags: [{ Key: 'outboard:device', Value: '/dev/sdf' }] },
    ]);
    expect(info).toEqual({
      connector: 'aws-ec2',
      snapshotId: 'job_0000000001',
      tenantId: 't1',
      guestId: 'gst_0000000001',
      disks: [
        { index: 0, sizeBytes: 100 * GIB, source: 'vol-data' },
        { index: 1, sizeBytes: 8 * GIB, source: 'vol-root' },
      ],
      tags: { policy: 'nightly' },
      createdAt: '2026-01-01T02:00:00.000Z',
      state: 'pending',
    });
  });

  it('reuses the snapshots a previous attempt made, tagging devices it did not get to', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [withDevice(ebs('snap-1', 'vol-1', 8), '/dev/xvda'), ebs('snap-2', 'vol-2', 20)],
    });
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [{ VolumeId: 'vol-2', Attachments: [{ Device: '/dev/xvdb' }] }],
    });
    ec2.on(CreateTagsCommand).resolves({});

    const info = await connector().createSnapshot(request());

    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeVolumesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'volume-id', Values: ['vol-2'] },
    ]);
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Resources: ['snap-2'], Tags: [{ Key: 'outboard:device', Value: '/dev/xvdb' }] },
    ]);
    expect(info.disks.map((d) => d.source)).toEqual(['vol-1', 'vol-2']);
    expect(info.state).toBe('completed');
  });

  it('refuses when the snapshot id is already used for another guest', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [ebs('snap-1', 'vol-1', 8, { Tags: groupTags('job_0000000001', 'gst_9999999999') })],
    });
    await expect(connector().createSnapshot(request())).rejects.toMatchObject({
      name: 'Ec2ConnectorError',
      message: expect.stringContaining('gst_9999999999'),
    });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
  });

  it('refuses request tags in the outboard: namespace before calling EC2', async () => {
    await expect(
      connector().createSnapshot(request({ tags: { 'outboard:snapshot': 'other' } })),
    ).rejects.toMatchObject({
      name: 'Ec2ConnectorError',
      message: expect.stringContaining('outboard:snapshot'),
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses a guest of another connector or region', async () => {
    await expect(
      connector().createSnapshot(request({ ref: { connector: 'local', disks: ['/tmp/disk.img'] } })),
    ).rejects.toThrow(/connector is "local"/);
    await expect(
      connector().createSnapshot(
        request({ ref: { connector: 'aws-ec2', instanceId: INSTANCE, region: 'us-east-1' } }),
      ),
    ).rejects.toThrow(/us-east-1.*eu-west-1/);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('says so when the instance does not exist', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('nope'), { name: 'InvalidInstanceID.NotFound' }));
    await expect(connector().createSnapshot(request())).rejects.toThrow(
      `instance ${INSTANCE} not found in eu-west-1; not taken`,
    );
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
  });
});

describe('Ec2Connector reads', () => {
  it('getSnapshot is pending until every EBS snapshot completes, and keeps only shared user tags', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        withDevice(
          ebs('snap-1', 'vol-1', 8, { Tags: [...groupTags(), { Key: 'Name', Value: 'root' }] }),
          '/dev/sda1',
        ),
        withDevice(
          ebs('snap-2', 'vol-2', 16, { State: 'pending', StartTime: new Date('2026-01-01T01:59:59Z') }),
          '/dev/sdb',
        ),
      ],
    });
    const info = await connector().getSnapshot('t1', 'job_0000000001');
    expect(info?.state).toBe('pending');
    expect(info?.tags).toEqual({ policy: 'nightly' });
    expect(info?.createdAt).toBe('2026-01-01T01:59:59.000Z');
    expect(info?.disks).toEqual([
      { index: 0, sizeBytes: 8 * GIB, source: 'vol-1' },
      { index: 1, sizeBytes: 16 * GIB, source: 'vol-2' },
    ]);
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });

  it('getSnapshot returns undefined when no EBS snapshot carries the id', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    expect(await connector().getSnapshot('t1', 'job_0000000001')).toBeUndefined();
  });

  it('getSnapshot reports a failed EBS snapshot', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [withDevice(ebs('snap-bad', 'vol-1', 8, { State: 'error' }), '/dev/sda1')],
    });
    await expect(connector().getSnapshot('t1', 'job_0000000001')).rejects.toMatchObject({
      name: 'SnapshotFailedError',
      message: expect.stringContaining('snap-bad'),
    });
  });

  it('listSnapshots pages through DescribeSnapshots and groups by snapshot id', async () => {
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [withDevice(ebs('snap-1', 'vol-1', 8, { Tags: groupTags('job_b') }), '/dev/sda1')],
        NextToken: 'next',
      })
      .resolves({
        Snapshots: [
          withDevice(ebs('snap-2', 'vol-2', 8, { Tags: groupTags('job_b') }), '/dev/sdb'),
          withDevice(
            ebs('snap-3', 'vol-1', 8, {
              Tags: groupTags('job_a'),
              StartTime: new Date('2025-12-31T00:00:00Z'),
            }),
            '/dev/sda1',
          ),
        ],
      });
    const infos = await connector().listSnapshots('t1', 'gst_0000000001');
    const calls = ec2.commandCalls(DescribeSnapshotsCommand);
    expect(calls[0]?.args[0].input.Filters).toEqual([
      { Name: 'tag:outboard:tenant', Values: ['t1'] },
      { Name: 'tag:outboard:guest', Values: ['gst_0000000001'] },
    ]);
    expect(calls[1]?.args[0].input.NextToken).toBe('next');
    expect(infos.map((i) => [i.snapshotId, i.disks.length])).toEqual([
      ['job_a', 1],
      ['job_b', 2],
    ]);
  });

  it('listGuests pages through live instances, named by their Name tag', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          { Instances: [{ InstanceId: 'i-00000000000000001', Tags: [{ Key: 'Name', Value: 'web' }] }] },
        ],
        NextToken: 'p2',
      })
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-00000000000000002' }] }] });
    expect(await connector().listGuests()).toEqual([
      { name: 'web', ref: { connector: 'aws-ec2', instanceId: 'i-00000000000000001', region: 'eu-west-1' } },
      {
        name: 'i-00000000000000002',
        ref: { connector: 'aws-ec2', instanceId: 'i-00000000000000002', region: 'eu-west-1' },
      },
    ]);
    const calls = ec2.commandCalls(DescribeInstancesCommand);
    expect(calls[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
      MaxResults: 1000,
      NextToken: undefined,
    });
    expect(calls[1]?.args[0].input.NextToken).toBe('p2');
  });
});

describe('Ec2Connector.deleteSnapshot and openDisk', () => {
  it('deletes every EBS snapshot of the group, ignoring ones already gone', async () => {
    ec2
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [ebs('snap-1', 'vol-1', 8), ebs('snap-2', 'vol-2', 8)] });
    ec2
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-1' })
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidSnapshot.NotFound' }));
    ec2.on(DeleteSnapshotCommand, { SnapshotId: 'snap-2' }).resolves({});
    await connector().deleteSnapshot('t1', 'job_0000000001');
    expect(ec2.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId)).toEqual([
      'snap-1',
      'snap-2',
    ]);
  });

  it('deleteSnapshot rethrows other errors', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [ebs('snap-1', 'vol-1', 8)] });
    ec2
      .on(DeleteSnapshotCommand)
      .rejects(Object.assign(new Error('used by ami'), { name: 'InvalidSnapshot.InUse' }));
    await expect(connector().deleteSnapshot('t1', 'job_0000000001')).rejects.toMatchObject({
      name: 'InvalidSnapshot.InUse',
    });
  });

  it('deleting a missing snapshot is not an error', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await connector().deleteSnapshot('t1', 'job_0000000001');
    expect(ec2.commandCalls(DeleteSnapshotCommand)).toHaveLength(0);
  });

  it('openDisk refuses without an EBS direct API client', async () => {
    await expect(connector().openDisk('t1', 'job_0000000001', 0)).rejects.toMatchObject({
      name: 'DiskReaderUnavailableError',
      message: expect.stringMatching(/disk 0 of snapshot "job_0000000001".*no EBS direct API client/),
    });
  });

  it('openDisk reads the EBS snapshot of the disk at that index, in device order', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        withDevice(ebs('snap-b', 'vol-b', 8), '/dev/sdb'),
        withDevice(ebs('snap-a', 'vol-a', 8), '/dev/sda1'),
      ],
    });
    const opened: string[] = [];
    const withEbs = new Ec2Connector({
      client: new EC2Client({ region: 'eu-west-1' }),
      region: 'eu-west-1',
      openEbsSnapshot: async (id) => {
        opened.push(id);
        return {
          size: 8 * GIB,
          read: async (_o, n) => new Uint8Array(n).fill(id === 'snap-a' ? 0xaa : 0xbb),
          close: async () => undefined,
        };
      },
    });
    const disk1 = await withEbs.openDisk('t1', 'job_0000000001', 1);
    expect(opened).toEqual(['snap-b']);
    expect(disk1.size).toBe(8 * GIB);
    expect([...(await disk1.read(0, 2))]).toEqual([0xbb, 0xbb]);
    await expect(withEbs.openDisk('t1', 'job_0000000001', 2)).rejects.toThrow(
      /has 2 disk\(s\); there is no disk 2/,
    );
  });

  it('openDisk refuses a pending or missing snapshot', async () => {
    const withEbs = new Ec2Connector({
      client: new EC2Client({ region: 'eu-west-1' }),
      openEbsSnapshot: async () => {
        throw new Error('must not be called');
      },
    });
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [withDevice(ebs('snap-a', 'vol-a', 8, { State: 'pending' }), '/dev/sda')] });
    await expect(withEbs.openDisk('t1', 'job_0000000001', 0)).rejects.toThrow(/still pending/);
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await expect(withEbs.openDisk('t1', 'job_0000000001', 0)).rejects.toThrow(/does not exist/);
  });
});

describe('compareDeviceNames', () => {
  it('orders device names naturally', () => {
    const names = ['/dev/sdaa', '/dev/xvda', '/dev/sdb', '/dev/sda10', '/dev/sda2', '/dev/sda1'];
    expect([...names].sort(compareDeviceNames)).toEqual([
      '/dev/sda1',
      '/dev/sda2',
      '/dev/sda10',
      '/dev/sdaa',
      '/dev/sdb',
      '/dev/xvda',
    ]);
  });
});
