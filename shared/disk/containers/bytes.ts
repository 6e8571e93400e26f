/** Little helpers to read integers from byte arrays; all bounds-checked by DataView. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An unsigned 64-bit big-endian integer as a number, or undefined when above 2^53. */
export function u64be(dv: DataView, at: number): number | undefined {
  return safe(dv.getBigUint64(at, false));
}

export function u64le(dv: DataView, at: number): number | undefined {
  return safe(dv.getBigUint64(at, true));
}

function safe(v: bigint): number | undefined {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

export function ascii(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

export function startsWith(bytes: Uint8Array, magic: string, at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/**
 * `p`, marked as handled: for reads started inside a loop that still awaits lookups and only joins
 * them (Promise.all) after it. A read that fails in between, or after a lookup has thrown and the
 * join never comes, must not be an unhandled rejection (which ends a Node process); the join still
 * sees the failure.
 */
export function joinedLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
