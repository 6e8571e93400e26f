/** Alpine `APKINDEX.tar.gz`: the `APKINDEX` member's `P:`/`V:`/`A:`/`o:` records. */
import { decompressed, openBytes, readAll } from '../io.ts';
import type { ApkIndexFeed, AvailablePackage } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { readTar } from './tar.ts';

const LINE = /^([A-Za-z]):(.*)$/;
const VERSION = /^[0-9][0-9A-Za-z._+~-]*$/;

export function parseApkindexText(text: string, location: string, suite: string): AvailablePackage[] {
  const out: AvailablePackage[] = [];
  let rec = new Map<string, string>();
  let lineNo = 0;
  const flush = () => {
    if (rec.size === 0) return;
    const name = rec.get('P');
    const version = rec.get('V');
    if (!name || !version)
      throw new FeedFormatError('APKINDEX', 'record without P: or V:', `${location}:${lineNo}`);
    if (!VERSION.test(version))
      throw new FeedFormatError(
        'APKINDEX',
        `bad version ${JSON.stringify(version)}`,
        `${location}:${lineNo}`,
      );
    const origin = rec.get('o');
    out.push({
      name,
      version,
      arch: rec.get('A') ?? 'noarch',
      source: origin ? { name: origin, version } : { name, version },
      suite,
      classification: 'unknown',
    });
    rec = new Map();
  };
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      flush();
      continue;
    }
    const m = LINE.exec(line);
    if (!m)
      throw new FeedFormatError(
        'APKINDEX',
        `not a field line: ${JSON.stringify(line.slice(0, 60))}`,
        `${location}:${lineNo}`,
      );
    rec.set(m[1]!, m[2]!);
  }
  flush();
  return out;
}

/** `Alpine:v3.20` from a path like `…/v3.20/main/x86_64/APKINDEX.tar.gz`; `Alpine:edge` for edge. */
export function alpineReleaseFromPath(location: string): string | undefined {
  const m = /\/(v\d+\.\d+|edge)\//.exec(location);
  return m ? `Alpine:${m[1]}` : undefined;
}

export interface ApkIndexOptions {
  release?: string;
  label?: string;
  maxBytes?: number;
}

export async function readApkIndex(location: string, options: ApkIndexOptions = {}): Promise<ApkIndexFeed> {
  const opened = await openBytes(location);
  const { compression, bytes } = await decompressed(opened.body, location, options.maxBytes ?? 512 << 20);
  if (compression !== 'gzip')
    throw new FeedFormatError('APKINDEX', 'expected a gzip-compressed tar', location);
  const entries = readTar(await readAll(bytes, options.maxBytes ?? 512 << 20, location), location);
  const index = entries.find((e) => e.name === 'APKINDEX');
  if (!index) throw new FeedFormatError('APKINDEX', 'archive has no APKINDEX member', location);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(index.data);
  } catch (cause) {
    throw new FeedFormatError('APKINDEX', 'not valid UTF-8', location, { cause });
  }
  const label = options.label ?? location.split('/').slice(-4, -1).join('/');
  const release = options.release ?? alpineReleaseFromPath(location);
  const notes: string[] = ['APKINDEX signature not verified (out of scope)'];
  if (!release) notes.push('release not in the path (…/vX.Y/…); pass options.release');
  const description = entries.find((e) => e.name === 'DESCRIPTION');
  if (description)
    notes.push(`DESCRIPTION: ${new TextDecoder().decode(description.data).trim().slice(0, 80)}`);
  return {
    kind: 'apk-index',
    scheme: 'apk',
    release: release ?? 'Alpine',
    source: {
      location,
      ...(index.mtime > 0 ? { date: new Date(index.mtime * 1000).toISOString() } : {}),
      ...(opened.mtime ? { mtime: opened.mtime } : {}),
    },
    packages: parseApkindexText(text, location, label),
    notes,
  };
}
