/** Small helpers shared by the AWS adapters. */

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SDK error name (`ResourceNotFoundException`, `NoSuchKey`, …), or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** The HTTP status of a failed SDK call, if it got that far. */
export function awsHttpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

/**
 * Splits items into batches of at most `maxCount` entries and `maxBytes` total size.
 * A single item bigger than `maxBytes` is not split off: the caller checks sizes first.
 */
export function batchBy<T>(items: T[], maxCount: number, maxBytes: number, size: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const s = size(item);
    if (current.length > 0 && (current.length >= maxCount || bytes + s > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += s;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
