/**
 * Byte-level helpers for received messages: where a cut must fall so that it does not split a UTF-8
 * character, and which bytes count as a frame trailer.
 */

/**
 * The end to use instead of `end` so that `bytes[start, result)` does not stop inside a multi-byte
 * UTF-8 character: an incomplete sequence at the end is left out. Invalid sequences are left alone
 * (the lossy decode turns them into U+FFFD anyway).
 */
export function utf8CutBefore(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || bytes[end - 1]! < 0x80) return end;
  // Find the lead byte of the last sequence: at most 3 continuation bytes (10xxxxxx) back.
  let lead = end - 1;
  while (lead > start && lead > end - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  const b = bytes[lead]!;
  const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
  return need > 0 && lead + need > end ? lead : end;
}

/** LF, CR and NUL: the trailer bytes stripped from the end of a message. */
export function isTrailerByte(b: number): boolean {
  return b === 0x0a || b === 0x0d || b === 0x00;
}

/** The end of `bytes[start, end)` without its trailing run of LF, CR and NUL bytes. */
export function stripTrailers(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isTrailerByte(bytes[end - 1]!)) end--;
  return end;
}
