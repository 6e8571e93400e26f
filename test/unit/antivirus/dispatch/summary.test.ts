import { describe, expect, it } from 'vitest';
import { DispatchInputError } from '../../../../shared/antivirus/dispatch/errors.ts';
import { planScan } from '../../../../shared/antivirus/dispatch/plan.ts';
import { summarizeScan } from '../../../../shared/antivirus/dispatch/summary.ts';
import { ScanSummary, type ScanTask } from '../../../../shared/contracts/antivirus.ts';
import {
  drain,
  ENVELOPE,
  fileEntry,
  otherEntry,
  recordOf,
  resultOf,
  settings,
  verdict,
} from './factories.ts';

async function planned(over: { big?: boolean; incremental?: boolean } = {}) {
  const entries = [
    fileEntry('/a', { size: 10 }),
    fileEntry('/b', { size: 20 }),
    fileEntry('/c', { size: 30 }),
    fileEntry('/d.iso', { size: 40 }),
    otherEntry('/link', 'symlink'),
    ...(over.big ? [fileEntry('/huge', { size: 10_000 })] : []),
  ];
  const p = planScan(entries, {
    policy: settings({ exclusions: { globs: ['*.iso'], maxFileBytes: 1000 } }),
    task: ENVELOPE,
    maxTaskFiles: 1,
    ...(over.incremental ? { previousIndex: [recordOf(entries[0]!)] } : {}),
  });
  const tasks = await drain(p);
  return { plan: p.summary(), tasks };
}

const clean = (t: ScanTask) => resultOf(t);

describe('summarizeScan', () => {
  it('COMPLETED / NO_THREATS_FOUND when every scheduled file is clean; policy skips are no issue', async () => {
    const { plan, tasks } = await planned();
    const s = summarizeScan(plan, tasks.map(clean));
    expect(ScanSummary.parse(s)).toEqual(s);
    expect(s).toEqual({
      mode: 'full',
      status: 'COMPLETED',
      result: 'NO_THREATS_FOUND',
      engine: 'builtin 1',
      signatureVersion: 'test-1',
      files: 3,
      bytes: 60,
      detections: 0,
      notScanned: { total: 0, byReason: {} },
      skipped: { total: 2, byReason: { 'excluded-glob': 1, 'not-regular': 1 } },
      tasks: { total: 3, completed: 3, failed: 0 },
      notes: [],
    });
  });

  it('THREATS_FOUND counts detections', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map((t, i) =>
      i === 1
        ? resultOf(t, {
            verdicts: [verdict(t.files[0]!, { status: 'infected', signature: 'Win.Test.EICAR_HDB-1' })],
          })
        : clean(t),
    );
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({ status: 'COMPLETED', result: 'THREATS_FOUND', detections: 1, files: 3 });
  });

  it('COMPLETED_WITH_ISSUES when a file was too large (fail closed)', async () => {
    const { plan, tasks } = await planned({ big: true });
    const s = summarizeScan(plan, tasks.map(clean));
    expect(s.status).toBe('COMPLETED_WITH_ISSUES');
    expect(s.notScanned).toEqual({ total: 1, byReason: { 'too-large': 1 } });
    expect(s.notes.join()).toMatch(/1 entries were not scanned \(too-large: 1\)/);
  });

  it('COMPLETED_WITH_ISSUES when the engine could not scan a file', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map((t, i) =>
      i === 0
        ? resultOf(t, {
            verdicts: [verdict(t.files[0]!, { status: 'not-scanned', reason: 'archive-limit' })],
          })
        : clean(t),
    );
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({
      status: 'COMPLETED_WITH_ISSUES',
      files: 2,
      notScanned: { total: 1, byReason: { 'archive-limit': 1 } },
    });
  });

  it('COMPLETED_WITH_ISSUES when some tasks failed; their unreported files are not scanned', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map((t, i) =>
      i === 2
        ? resultOf(t, { status: 'failed', error: { code: 'DISK_UNREADABLE', message: 'gone' }, verdicts: [] })
        : clean(t),
    );
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({
      status: 'COMPLETED_WITH_ISSUES',
      tasks: { total: 3, completed: 2, failed: 1 },
      notScanned: { total: 1, byReason: { 'task-failed': 1 } },
    });
    expect(s.notes.join()).toMatch(/1 of 3 tasks failed \(task 2: DISK_UNREADABLE: gone\)/);
  });

  it('FAILED when every task failed — detections found before failing still stand', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map((t, i) =>
      resultOf(t, {
        status: 'failed',
        error: { code: 'ENGINE', message: 'crashed' },
        verdicts: i === 0 ? [verdict(t.files[0]!, { status: 'infected', signature: 'X' })] : [],
      }),
    );
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({ status: 'FAILED', result: 'THREATS_FOUND', detections: 1 });
    expect(s.notScanned.byReason).toEqual({ 'task-failed': 2 });
  });

  it('counts files a completed task left without a verdict as not scanned', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map((t, i) => (i === 0 ? resultOf(t, { verdicts: [] }) : clean(t)));
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({
      status: 'COMPLETED_WITH_ISSUES',
      notScanned: { byReason: { 'no-verdict': 1 } },
    });
  });

  it('reports incremental mode, unchanged files, and mixed signature versions', async () => {
    const { plan, tasks } = await planned({ incremental: true });
    expect(tasks).toHaveLength(2);
    const results = tasks.map((t, i) => resultOf(t, { signatureVersion: `v${i}` }));
    const s = summarizeScan(plan, results);
    expect(s).toMatchObject({ mode: 'incremental', status: 'COMPLETED', signatureVersion: 'v0, v1' });
    expect(s.skipped.byReason.unchanged).toBe(1);
    expect(s.notes.join()).toMatch(/different signature versions: v0, v1/);
  });

  it('is COMPLETED with no tasks when nothing needed scanning', async () => {
    const p = planScan([fileEntry('/a')], {
      policy: settings(),
      task: ENVELOPE,
      previousIndex: [recordOf(fileEntry('/a'))],
    });
    await drain(p);
    const s = summarizeScan(p.summary(), []);
    expect(s).toMatchObject({ status: 'COMPLETED', result: 'NO_THREATS_FOUND', tasks: { total: 0 } });
    expect(s.engine).toBeUndefined();
  });

  it('refuses results that do not fit the plan', async () => {
    const { plan, tasks } = await planned();
    const results = tasks.map(clean);
    expect(() => summarizeScan(plan, results.slice(1))).toThrow(/1 of 3 tasks have not reported/);
    expect(() => summarizeScan(plan, [...results, results[0]!])).toThrow(/task 0 reported twice/);
    expect(() => summarizeScan(plan, [{ ...results[0]!, taskIndex: 7 }])).toThrow(DispatchInputError);
    expect(() => summarizeScan({ ...plan, complete: false }, results)).toThrow(/not complete/);
  });
});
