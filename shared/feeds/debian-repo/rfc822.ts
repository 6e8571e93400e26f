/**
 * Debian control-file syntax (deb822): stanzas of `Field: value` lines, continuation lines start with
 * a space or tab, stanzas separated by blank lines. Field names are case-insensitive; keys are kept
 * as first written, looked up case-insensitively through `field()`.
 */
import { FeedFormatError } from '../types.ts';

export type Stanza = Map<string, string>;

const FIELD = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/;
const MAX_FIELDS = 512;
const MAX_STANZA_CHARS = 16 * 1024 * 1024;

/** Case-insensitive field lookup (keys are stored lower-cased). */
export function field(stanza: Stanza, name: string): string | undefined {
  return stanza.get(name.toLowerCase());
}

/** Parses stanzas from a line stream; never holds more than one stanza. */
export async function* stanzas(lines: AsyncIterable<string>, location: string): AsyncIterable<Stanza> {
  let current: Stanza | undefined;
  let last: string | undefined;
  let chars = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') {
      if (current) yield current;
      current = undefined;
      last = undefined;
      chars = 0;
      continue;
    }
    chars += line.length;
    if (chars > MAX_STANZA_CHARS)
      throw new FeedFormatError(
        'deb822',
        `stanza over ${MAX_STANZA_CHARS} characters`,
        `${location}:${lineNo}`,
      );
    if (line.startsWith('#') && !current) continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (!current || last === undefined)
        throw new FeedFormatError(
          'deb822',
          'continuation line with no field before it',
          `${location}:${lineNo}`,
        );
      current.set(last, `${current.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const m = FIELD.exec(line);
    if (!m)
      throw new FeedFormatError(
        'deb822',
        `not a field line: ${JSON.stringify(line.slice(0, 60))}`,
        `${location}:${lineNo}`,
      );
    current ??= new Map();
    last = m[1]!.toLowerCase();
    if (current.has(last))
      throw new FeedFormatError('deb822', `field ${m[1]} given twice`, `${location}:${lineNo}`);
    if (current.size >= MAX_FIELDS)
      throw new FeedFormatError('deb822', 'too many fields in a stanza', `${location}:${lineNo}`);
    current.set(last, m[2]!.trimEnd());
  }
  if (current) yield current;
}

export async function* fromText(text: string): AsyncIterable<string> {
  for (const line of text.split('\n')) yield line.endsWith('\r') ? line.slice(0, -1) : line;
}
