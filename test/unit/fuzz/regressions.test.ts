import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUZZ_FIXTURES, fuzzInProcess, runOne } from '../../../scripts/fuzz/engine.ts';
import { findTarget, targets } from '../../../scripts/fuzz/targets.ts';

/** Every input a fuzz run ever saved: test/fixtures/fuzz/<target>/<sha256 prefix>.bin */
const saved = existsSync(FUZZ_FIXTURES)
  ? readdirSync(FUZZ_FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(FUZZ_FIXTURES, d.name))
          .filter((f) => f.endsWith('.bin'))
          .map((f) => ({ target: d.name, file: f })),
      )
  : [];

describe('fuzz regressions: every saved input completes or throws DiskFormatError', () => {
  it('has a registered target for every directory of saved inputs', () => {
    for (const { target } of saved) expect(findTarget(target), `target ${target}`).toBeDefined();
  });

  it.each(saved)('$target/$file', async ({ target, file }) => {
    const input = new Uint8Array(readFileSync(join(FUZZ_FIXTURES, target, file)));
    expect(await runOne(findTarget(target)!, input, 5000)).toEqual({ ok: true });
  });
});

describe('a small fuzz run of every target (fixed seed)', () => {
  it.each(targets.map((t) => ({ name: t.name, target: t })))(
    '$name: 300 mutated inputs, no failures',
    async ({ target }) => {
      const { tried, failures } = await fuzzInProcess(target, { iterations: 300, seed: 20240101 });
      expect(tried).toBe(300);
      expect(failures.map((f) => `#${f.index}: ${f.error}`)).toEqual([]);
    },
    120_000,
  );
});
