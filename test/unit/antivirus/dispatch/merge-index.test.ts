import { describe, expect, it } from 'vitest';
import type { FileIndexEntry } from '../../../../shared/antivirus/dispatch/file-index.ts';
import { decodeFileIndex, encodeFileIndex } from '../../../../shared/antivirus/dispatch/file-index.ts';
import {
  buildFileIndex,
  mergeFileIndex,
  verdictsInWalkOrder,
} from '../../../../shared/antivirus/dispatch/merge-index.ts';
import { planScan } from '../../../../shared/antivirus/dispatch/plan.ts';
import type { FileVerdictRecord } from '../../../../shared/contracts/antivirus.ts';
import { drain, ENVELOPE, fileEntry, recordOf, resultOf, settings, verdict } from './factories.ts';

const AT = '2026-11-02T00:00:00.000Z';

async function all(gen: AsyncIterable<FileIndexEntry>): Promise<FileIndexEntry[]> {
  const out: FileIndexEntry[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const full = { ino: 5, mtime: 10, ctime: 11 };

describe('buildFileIndex', () => {
  it('records clean and infected verdicts that can vouch for their file, and nothing else', async () => {
    const verdicts: FileVerdictRecord[] = [
      verdict({ path: '/a', size: 1, ...full }),
      verdict({ path: '/b', size: 2, ...full }, { status: 'infected', signature: 'Eicar.UNOFFICIAL' }),
      verdict(
        { path: '/c', size: 3, ...full },
        { status: 'not-scanned', reason: 'engine-error', sha256: undefined },
      ),
      verdict({ path: '/d', size: 4 }), // no ino/mtime/ctime: cannot vouch
      verdict({ path: '/e', size: 5, ...full }, { sha256: undefined }), // no hash: cannot vouch
    ];
    expect(await all(buildFileIndex(verdicts, { scannedAt: AT }))).toEqual([
      { path: '/a', size: 1, ...full, sha256: 'b'.repeat(64), verdict: 'clean', scannedAt: AT },
      { path: '/b', size: 2, ...full, sha256: 'b'.repeat(64), verdict: 'infected', scannedAt: AT },
    ]);
  });

  it('lets the worst of repeated verdicts for one path win', async () => {
    const clean = verdict({ path: '/a', size: 1, ...full });
    const notScanned = verdict(
      { path: '/a', size: 1, ...full },
      { status: 'not-scanned', reason: 'timeout' },
    );
    const infected = verdict({ path: '/b', size: 1, ...full }, { status: 'infected', signature: 'X' });
    const out = await all(
      buildFileIndex([clean, notScanned, verdict({ path: '/b', size: 1, ...full }), infected], {
        scannedAt: AT,
      }),
    );
    expect(out.map((e) => [e.path, e.verdict])).toEqual([['/b', 'infected']]);
  });

  it('refuses verdicts out of walk order', async () => {
    const v = [verdict({ path: '/b', size: 1, ...full }), verdict({ path: '/a', size: 1, ...full })];
    await expect(all(buildFileIndex(v, { scannedAt: AT }))).rejects.toThrow(/verdictsInWalkOrder/);
  });
});

describe('verdictsInWalkOrder', () => {
  it('orders tasks by index and verdicts by path within each', () => {
    const results = [
      { taskIndex: 1, verdicts: [verdict({ path: '/c', size: 1 })] },
      { taskIndex: 0, verdicts: [verdict({ path: '/b', size: 1 }), verdict({ path: '/a/z', size: 1 })] },
    ];
    expect([...verdictsInWalkOrder(results)].map((v) => v.path)).toEqual(['/a/z', '/b', '/c']);
  });
});

describe('mergeFileIndex', () => {
  it('carries over unchanged records, takes new verdicts, drops the rest', async () => {
    const carried = [recordOf(fileEntry('/a')), recordOf(fileEntry('/c'))];
    const verdicts = [
      verdict({ path: '/b', size: 1, ...full }),
      verdict({ path: '/d', size: 1, ...full }, { status: 'not-scanned', reason: 'too-large' }),
      verdict({ path: '/e', size: 1, ...full }),
    ];
    const out = await all(mergeFileIndex(carried, verdicts, { scannedAt: AT }));
    expect(out.map((e) => e.path)).toEqual(['/a', '/b', '/c', '/e']);
    expect(out[0]).toEqual(carried[0]); // scannedAt of the original scan kept
    expect(out[1]?.scannedAt).toBe(AT);
  });

  it('takes the verdict over a carried record for the same path', async () => {
    const carried = [recordOf(fileEntry('/a'))];
    const v = [verdict({ path: '/a', size: 10, ...full }, { status: 'infected', signature: 'X' })];
    expect((await all(mergeFileIndex(carried, v, { scannedAt: AT })))[0]?.verdict).toBe('infected');
  });

  it('closes a full cycle: plan → scan → merge → store → plan again', async () => {
    const walk = ['/bin/a', '/bin/b', '/etc/c', '/etc/d'].map((p) => fileEntry(p, { size: 100 }));
    // First scan: full; /etc/d not scanned by the engine.
    const first = planScan(walk, { policy: settings(), task: ENVELOPE });
    const tasks = await drain(first);
    const results = tasks.map((t) =>
      resultOf(t, {
        verdicts: t.files.map((f) =>
          f.path === '/etc/d'
            ? verdict(f, { status: 'not-scanned', reason: 'engine-error', sha256: undefined })
            : verdict(f),
        ),
      }),
    );
    const index1 = await encodeFileIndex(buildFileIndex(verdictsInWalkOrder(results), { scannedAt: AT }));

    // Second scan: /bin/b rewritten (new ctime); the rest as before.
    const walk2 = walk.map((e) => (e.path === '/bin/b' ? fileEntry('/bin/b', { size: 100, ctime: 5 }) : e));
    const carried: FileIndexEntry[] = [];
    const second = planScan(walk2, {
      policy: settings(),
      task: ENVELOPE,
      previousIndex: decodeFileIndex(index1),
      onUnchanged: (r) => carried.push(r),
    });
    const tasks2 = await drain(second);
    expect(tasks2.flatMap((t) => t.files.map((f) => f.path))).toEqual(['/bin/b', '/etc/d']);
    const later = '2026-11-03T00:00:00.000Z';
    const index2 = await all(
      mergeFileIndex(carried, verdictsInWalkOrder(tasks2.map((t) => resultOf(t))), { scannedAt: later }),
    );
    expect(index2.map((e) => [e.path, e.scannedAt])).toEqual([
      ['/bin/a', AT],
      ['/bin/b', later],
      ['/etc/c', AT],
      ['/etc/d', later],
    ]);
  });
});
