import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FUZZ_FIXTURES,
  fuzzInProcess,
  isSavedInput,
  loadSavedInput,
  runOne,
} from '../../../../scripts/fuzz/engine.ts';
import { windowsXmlTarget } from '../../../../scripts/fuzz/targets/windows.ts';

const SAVED = join(FUZZ_FIXTURES, windowsXmlTarget.name);

describe('fuzz target windows-event-xml', () => {
  it('runs every seed and every input a fuzz run ever saved without an unexpected error', async () => {
    const saved = existsSync(SAVED) ? readdirSync(SAVED).filter(isSavedInput).sort() : [];
    const inputs = [
      ...(await windowsXmlTarget.seeds()).map((input, i) => ({ name: `seed ${i}`, input })),
      ...saved.map((f) => ({ name: f, input: loadSavedInput(join(SAVED, f)) })),
    ];
    expect(inputs.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const { name, input } of inputs) {
      const outcome = await runOne(windowsXmlTarget, input, 5000);
      if (!outcome.ok) failures.push(`${name}: ${outcome.error}`);
    }
    expect(failures).toEqual([]);
  });

  it('survives a small fuzz run (fixed seed)', async () => {
    const { tried, failures } = await fuzzInProcess(windowsXmlTarget, { iterations: 600, seed: 20240305 });
    expect(tried).toBe(600);
    expect(failures.map((f) => `#${f.index}: ${f.error}`)).toEqual([]);
  }, 60_000);
});
