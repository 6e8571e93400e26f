/**
 * Every fuzz target, by name. Register a parser here: `{ name, seeds, run }` where run throws only
 * DiskFormatError on bad input. Used by scripts/fuzz/run.ts and test/unit/fuzz/regressions.test.ts.
 */
import type { FuzzTarget } from './target.ts';
import { fatTarget } from './targets/fat.ts';

export type { FuzzTarget } from './target.ts';

export const targets: FuzzTarget[] = [fatTarget];

export function findTarget(name: string): FuzzTarget | undefined {
  return targets.find((t) => t.name === name);
}
