/**
 * `wildcard` matching: `*` stands for any run of characters (including none). `\*` is a literal asterisk
 * and `\\` a literal backslash; any other escape, and two consecutive wildcards, are invalid.
 */

/** The literal parts around each wildcard: `a*b*c` is `["a", "b", "c"]`; no wildcard gives one part. */
export type WildcardParts = readonly string[];

/** Splits a wildcard pattern into literal parts, or returns the reason it is invalid. */
export function parseWildcard(pattern: string): WildcardParts | string {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') return `Consecutive wildcard characters at pos ${i}`;
      parts.push(current);
      current = '';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') return `Invalid escape character at pos ${i}`;
      current += next;
      i++;
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Builds a predicate testing strings against the parsed wildcard pattern; it allocates nothing. */
export function wildcardMatcher(parts: WildcardParts): (value: string) => boolean {
  const k = parts.length - 1;
  const first = parts[0] as string;
  if (k === 0) return (value) => value === first;
  const last = parts[k] as string;
  const fixed = first.length + last.length;
  if (k === 1) {
    return (value) => value.length >= fixed && value.startsWith(first) && value.endsWith(last);
  }
  const middle = parts.slice(1, k);
  return (value) => {
    if (value.length < fixed || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let pos = first.length;
    for (let i = 0; i < middle.length; i++) {
      const part = middle[i] as string;
      const at = value.indexOf(part, pos);
      if (at < 0 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  };
}
