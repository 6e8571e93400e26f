/**
 * The limits clamd applies to archives (MaxRecursion, MaxFiles, MaxFileSize, MaxScanSize), one budget
 * for all levels of a top-level file, and zip bombs: overlapping members (Fifield), nested layers
 * (42.zip), members that inflate past their declared size. Bombs must end the expansion early.
 */
import { gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ArchiveItem } from '../../../../shared/antivirus/archives/index.ts';
import {
  archiveLimits,
  DEFAULT_ARCHIVE_LIMITS,
  expandArchive,
  ScanBudget,
} from '../../../../shared/antivirus/archives/index.ts';
import {
  buildTar,
  buildZip,
  collect,
  gzipMember,
  nestedBomb,
  nestedZips,
  overlappingBomb,
  summary,
  text,
} from './support.ts';

const MiB = 1024 * 1024;
const entriesOf = (items: ArchiveItem[]) => items.filter((i) => i.kind === 'entry');
const last = (items: ArchiveItem[]) => items[items.length - 1]!;

describe('defaults', () => {
  it('are clamd’s: recursion 16, 10,000 files, 400 MiB scanned, 100 MiB per file', () => {
    expect(DEFAULT_ARCHIVE_LIMITS).toEqual({
      maxRecursion: 16,
      maxFiles: 10_000,
      maxScanSize: 400 * MiB,
      maxFileSize: 100 * MiB,
      maxRatio: 1100,
    });
  });

  it('archiveLimits merges overrides and refuses nonsense', () => {
    expect(archiveLimits({ maxFiles: 5 }).maxFiles).toBe(5);
    expect(archiveLimits({ maxFiles: 5 }).maxRecursion).toBe(16);
    expect(() => archiveLimits({ maxFiles: 0 })).toThrow(/maxFiles must be a whole number/);
    expect(() => archiveLimits({ maxScanSize: 1.5 })).toThrow(/maxScanSize/);
  });
});

describe('MaxRecursion (as clamd 1.4.6 counts it: with 16, the members of 15 nested archives are read)', () => {
  it('zips nested 15 deep are opened to the bottom', async () => {
    const items = await collect(nestedZips(15, text('bottom')), 'top.zip');
    const leaf = last(items);
    expect(leaf.kind === 'entry' && leaf.depth).toBe(15);
    expect(leaf.path).toMatch(/level15\.zip\/leaf\.txt$/);
    expect(items.filter((i) => i.kind === 'not-scanned')).toEqual([]);
  });

  it.each([16, 17])(
    'zips nested %i deep: the 16th is extracted but not opened, and says so',
    async (depth) => {
      const items = await collect(nestedZips(depth, text('bottom')), 'top.zip');
      expect(items.some((i) => i.path.endsWith('leaf.txt'))).toBe(false);
      const limit = last(items);
      expect(limit).toMatchObject({ kind: 'not-scanned', reason: 'archive-limit' });
      expect(limit.path).toMatch(/level16\.zip$/);
      expect(limit.kind === 'not-scanned' && limit.detail).toMatch(
        /nested 15 levels deep was not opened: its members would be 16 deep, MaxRecursion is 16/,
      );
      // The 16th zip itself was still yielded, at depth 15, so its own bytes can be matched.
      const sixteenth = items.find((i) => i.kind === 'entry' && i.path.endsWith('level16.zip'));
      expect(sixteenth?.kind === 'entry' && sixteenth.depth).toBe(15);
    },
  );

  it('is configurable, and counts from the depth the caller gives', async () => {
    const three = nestedZips(3, text('x'));
    const limits = archiveLimits({ maxRecursion: 3 });
    expect(summary(await collect(three, 't', limits)).at(-1)).toBe('t/level2.zip/level3.zip !archive-limit');
    const deep: ArchiveItem[] = [];
    for await (const item of expandArchive(three, { path: 't', depth: 2 }, limits)) deep.push(item);
    expect(summary(deep)).toEqual(['t !archive-limit']);
  });
});

