/** A parser under fuzz: seed inputs and a run that may throw only DiskFormatError. */
export interface FuzzTarget {
  name: string;
  seeds: () => Promise<Uint8Array[]>;
  run: (input: Uint8Array) => Promise<void>;
}
