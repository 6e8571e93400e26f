import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptSnapshotError,
  type DiskCopiedEvent,
  DiskReadError,
  InvalidSnapshotRequestError,
  LocalConnector,
  LocalConnectorError,
  type LocalConnectorOptions,
  SnapshotConflictError,
  SnapshotNotFoundError,
  SnapshotSourceChangedError,
  SnapshotSourceError,
} from '../../../../shared/adapters/local/connector.ts';
import { isRetryable, type SnapshotRequest } from '../../../../shared/ports.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const TENANT = 'acme';
const GUEST = 'gst_0000000000001';

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 999_999;
}

describe('LocalConnector', () => {
  let base: string;
  let images: string;
  let root: string;
  const at = new Date('2025-06-01T12:00:00.000Z');

  const connector = (options: Partial<LocalConnectorOptions> = {}) =>
    new LocalConnector({ root, discoverRoots: [images], clock: { now: () => at }, quietMs: 20, ...options });

  const image = (name: string, size: number): string => {
    const path = join(images, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, randomBytes(size));
    return path;
  };

  const request = (disks: string[], overrides: Partial<SnapshotRequest> = {}): SnapshotRequest => ({
    tenantId: TENANT,
    guestId: GUEST,
    snapshotId: 'snap-job_abc.1',
    ref: { connector: 'local', disks },
    tags: { job: 'job_abc' },
    ...overrides,
  });

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'outboard-connector-'));
    images = join(base, 'images');
    root = join(base, 'snapshots');
    mkdirSync(images);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  describe('createSnapshot', () => {
    it('copies every disk byte for byte and commits snapshot.json last', async () => {
      const disks = [
        image('vm/disk0.img', 1024 * 1024 + 3),
        image('vm/disk1.img', 65536),
        image('vm/disk2.img', 0),
      ];
      const info = await connector().createSnapshot(request(disks));
      expect(info).toEqual({
        connector: 'local',
        snapshotId: 'snap-job_abc.1',
        tenantId: TENANT,
        guestId: GUEST,
        disks: [
          { index: 0, sizeBytes: 1024 * 1024 + 3, source: disks[0] },
          { index: 1, sizeBytes: 65536, source: disks[1] },
          { index: 2, sizeBytes: 0, source: disks[2] },
        ],
        tags: { job: 'job_abc' },
        createdAt: at.toISOString(),
        state: 'completed',
      });
      const dir = join(root, TENANT, 'snap-job_abc.1');
      expect(readdirSync(dir).sort()).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'snapshot.json']);
      disks.forEach((source, i) => {
        expect(sha256(readFileSync(join(dir, `disk${i}.img`)))).toBe(sha256(readFileSync(source)));
      });
      expect(JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'))).toEqual(info);
      expect(readdirSync(join(root, TENANT))).toEqual(['snap-job_abc.1']); // no temporary folder left
    });

    it('is idempotent on snapshotId: a repeat returns the committed snapshot without copying again', async () => {
      const disk = image('a.img', 4096);
      const original = readFileSync(disk);
      const first = await connector().createSnapshot(request([disk]));
      writeFileSync(disk, randomBytes(4096));
      const later = new LocalConnector({ root, clock: { now: () => new Date('2030-01-01T00:00:00Z') } });
      const again = await later.createSnapshot(request([disk]));
      expect(again).toEqual(first);
      const reader = await later.openDisk(TENANT, first.snapshotId, 0);
      expect(Buffer.from(await reader.read(0, 4096)).equals(original)).toBe(true);
      await reader.close();
    });

    it('refuses to reuse a snapshot id for another guest or other disks', async () => {
      const a = image('a.img', 100);
      const b = image('b.img', 100);
      await connector().createSnapshot(request([a]));
      await expect(
        connector().createSnapshot(request([a], { guestId: 'gst_0000000000002' })),
      ).rejects.toBeInstanceOf(SnapshotConflictError);
      await expect(connector().createSnapshot(request([b]))).rejects.toThrow(/already a snapshot of guest/);
    });

    it('keeps concurrent requests for one snapshot id to one committed snapshot', async () => {
      const disks = [image('vm/d0.img', 300_000), image('vm/d1.img', 200_000)];
      const results = await Promise.all(
        Array.from({ length: 5 }, () => connector().createSnapshot(request(disks))),
      );
      for (const r of results) expect(r).toEqual(results[0]);
      expect(readdirSync(join(root, TENANT))).toEqual(['snap-job_abc.1']);
    });

    it('clears away builds and deletes abandoned by dead processes, and keeps those of live ones', async () => {
      const disk = image('a.img', 2048);
      const tenantDir = join(root, TENANT);
      const dead = deadPid();
      const leftovers = [
        `.tmp-snap-job_abc.1-${dead}-0123456789ab`,
        `.tmp-other-snap-${dead}-0123456789ab`,
        `.trash-gone-${dead}-abcdefabcdef`,
      ];
      for (const name of leftovers) {
        mkdirSync(join(tenantDir, name), { recursive: true });
        writeFileSync(join(tenantDir, name, 'disk0.img'), 'half a disk');
      }
      const live = `.tmp-busy-${process.pid}-0123456789ab`;
      mkdirSync(join(tenantDir, live));
      await connector().createSnapshot(request([disk]));
      expect(readdirSync(tenantDir).sort()).toEqual([live, 'snap-job_abc.1'].sort());
    });

    it('replaces a snapshot folder that has no snapshot.json', async () => {
      const disk = image('a.img', 5000);
      const dir = join(root, TENANT, 'snap-job_abc.1');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'disk0.img'), 'partial');
      const info = await connector().createSnapshot(request([disk]));
      expect(info.disks[0]?.sizeBytes).toBe(5000);
      expect(sha256(readFileSync(join(dir, 'disk0.img')))).toBe(sha256(readFileSync(disk)));
      expect(readdirSync(join(root, TENANT))).toEqual(['snap-job_abc.1']);
    });

    it('takes the snapshot again when a source changes during the copy', async () => {
      const disks = [image('vm/d0.img', 8192), image('vm/d1.img', 8192)];
      const events: DiskCopiedEvent[] = [];
      const rewritten = randomBytes(8192); // same size: only the timestamps tell
      const info = await connector({
        onDiskCopied: async (event) => {
          events.push(event);
          if (event.attempt === 1 && event.diskIndex === 0) writeFileSync(disks[0] as string, rewritten);
        },
      }).createSnapshot(request(disks));
      expect(events.map((e) => [e.attempt, e.diskIndex])).toEqual([
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 1],
      ]);
      const dir = join(root, TENANT, info.snapshotId);
      expect(sha256(readFileSync(join(dir, 'disk0.img')))).toBe(sha256(rewritten));
      expect(sha256(readFileSync(join(dir, 'disk1.img')))).toBe(sha256(readFileSync(disks[1] as string)));
      expect(readdirSync(join(root, TENANT))).toEqual([info.snapshotId]);
    });

    it('detects a disk replaced by another file of the same size and times', async () => {
      const disks = [image('vm/d0.img', 1000), image('vm/d1.img', 1000)];
      const info = await connector({
        onDiskCopied: (event) => {
          if (event.attempt === 1 && event.diskIndex === 1) {
            const next = `${disks[1]}.new`;
            writeFileSync(next, randomBytes(1000));
            rmSync(disks[1] as string);
            // a rename swaps the inode: caught even if the clock did not move
            renameSync(next, disks[1] as string);
          }
        },
      }).createSnapshot(request(disks));
      expect(sha256(readFileSync(join(root, TENANT, info.snapshotId, 'disk1.img')))).toBe(
        sha256(readFileSync(disks[1] as string)),
      );
    });

    it('gives up when a source keeps changing, naming it and leaving nothing behind', async () => {
      const disks = [image('vm/d0.img', 4096), image('vm/d1.img', 4096)];
      let attempts = 0;
      const error = await connector({
        maxAttempts: 3,
        onDiskCopied: (event) => {
          attempts = event.attempt;
          if (event.diskIndex === 1) writeFileSync(disks[1] as string, randomBytes(4097 + event.attempt));
        },
      })
        .createSnapshot(request(disks))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotSourceChangedError);
      expect((error as SnapshotSourceChangedError).paths).toEqual([disks[1]]);
      expect((error as Error).message).toMatch(
        /"snap-job_abc\.1".*d1\.img.*kept changing during the copy \(3 attempts\)/,
      );
      expect(attempts).toBe(3);
      expect(readdirSync(join(root, TENANT))).toEqual([]);
    });

    it('names a missing or unreadable source and creates nothing', async () => {
      const ok = image('ok.img', 10);
      const missing = join(images, 'missing.img');
      const error = await connector()
        .createSnapshot(request([ok, missing]))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotSourceError);
      expect((error as SnapshotSourceError).path).toBe(missing);
      expect((error as Error).message).toContain(missing);
      expect(() => readdirSync(root)).toThrow(/ENOENT/);

      const underAFile = join(ok, 'disk.img'); // ENOTDIR, even for root
      await expect(connector().createSnapshot(request([underAFile]))).rejects.toThrow(underAFile);
      await expect(connector().createSnapshot(request([images]))).rejects.toThrow(/is not a regular file/);
      expect(() => readdirSync(root)).toThrow(/ENOENT/);
    });

    it('tells a copy that cannot be written (may pass on retry) from a source that cannot be read', async () => {
      const disks = [image('vm/d0.img', 100), image('vm/d1.img', 100)];
      const error = await connector({
        // The build folder vanishing stands in for a full or failing target file system.
        onDiskCopied: (event) => rmSync(dirname(event.target), { recursive: true }),
      })
        .createSnapshot(request(disks))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalConnectorError);
      expect((error as Error).message).toMatch(
        /not created: cannot copy disk 1 ".*d1\.img" to ".*disk1\.img"/,
      );
      expect(isRetryable(error)).toBe(true);
      expect(readdirSync(join(root, TENANT))).toEqual([]);

      const missing = await connector()
        .createSnapshot(request([join(images, 'gone.img')]))
        .catch((e: unknown) => e);
      expect(isRetryable(missing)).toBe(false);
    });

    it('rejects ids that are not safe path components, and refs of other connectors', async () => {
      const disk = image('a.img', 10);
      const bad: Partial<SnapshotRequest>[] = [
        { snapshotId: '..' },
        { snapshotId: '.' },
        { snapshotId: '.tmp-x-1-0123456789ab' },
        { snapshotId: 'a/b' },
        { snapshotId: '' },
        { tenantId: '../etc' },
        { tenantId: 'Acme' },
        { guestId: '../x' },
        { ref: { connector: 'aws-ec2', instanceId: 'i-0123456789abcdef0' } },
        { ref: { connector: 'local', disks: ['relative/path.img'] } },
        { ref: { connector: 'local', disks: ['/a/../etc/passwd'] } },
      ];
      for (const overrides of bad) {
        await expect(connector().createSnapshot(request([disk], overrides))).rejects.toBeInstanceOf(
          InvalidSnapshotRequestError,
        );
      }
      const c = connector();
      await expect(c.getSnapshot(TENANT, '..')).rejects.toBeInstanceOf(InvalidSnapshotRequestError);
      await expect(c.deleteSnapshot('../x', 's')).rejects.toBeInstanceOf(InvalidSnapshotRequestError);
      await expect(c.listSnapshots('a/b')).rejects.toBeInstanceOf(InvalidSnapshotRequestError);
      await expect(c.openDisk(TENANT, '../../x', 0)).rejects.toBeInstanceOf(InvalidSnapshotRequestError);
      expect(() => readdirSync(root)).toThrow(/ENOENT/);
    });
  });

  describe('openDisk', () => {
    it('reads exact byte ranges, short only at the end of the disk', async () => {
      const disks = [image('vm/d0.img', 10_000), image('vm/d1.img', 777)];
      const c = connector();
      const info = await c.createSnapshot(request(disks));
      const source = readFileSync(disks[0] as string);
      const reader = await c.openDisk(TENANT, info.snapshotId, 0);
      expect(reader.size).toBe(10_000);
      expect(Buffer.from(await reader.read(0, 10_000)).equals(source)).toBe(true);
      expect(Buffer.from(await reader.read(4095, 2)).equals(source.subarray(4095, 4097))).toBe(true);
      expect(Buffer.from(await reader.read(9_990, 100)).equals(source.subarray(9_990))).toBe(true);
      expect(await reader.read(10_000, 10)).toEqual(new Uint8Array());
      expect(await reader.read(50_000, 10)).toEqual(new Uint8Array());
      expect(await reader.read(5, 0)).toEqual(new Uint8Array());
      for (const [offset, length] of [
        [-1, 10],
        [1.5, 10],
        [0, -1],
        [0, 2.5],
        [Number.NaN, 1],
      ] as const) {
        await expect(reader.read(offset, length)).rejects.toBeInstanceOf(DiskReadError);
      }
      await reader.close();
      await reader.close();
      await expect(reader.read(0, 1)).rejects.toThrow(/closed/);

      const second = await c.openDisk(TENANT, info.snapshotId, 1);
      expect(sha256(await second.read(0, 10_000))).toBe(sha256(readFileSync(disks[1] as string)));
      await second.close();
    });

    it('refuses missing snapshots, bad disk indexes and disk files that do not match', async () => {
      const c = connector();
      const info = await c.createSnapshot(request([image('a.img', 100)]));
      await expect(c.openDisk(TENANT, 'nope', 0)).rejects.toBeInstanceOf(SnapshotNotFoundError);
      await expect(c.openDisk('other', info.snapshotId, 0)).rejects.toBeInstanceOf(SnapshotNotFoundError);
      for (const index of [1, -1, 0.5]) {
        await expect(c.openDisk(TENANT, info.snapshotId, index)).rejects.toBeInstanceOf(
          InvalidSnapshotRequestError,
        );
      }
      writeFileSync(join(root, TENANT, info.snapshotId, 'disk0.img'), 'short');
      await expect(c.openDisk(TENANT, info.snapshotId, 0)).rejects.toBeInstanceOf(CorruptSnapshotError);
      await expect(c.getSnapshot(TENANT, info.snapshotId)).rejects.toThrow(
        /disk0\.img" is 5 bytes, expected 100/,
      );
    });
  });

  describe('getSnapshot, listSnapshots, deleteSnapshot', () => {
    it('lists committed snapshots per tenant and guest, oldest first', async () => {
      const disk = image('a.img', 100);
      let now = Date.parse('2025-01-01T00:00:00Z');
      const tick = () => {
        now += 60_000;
        return new Date(now);
      };
      const c = connector({ clock: { now: tick } });
      await c.createSnapshot(request([disk], { snapshotId: 's-2' }));
      await c.createSnapshot(request([disk], { snapshotId: 's-1' }));
      await c.createSnapshot(request([disk], { snapshotId: 's-3', guestId: 'gst_0000000000009' }));
      await c.createSnapshot(request([disk], { snapshotId: 's-4', tenantId: 'other' }));
      mkdirSync(join(root, TENANT, 'not-committed'));
      mkdirSync(join(root, TENANT, `.tmp-s-5-${process.pid}-0123456789ab`));

      expect((await c.listSnapshots(TENANT)).map((s) => s.snapshotId)).toEqual(['s-2', 's-1', 's-3']);
      expect((await c.listSnapshots(TENANT, GUEST)).map((s) => s.snapshotId)).toEqual(['s-2', 's-1']);
      expect((await c.listSnapshots('other')).map((s) => s.snapshotId)).toEqual(['s-4']);
      expect(await c.listSnapshots('nobody')).toEqual([]);
      expect((await c.getSnapshot(TENANT, 's-1'))?.createdAt).toBe('2025-01-01T00:02:00.000Z');
      expect(await c.getSnapshot(TENANT, 'not-committed')).toBeUndefined();
      expect(await c.getSnapshot('other', 's-1')).toBeUndefined();
    });

    it('deletes a snapshot whole; deleting a missing one is not an error', async () => {
      const c = connector();
      const info = await c.createSnapshot(request([image('a.img', 100)]));
      await c.deleteSnapshot(TENANT, info.snapshotId);
      expect(await c.getSnapshot(TENANT, info.snapshotId)).toBeUndefined();
      expect(readdirSync(join(root, TENANT))).toEqual([]);
      await c.deleteSnapshot(TENANT, info.snapshotId);
      await c.deleteSnapshot('never-seen', 'x');
    });

    it('reports a snapshot.json that is not valid', async () => {
      const c = connector();
      const info = await c.createSnapshot(request([image('a.img', 100)]));
      const file = join(root, TENANT, info.snapshotId, 'snapshot.json');
      writeFileSync(file, JSON.stringify({ ...info, tenantId: 'someone-else' }));
      await expect(c.getSnapshot(TENANT, info.snapshotId)).rejects.toThrow(
        /names snapshot .* of tenant "someone-else"/,
      );
      writeFileSync(file, '{"half":');
      await expect(c.listSnapshots(TENANT)).rejects.toBeInstanceOf(CorruptSnapshotError);
    });
  });

  describe('listGuests', () => {
    it('finds single-disk images and multi-disk folders, in name order', async () => {
      image('web.img', 10);
      image('db.RAW', 10);
      image('notes.txt', 10);
      image('.hidden.img', 10);
      image('vm2/disk10.img', 10);
      image('vm2/disk2.img', 10);
      image('vm2/disk1.raw', 10);
      image('vm2/readme.md', 10);
      image('vm2/.swap.img', 10);
      image('vm2/nested/deeper.img', 10);
      mkdirSync(join(images, 'empty'));
      const elsewhere = join(base, 'elsewhere');
      mkdirSync(elsewhere);
      writeFileSync(join(elsewhere, 'linked.img'), 'x');
      symlinkSync(join(elsewhere, 'linked.img'), join(images, 'linked.img'));
      symlinkSync(join(elsewhere, 'gone.img'), join(images, 'dangling.img'));

      const second = join(base, 'more');
      mkdirSync(second);
      writeFileSync(join(second, 'alpha.img'), 'x');

      const guests = await connector({ discoverRoots: [images, second] }).listGuests();
      expect(guests).toEqual([
        { name: 'alpha', ref: { connector: 'local', disks: [join(second, 'alpha.img')] } },
        { name: 'db', ref: { connector: 'local', disks: [join(images, 'db.RAW')] } },
        { name: 'linked', ref: { connector: 'local', disks: [join(images, 'linked.img')] } },
        {
          name: 'vm2',
          ref: {
            connector: 'local',
            disks: ['disk1.raw', 'disk2.img', 'disk10.img'].map((d) => join(images, 'vm2', d)),
          },
        },
        { name: 'web', ref: { connector: 'local', disks: [join(images, 'web.img')] } },
      ]);
    });

    it('lists nothing without discover roots, and names a root it cannot read', async () => {
      expect(await new LocalConnector({ root }).listGuests()).toEqual([]);
      const missing = join(base, 'no-such-folder');
      await expect(connector({ discoverRoots: [missing] }).listGuests()).rejects.toThrow(missing);
    });
  });
});
