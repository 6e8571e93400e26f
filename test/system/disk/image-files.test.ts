/**
 * The issue's acceptance check, end to end through the CLI: random trees packed by real tools,
 * also inside a GPT partition and converted to qcow2 and VMDK, must list as exactly the tree's
 * regular files with their sizes and SHA-256.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools, run } from '../../support/system-tools.ts';
import { generateTree, type TreeManifest } from '../../support/trees.ts';
import { protofile } from '../../support/xfs-proto.ts';

const BIN = new URL('../../../bin/outboard.ts', import.meta.url).pathname;

function expectedLines(manifest: TreeManifest): string[] {
  return Object.entries(manifest)
    .filter(([, e]) => e.type === 'file')
    .map(
      ([path, e]) =>
        `${`/${path}`.replace(
          /[\\\t\n\r]/g,
          (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!,
        )}\t${e.size}\t${e.sha256}`,
    )
    .sort((a, b) => Buffer.compare(Buffer.from(a.split('\t')[0]!), Buffer.from(b.split('\t')[0]!)));
}

function listed(image: string): string[] {
  const r = spawnSync(process.execPath, [BIN, 'image', 'files', image, '--hash', 'sha256'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

function convert(image: string, format: 'qcow2' | 'vmdk', extra: string[] = []): string {
  const out = `${image}.${format}${extra.length ? '.x' : ''}`;
  const r = run('qemu-img', ['convert', '-O', format, ...extra, image, out]);
  expect(r.stderr).toBe('');
  return out;
}

describe('outboard image files on images made by real tools', () => {
  beforeAll(() => requireTools('mke2fs', 'mkfs.xfs', 'sfdisk', 'qemu-img'));

  for (const seed of [11, 12]) {
    it(`lists an ext4 tree exactly, raw, qcow2 and VMDK (seed ${seed})`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'ob-files-'));
      const tree = join(dir, 'tree');
      mkdirSync(tree);
      const manifest = generateTree(tree, { seed, files: 150, maxDepth: 10, largeFiles: 1, sparseFiles: 1 });
      const image = join(dir, 'fs.img');
      const mk = run('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', tree, image, '96M']);
      expect(mk.code, mk.stderr).toBe(0);
      const want = expectedLines(manifest);
      expect(listed(image)).toEqual(want);
      expect(listed(convert(image, 'qcow2'))).toEqual(want);
      expect(listed(convert(image, 'qcow2', ['-c']))).toEqual(want);
      expect(listed(convert(image, 'vmdk'))).toEqual(want);
      expect(listed(convert(image, 'vmdk', ['-o', 'subformat=streamOptimized']))).toEqual(want);
    });
  }

  it('lists an XFS tree made by mkfs.xfs -p exactly, raw, qcow2 and VMDK', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-files-xfs-'));
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    const manifest = generateTree(tree, {
      seed: 31,
      files: 150,
      maxDepth: 10,
      largeFiles: 1,
      sparseFiles: 1,
    });
    const { proto, expected } = protofile(tree, manifest);
    writeFileSync(join(dir, 'proto'), proto);
    const image = join(dir, 'xfs.img');
    expect(run('truncate', ['-s', '320M', image]).code).toBe(0);
    const mk = run('mkfs.xfs', ['-q', '-f', '-p', join(dir, 'proto'), image]);
    expect(mk.code, mk.stderr).toBe(0);
    const want = expectedLines(expected);
    expect(want.length).toBeGreaterThan(100);
    expect(listed(image)).toEqual(want);
    expect(listed(convert(image, 'qcow2'))).toEqual(want);
    expect(listed(convert(image, 'vmdk', ['-o', 'subformat=streamOptimized']))).toEqual(want);
  });

  it('finds an ext4 filesystem inside a GPT partition at an offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-files-gpt-'));
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    const manifest = generateTree(tree, { seed: 21, files: 80, maxDepth: 6, largeFiles: 0, sparseFiles: 1 });
    const disk = join(dir, 'disk.img');
    writeFileSync(disk, '');
    expect(run('truncate', ['-s', '128M', disk]).code).toBe(0);
    const layout =
      'label: gpt\nstart=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=18432, type=0FC63DAF-8483-4772-8E69-3D69D8477DE4\n';
    const sf = spawnSync('sfdisk', ['--quiet', disk], { input: layout, encoding: 'utf8' });
    expect(sf.status, sf.stderr).toBe(0);
    const offset = 18432 * 512;
    const size = (128 * 1024 * 1024 - offset - 34 * 512) / 1024;
    const mk = run('mke2fs', [
      '-q',
      '-F',
      '-t',
      'ext4',
      '-E',
      `offset=${offset}`,
      '-d',
      tree,
      disk,
      `${Math.floor(size)}k`,
    ]);
    expect(mk.code, mk.stderr).toBe(0);
    const want = expectedLines(manifest);
    expect(listed(disk)).toEqual(want);
    expect(listed(convert(disk, 'qcow2'))).toEqual(want);
  });
});
