/**
 * Runs one function of the topology in worker threads, like Lambda runs it in execution environments:
 * up to `concurrency` at once, each with the function's memory as its heap limit, each invocation
 * bounded by the function's timeout. A hanging invocation is cut off by terminating its worker; a
 * crashing one loses only its worker. Neither reaches the main thread, which keeps serving the API.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FunctionSpec } from '../topology.ts';
import type { WorkerData, WorkerReply } from './worker-protocol.ts';

export type InvokeResult =
  | { ok: true; value: unknown; durationMs: number }
  | { ok: false; error: { name: string; message: string }; durationMs: number; timedOut: boolean };

interface Slot {
  worker: Worker;
  busy: boolean;
  ready: Promise<void>;
}

interface Pending {
  resolve: (r: InvokeResult) => void;
  started: number;
  timer: NodeJS.Timeout;
  slot: Slot;
}

export interface PoolOptions {
  spec: FunctionSpec;
  workerData: Omit<WorkerData, 'spec'>;
  /** Messages workers send besides results (e.g. "messages were queued"). */
  onNotice?: (notice: Extract<WorkerReply, { type: 'sent' }>) => void;
  /** Overrides the spec's timeout (tests). */
  timeoutMs?: number;
}

export class FunctionPool {
  readonly spec: FunctionSpec;
  private readonly options: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(options: PoolOptions) {
    this.spec = options.spec;
    this.options = options;
  }

  get capacity(): number {
    return this.spec.concurrency;
  }

  get busy(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    if (this.closed) throw new Error(`function ${this.spec.name}: pool is closed`);
    const slot = await this.acquire();
    const id = randomUUID();
    const started = Date.now();
    const timeoutMs = this.options.timeoutMs ?? this.spec.timeoutSeconds * 1000;
    try {
      await slot.ready;
    } catch (error) {
      this.discard(slot);
      return {
        ok: false,
        error: { name: 'InitError', message: String(error) },
        durationMs: 0,
        timedOut: false,
      };
    }
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.discard(slot);
        resolve({
          ok: false,
          error: {
            name: 'TimeoutError',
            message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          },
          durationMs: Date.now() - started,
          timedOut: true,
        });
      }, timeoutMs);
      this.pending.set(id, { resolve, started, timer, slot });
      slot.worker.postMessage({ type: 'invoke', id, event, deadline: started + timeoutMs });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({
        ok: false,
        error: { name: 'ShutdownError', message: 'runtime stopping' },
        durationMs: 0,
        timedOut: false,
      });
    }
    this.pending.clear();
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private acquire(): Promise<Slot> {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.slots.length < this.spec.concurrency) {
      const slot = this.spawn();
      slot.busy = true;
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.acquire())));
  }

  private release(slot: Slot) {
    slot.busy = false;
    this.waiting.shift()?.();
  }

  private discard(slot: Slot) {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate();
    this.waiting.shift()?.();
  }

  private spawn(): Slot {
    const data: WorkerData = { ...this.options.workerData, spec: this.spec };
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memoryMb },
      stdout: false,
      stderr: false,
    });
    let markReady: () => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, busy: false, ready };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') markReady();
      else if (reply.type === 'init-error') failReady(new Error(reply.message));
      else if (reply.type === 'sent') this.options.onNotice?.(reply);
      else if (reply.type === 'result') {
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        clearTimeout(p.timer);
        const durationMs = Date.now() - p.started;
        p.resolve(
          reply.ok
            ? { ok: true, value: reply.value, durationMs }
            : { ok: false, error: reply.error, durationMs, timedOut: false },
        );
        this.release(slot);
      }
    });
    const fail = (message: string) => {
      failReady(new Error(message));
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.resolve({
          ok: false,
          error: { name: 'WorkerCrash', message },
          durationMs: Date.now() - p.started,
          timedOut: false,
        });
      }
      this.discard(slot);
    };
    worker.on('error', (error) => fail(`worker of ${this.spec.name} crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(`worker of ${this.spec.name} exited with code ${code}`);
    });
    this.slots.push(slot);
    return slot;
  }
}
