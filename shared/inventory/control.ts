/**
 * deb822 control stanzas as dpkg writes its database (`/var/lib/dpkg/status`, `updates/*`,
 * distroless `status.d/*`): `Field: value` lines, continuation lines starting with a space or a
 * tab, stanzas separated by empty lines. Field names are case-insensitive (kept lower-cased here).
 *
 * What dpkg itself refuses is refused here, one stanza at a time: a continuation line with no field
 * before it, a line that is not `Name: value`, a field name starting with `-`, a field given twice,
 * a blank continuation line. A file with NUL bytes is not a control file at all.
 */

export interface Stanza {
  /** Lower-cased field name → value (continuation lines joined with `\n`). */
  fields: Map<string, string>;
  /** 1-based line of the stanza's first field. */
  line: number;
}

export interface StanzaError {
  line: number;
  problem: string;
}

export interface ControlFile {
  stanzas: Stanza[];
  /** One per stanza that was refused (the stanza is not in `stanzas`). */
  errors: StanzaError[];
}

export class ControlFormatError extends Error {
  override name = 'ControlFormatError';
}

export function parseControl(bytes: Uint8Array): ControlFile {
  if (bytes.includes(0)) throw new ControlFormatError('contains NUL bytes: not a text control file');
  const text = new TextDecoder().decode(bytes);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const stanzas: Stanza[] = [];
  const errors: StanzaError[] = [];

  let fields: Map<string, string> | undefined;
  let start = 0;
  let last: string | undefined;
  let broken: StanzaError | undefined;
  const finish = () => {
    if (broken) errors.push(broken);
    else if (fields) stanzas.push({ fields, line: start });
    fields = undefined;
    last = undefined;
    broken = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const inStanza = fields !== undefined || broken !== undefined;
    if (raw === '' || (!inStanza && /^[ \t]*$/.test(raw))) {
      if (inStanza) finish();
      continue;
    }
    if (!inStanza) {
      fields = new Map();
      start = lineNo;
    }
    if (broken) continue;
    const fail = (problem: string) => {
      broken = { line: lineNo, problem };
    };
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      if (last === undefined) {
        fail('continuation line with no field before it');
        continue;
      }
      if (/^[ \t]*$/.test(raw)) {
        fail(`blank line in the value of field "${last}"`);
        continue;
      }
      fields!.set(last, `${fields!.get(last)}\n${raw}`);
      continue;
    }
    const m = /^([^\s:]+)[ \t]*:[ \t]*(.*?)[ \t]*$/.exec(raw);
    if (!m) {
      fail(`"${printable(raw)}" is not a "Field: value" line`);
      continue;
    }
    const name = m[1]!.toLowerCase();
    if (name.startsWith('-')) {
      fail(`field name "${printable(m[1]!)}" starts with a hyphen`);
      continue;
    }
    if (fields!.has(name)) {
      fail(`field "${printable(m[1]!)}" given twice`);
      continue;
    }
    fields!.set(name, m[2]!);
    last = name;
  }
  finish();
  return { stanzas, errors };
}

/** A value for a message: control characters escaped, long values cut. */
export function printable(s: string, max = 60): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  let out = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}