describe('MaxFiles', () => {
  it('a 10,001-file zip gives 10,000 members, then the limit', async () => {
    const zip = buildZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: text(`${i}`) })));
    const items = await collect(zip, 'many.zip');
    expect(entriesOf(items)).toHaveLength(10_000);
    expect(items).toHaveLength(10_001);
    expect(last(items)).toMatchObject({ kind: 'not-scanned', reason: 'archive-limit', path: 'many.zip' });
    expect(last(items).kind === 'not-scanned' && (last(items) as { detail: string }).detail).toMatch(
      /more than 10000 files \(MaxFiles\): many\.zip\/f10000/,
    );
  });

  it('counts members of every level, skipped ones included', async () => {
    const inner = buildZip([
      { name: 'a', data: text('a') },
      { name: 'locked', data: text('b'), flags: 1 },
    ]);
    const outer = buildZip([
      { name: 'one.zip', data: inner },
      { name: 'two.zip', data: inner },
    ]);
    const items = await collect(outer, 'o', archiveLimits({ maxFiles: 4 }));
    expect(items.map((i) => `${i.path} ${i.kind === 'entry' ? 'entry' : i.reason}`)).toEqual([
      'o/one.zip entry',
      'o/one.zip/a entry',
      'o/one.zip/locked encrypted',
      'o/two.zip entry',
      'o/two.zip archive-limit',
    ]);
  });
});

