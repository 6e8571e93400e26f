/**
 * Fuzzes disk-format parsers.
 *
 *   node scripts/fuzz/run.ts TARGET|all --iterations N --seed S [--jobs J] [--budget-ms MS] [--memory-mb MB]
 *
 * Each input is a seeded mutation of one of the target's seeds, rebuilt from (seed, index). An input
 * fails when its run throws anything but DiskFormatError, takes longer than the budget (the worker
 * running it is killed) or exhausts the worker's heap. Failures are saved under
 * test/fixtures/fuzz/<target>/<sha256 prefix>.bin (and so become regression tests) and printed.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DEFAULT_BUDGET_MS, loadCorpora, saveFailure } from './engine.ts';
import type { Corpus } from './mutate.ts';
import { fuzzInput } from './mutate.ts';
import type { FuzzTarget } from './targets.ts';
import { targets } from './targets.ts';
import type { WorkerData, WorkerMessage } from './worker.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    iterations: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '1' },
    'budget-ms': { type: 'string', default: String(DEFAULT_BUDGET_MS) },
    'memory-mb': { type: 'string', default: '1024' },
  },
});
const name = positionals[0];
if (!name) {
  console.error(`usage: node scripts/fuzz/run.ts TARGET|all --iterations N --seed S [--jobs J]
targets: ${targets.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const chosen = name === 'all' ? targets : targets.filter((t) => t.name === name);
if (chosen.length === 0) {
  console.error(`unknown target ${name}; targets: ${targets.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const iterations = Number(values.iterations);
const seed = Number(values.seed) >>> 0;
const jobs = Math.max(1, Number(values.jobs));
const budgetMs = Number(values['budget-ms']);
const memoryMb = Number(values['memory-mb']);

interface Tally {
  tried: number;
  failures: number;
}

function report(target: FuzzTarget, index: number, error: string, input: Uint8Array, tally: Tally): void {
  tally.failures++;
  const path = saveFailure(target.name, input);
  console.log(
    `FAIL ${target.name} input #${index} (${input.length} bytes) saved as ${path}\n  ${error.replace(/\n/g, '\n  ')}`,
  );
}

/** Runs inputs [start, end) in a worker; restarts past an input that hangs or kills the worker. */
function lane(
  target: FuzzTarget,
  corpora: Corpus[],
  start: number,
  end: number,
  tally: Tally,
): Promise<void> {
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(8);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, start);
    const data: WorkerData = { target: target.name, seed, start, end, budgetMs, progress };
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    let finished = false;
    let last = -1;
    let since = Date.now();
    const restart = (index: number, why: string) => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      tally.tried += Atomics.load(view, 1) + 1;
      report(target, index, why, fuzzInput(corpora, seed, index), tally);
      void worker.terminate();
      if (index + 1 < end) lane(target, corpora, index + 1, end, tally).then(resolve);
      else resolve();
    };
    const watch = setInterval(() => {
      const current = Atomics.load(view, 0);
      if (current !== last) {
        last = current;
        since = Date.now();
      } else if (Date.now() - since > budgetMs + 3000) {
        restart(current, `hang: input still running after ${Date.now() - since} ms (worker killed)`);
      }
    }, 250);
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'failure') report(target, msg.index, msg.error, msg.input, tally);
      else if (!finished) {
        finished = true;
        clearInterval(watch);
        tally.tried += msg.tried;
        void worker.terminate();
        resolve();
      }
    });
    worker.on('error', (err) => restart(Atomics.load(view, 0), `worker died: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => {
      if (!finished) restart(Atomics.load(view, 0), `worker exited with code ${code}`);
    });
  });
}

let totalFailures = 0;
for (const target of chosen) {
  const corpora = await loadCorpora(target);
  const tally: Tally = { tried: 0, failures: 0 };
  const started = Date.now();
  const per = Math.ceil(iterations / jobs);
  const lanes: Promise<void>[] = [];
  for (let j = 0; j < jobs; j++) {
    const start = j * per;
    const end = Math.min(iterations, start + per);
    if (start < end) lanes.push(lane(target, corpora, start, end, tally));
  }
  await Promise.all(lanes);
  totalFailures += tally.failures;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${target.name}: inputs tried ${tally.tried}, failures ${tally.failures} (seed ${seed}, ${secs} s)`,
  );
}
process.exitCode = totalFailures ? 1 : 0;
