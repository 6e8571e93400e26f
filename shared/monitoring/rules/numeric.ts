/**
 * Numbers as logs write them: decimal (`3`, `-1.5`) or hexadecimal with `0x` (`0xC000006A`, how
 * Windows writes NTSTATUS codes and process ids). Anything else is not a number; no trimming, no
 * exponent forms, no empty string as 0 (as `Number()` would allow).
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const HEX = /^0[xX][0-9a-fA-F]{1,16}$/;

/** The number a text denotes, or undefined. Hex beyond 2^53 loses precision (as any JS number does). */
export function parseNumeric(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16);
  return undefined;
}
