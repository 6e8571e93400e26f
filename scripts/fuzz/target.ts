/** A parser under fuzz: seed inputs and a run that may throw only DiskFormatError. */
export interface FuzzTarget {
  name: string;
  seeds: () => Promise<Uint8Array[]>;
  run: (input: Uint8Array) => Promise<void>;
  /** Inputs of the unit suite's small fuzz run (default 300): fewer for slow targets, to keep it fast. */
  smokeIterations?: number;
}
