/** `repodata/repomd.xml`: where the primary and updateinfo files are and when the repo was built. */
import type { FeedSource } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { walkXml } from './xml.ts';

export interface RepomdEntry {
  type: string;
  href: string;
  sha256?: string;
  timestamp?: number;
  size?: number;
}

export interface Repomd {
  source: FeedSource;
  revision?: string;
  data: Map<string, RepomdEntry>;
}

export async function parseRepomd(bytes: AsyncIterable<Uint8Array>, source: FeedSource): Promise<Repomd> {
  const data = new Map<string, RepomdEntry>();
  let revision: string | undefined;
  let current: Partial<RepomdEntry> & { checksumType?: string } = {};
  await walkXml(bytes, source.location, {
    root: 'repomd',
    text: (name, depth) =>
      (depth === 1 && name === 'revision') ||
      (depth === 2 && ['checksum', 'timestamp', 'size'].includes(name)),
    open(name, attrs, depth) {
      if (depth === 1 && name === 'data') {
        if (!attrs.type) throw new FeedFormatError('repomd', '<data> without type', source.location);
        current = { type: attrs.type };
      } else if (depth === 2 && name === 'location') current.href = attrs.href;
      else if (depth === 2 && name === 'checksum') current.checksumType = attrs.type;
    },
    close(name, text, depth) {
      if (depth === 1 && name === 'revision') revision = text.trim();
      else if (depth === 2 && name === 'checksum' && current.checksumType === 'sha256')
        current.sha256 = text.trim();
      else if (depth === 2 && name === 'timestamp') current.timestamp = Number(text.trim());
      else if (depth === 2 && name === 'size') current.size = Number(text.trim());
      else if (depth === 1 && name === 'data') {
        const { type, href } = current;
        if (!type || !href || href.includes('..'))
          throw new FeedFormatError(
            'repomd',
            `<data type="${type}"> without a usable location`,
            source.location,
          );
        const entry: RepomdEntry = { type, href };
        if (current.sha256) entry.sha256 = current.sha256;
        if (Number.isFinite(current.timestamp)) entry.timestamp = current.timestamp!;
        if (Number.isFinite(current.size)) entry.size = current.size!;
        data.set(type, entry);
      }
    },
  });
  const stamps = [...data.values()].map((d) => d.timestamp ?? 0);
  const newest = Math.max(0, ...stamps);
  const date = newest > 0 ? new Date(newest * 1000).toISOString() : undefined;
  return { source: { ...source, ...(date ? { date } : {}) }, ...(revision ? { revision } : {}), data };
}
