/**
 * Running fuzz inputs: what counts as a failure, where failing inputs are kept, and an in-process
 * runner (for the unit suite; scripts/fuzz/run.ts adds worker isolation against hangs and memory).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskFormatError } from '../../shared/disk/types.ts';
import type { Corpus } from './mutate.ts';
import { corpus, InputStream } from './mutate.ts';
import type { FuzzTarget } from './target.ts';

export const FUZZ_FIXTURES = join(import.meta.dirname, '../../test/fixtures/fuzz');
export const DEFAULT_BUDGET_MS = 2000;

export type Outcome = { ok: true } | { ok: false; error: string };

/** Runs one input: rejections other than DiskFormatError, and runs over the time budget, fail. */
export async function runOne(
  target: FuzzTarget,
  input: Uint8Array,
  budgetMs = DEFAULT_BUDGET_MS,
): Promise<Outcome> {
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
      err instanceof DiskFormatError ? { ok: true } : { ok: false, error: describe(err) },
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

/** Keeps a failing input as test/fixtures/fuzz/<target>/<sha256 prefix>.bin; returns the path. */
export function saveFailure(target: string, input: Uint8Array): string {
  const dir = join(FUZZ_FIXTURES, target);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(path, input);
  return path;
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
