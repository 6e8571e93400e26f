import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AntivirusScanSettings,
  DEFAULT_MAX_FILE_BYTES,
  FileVerdictRecord,
  ScanTask,
  ScanTaskResult,
  SkippedFile,
} from '../../../../shared/contracts/antivirus.ts';
import { ENVELOPE } from './factories.ts';

describe('AntivirusScanSettings', () => {
  it('makes {} a complete policy', () => {
    expect(AntivirusScanSettings.parse({})).toEqual({
      exclusions: { paths: [], globs: [], maxFileBytes: DEFAULT_MAX_FILE_BYTES },
      incremental: true,
      onDetection: { markRestorePoint: true, isolateInstance: false },
      engine: 'builtin',
      scanAfterBackup: true,
    });
    expect(DEFAULT_MAX_FILE_BYTES).toBe(100 * 1024 * 1024);
  });

  it('fills defaults inside partly given objects', () => {
    const p = AntivirusScanSettings.parse({
      exclusions: { globs: ['**/*.iso'] },
      onDetection: { isolateInstance: true },
    });
    expect(p.exclusions).toEqual({ paths: [], globs: ['**/*.iso'], maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    expect(p.onDetection).toEqual({ markRestorePoint: true, isolateInstance: true });
  });

  it('has a JSON schema for both input and output (no transforms)', () => {
    for (const io of ['input', 'output'] as const) {
      expect(() => z.toJSONSchema(AntivirusScanSettings, { target: 'draft-2020-12', io })).not.toThrow();
    }
  });

  it.each([
    [{ exclusions: { paths: ['var/cache'] } }, /absolute/],
    [{ exclusions: { paths: ['/'] } }, /exclude everything/],
    [{ exclusions: { paths: ['/a/../b'] } }, /components/],
    [{ exclusions: { paths: ['/var/cache/'] } }, /must not end with/],
    [{ exclusions: { globs: ['/a/[b'] } }, /unterminated/],
    [{ exclusions: { maxFileBytes: 0 } }, /too_small|>=1/],
    [{ exclusions: { maxFileBytes: 1.5 } }, /int/],
    [{ engine: 'yara' }, /builtin|clamd/],
    [{ incremental: 'yes' }, /boolean/],
    [{ exclusions: { pathz: [] } }, /pathz/],
    [{ surprise: 1 }, /surprise/],
  ])('refuses %j', (input, message) => {
    const r = AntivirusScanSettings.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});

describe('ScanTask', () => {
  const task = { ...ENVELOPE, taskIndex: 0, files: [{ path: '/a', ino: 1, size: 2, mtime: 3.5, ctime: 4 }] };

  it('accepts a task and refuses an empty one or a bad index', () => {
    expect(ScanTask.parse(task)).toEqual(task);
    expect(ScanTask.safeParse({ ...task, files: [] }).success).toBe(false);
    expect(ScanTask.safeParse({ ...task, taskIndex: 2, taskCount: 2 }).success).toBe(false);
    expect(ScanTask.safeParse({ ...task, files: [{ ...task.files[0], path: 'a' }] }).success).toBe(false);
  });
});

describe('FileVerdictRecord and ScanTaskResult', () => {
  it('requires a signature for infected and a reason for not-scanned', () => {
    expect(FileVerdictRecord.safeParse({ path: '/a', size: 1, status: 'infected' }).success).toBe(false);
    expect(
      FileVerdictRecord.safeParse({ path: '/a', size: 1, status: 'infected', signature: 'X' }).success,
    ).toBe(true);
    expect(FileVerdictRecord.safeParse({ path: '/a', size: 1, status: 'not-scanned' }).success).toBe(false);
    expect(
      FileVerdictRecord.safeParse({ path: '/a', size: 1, status: 'clean', signature: 'X' }).success,
    ).toBe(false);
    expect(FileVerdictRecord.safeParse({ path: '/a', size: 1, status: 'clean', sha256: 'ABC' }).success).toBe(
      false,
    );
  });

  it('requires an error for a failed task and no more verdicts than files', () => {
    const base = { jobId: ENVELOPE.jobId, taskIndex: 0, plannedFiles: 1, plannedBytes: 1, verdicts: [] };
    expect(ScanTaskResult.safeParse({ ...base, status: 'failed' }).success).toBe(false);
    expect(
      ScanTaskResult.safeParse({ ...base, status: 'failed', error: { code: 'E', message: 'm' } }).success,
    ).toBe(true);
    const two = [
      { path: '/a', size: 1, status: 'clean' },
      { path: '/b', size: 1, status: 'clean' },
    ];
    expect(ScanTaskResult.safeParse({ ...base, status: 'completed', verdicts: two }).success).toBe(false);
  });

  it('SkippedFile takes the known reasons only', () => {
    expect(SkippedFile.safeParse({ path: '/a', reason: 'too-large', size: 5 }).success).toBe(true);
    expect(SkippedFile.safeParse({ path: '/a', reason: 'boring' }).success).toBe(false);
  });
});
