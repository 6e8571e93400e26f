import { describe, expect, it } from 'vitest';
import { DispatchInputError } from '../../../../shared/antivirus/dispatch/errors.ts';
import {
  DEFAULT_MAX_TASK_ENCODED_BYTES,
  decodeScanTask,
  encodeScanTask,
  SQS_MESSAGE_MAX_BYTES,
  TaskCutter,
} from '../../../../shared/antivirus/dispatch/tasks.ts';
import type { ScanTask } from '../../../../shared/contracts/antivirus.ts';
import { ENVELOPE } from './factories.ts';

const limits = { maxTaskBytes: 1000, maxTaskFiles: 10, maxTaskEncodedBytes: DEFAULT_MAX_TASK_ENCODED_BYTES };
const file = (path: string, size = 1) => ({ path, ino: 7, size, mtime: 1.5, ctime: 2 });

describe('encodeScanTask / decodeScanTask', () => {
  it('round-trips a task with canonical key order', () => {
    const task: ScanTask = { ...ENVELOPE, taskIndex: 3, taskCount: 9, files: [file('/a b/c')] };
    const body = encodeScanTask(task);
    expect(body.startsWith('{"jobId":')).toBe(true);
    expect(decodeScanTask(body)).toEqual(task);
  });

  it('escapes the two characters SQS refuses and JSON writes raw', () => {
    const task: ScanTask = { ...ENVELOPE, taskIndex: 0, files: [file('/odd\uffff\ufffename\u0001')] };
    const body = encodeScanTask(task);
    const refused = [...body].filter((c) => c === '\ufffe' || c === '\uffff' || c.charCodeAt(0) < 0x20);
    expect(refused).toEqual([]);
    expect(body).toContain('\\uffff\\ufffe');
    expect(decodeScanTask(body).files[0]?.path).toBe('/odd\uffff\ufffename\u0001');
  });

  it('keeps lone surrogates intact through the round trip', () => {
    const task: ScanTask = { ...ENVELOPE, taskIndex: 0, files: [file('/x\ud800y')] };
    expect(decodeScanTask(encodeScanTask(task)).files[0]?.path).toBe('/x\ud800y');
  });

  it('names what is wrong with a bad body', () => {
    expect(() => decodeScanTask('{')).toThrow(/not JSON/);
    expect(() => decodeScanTask(JSON.stringify({ ...ENVELOPE, taskIndex: 0, files: [] }))).toThrow(/files/);
  });
});

describe('TaskCutter', () => {
  it('refuses limits that are not positive integers or over the schema', () => {
    expect(() => new TaskCutter(ENVELOPE, { ...limits, maxTaskBytes: 0 })).toThrow(DispatchInputError);
    expect(() => new TaskCutter(ENVELOPE, { ...limits, maxTaskFiles: 10_001 })).toThrow(
      /over the task schema/,
    );
  });

  it('refuses an envelope that leaves no room for files', () => {
    const huge = { ...ENVELOPE, snapshotRef: { blob: 'x'.repeat(SQS_MESSAGE_MAX_BYTES) } };
    expect(() => new TaskCutter(huge, limits)).toThrow(/envelope alone/);
  });

  it('measures records exactly as they are encoded', () => {
    const cutter = new TaskCutter(ENVELOPE, limits);
    const f = file('/日本/🦀\uffff');
    const task = { ...ENVELOPE, taskIndex: 0, files: [f, f] };
    const empty = Buffer.byteLength(encodeScanTask({ ...ENVELOPE, taskIndex: 0, files: [] }));
    // Two records and one comma; recordBytes counts a comma for each.
    expect(Buffer.byteLength(encodeScanTask(task))).toBe(empty + 2 * cutter.recordBytes(f) - 1);
  });

  it('drops unknown envelope fields instead of sending them', () => {
    const cutter = new TaskCutter({ ...ENVELOPE, extra: 1 } as typeof ENVELOPE, limits);
    cutter.add(file('/a'), cutter.recordBytes(file('/a')));
    expect(Object.keys(cutter.flush()!)).toEqual([
      'jobId',
      'tenantId',
      'guestId',
      'snapshotRef',
      'taskIndex',
      'files',
    ]);
  });
});
