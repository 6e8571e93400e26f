import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FUZZ_FIXTURES,
  fuzzInProcess,
  isSavedInput,
  loadSavedInput,
  runOne,
} from '../../../scripts/fuzz/engine.ts';
import { findTarget, targets } from '../../../scripts/fuzz/targets.ts';

/** Every input a fuzz run ever saved: test/fixtures/fuzz/<target>/<sha256 prefix>.bin[.gz] (seeds/ holds
 * the seeds some targets build on, not saved inputs). */
const saved = existsSync(FUZZ_FIXTURES)
  ? readdirSync(FUZZ_FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(FUZZ_FIXTURES, d.name))
          .filter(isSavedInput)
          .map((f) => ({ target: d.name, file: f })),
      )
  : [];

describe("fuzz regressions: every saved input completes or throws its target's expected error", () => {
  it('has a registered target for every directory of saved inputs', () => {
    for (const { target } of saved) expect(findTarget(target), `target ${target}`).toBeDefined();
  });

  it.each(saved)('$target/$file', async ({ target, file }) => {
    const input = loadSavedInput(join(FUZZ_FIXTURES, target, file));
    expect(await runOne(findTarget(target)!, input, 5000)).toEqual({ ok: true });
  });
});

describe('a small fuzz run of every target (fixed seed)', () => {
  it.each(targets.map((t) => ({ name: t.name, target: t, iterations: t.smokeIterations ?? 300 })))(
    '$name: $iterations mutated inputs, no failures',
    async ({ target, iterations }) => {
      const { tried, failures } = await fuzzInProcess(target, { iterations, seed: 20240101 });
      expect(tried).toBe(iterations);
      expect(failures.map((f) => `#${f.index}: ${f.error}`)).toEqual([]);
    },
    120_000,
  );
});