describe('MaxFileSize and MaxScanSize', () => {
  const limits = archiveLimits({ maxFileSize: MiB, maxScanSize: 3 * MiB });
  const noise = (n: number, seed: number) => {
    const b = new Uint8Array(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    return b;
  };

  it('a member over MaxFileSize (by its declared size) is skipped without inflating; the rest are read', async () => {
    const zip = buildZip([
      { name: 'big', data: noise(MiB + 1, 1), method: 8 },
      { name: 'small', data: text('fine') },
    ]);
    const items = await collect(zip, 'z', limits);
    expect(summary(items)).toEqual(['z/big !too-large', 'z/small = fine']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(
      /1048577 bytes, over MaxFileSize 1048576/,
    );
  });

  it('a gzip, which declares no size, is inflated only up to MaxFileSize', async () => {
    const items = await collect(gzipMember(noise(2 * MiB, 2), { name: 'n.bin' }), 'g.gz', limits);
    expect(summary(items)).toEqual(['g.gz/n.bin !too-large']);
    const detail = items[0]!.kind === 'not-scanned' ? items[0]!.detail : '';
    expect(detail).toMatch(/more than \d+ bytes, over MaxFileSize 1048576/);
    // Inflation stopped within one output chunk of the limit, not at the end of the 2 MiB.
    expect(Number(/more than (\d+)/.exec(detail)![1])).toBeLessThan(1.5 * MiB);
  });

  it('MaxScanSize ends the whole file once the members extracted would pass it', async () => {
    const members = [1, 2, 3, 4].map((i) => ({ name: `m${i}`, data: noise(MiB, i) }));
    const items = await collect(buildZip(members), 'z', limits);
    expect(items.map((i) => `${i.path} ${i.kind === 'entry' ? 'entry' : i.reason}`)).toEqual([
      'z/m1 entry',
      'z/m2 entry',
      'z/m3 entry',
      'z/m4 archive-limit',
    ]);
    expect(last(items).kind === 'not-scanned' && (last(items) as { detail: string }).detail).toMatch(
      /MaxScanSize 3145728 \(3145728 so far\)/,
    );
  });

  it('one budget spans several archives of one top-level file', async () => {
    const budget = new ScanBudget(10_000);
    const twoMiB = archiveLimits({ maxFileSize: 3 * MiB, maxScanSize: 3 * MiB });
    const zip = buildZip([{ name: 'a', data: noise(2 * MiB, 5) }]);
    const run = async (path: string) => {
      const items: string[] = [];
      for await (const i of expandArchive(zip, { path }, twoMiB, budget)) {
        items.push(`${i.path} ${i.kind === 'entry' ? 'entry' : i.reason}`);
      }
      return items;
    };
    expect(await run('one')).toEqual(['one/a entry']);
    expect(await run('two')).toEqual(['two/a archive-limit']);
    expect(budget).toMatchObject({ files: 2, bytes: 2 * MiB });
    // Once stopped, nothing more comes out of any archive of that file.
    expect(await run('three')).toEqual([]);
  });
});

describe('zip bombs', () => {
  it('a Fifield-style overlapping bomb is reported from its directory, nothing inflated', async () => {
    const bomb = overlappingBomb(250, 4 * MiB);
    // The bomb is genuine: the first member inflates to 4 MiB plus every header after it.
    const declared = new DataView(bomb.buffer).getUint32(22, true);
    const firstData = bomb.subarray(30 + 6);
    expect(inflateRawSync(firstData).length).toBe(declared);
    expect(declared).toBe(4 * MiB + 249 * 36);

    const items = await collect(bomb, 'overlap.zip');
    expect(summary(items)).toEqual(['overlap.zip !zip-bomb']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(
      /members \d+ and \d+ overlap.*nothing was inflated/,
    );
  });

  it('a 42.zip-like nested bomb is stopped by its expansion ratio long before MaxScanSize', async () => {
    // 4 layers of 16: 65,536 files of 1 MiB of zeros (64 GiB) in a few tens of KB.
    const bomb = nestedBomb(4, 16, MiB);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const items = await collect(bomb, '42.zip');
    const end = last(items);
    expect(end).toMatchObject({ kind: 'not-scanned', reason: 'zip-bomb' });
    expect(end.kind === 'not-scanned' && end.detail).toMatch(
      /expand to at least \d+ \(\d+:1, over the 1100:1/,
    );
    const extracted = entriesOf(items).reduce((n, e) => n + (e.kind === 'entry' ? e.data.length : 0), 0);
    expect(extracted).toBeLessThan(100 * MiB);
  });

  it('a member that inflates past its declared size is a bomb; inflation stops at the declared size', async () => {
    const zip = buildZip([
      { name: 'liar', data: new Uint8Array(8 * MiB), method: 8, declaredSize: 1000 },
      { name: 'after', data: text('never read') },
    ]);
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual(['z/liar !zip-bomb']);
    expect(items[0]!.kind === 'not-scanned' && items[0]!.detail).toMatch(
      /declares 1000 bytes but inflates past that/,
    );
  });

  it('a member declaring far more than deflate can reach, over MaxFileSize, is a bomb, not just too large', async () => {
    const zip = buildZip([{ name: 'huge', data: text('tiny'), method: 8, declaredSize: 4_000_000_000 }]);
    const items = await collect(zip, 'z');
    expect(summary(items)).toEqual(['z/huge !zip-bomb']);
  });

  it('a gzip of zeros within one layer’s ratio is not a bomb, even inside a tar', async () => {
    // A tar of 8 MiB of zeros, gzipped: about 1000:1, the best deflate does; the tar is not counted twice.
    const tgz = gzipSync(buildTar([{ name: 'zeros.img', data: new Uint8Array(8 * MiB) }]));
    const items = await collect(new Uint8Array(tgz), 'disk.tgz');
    expect(items.map((i) => `${i.path} ${i.kind}`)).toEqual([
      'disk.tgz/disk.tar entry',
      'disk.tgz/disk.tar/zeros.img entry',
    ]);
  });

  it('a gzip of a gzip of zeros goes past what one layer can, and is a bomb', async () => {
    const twice = gzipSync(gzipSync(new Uint8Array(16 * MiB)));
    const items = await collect(new Uint8Array(twice), 'double.gz');
    expect(last(items)).toMatchObject({ kind: 'not-scanned', reason: 'zip-bomb' });
  });
});
