/** Small builders for dispatch tests: walk entries, policies, envelopes, verdicts and task results. */

import type { FileIndexEntry } from '../../../../shared/antivirus/dispatch/file-index.ts';
import type { ScanPlan } from '../../../../shared/antivirus/dispatch/plan.ts';
import type { ScanWalkEntry, WalkNode } from '../../../../shared/antivirus/dispatch/walk.ts';
import {
  AntivirusScanSettings,
  type FileVerdictRecord,
  type ScanTask,
  type ScanTaskResult,
} from '../../../../shared/contracts/antivirus.ts';
import type { NodeType } from '../../../../shared/disk/types.ts';

export const ENVELOPE = {
  jobId: 'job_0000000000aa',
  tenantId: 'acme',
  guestId: 'gst_0000000000bb',
  snapshotRef: { connector: 'local', snapshotId: 'snap-1', disks: 1 },
};

/** A stable inode number per path. */
export function inoOf(path: string): number {
  let h = 2166136261;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619) >>> 0;
  return (h % 1_000_000) + 100;
}

export function node(path: string, over: Partial<WalkNode> = {}): WalkNode {
  return {
    ino: inoOf(path),
    type: 'file',
    size: 10,
    mtime: 1_700_000_000.5,
    ctime: 1_700_000_001.25,
    ...over,
  };
}

export const fileEntry = (path: string, over: Partial<WalkNode> = {}): ScanWalkEntry => ({
  path,
  node: node(path, over),
});
export const dirEntry = (path: string): ScanWalkEntry => ({
  path,
  node: node(path, { type: 'dir', size: 4096 }),
});
export const otherEntry = (path: string, type: NodeType): ScanWalkEntry => ({
  path,
  node: node(path, { type, size: 0 }),
});

export const settings = (input: unknown = {}) => AntivirusScanSettings.parse(input);

/** The clean index record a previous scan would have left for `entry`. */
export function recordOf(entry: ScanWalkEntry, over: Partial<FileIndexEntry> = {}): FileIndexEntry {
  const n = entry.node!;
  return {
    path: entry.path,
    ino: n.ino,
    size: n.size,
    mtime: n.mtime,
    ctime: n.ctime,
    sha256: 'a'.repeat(64),
    verdict: 'clean',
    scannedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export async function drain(plan: ScanPlan): Promise<ScanTask[]> {
  const tasks: ScanTask[] = [];
  for await (const t of plan.tasks) tasks.push(t);
  return tasks;
}

export const allFiles = (tasks: ScanTask[]) => tasks.flatMap((t) => t.files.map((f) => f.path));

export function verdict(
  file: { path: string; size: number; ino?: number; mtime?: number; ctime?: number },
  over: Partial<FileVerdictRecord> = {},
): FileVerdictRecord {
  return {
    path: file.path,
    size: file.size,
    status: 'clean',
    sha256: 'b'.repeat(64),
    ...(file.ino === undefined ? {} : { ino: file.ino }),
    ...(file.mtime === undefined ? {} : { mtime: file.mtime }),
    ...(file.ctime === undefined ? {} : { ctime: file.ctime }),
    ...over,
  };
}

/** A completed result giving every file of the task a clean verdict, unless `verdicts` says otherwise. */
export function resultOf(task: ScanTask, over: Partial<ScanTaskResult> = {}): ScanTaskResult {
  return {
    jobId: task.jobId,
    taskIndex: task.taskIndex,
    plannedFiles: task.files.length,
    plannedBytes: task.files.reduce((a, f) => a + f.size, 0),
    status: 'completed',
    engine: 'builtin 1',
    signatureVersion: 'test-1',
    verdicts: task.files.map((f) => verdict(f)),
    ...over,
  };
}
