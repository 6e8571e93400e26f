/**
 * Partition tables written by the real tools on image files (no root, no loop devices), read by
 * readPartitionTable and compared partition by partition with the tools' own answer: `sfdisk --json`
 * for 512-byte sectors, `fdisk -b 4096 -l` for 4096-byte sectors (sfdisk 2.38 has no --sector-size).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GptPartition } from '../../../shared/disk/partitions/index.ts';
import { readPartitionTable } from '../../../shared/disk/partitions/index.ts';
import type { PartitionTable } from '../../../shared/disk/types.ts';
import { listVolumes } from '../../../shared/disk/volumes.ts';
import { requireTools, run } from '../../support/system-tools.ts';
import type { SfdiskTable } from '../../unit/disk/partitions/support.ts';
import { memorySource, nodeNumber, sfdiskAttrs } from '../../unit/disk/partitions/support.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'ob-parts-'));

function sfdisk(image: string, layout: string): SfdiskTable {
  const made = spawnSync('sfdisk', ['--quiet', image], { input: layout, encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const json = run('sfdisk', ['--json', image]);
  expect(json.code, json.stderr).toBe(0);
  return JSON.parse(json.stdout) as SfdiskTable;
}

function image(path: string, size: string): string {
  expect(run('truncate', ['-s', size, path]).code).toBe(0);
  return path;
}

async function read(path: string): Promise<PartitionTable> {
  return readPartitionTable(memorySource(new Uint8Array(readFileSync(path))));
}

function compare(table: PartitionTable, oracle: SfdiskTable) {
  const want = oracle.partitiontable;
  const ss = want.sectorsize;
  expect(table.scheme).toBe(want.label === 'dos' ? 'mbr' : 'gpt');
  expect(table.sectorSize).toBe(ss);
  expect(table.partitions.map((p) => p.number)).toEqual(
    want.partitions.map((p) => nodeNumber(p.node)).sort((a, b) => a - b),
  );
  for (const w of want.partitions) {
    const got = table.partitions.find((p) => p.number === nodeNumber(w.node))!;
    expect([got.offset, got.size], w.node).toEqual([w.start * ss, w.size * ss]);
    if (want.label === 'gpt') {
      expect(got.type).toBe(w.type.toLowerCase());
      expect(got.partUuid).toBe(w.uuid!.toLowerCase());
      expect(got.name).toBe(w.name ?? '');
      expect(sfdiskAttrs((got as GptPartition).attributes)).toBe(w.attrs);
    } else {
      expect(Number.parseInt(got.type, 16)).toBe(Number.parseInt(w.type, 16));
      expect(got.bootable ?? false).toBe(w.bootable ?? false);
    }
  }
}

/** A seeded generator so a failing layout can be reproduced. */
function prng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const GPT_TYPES = [
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  'E6D6D379-F507-44C2-A23C-238F2A3DF928',
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
  '21686148-6449-6E6F-744E-656564454649',
];

