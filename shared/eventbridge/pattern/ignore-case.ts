/**
 * Case-insensitive string comparison for `equals-ignore-case` and its `prefix`/`suffix` forms.
 * Each character of the event value must be the lower- or upper-case form of the pattern's character.
 * ASCII patterns are compared code unit by code unit without allocating; others fall back to case mapping.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the whole of ASCII
const ASCII = /^[\u0000-\u007f]*$/;

function foldAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Compares `value[offset, offset + lower.length)` with the lower-cased ASCII pattern. */
function regionEqualsAscii(value: string, offset: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = value.charCodeAt(offset + i);
    if (c > 127 || foldAscii(c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function sameCaseless(a: string, lower: string, upper: string): boolean {
  return a.toLowerCase() === lower || a.toUpperCase() === upper;
}

/** Builds a predicate for strings equal to `pattern` ignoring case. */
export function equalsIgnoreCase(pattern: string): (value: string) => boolean {
  const lower = pattern.toLowerCase();
  if (ASCII.test(pattern)) {
    return (value) => value.length === lower.length && regionEqualsAscii(value, 0, lower);
  }
  const upper = pattern.toUpperCase();
  return (value) => sameCaseless(value, lower, upper);
}

/** Builds a predicate for strings starting with `prefix` ignoring case. */
export function startsWithIgnoreCase(prefix: string): (value: string) => boolean {
  const lower = prefix.toLowerCase();
  if (ASCII.test(prefix)) {
    return (value) => value.length >= lower.length && regionEqualsAscii(value, 0, lower);
  }
  const upper = prefix.toUpperCase();
  const n = prefix.length;
  return (value) => value.length >= n && sameCaseless(value.slice(0, n), lower, upper);
}

/** Builds a predicate for strings ending with `suffix` ignoring case. */
export function endsWithIgnoreCase(suffix: string): (value: string) => boolean {
  const lower = suffix.toLowerCase();
  if (ASCII.test(suffix)) {
    return (value) =>
      value.length >= lower.length && regionEqualsAscii(value, value.length - lower.length, lower);
  }
  const upper = suffix.toUpperCase();
  const n = suffix.length;
  return (value) => value.length >= n && sameCaseless(value.slice(value.length - n), lower, upper);
}
