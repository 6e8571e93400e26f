import { mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTree } from '../../../../support/trees.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'ob-tree-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('generateTree (test support)', () => {
  it('is deterministic and describes what it wrote', () => {
    const options = { seed: 9, files: 40, maxDepth: 8, largeFileSize: [10_000, 20_000] as [number, number] };
    const a = fresh();
    const m1 = generateTree(a, options);
    expect(generateTree(fresh(), options)).toEqual(m1);
    const types = new Set(Object.values(m1).map((e) => e.type));
    expect(types).toEqual(new Set(['file', 'dir', 'symlink']));
    for (const [path, e] of Object.entries(m1)) {
      if (e.type === 'file') expect(statSync(join(a, path)).size).toBe(e.size);
      if (e.type === 'symlink') expect(readlinkSync(join(a, path))).toBe(e.linkTarget);
    }
    expect(Object.keys(m1).some((p) => p.split('/').length === 9)).toBe(true);
    expect(Object.keys(m1).some((p) => p.split('/').some((n) => Buffer.byteLength(n) === 255))).toBe(true);
    expect(Object.values(m1).some((e) => e.hardLinkGroup)).toBe(true);
    expect(Object.values(m1).some((e) => e.dataRanges)).toBe(true);
    expect(Object.values(m1).some((e) => e.type === 'file' && e.size === 0)).toBe(true);
  });
});
