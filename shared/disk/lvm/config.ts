/**
 * LVM's configuration syntax, as its metadata text uses it:
 *
 *   vgname { id = "…" seqno = 3 status = ["READ", "WRITE"] physical_volumes { pv0 { … } } }
 *
 * Sections `name { … }`, assignments `key = value`, values a double-quoted string (with `\"` and `\\`
 * escapes), an integer, a decimal or a `[ … ]` list of those; `#` comments to the end of the line.
 * Every node keeps its position so errors can name where the text is wrong.
 */
import { DiskFormatError } from '../types.ts';

export type ConfigScalar = string | number;
export interface ConfigValue {
  kind: 'value';
  at: number;
  value: ConfigScalar | ConfigScalar[];
}
export interface ConfigSection {
  kind: 'section';
  at: number;
  entries: Map<string, ConfigNode>;
}
export type ConfigNode = ConfigValue | ConfigSection;

/** Deeper nesting than any metadata LVM writes (it uses four levels). */
const MAX_DEPTH = 32;
const IDENT = /[A-Za-z0-9_+.\-/:@]/;

export interface ParseOptions {
  /** The layer named by errors. */
  layer?: string;
  /** Maps a position in the text to the offset reported in errors (default: the position itself). */
  offsetOf?: (position: number) => number;
}

export function parseLvmConfig(text: string, options: ParseOptions = {}): ConfigSection {
  const layer = options.layer ?? 'lvm metadata';
  const offsetOf = options.offsetOf ?? ((p: number) => p);
  let i = 0;
  const fail = (message: string, at = i): never => {
    const line = text.slice(0, at).split('\n').length;
    throw new DiskFormatError(layer, `${message} (text position ${at}, line ${line})`, offsetOf(at));
  };

  const skip = () => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === '#') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') i++;
      else break;
    }
  };

  const ident = (): string => {
    const start = i;
    while (i < text.length && IDENT.test(text[i]!)) i++;
    if (i === start) fail(`expected a name, found ${describe(text[i])}`);
    return text.slice(start, i);
  };

  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    while (true) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i]!;
      if (c === '"') break;
      if (c === '\\') {
        if (i + 1 >= text.length) fail('unterminated string', start);
        out += text[i + 1];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    i++;
    return out;
  };

  const number = (): number => {
    const m = /^-?\d+(\.\d+)?/.exec(text.slice(i, i + 40));
    if (!m) return fail(`expected a value, found ${describe(text[i])}`);
    const n = Number(m[0]);
    if (!m[1] && !Number.isSafeInteger(n)) fail(`integer ${m[0]} is too large`);
    i += m[0].length;
    if (i < text.length && IDENT.test(text[i]!)) fail(`malformed number`);
    return n;
  };

  const scalar = (): ConfigScalar => (text[i] === '"' ? string() : number());

  const value = (): ConfigValue => {
    const at = i;
    if (text[i] !== '[') return { kind: 'value', at, value: scalar() };
    i++;
    const items: ConfigScalar[] = [];
    skip();
    while (text[i] !== ']') {
      if (i >= text.length) fail('unterminated list', at);
      items.push(scalar());
      skip();
      if (i >= text.length) fail('unterminated list', at);
      if (text[i] === ',') {
        i++;
        skip();
      } else if (text[i] !== ']') fail(`expected "," or "]" in a list, found ${describe(text[i])}`);
    }
    i++;
    return { kind: 'value', at, value: items };
  };

  const body = (section: ConfigSection, depth: number, closing: boolean): void => {
    while (true) {
      skip();
      if (i >= text.length) {
        if (closing) fail('unexpected end of text: missing "}"', section.at);
        return;
      }
      if (text[i] === '}') {
        if (!closing) fail('unexpected "}"');
        i++;
        return;
      }
      const at = i;
      const key = ident();
      if (section.entries.has(key)) fail(`duplicate key "${key}"`, at);
      skip();
      if (text[i] === '=') {
        i++;
        skip();
        section.entries.set(key, value());
      } else if (text[i] === '{') {
        if (depth >= MAX_DEPTH) fail(`sections nested deeper than ${MAX_DEPTH}`);
        i++;
        const child: ConfigSection = { kind: 'section', at, entries: new Map() };
        body(child, depth + 1, true);
        section.entries.set(key, child);
      } else fail(`expected "=" or "{" after "${key}", found ${describe(text[i])}`);
    }
  };

  const root: ConfigSection = { kind: 'section', at: 0, entries: new Map() };
  body(root, 0, false);
  return root;
}

function describe(c: string | undefined): string {
  return c === undefined ? 'end of text' : JSON.stringify(c);
}
