/** `primary.xml[.gz|.xz|.zst]`, streamed: one AvailablePackage per binary `<package type="rpm">`. */
import type { AvailablePackage } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { walkXml } from './xml.ts';

const SRPM = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/;

export function evrString(epoch: string | undefined, version: string, release: string): string {
  return epoch && epoch !== '0' ? `${epoch}:${version}-${release}` : `${version}-${release}`;
}

/** `openssl-3.0.7-27.el9.src.rpm` → name and version-release. */
export function parseSourceRpm(value: string): { name: string; version: string } | undefined {
  const m = SRPM.exec(value.trim());
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

export async function parsePrimary(
  bytes: AsyncIterable<Uint8Array>,
  location: string,
  suite: string,
  emit: (p: AvailablePackage) => void,
): Promise<number> {
  let pkg: { name?: string; arch?: string; evr?: string; srpm?: string; rpm: boolean } | undefined;
  let count = 0;
  await walkXml(bytes, location, {
    root: 'metadata',
    text: (name, depth) =>
      (depth === 2 && (name === 'name' || name === 'arch')) || (depth === 3 && name === 'sourcerpm'),
    open(name, attrs, depth) {
      if (depth === 1 && name === 'package') pkg = { rpm: (attrs.type ?? 'rpm') === 'rpm' };
      else if (depth === 2 && name === 'version' && pkg) {
        const { epoch, ver, rel } = attrs;
        if (!ver || !rel) throw new FeedFormatError('primary', '<version> without ver or rel', location);
        if (epoch !== undefined && !/^\d+$/.test(epoch))
          throw new FeedFormatError('primary', `bad epoch ${epoch}`, location);
        pkg.evr = evrString(epoch, ver, rel);
      }
    },
    close(name, text, depth) {
      if (!pkg) return;
      if (depth === 2 && name === 'name') pkg.name = text.trim();
      else if (depth === 2 && name === 'arch') pkg.arch = text.trim();
      else if (depth === 3 && name === 'sourcerpm') pkg.srpm = text.trim();
      else if (depth === 1 && name === 'package') {
        const { name: n, arch, evr, srpm } = pkg;
        pkg = undefined;
        if (!n || !arch || !evr)
          throw new FeedFormatError('primary', `package ${count + 1} lacks name, arch or version`, location);
        if (arch === 'src' || arch === 'nosrc') return;
        const source = srpm ? parseSourceRpm(srpm) : undefined;
        if (srpm && !source) throw new FeedFormatError('primary', `bad sourcerpm ${srpm}`, location);
        count++;
        emit({
          name: n,
          version: evr,
          arch,
          source: source ?? { name: n },
          suite,
          classification: 'unknown',
        });
      }
    },
  });
  return count;
}
