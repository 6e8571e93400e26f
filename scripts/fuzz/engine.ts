/**
 * Running fuzz inputs: what counts as a failure, where failing inputs are kept, and an in-process
 * runner (for the unit suite; scripts/fuzz/run.ts adds worker isolation against hangs and memory).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DiskFormatError } from '../../shared/disk/types.ts';
import type { Corpus } from './mutate.ts';
import { corpus, InputStream } from './mutate.ts';
import type { FuzzTarget } from './target.ts';

export const FUZZ_FIXTURES = join(import.meta.dirname, '../../test/fixtures/fuzz');
export const DEFAULT_BUDGET_MS = 2000;

export type Outcome = { ok: true } | { ok: false; error: string };

/**
 * Rejections no one handled while an input ran: a parser that starts reads in parallel and gives up on
 * them when another fails. Node would end the process on the first; the fuzzer counts them as failures.
 */
const unhandled: unknown[] = [];
let listening = false;

function listenForUnhandled(): void {
  if (listening) return;
  listening = true;
  process.on('unhandledRejection', (reason) => unhandled.push(reason));
}

const isDiskFormatError = (err: unknown) => err instanceof DiskFormatError;

/** Lets the rejections of the macrotask just finished be reported (Node checks after each one). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs one input: rejections other than the target's expected error (DiskFormatError by default),
 * rejections left unhandled (whatever their type) and runs over the time budget fail.
 */
export async function runOne(
  target: FuzzTarget,
  input: Uint8Array,
  budgetMs = DEFAULT_BUDGET_MS,
): Promise<Outcome> {
  listenForUnhandled();
  unhandled.length = 0;
  const outcome = await runGuarded(target, input, budgetMs);
  await settle();
  await settle();
  if (outcome.ok && unhandled.length > 0) {
    return { ok: false, error: `unhandled rejection: ${describe(unhandled[0])}` };
  }
  return outcome;
}

async function runGuarded(target: FuzzTarget, input: Uint8Array, budgetMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: `timeout: still running after ${budgetMs} ms` }),
      budgetMs,
    );
  });
  const run = target.run(input).then(
    (): Outcome => ({ ok: true }),
    (err: unknown): Outcome =>
      (target.isExpectedError ?? isDiskFormatError)(err) ? { ok: true } : { ok: false, error: describe(err) },
  );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error)
    return (err.stack ?? `${err.name}: ${err.message}`).split('\n').slice(0, 6).join('\n');
  return `non-Error thrown: ${String(err)}`;
}

/** Inputs larger than this are kept gzip'd (mutated filesystem images are megabytes of mostly zeros). */
const GZIP_OVER = 64 * 1024;

/**
 * Keeps a failing input as test/fixtures/fuzz/<target>/<sha256 prefix>.bin (or .bin.gz when it is large;
 * the hash is of the input itself); returns the path.
 */
export function saveFailure(target: string, input: Uint8Array): string {
  const dir = join(FUZZ_FIXTURES, target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const big = input.length > GZIP_OVER;
  const path = join(dir, big ? `${name}.bin.gz` : `${name}.bin`);
  writeFileSync(path, big ? gzipSync(input, { level: 9 }) : input);
  return path;
}

/** Whether a file name is that of a saved input (.bin or .bin.gz). */
export function isSavedInput(file: string): boolean {
  return file.endsWith('.bin') || file.endsWith('.bin.gz');
}

/** A saved input's bytes. */
export function loadSavedInput(path: string): Uint8Array {
  const bytes = readFileSync(path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(bytes) : bytes);
}

export async function loadCorpora(target: FuzzTarget): Promise<Corpus[]> {
  const seeds = await target.seeds();
  if (seeds.length === 0) throw new Error(`fuzz target ${target.name} has no seeds`);
  return seeds.map(corpus);
}

export interface FuzzFailure {
  index: number;
  input: Uint8Array;
  error: string;
}

/** Inputs `start` … `start + iterations − 1` of a run with `seed`, in this process. */
export async function fuzzInProcess(
  target: FuzzTarget,
  options: { iterations: number; seed: number; start?: number; budgetMs?: number; corpora?: Corpus[] },
): Promise<{ tried: number; failures: FuzzFailure[] }> {
  const corpora = options.corpora ?? (await loadCorpora(target));
  const failures: FuzzFailure[] = [];
  const start = options.start ?? 0;
  const inputs = new InputStream(corpora, options.seed);
  for (let i = start; i < start + options.iterations; i++) {
    const input = inputs.input(i);
    const outcome = await runOne(target, input, options.budgetMs);
    if (!outcome.ok) failures.push({ index: i, input: input.slice(), error: outcome.error });
  }
  return { tried: options.iterations, failures };
}
