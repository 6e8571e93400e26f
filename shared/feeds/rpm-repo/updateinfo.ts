/** `updateinfo.xml[.gz|.xz|.zst]`: errata (RHSA/RLSA/ALSA/FEDORA-…), streamed. */
import type { RpmAdvisory, RpmAdvisoryPackage } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { evrString } from './primary.ts';
import { dateOf, walkXml } from './xml.ts';

const TYPES = ['security', 'bugfix', 'enhancement', 'newpackage'] as const;
const CVE = /^CVE-\d{4}-\d{4,}$/;

export async function parseUpdateinfo(
  bytes: AsyncIterable<Uint8Array>,
  location: string,
  emit: (a: RpmAdvisory) => void,
): Promise<number> {
  let cur: (Partial<RpmAdvisory> & { cves: string[]; packages: RpmAdvisoryPackage[] }) | undefined;
  let count = 0;
  const fail = (message: string) => {
    throw new FeedFormatError(
      'updateinfo',
      message,
      `${location} update ${count + 1}${cur?.id ? ` (${cur.id})` : ''}`,
    );
  };
  await walkXml(bytes, location, {
    root: 'updates',
    text: (name, depth) => depth === 2 && ['id', 'title', 'severity'].includes(name),
    open(name, attrs, depth) {
      if (depth === 1 && name === 'update') {
        const type = (attrs.type ?? '').toLowerCase();
        const known = TYPES.find((t) => t === type);
        if (!known) fail(`unknown update type ${JSON.stringify(attrs.type)}`);
        cur = { type: known!, cves: [], packages: [] };
        return;
      }
      if (!cur) return;
      if (depth === 2 && (name === 'issued' || name === 'updated')) {
        const iso = dateOf(attrs.date);
        if (attrs.date && !iso) fail(`unreadable ${name} date ${attrs.date}`);
        if (iso) cur[name] = iso;
      } else if (depth === 3 && name === 'reference' && attrs.type?.toLowerCase() === 'cve') {
        const id = (attrs.id ?? attrs.title ?? '').trim();
        if (CVE.test(id) && !cur.cves.includes(id)) cur.cves.push(id);
      } else if (depth === 4 && name === 'package') {
        const { name: n, version, release, arch } = attrs;
        if (!n || !version || !release || !arch) fail('<package> without name, version, release or arch');
        const epoch = attrs.epoch ?? '0';
        if (!/^\d+$/.test(epoch)) fail(`bad epoch ${epoch}`);
        const p: RpmAdvisoryPackage = {
          name: n!,
          epoch,
          version: version!,
          release: release!,
          arch: arch!,
          evr: evrString(epoch, version!, release!),
        };
        if (attrs.src) p.src = attrs.src;
        cur.packages.push(p);
      }
    },
    close(name, text, depth) {
      if (!cur) return;
      if (depth === 2 && name === 'id') cur.id = text.trim();
      else if (depth === 2 && name === 'title') cur.title = text.trim();
      else if (depth === 2 && name === 'severity' && text.trim() && text.trim() !== 'None')
        cur.severity = text.trim();
      else if (depth === 1 && name === 'update') {
        if (!cur.id) fail('<update> without <id>');
        const a: RpmAdvisory = { id: cur.id!, type: cur.type!, cves: cur.cves, packages: cur.packages };
        for (const k of ['severity', 'title', 'issued', 'updated'] as const) if (cur[k]) a[k] = cur[k];
        cur = undefined;
        count++;
        emit(a);
      }
    },
  });
  return count;
}