describe('partition tables written by sfdisk and fdisk', () => {
  beforeAll(() => requireTools('sfdisk', 'fdisk', 'truncate'));

  it('GPT with several named, typed partitions and attribute bits', async () => {
    const img = image(join(dir(), 'gpt.img'), '64M');
    const oracle = sfdisk(
      img,
      `label: gpt
size=1M, type=21686148-6449-6E6F-744E-656564454649, name="bios"
size=16M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI System", attrs="RequiredPartition"
size=8M, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root", attrs="LegacyBIOSBootable GUID:63"
size=4M, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F
size=12M, type=E6D6D379-F507-44C2-A23C-238F2A3DF928, name="lvm pv — ünïcode"
type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="data"
`,
    );
    expect(oracle.partitiontable.partitions).toHaveLength(6);
    const table = await read(img);
    compare(table, oracle);
    expect(table.diskId).toBe(oracle.partitiontable.id.toLowerCase());
    expect(table.notes).toEqual([]);
  });

  it('MBR with two primaries, an extended partition and three logical partitions', async () => {
    const img = image(join(dir(), 'mbr.img'), '64M');
    const oracle = sfdisk(
      img,
      `label: dos
size=8M, type=83, bootable
size=8M, type=8e
type=5
size=4M, type=83
size=4M, type=82
type=7
`,
    );
    const table = await read(img);
    compare(table, oracle);
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(table.diskId).toBe(oracle.partitiontable.id.replace(/^0x/, ''));
    const { volumes } = await listVolumes([memorySource(new Uint8Array(readFileSync(img)))]);
    expect(volumes.map((v) => v.id)).toEqual(['disk0p1', 'disk0p2', 'disk0p5', 'disk0p6', 'disk0p7']);
  });

  it('damaged primary GPT (LBA 1 overwritten): the backup gives the same answer, with a note', async () => {
    const img = image(join(dir(), 'gpt.img'), '32M');
    const oracle = sfdisk(img, 'label: gpt\nsize=4M, name="a"\nsize=4M, name="b"\nname="c"\n');
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, 512);
    closeSync(fd);
    const table = await read(img);
    compare(table, oracle);
    expect(table.notes.join()).toMatch(
      /primary GPT damaged \(no "EFI PART" at LBA 1\): backup header at LBA 65535 used/,
    );
  });

  it('random layouts, GPT and MBR, agree with sfdisk partition by partition', async () => {
    const rnd = prng(20260501);
    for (let round = 0; round < 8; round++) {
      const gpt = round % 2 === 0;
      const img = image(join(dir(), `r${round}.img`), '128M');
      const lines: string[] = [gpt ? 'label: gpt' : 'label: dos'];
      const count = gpt ? 1 + rnd(12) : 1 + rnd(3);
      for (let i = 0; i < count; i++) {
        const size = `${1 + rnd(6)}M`;
        lines.push(
          gpt
            ? `size=${size}, type=${GPT_TYPES[rnd(GPT_TYPES.length)]}, name="p${i}"`
            : `size=${size}, type=83`,
        );
      }
      if (!gpt) {
        lines.push('size=60M, type=5');
        for (let i = 0; i < 1 + rnd(6); i++)
          lines.push(`size=${1 + rnd(4)}M, type=${['83', '82', '7', '8e'][rnd(4)]}`);
      }
      const oracle = sfdisk(img, `${lines.join('\n')}\n`);
      compare(await read(img), oracle);
    }
  });
});

/** `fdisk -l` columns Device Start Sectors Type-UUID UUID Name, for the 4096-byte-sector disks. */
function fdiskList(img: string) {
  const r = run('fdisk', ['-b', '4096', '-l', '-o', 'Device,Start,Sectors,Type-UUID,UUID,Name', img]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Sector size \(logical\/physical\): 4096 bytes/);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith(img))
    .map((l) => {
      const [device, start, sectors, type, uuid, ...name] = l.trim().split(/\s+/);
      return {
        number: nodeNumber(device!),
        start: Number(start),
        sectors: Number(sectors),
        type: type!,
        uuid: uuid!,
        name: name.join(' '),
      };
    });
}

describe('GPT on 4096-byte sectors written by fdisk -b 4096', () => {
  beforeAll(() => requireTools('fdisk', 'truncate'));

  it('is found at byte 4096 and agrees with fdisk; its backup is used when LBA 1 is lost', async () => {
    const img = image(join(dir(), 'gpt4k.img'), '64M');
    // g: new GPT; n: three partitions (4 MiB, 8 MiB, rest); x/n: names in the expert menu; w: write.
    const script = 'g\nn\n1\n\n+4M\nn\n2\n\n+8M\nn\n3\n\n\nx\nn\n1\nfirst\nn\n3\nthird one\nr\nw\n';
    const made = spawnSync('fdisk', ['-b', '4096', img], { input: script, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const want = fdiskList(img);
    expect(want).toHaveLength(3);
    const check = (table: PartitionTable) => {
      expect(table.sectorSize).toBe(4096);
      expect(
        table.partitions.map((p) => ({
          number: p.number,
          start: p.offset / 4096,
          sectors: p.size / 4096,
          type: p.type.toUpperCase(),
          uuid: p.partUuid!.toUpperCase(),
          name: p.name,
        })),
      ).toEqual(want);
    };
    check(await read(img));
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, 4096);
    closeSync(fd);
    const damaged = await read(img);
    check(damaged);
    expect(damaged.notes.join()).toMatch(/backup header at LBA 16383 used/);
  });
});
