/**
 * A parser under fuzz: seed inputs and a run that may throw only the errors it declares expected
 * (DiskFormatError unless `isExpectedError` says otherwise; a parser that never throws returns false).
 */
export interface FuzzTarget {
  name: string;
  seeds: () => Promise<Uint8Array[]>;
  run: (input: Uint8Array) => Promise<void>;
  /** Inputs of the unit suite's small fuzz run (default 300): fewer for slow targets, to keep it fast. */
  smokeIterations?: number;
  /** The rejections that are a clean refusal of bad input; default: DiskFormatError. */
  isExpectedError?: (err: unknown) => boolean;
}
