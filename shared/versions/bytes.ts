/**
 * The C tools compare bytes, not UTF-16 code units. A string with a character ≥ U+0080 is turned into its
 * UTF-8 bytes, one char per byte (a "binary string"), before it is scanned; ASCII strings pass through.
 */

const encoder = new TextEncoder();

/** True when the string holds a character outside ASCII. */
export function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/** The UTF-8 bytes of s as a string of char codes 0-255 (lone surrogates become U+FFFD's bytes). */
export function utf8Binary(s: string): string {
  const bytes = encoder.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** True when the string holds a NUL, which no C tool can be given (the string would end there). */
export function hasNul(s: string): boolean {
  return s.indexOf('\0') !== -1;
}
