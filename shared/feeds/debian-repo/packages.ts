/**
 * `Packages` indices (plain, .gz, .xz), parsed stanza by stanza as the bytes arrive: the ~50 MB main
 * index of a release is never held as text. Only the fields a patch scan needs are kept.
 */
import { decompressed, lines, openBytes } from '../io.ts';
import type { AvailablePackage, UpdateClass } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { field, stanzas } from './rfc822.ts';

const NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^(\d+:)?[0-9A-Za-z.+~:-]+$/;
const SOURCE = /^([a-z0-9][a-z0-9+.-]*)(?:\s+\(([^()\s]+)\))?$/;

/** The pocket a suite name stands for: `bookworm-security`, `jammy-updates`, `stretch/updates`, … */
export function classifySuite(suite: string): UpdateClass {
  const s = suite.toLowerCase();
  if (s.endsWith('-security') || s.endsWith('/updates')) return 'security';
  if (s.endsWith('-proposed') || s.endsWith('-proposed-updates')) return 'proposed';
  if (s.endsWith('-backports') || s.endsWith('-backports-sloppy')) return 'backports';
  if (s.endsWith('-updates')) return 'updates';
  return 'release';
}

export interface PackagesContext {
  suite: string;
  component?: string;
  /** Defaults to `classifySuite(suite)`. */
  classification?: UpdateClass;
}

/** Streams the records of a decompressed Packages byte stream. Throws on anything not a Packages file. */
export async function* parsePackages(
  bytes: AsyncIterable<Uint8Array>,
  location: string,
  context: PackagesContext,
): AsyncIterable<AvailablePackage> {
  const classification = context.classification ?? classifySuite(context.suite);
  let n = 0;
  for await (const stanza of stanzas(lines(bytes, location), location)) {
    n++;
    const where = `${location} stanza ${n}`;
    const name = field(stanza, 'Package');
    const version = field(stanza, 'Version');
    const arch = field(stanza, 'Architecture');
    if (!name || !version || !arch)
      throw new FeedFormatError('Packages', 'stanza lacks Package, Version or Architecture', where);
    if (!NAME.test(name))
      throw new FeedFormatError('Packages', `bad package name ${JSON.stringify(name)}`, where);
    if (!VERSION.test(version))
      throw new FeedFormatError('Packages', `bad version ${JSON.stringify(version)}`, where);
    const rawSource = field(stanza, 'Source');
    let source: AvailablePackage['source'] = { name, version };
    if (rawSource !== undefined) {
      const m = SOURCE.exec(rawSource.trim());
      if (!m) throw new FeedFormatError('Packages', `bad Source ${JSON.stringify(rawSource)}`, where);
      source = { name: m[1]!, version: m[2] ?? version };
    }
    yield {
      name,
      version,
      arch,
      source,
      suite: context.suite,
      ...(context.component ? { component: context.component } : {}),
      classification,
    };
  }
}

/** Opens a Packages[.gz|.xz] path or URL (compression by magic number) and streams its records. */
export async function* readPackagesFile(
  location: string,
  context: PackagesContext,
  maxBytes?: number,
): AsyncIterable<AvailablePackage> {
  const opened = await openBytes(location);
  const { bytes } = await decompressed(opened.body, location, maxBytes);
  yield* parsePackages(bytes, location, context);
}
