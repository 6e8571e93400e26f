/**
 * `Release` and `InRelease` files of a Debian/Ubuntu archive. InRelease is an OpenPGP clearsigned
 * Release: the armour is stripped (RFC 4880 §7, dash-escaping undone). With a keyring (`signature`),
 * its signature is verified as apt does (../openpgp) and a Release without a valid one is refused;
 * without, a note on every result says that nothing was verified.
 */
import { toIso } from '../io.ts';
import { firstLine, isCleartextSigned, splitCleartext } from '../openpgp/cleartext.ts';
import type { Keyring } from '../openpgp/keyring.ts';
import { OpenPgpError } from '../openpgp/packets.ts';
import { verifyCleartext } from '../openpgp/verify.ts';
import type { ChecksummedFile, DebianRelease, FeedSource } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { field, fromText, type Stanza, stanzas } from './rfc822.ts';

export const SIGNATURE_NOTE =
  'InRelease signature not verified (no keyring given: --keyring or OUTBOARD_FEED_KEYRINGS)';

/** The keys an InRelease must be signed with, and the time keys and signatures are checked at (ms). */
export interface ReleaseSignatureCheck {
  keyring: Keyring;
  now: number;
}
/** The signed text of a clearsigned message, or the text itself when it is not clearsigned. */
export function stripClearsign(text: string, location: string): { body: string; clearsigned: boolean } {
  if (text.trim() === '') throw new FeedFormatError('Release', 'empty file', location);
  if (!isCleartextSigned(text)) {
    const first = firstLine(text);
    if (first.startsWith('-----BEGIN PGP'))
      throw new FeedFormatError('Release', `unsupported OpenPGP block ${first}`, location);
    return { body: text, clearsigned: false };
  }
  try {
    return { body: splitCleartext(text).lines.join('\n'), clearsigned: true };
  } catch (error) {
    if (error instanceof OpenPgpError) throw new FeedFormatError('InRelease', error.message, location);
    throw error;
  }
}

function words(value: string | undefined): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

function checksums(value: string | undefined, location: string): ChecksummedFile[] {
  if (!value) return [];
  const out: ChecksummedFile[] = [];
  for (const row of value.split('\n')) {
    if (row.trim() === '') continue;
    const m = /^\s*([0-9a-fA-F]{64})\s+(\d+)\s+(\S+)\s*$/.exec(row);
    if (!m)
      throw new FeedFormatError('Release', `bad SHA256 entry ${JSON.stringify(row.slice(0, 80))}`, location);
    out.push({ sha256: m[1]!.toLowerCase(), size: Number(m[2]), path: m[3]! });
  }
  return out;
}

export async function parseRelease(
  text: string,
  source: Omit<FeedSource, 'date' | 'validUntil'>,
  signature?: ReleaseSignatureCheck,
): Promise<DebianRelease> {
  const { location } = source;
  const { body, clearsigned } = stripClearsign(text, location);
  let verified: string | undefined;
  if (signature) {
    if (!clearsigned)
      throw new FeedFormatError(
        'Release',
        'not signed: with a keyring given, only an InRelease with a valid signature is accepted',
        location,
      );
    const result = verifyCleartext(text, signature.keyring, signature.now);
    if (!result.ok)
      throw new FeedFormatError(
        'InRelease',
        `signature not verified: ${result.reasons.join('; ')}`,
        location,
      );
    verified = `InRelease signature verified: ${result.by
      .map((b) => `${b.fingerprint}${b.userId ? ` (${b.userId})` : ''}`)
      .join(', ')}`;
  }
  let stanza: Stanza | undefined;
  for await (const s of stanzas(fromText(body), location)) {
    if (stanza) throw new FeedFormatError('Release', 'more than one stanza', location);
    stanza = s;
  }
  if (!stanza) throw new FeedFormatError('Release', 'no fields', location);
  const suite = field(stanza, 'Suite');
  const codename = field(stanza, 'Codename');
  if (!suite && !codename) throw new FeedFormatError('Release', 'neither Suite nor Codename', location);
  const rawDate = field(stanza, 'Date');
  const date = rawDate ? toIso(rawDate) : undefined;
  if (rawDate && !date) throw new FeedFormatError('Release', `unreadable Date ${rawDate}`, location);
  const rawValid = field(stanza, 'Valid-Until');
  const validUntil = rawValid ? toIso(rawValid) : undefined;
  if (rawValid && !validUntil)
    throw new FeedFormatError('Release', `unreadable Valid-Until ${rawValid}`, location);
  const notes = verified
    ? [verified]
    : clearsigned
      ? [SIGNATURE_NOTE]
      : ['Release is unsigned here (no InRelease); nothing verified'];
  const optional = (name: string) => field(stanza, name);
  const release: DebianRelease = {
    source: { ...source, ...(date ? { date } : {}), ...(validUntil ? { validUntil } : {}) },
    components: words(field(stanza, 'Components')),
    architectures: words(field(stanza, 'Architectures')),
    acquireByHash: field(stanza, 'Acquire-By-Hash')?.toLowerCase() === 'yes',
    sha256: checksums(field(stanza, 'SHA256'), location),
    clearsigned,
    notes,
  };
  for (const [key, name] of [
    ['origin', 'Origin'],
    ['label', 'Label'],
    ['suite', 'Suite'],
    ['codename', 'Codename'],
    ['version', 'Version'],
  ] as const) {
    const v = optional(name);
    if (v !== undefined) release[key] = v;
  }
  if (date) release.date = date;
  if (validUntil) release.validUntil = validUntil;
  return release;
}

/**
 * The OSV-style release key: `Debian:12` (Version `12.15` or `12-updates`), `Ubuntu:22.04:LTS` (even
 * year, April), `Ubuntu:23.10`; else the codename without its pocket (`bookworm`).
 */
export function releaseKey(
  release: Pick<DebianRelease, 'origin' | 'version' | 'codename' | 'suite'>,
): string {
  const origin = release.origin?.toLowerCase();
  const version = release.version ?? '';
  if (origin === 'debian') {
    const m = /^(\d+)/.exec(version);
    if (m) return `Debian:${m[1]}`;
  }
  if (origin === 'ubuntu') {
    const m = /^(\d\d)\.(\d\d)/.exec(version);
    if (m) {
      const lts = Number(m[1]) % 2 === 0 && m[2] === '04';
      return `Ubuntu:${m[1]}.${m[2]}${lts ? ':LTS' : ''}`;
    }
  }
  const name = release.codename ?? release.suite ?? 'unknown';
  return name.replace(/[-/].*$/, '');
}
