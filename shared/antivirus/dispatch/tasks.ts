/**
 * Cutting planned files into scan tasks and encoding them for the scan queue.
 *
 * A task is closed before it would exceed any of three bounds: the bytes of file content (what one
 * scanner invocation reads), the file count, and the encoded message size (SQS refuses bodies over
 * 256 KiB, attributes included). The size bound is exact, not estimated: every file's record is
 * measured as `encodeScanTask` will write it, and the envelope is measured with the widest task index
 * and count. A single file over the byte bound is a task of its own — engines cannot split a file.
 */
import { MAX_TASK_FILES_LIMIT, ScanTask, type ScanTaskFile } from '../../contracts/antivirus.ts';
import { DispatchInputError } from './errors.ts';

const MiB = 1024 * 1024;
/** SQS's largest message (body and attributes). */
export const SQS_MESSAGE_MAX_BYTES = 256 * 1024;
export const DEFAULT_MAX_TASK_BYTES = 256 * MiB;
export const DEFAULT_MAX_TASK_FILES = 2000;
/** The message bound less 8 KiB for message attributes. */
export const DEFAULT_MAX_TASK_ENCODED_BYTES = SQS_MESSAGE_MAX_BYTES - 8 * 1024;

export interface TaskEnvelope {
  jobId: string;
  tenantId: string;
  guestId: string;
  snapshotRef: Record<string, unknown>;
}

export interface TaskLimits {
  maxTaskBytes: number;
  maxTaskFiles: number;
  maxTaskEncodedBytes: number;
}

/**
 * JSON that SQS accepts: JSON.stringify already escapes control characters and lone surrogates, but
 * writes U+FFFE and U+FFFF raw, which SQS refuses (its alphabet is #x9 #xA #xD #x20-#xD7FF
 * #xE000-#xFFFD #x10000-#x10FFFF). Names holding them are legal on Linux filesystems.
 */
function sqsSafe(json: string): string {
  return /[\ufffe\uffff]/.test(json)
    ? json.replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    : json;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function fileRecord(f: ScanTaskFile): ScanTaskFile {
  return { path: f.path, ino: f.ino, size: f.size, mtime: f.mtime, ctime: f.ctime };
}

/** The message body for a task: canonical key order, SQS-safe. */
export function encodeScanTask(task: ScanTask): string {
  const canonical: Record<string, unknown> = {
    jobId: task.jobId,
    tenantId: task.tenantId,
    guestId: task.guestId,
    snapshotRef: task.snapshotRef,
    taskIndex: task.taskIndex,
  };
  if (task.taskCount !== undefined) canonical.taskCount = task.taskCount;
  canonical.files = task.files.map(fileRecord);
  return sqsSafe(JSON.stringify(canonical));
}

/** Parses a message body back into a task; throws `DispatchInputError` naming what is wrong. */
export function decodeScanTask(body: string): ScanTask {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new DispatchInputError(`scan task: the body is not JSON (${(error as Error).message})`);
  }
  const parsed = ScanTask.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DispatchInputError(`scan task: ${issues.slice(0, 5).join('; ')}`);
  }
  return parsed.data;
}

/** Accumulates files into tasks; `add` returns the task it had to close to make room, if any. */
export class TaskCutter {
  private readonly envelope: TaskEnvelope;
  private readonly limits: TaskLimits;
  /** Encoded bytes of a task with no files, at the widest task index and count. */
  readonly envelopeBytes: number;
  private files: ScanTaskFile[] = [];
  private bytes = 0;
  private encoded = 0;
  private nextIndex = 0;

  constructor(envelope: TaskEnvelope, limits: TaskLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new DispatchInputError(`scan planning: ${name} must be a positive integer, not ${value}`);
      }
    }
    if (limits.maxTaskFiles > MAX_TASK_FILES_LIMIT) {
      throw new DispatchInputError(
        `scan planning: maxTaskFiles ${limits.maxTaskFiles} is over the task schema's ${MAX_TASK_FILES_LIMIT}`,
      );
    }
    const { jobId, tenantId, guestId, snapshotRef } = envelope;
    this.envelope = { jobId, tenantId, guestId, snapshotRef };
    this.limits = limits;
    this.envelopeBytes = utf8(
      encodeScanTask({
        ...this.envelope,
        taskIndex: Number.MAX_SAFE_INTEGER,
        taskCount: Number.MAX_SAFE_INTEGER,
        files: [],
      }),
    );
    if (this.envelopeBytes + 128 > limits.maxTaskEncodedBytes) {
      throw new DispatchInputError(
        `scan planning: the task envelope alone is ${this.envelopeBytes} bytes encoded, too close to the ${limits.maxTaskEncodedBytes}-byte bound (is the snapshot reference too large?)`,
      );
    }
  }

  /** Tasks closed so far. */
  get tasksClosed(): number {
    return this.nextIndex;
  }

  /** Encoded bytes `file` adds to a task (its record and a comma); compare with `fits`. */
  recordBytes(file: ScanTaskFile): number {
    return utf8(sqsSafe(JSON.stringify(fileRecord(file)))) + 1;
  }

  /** Whether a task holding only this file stays within the encoded bound. */
  fits(recordBytes: number): boolean {
    return this.envelopeBytes + recordBytes <= this.limits.maxTaskEncodedBytes;
  }

  /** Adds a file (which must `fit`); returns the previous task if the file did not fit into it. */
  add(file: ScanTaskFile, recordBytes: number): ScanTask | undefined {
    const { maxTaskBytes, maxTaskFiles, maxTaskEncodedBytes } = this.limits;
    let closed: ScanTask | undefined;
    if (
      this.files.length > 0 &&
      (this.bytes + file.size > maxTaskBytes ||
        this.files.length + 1 > maxTaskFiles ||
        this.envelopeBytes + this.encoded + recordBytes > maxTaskEncodedBytes)
    ) {
      closed = this.flush();
    }
    this.files.push(fileRecord(file));
    this.bytes += file.size;
    this.encoded += recordBytes;
    return closed;
  }

  /** Closes the current task, if it has files. */
  flush(): ScanTask | undefined {
    if (this.files.length === 0) return undefined;
    const task: ScanTask = { ...this.envelope, taskIndex: this.nextIndex++, files: this.files };
    this.files = [];
    this.bytes = 0;
    this.encoded = 0;
    return task;
  }
}
