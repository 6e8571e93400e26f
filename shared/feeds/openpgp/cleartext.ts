/**
 * The cleartext signature framework (RFC 9580 §7): `-----BEGIN PGP SIGNED MESSAGE-----`, `Hash:` armour
 * headers, the dash-escaped text, then an armoured signature block. One reader for both uses: the
 * Release parser wants the text, the verifier the canonical form it was signed in.
 */
import { OpenPgpError } from './packets.ts';

export const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

export interface Cleartext {
  /** Values of the `Hash:` headers (comma-separated names, as written). */
  hashHeaders: string[];
  /** The signed lines, dash-escaping undone, line ends dropped. */
  lines: string[];
  /** The armoured signature block, from its BEGIN line to the end of the text. */
  signatureBlock: string;
}

/** The first non-blank line of `text`, without its line end. */
export function firstLine(text: string): string {
  return /^\s*([^\r\n]*)/.exec(text)![1]!;
}

/** Whether `text` starts (after blank lines) as a cleartext-signed message. */
export function isCleartextSigned(text: string): boolean {
  return firstLine(text) === BEGIN_SIGNED;
}

/** Splits a cleartext-signed message; OpenPgpError (with the line number) for what does not conform. */
export function splitCleartext(text: string): Cleartext {
  const rows = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const first = rows.findIndex((l) => l.trim() !== '');
  if (first === -1 || rows[first] !== BEGIN_SIGNED) throw new OpenPgpError('not a cleartext-signed message');
  const hashHeaders: string[] = [];
  let i = first + 1;
  for (; i < rows.length && rows[i] !== ''; i++) {
    const m = /^([A-Za-z]+): (.*)$/.exec(rows[i]!);
    if (!m) throw new OpenPgpError(`line ${i + 1}: bad armour header`);
    if (m[1] === 'Hash') hashHeaders.push(m[2]!);
  }
  if (i >= rows.length) throw new OpenPgpError('no signed text after the armour headers');
  const lines: string[] = [];
  for (i++; i < rows.length && rows[i] !== BEGIN_SIGNATURE; i++) {
    const row = rows[i]!;
    if (row.startsWith('-') && !row.startsWith('- '))
      throw new OpenPgpError(`line ${i + 1}: unescaped dash line in signed text`);
    lines.push(row.startsWith('- ') ? row.slice(2) : row);
  }
  if (i >= rows.length) throw new OpenPgpError('signature block missing');
  if (!rows.slice(i).includes(END_SIGNATURE)) throw new OpenPgpError('signature block not closed');
  return { hashHeaders, lines, signatureBlock: rows.slice(i).join('\n') };
}
