/**
 * Fuzz worker: runs inputs `start` … `end − 1` of one target and seed, publishing the index it is on in
 * shared memory so that the parent can kill it when one input hangs or exhausts memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpora, runOne } from './engine.ts';
import { InputStream } from './mutate.ts';
import { findTarget } from './targets.ts';

export interface WorkerData {
  target: string;
  seed: number;
  start: number;
  end: number;
  budgetMs: number;
  /** [index being run, inputs finished] */
  progress: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'failure'; index: number; error: string; input: Uint8Array }
  | { type: 'done'; tried: number };

const data = workerData as WorkerData;
const target = findTarget(data.target);
if (!target || !parentPort) throw new Error(`unknown fuzz target ${data.target}`);
const progress = new Int32Array(data.progress);
const corpora = await loadCorpora(target);
const inputs = new InputStream(corpora, data.seed);
let tried = 0;
for (let i = data.start; i < data.end; i++) {
  Atomics.store(progress, 0, i);
  const input = inputs.input(i);
  const outcome = await runOne(target, input, data.budgetMs);
  tried++;
  Atomics.store(progress, 1, tried);
  if (!outcome.ok) {
    const copy = input.slice();
    const msg: WorkerMessage = { type: 'failure', index: i, error: outcome.error, input: copy };
    parentPort.postMessage(msg, [copy.buffer]);
  }
}
parentPort.postMessage({ type: 'done', tried } satisfies WorkerMessage);
