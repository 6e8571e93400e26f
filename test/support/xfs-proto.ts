/**
 * mkfs.xfs -p protofiles from generated trees. mkfs.xfs 6.1 protofiles cannot hold names with
 * whitespace or ':' nor hard links: such names are left out (and out of the returned manifest);
 * hard links are packed as separate copies.
 */
import { join } from 'node:path';
import type { TreeManifest } from './trees.ts';

const unpackable = (name: string) => /[\s:]/.test(name) || name === '$';

/** A protofile for the tree under `src`, and the manifest restricted to what it can hold. */
export function protofile(src: string, manifest: TreeManifest): { proto: string; expected: TreeManifest } {
  const expected: TreeManifest = {};
  const lines = ['outboard', '0 0', 'd--755 0 0'];
  const children = new Map<string, string[]>();
  for (const p of Object.keys(manifest).sort()) {
    const slash = p.lastIndexOf('/');
    const parent = slash < 0 ? '' : p.slice(0, slash);
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const emit = (dir: string) => {
    for (const p of children.get(dir) ?? []) {
      const e = manifest[p] as TreeManifest[string];
      const name = p.slice(p.lastIndexOf('/') + 1);
      if (unpackable(name)) continue;
      if (e.type === 'dir') {
        lines.push(`${name} d--755 0 0`);
        emit(p);
        lines.push('$');
      } else if (e.type === 'file') {
        lines.push(`${name} ---644 0 0 ${join(src, p)}`);
      } else {
        if (/\s/.test(e.linkTarget as string)) continue;
        lines.push(`${name} l--777 0 0 ${e.linkTarget}`);
      }
      expected[p] = e;
    }
  };
  emit('');
  lines.push('$', '');
  return { proto: lines.join('\n'), expected };
}
