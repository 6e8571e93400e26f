/**
 * rsyslog's control-character escapes: on receipt it replaces each control character of a message by
 * `#` and three octal digits (`$EscapeControlCharactersOnReceive`, on by default), so a relayed
 * multi-line message arrives with `#012` for each LF. Only escapes of control characters (`#000`–`#037`
 * and `#177`) are decoded: rsyslog never writes others, and leaving them keeps `issue #123` intact.
 */

function octal(c: number): number {
  const d = c - 48;
  return d >= 0 && d <= 7 ? d : -1;
}

/** The code of the control character escaped at `text[i]` (a `#`), or -1 when there is none. */
function escapedAt(text: string, i: number): number {
  const a = octal(text.charCodeAt(i + 1));
  const b = octal(text.charCodeAt(i + 2));
  const c = octal(text.charCodeAt(i + 3));
  if (a < 0 || b < 0 || c < 0) return -1;
  const code = a * 64 + b * 8 + c;
  return code < 32 || code === 127 ? code : -1;
}

/** `text` with rsyslog's `#ooo` control-character escapes decoded; the same string when it has none. */
export function unescapeControlChars(text: string): string {
  let i = text.indexOf('#');
  if (i === -1) return text;
  let out = '';
  let from = 0;
  for (; i !== -1 && i + 3 < text.length; i = text.indexOf('#', i + 1)) {
    const code = escapedAt(text, i);
    if (code < 0) continue;
    out += text.slice(from, i) + String.fromCharCode(code);
    from = i + 4;
    i += 3;
  }
  return from === 0 ? text : out + text.slice(from);
}
