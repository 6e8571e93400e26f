/**
 * Line and field handling shared by the signature file parsers, following how ClamAV reads its text
 * databases: lines end at `\n`; a line starting with `#` is a comment (checked before trailing `\r`/`\n`
 * are removed); fields are split at every `:`; "a number" means digits only (the empty string counts
 * and reads as 0), and the functionality-level fields of hash databases read like C's `atoi`.
 */

export interface DbLine {
  /** 1-based, counting comment lines as ClamAV does. */
  number: number;
  /** The line without its trailing `\r`/`\n` characters. */
  text: string;
}

/** The non-comment lines of a database file, and how many lines it has in all. */
export function databaseLines(text: string): { lines: DbLine[]; count: number } {
  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines: DbLine[] = [];
  raw.forEach((line, i) => {
    if (line.startsWith('#')) return;
    lines.push({ number: i + 1, text: line.replace(/[\r\n]+$/, '') });
  });
  return { lines, count: raw.length };
}

/** ClamAV's `cli_isnumber`: only decimal digits (an empty string passes). */
export function isDigits(s: string): boolean {
  return /^[0-9]*$/.test(s);
}

/** C `atoi` as ClamAV uses it on level fields: leading blanks, optional sign, digits, rest ignored. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(s);
  if (!m?.[2]) return 0;
  const n = Number.parseInt(m[2], 10);
  return m[1] === '-' ? -n : n;
}

/** Decimal digits (empty reads as 0) as a non-negative integer that fits ClamAV's 32-bit fields. */
export function digitsValue(s: string): number | undefined {
  if (!isDigits(s)) return undefined;
  const n = s === '' ? 0 : Number.parseInt(s, 10);
  return n <= 0x7fffffff ? n : undefined;
}

/** Decodes database bytes as Latin-1 so every byte survives (names are reported as written). */
export function decodeDatabase(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
